"""
A FITS TAN world coordinate system fitted to the coordinates of a 2-D IRIS image.

A slit-jaw frame is exactly a TAN projection about its exposure's pointing, so the fit
reproduces its coordinates to rounding. A raster map is not: each raster step has its
own pointing and rotation, so a single TAN system is the least-squares affine
approximation of its coordinates, and the largest distance between the two over every
pixel is reported as the systematic error of the map's coordinates.
"""

import numpy as np

from irispy_plus.io._projection import helioprojective_to_intermediate, intermediate_to_helioprojective
from irispy_plus.utils.exceptions import IrispyPlusMapError

__all__ = ["TanFit", "celestial_grid", "fit_tan"]

_MAX_SAMPLES_PER_AXIS = 65


class TanFit:
    """
    A fitted TAN system: reference point, reference pixel, CD matrix and its error.

    Attributes
    ----------
    crval : tuple of float
        Helioprojective longitude and latitude of the reference point, arcsec.
    crpix : tuple of float
        The reference pixel, 1-based, FITS order (x, y).
    cd : numpy.ndarray
        The 2x2 CD matrix, arcsec per pixel, rows longitude and latitude.
    max_error : float
        The largest distance, in arcsec, between the image's own coordinates and the
        fitted system's, over the sampled pixels (every pixel of images up to 65 pixels
        a side, a 65x65 grid with the edges otherwise).
    """

    def __init__(self, crval, crpix, cd, max_error):
        self.crval = tuple(float(value) for value in crval)
        self.crpix = tuple(float(value) for value in crpix)
        self.cd = np.asarray(cd, dtype=float)
        self.max_error = float(max_error)

    def split_cd(self, cdelt=None):
        """
        Split the CD matrix into pixel scales and a PC matrix (``CD = diag(cdelt) PC``).

        Parameters
        ----------
        cdelt : tuple of float, optional
            The scales to use (say, a header's CDELT1, CDELT2); by default the lengths
            of the CD matrix's rows, signed so that PC has a positive diagonal.

        Returns
        -------
        cdelt : tuple of float
        pc : numpy.ndarray
        """
        if cdelt is None:
            lengths = np.hypot(self.cd[:, 0], self.cd[:, 1])
            signs = np.where(np.diag(self.cd) < 0, -1.0, 1.0)
            cdelt = lengths * signs
        cdelt = np.asarray(cdelt, dtype=float)
        return tuple(cdelt), self.cd / cdelt[:, None]


def _sample_indices(length):
    if length <= _MAX_SAMPLES_PER_AXIS:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, _MAX_SAMPLES_PER_AXIS).round().astype(int))


def celestial_grid(wcs, shape, transpose=False):
    """
    Helioprojective coordinates of a sampled grid of pixels of a 2-D image.

    Parameters
    ----------
    wcs : astropy.wcs.wcsapi.BaseLowLevelWCS
        A low-level WCS with two pixel axes and helioprojective longitude and latitude
        among its world axes.
    shape : tuple of int
        The image shape, numpy order.
    transpose : bool
        Whether the map will hold the image transposed; the returned pixel indices are
        then the map's (x along numpy axis 0 of the image).

    Returns
    -------
    x, y : numpy.ndarray
        0-based map pixel indices (FITS order: x the column) of the sampled pixels.
    lon, lat : numpy.ndarray
        Their longitude and latitude, arcsec.
    """
    types = list(wcs.world_axis_physical_types)
    try:
        lon_axis = next(i for i, kind in enumerate(types) if "lon" in kind)
        lat_axis = next(i for i, kind in enumerate(types) if "lat" in kind)
    except StopIteration:
        msg = f"The image has no helioprojective axes (its world axes are {types}), so it is not a map."
        raise IrispyPlusMapError(msg) from None
    rows, columns = np.meshgrid(_sample_indices(shape[0]), _sample_indices(shape[1]), indexing="ij")
    world = wcs.pixel_to_world_values(columns.astype(float), rows.astype(float))
    world = world if isinstance(world, tuple | list) else (world,)
    units = wcs.world_axis_units
    lon = np.asarray(world[lon_axis], dtype=float) * _arcsec_per(units[lon_axis])
    lat = np.asarray(world[lat_axis], dtype=float) * _arcsec_per(units[lat_axis])
    if transpose:
        return rows, columns, lon, lat
    return columns, rows, lon, lat


def _arcsec_per(unit):
    return {"arcsec": 1.0, "deg": 3600.0, "rad": np.rad2deg(3600.0)}[str(unit)]


def fit_tan(x, y, lon, lat, crval=None):
    """
    Fit a TAN system to pixels and their coordinates, by least squares.

    Parameters
    ----------
    x, y : numpy.ndarray
        0-based pixel indices, FITS order.
    lon, lat : numpy.ndarray
        Their helioprojective longitude and latitude, arcsec.
    crval : tuple of float, optional
        The reference point (say, the exposure's pointing); by default the coordinates
        of the pixel nearest the middle of the sample.

    Returns
    -------
    TanFit

    Raises
    ------
    IrispyPlusMapError
        If the coordinates are not finite or the pixels do not span two dimensions.
    """
    x, y, lon, lat = (np.ravel(np.asarray(value, dtype=float)) for value in (x, y, lon, lat))
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        msg = "The image's coordinates are not all finite, so no TAN system can be fitted to them."
        raise IrispyPlusMapError(msg)
    if crval is None:
        middle = np.argmin(np.hypot(x - np.median(x), y - np.median(y)))
        crval = (lon[middle], lat[middle])
    u, v = helioprojective_to_intermediate(lon, lat, crval[0], crval[1])
    design = np.column_stack([x, y, np.ones_like(x)])
    if np.linalg.matrix_rank(design) < 3:
        msg = "The image must be at least 2 pixels along each axis to be a map."
        raise IrispyPlusMapError(msg)
    coefficients, *_ = np.linalg.lstsq(design, np.column_stack([u, v]), rcond=None)
    cd = coefficients[:2].T
    offset = coefficients[2]
    reference = -np.linalg.solve(cd, offset)  # 0-based pixel where the intermediate coords vanish
    fitted_lon, fitted_lat = intermediate_to_helioprojective(
        cd[0, 0] * (x - reference[0]) + cd[0, 1] * (y - reference[1]),
        cd[1, 0] * (x - reference[0]) + cd[1, 1] * (y - reference[1]),
        crval[0],
        crval[1],
    )
    error = np.hypot((fitted_lon - lon) * np.cos(np.deg2rad(lat / 3600)), fitted_lat - lat)
    return TanFit(crval, reference + 1, cd, np.max(error))
