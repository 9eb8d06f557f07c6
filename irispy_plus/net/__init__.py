"""
Find and fetch IRIS data: a `sunpy.net.Fido` client for the HEK Coverage Registry.
"""

__all__ = []
