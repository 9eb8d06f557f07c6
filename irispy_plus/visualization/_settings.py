"""
Viewer settings that survive between calls: one settings object per shown data object.
"""

import contextlib
import weakref

__all__ = ["apply_start", "settings_for"]

_SETTINGS: dict[object, object] = {}


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


def apply_start(settings, start, caller):
    """
    Set the start-state keywords a viewer was called with on its settings.

    Parameters
    ----------
    settings : object
        The viewer's settings.
    start : dict
        The keywords, e.g. ``{"cmap": "gray"}``.
    caller : str
        The viewer function, named in the error.

    Raises
    ------
    IrispyPlusError
        If a keyword is not a setting.
    """
    from irispy_plus.utils.exceptions import IrispyPlusError

    for name, value in start.items():
        if not hasattr(settings, name):
            msg = f"{caller} got an unknown setting {name!r}; see {type(settings).__name__}."
            raise IrispyPlusError(msg)
        setattr(settings, name, value)
