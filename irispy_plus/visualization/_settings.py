"""
Viewer settings that survive between calls: one settings object per shown data object.
"""

import contextlib
import weakref

__all__ = ["settings_for"]

_SETTINGS = {}


def settings_for(data, factory):
    """
    The settings kept for ``data`` (made with ``factory()`` the first time).

    They live as long as ``data`` does, so calling a viewer again on the same cube or
    collection starts where the last call left off.

    Parameters
    ----------
    data : object
        The cube or collection shown.
    factory : type
        The settings class.

    Returns
    -------
    object
        The settings instance.
    """
    key = (id(data), factory.__name__)
    settings = _SETTINGS.get(key)
    if settings is None:
        settings = _SETTINGS[key] = factory()
        # Objects without weak references keep their settings for the session.
        with contextlib.suppress(TypeError):
            weakref.finalize(data, _SETTINGS.pop, key, None)
    return settings
