"""
Reprojection between IRIS images and other instruments' Maps.
"""

import contextlib

from irispy_plus.utils.exceptions import IrispyPlusMapError
from irispy_plus.utils.optional import import_optional

__all__ = ["as_map", "reproject_to"]


def as_map(image):
    """
    A sunpy Map of ``image``: the Map itself, or `to_map` of a 2-D IRIS cube.

    Parameters
    ----------
    image : sunpy.map.GenericMap or ndcube.NDCube
        A Map, or a 2-D cube with helioprojective axes.

    Returns
    -------
    sunpy.map.GenericMap
    """
    from sunpy.map import GenericMap

    if isinstance(image, GenericMap):
        return image
    from irispy_plus.maps._convert import to_map

    return to_map(image)


def _target_wcs(target):
    from astropy.wcs import WCS
    from sunpy.map import GenericMap

    if isinstance(target, WCS):
        return target
    if isinstance(target, GenericMap):
        return target.wcs
    return as_map(target).wcs


def reproject_to(image, target, *, algorithm="interpolation", rotate=True):
    """
    Reproject an image onto another image's grid: an IRIS image onto a Map of another
    instrument (AIA, HMI, a ground telescope), or such a Map onto an IRIS image.

    Solar rotation between the two times is followed through each Map's observer and
    time: with ``rotate=True`` coordinates move with the solar surface (sunpy's
    ``propagate_with_solar_surface``), otherwise they stay fixed in the sky.

    Parameters
    ----------
    image : sunpy.map.GenericMap or ndcube.NDCube
        What to reproject: a Map, or a 2-D IRIS image (see `to_map`).
    target : sunpy.map.GenericMap, ndcube.NDCube or astropy.wcs.WCS
        The grid to put it on.
    algorithm : {"interpolation", "adaptive", "exact"}
        The ``reproject`` algorithm (needs the ``maps`` extra).
    rotate : bool
        Follow solar differential rotation between the two times.

    Returns
    -------
    sunpy.map.GenericMap
        ``image`` on ``target``'s grid; NaN where ``image`` does not reach.

    Raises
    ------
    IrispyPlusMapError
        If ``algorithm`` is unknown or ``reproject`` is not installed.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.maps import reproject_to, to_map
    >>> sji = read_cube(sample.SJI_1400)
    >>> on_second = reproject_to(sji[0], sji[1])
    >>> on_second.data.shape
    (109, 178)
    """
    if algorithm not in ("interpolation", "adaptive", "exact"):
        msg = f"algorithm={algorithm!r} is not one of 'interpolation', 'adaptive', 'exact'."
        raise IrispyPlusMapError(msg)
    import_optional("reproject", "maps")
    source = as_map(image)
    wcs = _target_wcs(target)
    context = contextlib.nullcontext()
    if rotate:
        from sunpy.coordinates import propagate_with_solar_surface

        context = propagate_with_solar_surface()
    with context:
        return source.reproject_to(wcs, algorithm=algorithm)
