"""
Entry points through which ASDF finds the irispy-plus extension and schemas.
"""

__all__ = ["get_extensions", "get_resource_mappings"]


def get_extensions():
    """
    The ASDF extensions of irispy-plus.
    """
    return []


def get_resource_mappings():
    """
    The ASDF resource mappings (schemas and manifests) of irispy-plus.
    """
    return []
