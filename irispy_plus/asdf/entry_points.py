"""
Entry points through which ASDF finds the irispy-plus extension and schemas.

Both are registered in ``pyproject.toml`` (``asdf.extensions`` and
``asdf.resource_mappings``). Nothing here imports astropy, sunpy or the cube classes:
the converters import what they need when a file is read or written.
"""

import importlib.resources

__all__ = ["MANIFEST_URIS", "get_extensions", "get_resource_mappings"]

#: Every manifest of irispy-plus, newest first. A released manifest is never edited:
#: a new tag version goes into a new manifest, listed here ahead of the older ones.
MANIFEST_URIS = ("asdf://irispy-plus.org/manifests/irispy_plus-1.0.0",)

_SCHEMAS_PREFIX = "asdf://irispy-plus.org/schemas/"
_MANIFESTS_PREFIX = "asdf://irispy-plus.org/manifests/"


def get_resource_mappings():
    """
    The ASDF resource mappings (schemas and manifests) of irispy-plus.

    Returns
    -------
    list of asdf.resource.DirectoryResourceMapping
        The schemas under ``asdf://irispy-plus.org/schemas/`` and the manifests under
        ``asdf://irispy-plus.org/manifests/``.

    Examples
    --------
    >>> from irispy_plus.asdf.entry_points import get_resource_mappings
    >>> schemas, manifests = get_resource_mappings()
    >>> "asdf://irispy-plus.org/manifests/irispy_plus-1.0.0" in manifests
    True
    """
    from asdf.resource import DirectoryResourceMapping

    root = importlib.resources.files("irispy_plus.asdf") / "resources"
    return [
        DirectoryResourceMapping(root / "schemas", _SCHEMAS_PREFIX),
        DirectoryResourceMapping(root / "manifests", _MANIFESTS_PREFIX),
    ]


def get_extensions():
    """
    The ASDF extensions of irispy-plus: one per manifest, all with the same converters.

    Returns
    -------
    list of asdf.extension.ManifestExtension

    Examples
    --------
    >>> from irispy_plus.asdf.entry_points import get_extensions
    >>> [extension.extension_uri for extension in get_extensions()]
    ['asdf://irispy-plus.org/extensions/irispy_plus-1.0.0']
    """
    from asdf.extension import ManifestExtension

    from irispy_plus.asdf.converters import CONVERTERS

    return [ManifestExtension.from_uri(uri, converters=CONVERTERS) for uri in MANIFEST_URIS]
