"""
IRIS images as sunpy Maps: slit-jaw frames, spectroheliograms and derived raster maps.
"""

import re

import astropy.units as u
import numpy as np
from astropy.time import Time

from irispy_plus.maps._tan import celestial_grid, fit_tan
from irispy_plus.utils._masks import masked_values
from irispy_plus.utils.exceptions import IrispyPlusMapError

__all__ = ["to_map", "to_maps"]

# Header keywords copied from the cube's metadata when present.
_COPIED_KEYWORDS = (
    "TELESCOP",
    "INSTRUME",
    "OBSID",
    "OBS_DESC",
    "DATA_LEV",
    "BTYPE",
    "TWAVE1",
    "TWMIN1",
    "TWMAX1",
    "SUMSPAT",
    "SUMSPTRL",
)


def _world_values(cube, physical_type):
    """The values of a world coordinate of the cube (extra, global or WCS), or None."""
    try:
        # ExtraCoords has no __contains__: "in" would iterate its __getitem__ forever.
        if cube.extra_coords is not None and physical_type in cube.extra_coords.keys():  # noqa: SIM118
            return cube.axis_world_coords(physical_type, wcs=cube.extra_coords)[0]
    except ValueError:
        pass
    for name in cube.global_coords.keys() if cube.global_coords is not None else ():
        if cube.global_coords.physical_types[name] == physical_type:
            return cube.global_coords[name]
    return None


def _exposure_times(cube, date):
    """Mid-exposure times and exposure durations of the exposures in a 2-D image."""
    if date is not None:
        return Time(np.atleast_1d(Time(date))), None
    times = _world_values(cube, "time")
    if times is None:
        msg = (
            "The image carries no time (no 'time' coordinate), so the map's DATE-OBS is "
            "unknown: give it as to_map(image, date=...)."
        )
        raise IrispyPlusMapError(msg)
    exposures = _world_values(cube, "obs.exposure")
    return Time(np.atleast_1d(times)), None if exposures is None else np.atleast_1d(exposures.to_value(u.s))


def _is_lon_along_axis0(x_axis0, lon):
    """Whether longitude changes faster along numpy axis 0 of the image than axis 1."""
    along0 = np.nanmedian(np.abs(np.diff(lon, axis=0))) if lon.shape[0] > 1 else 0.0
    along1 = np.nanmedian(np.abs(np.diff(lon, axis=1))) if lon.shape[1] > 1 else 0.0
    return along0 > along1


def _observer_keywords(date):
    from sunpy.coordinates import get_earth

    earth = get_earth(date)
    return {
        "HGLN_OBS": float(earth.lon.to_value(u.deg)),
        "HGLT_OBS": float(earth.lat.to_value(u.deg)),
        "DSUN_OBS": float(earth.radius.to_value(u.m)),
    }


def _date_keywords(times, exposures):
    mid = times.min() + (times.max() - times.min()) / 2
    half = 0.0 * u.s if exposures is None else np.nanmax(exposures) / 2 * u.s
    keywords = {
        "DATE-OBS": mid.isot,
        "DATE-AVG": mid.isot,
        "DATE-BEG": (times.min() - half).isot,
        "DATE-END": (times.max() + half).isot,
    }
    if exposures is not None:
        keywords["EXPTIME"] = float(np.nanmean(exposures))
    return keywords, mid


def _pointing_of_frame(cube):
    """The aux pointing (XCENIX, YCENIX) of a slit-jaw frame, or None."""
    aux = getattr(cube.meta, "aux", None)
    if aux is None or "XCENIX" not in aux.colnames or len(aux) != 1:
        return None
    return float(aux["XCENIX"][0]), float(aux["YCENIX"][0])


def _header_cdelt(meta, transpose):
    """The header's pixel scales of a slit-jaw frame, when the fit should use them."""
    if transpose or meta is None or meta.get("INSTRUME") != "SJI":
        return None
    try:
        return float(meta["CDELT1"]), float(meta["CDELT2"])
    except (KeyError, TypeError, ValueError):
        return None


def to_map(image, *, date=None):
    """
    Make a sunpy Map of a 2-D IRIS image: a slit-jaw frame, a spectroheliogram or a map
    derived from a raster (fit, moments, features).

    The Map's WCS is a TAN projection fitted to the image's own coordinates. A slit-jaw
    frame is exactly such a projection about its exposure's pointing (``XCENIX``,
    ``YCENIX`` and ``PCi_jIX`` of the auxiliary table), so the Map reproduces the cube's
    coordinates to rounding. A raster map has a pointing and rotation per step; its Map
    carries the least-squares TAN system, and the largest distance between the two over
    the image is written as ``CSYER1``/``CSYER2`` (FITS systematic error, arcsec) and is
    ``map.meta["csyer1"]`` (typically below a tenth of a pixel; on IRIS rasters it grows
    with pointing jitter). A raster map is transposed so that Solar-X runs along the
    Map's x axis.

    Parameters
    ----------
    image : ndcube.NDCube
        A 2-D cube whose world axes are helioprojective longitude and latitude (a
        slit-jaw frame ``sji[i]``, a spectroheliogram ``raster[..., i]`` or a derived
        map such as ``fit.doppler_velocity()``).
    date : str or astropy.time.Time, optional
        The map's time, when the image carries none.

    Returns
    -------
    sunpy.map.GenericMap
        An ``SJIMap`` for a slit-jaw frame; a ``GenericMap`` otherwise. Masked pixels
        are NaN.

    Raises
    ------
    IrispyPlusMapError
        If the image is not 2-D, has no helioprojective axes, is a sit-and-stare image
        (slit against time, not a map of the Sun) or carries no time.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.maps import to_map
    >>> sji = read_cube(sample.SJI_1400)
    >>> frame = to_map(sji[0])
    >>> frame.date.isot, frame.wavelength
    ('2023-04-08T11:10:12.690', <Quantity 1400. Angstrom>)
    >>> raster = read_cube(sample.RASTER, "Si IV 1403")
    >>> spectroheliogram = to_map(raster[..., 14])
    >>> spectroheliogram.data.shape  # (along the slit, raster step)
    (109, 8)
    """
    if image.data.ndim != 2:
        msg = (
            f"to_map takes a 2-D image; this cube has shape {image.data.shape}. Slice it first "
            "(a slit-jaw frame: sji[i]; a spectroheliogram: raster[..., i]); sji.to_maps() "
            "gives every frame."
        )
        raise IrispyPlusMapError(msg)
    low_level = image.wcs.low_level_wcs
    x, y, lon, lat = celestial_grid(low_level, image.data.shape)
    if np.ptp(lon) == 0 and np.ptp(lat) == 0:
        msg = "The image's pixels all have the same coordinates, so it is not a map of the Sun."
        raise IrispyPlusMapError(msg)
    transpose = _is_lon_along_axis0(x, lon)
    meta = image.meta if hasattr(image.meta, "get") else {}
    instrument = str(meta.get("INSTRUME", "")).strip()
    if instrument == "SPEC" and _is_sit_and_stare(meta):
        msg = (
            "This is a sit-and-stare image: one slit position seen over time, not a map of "
            "the Sun, so it has no Map form. Use a raster, or a slit-jaw frame for context."
        )
        raise IrispyPlusMapError(msg)
    if transpose:
        x, y, lon, lat = celestial_grid(low_level, image.data.shape, transpose=True)
    crval = _pointing_of_frame(image) if instrument == "SJI" else None
    fit = fit_tan(x, y, lon, lat, crval=crval)
    cdelt, pc = fit.split_cd(_header_cdelt(meta, transpose))
    times, exposures = _exposure_times(image, date)
    keywords, mid = _date_keywords(times, exposures)
    header = {key.lower(): meta[key] for key in _COPIED_KEYWORDS if key in meta}
    header.update({key.lower(): value for key, value in keywords.items()})
    header.update(
        {
            "ctype1": "HPLN-TAN",
            "ctype2": "HPLT-TAN",
            "cunit1": "arcsec",
            "cunit2": "arcsec",
            "crval1": fit.crval[0],
            "crval2": fit.crval[1],
            "crpix1": fit.crpix[0],
            "crpix2": fit.crpix[1],
            "cdelt1": cdelt[0],
            "cdelt2": cdelt[1],
            "pc1_1": pc[0, 0],
            "pc1_2": pc[0, 1],
            "pc2_1": pc[1, 0],
            "pc2_2": pc[1, 1],
            "csyer1": fit.max_error,
            "csyer2": fit.max_error,
            "rsun_ref": 695700000.0,
        }
    )
    header.update({key.lower(): value for key, value in _observer_keywords(mid).items()})
    wavelength = _wavelength(image, meta)
    if wavelength is not None:
        header["wavelnth"] = wavelength
        header["waveunit"] = "angstrom"
    if image.unit is not None:
        header["bunit"] = _bunit(image.unit)
    header.setdefault("telescop", "IRIS")
    data = masked_values(image)
    if transpose:
        data = data.T
    return _make_map(data, header)


def _is_sit_and_stare(meta):
    """Whether a spectrograph image stares at one slit position (CDELT3 = 0)."""
    try:
        return float(meta.get("CDELT3", 1.0)) == 0.0
    except (TypeError, ValueError):
        return False


def _bunit(unit):
    """BUNIT for a unit: IRIS's per-detector DN units become plain DN, which sunpy reads."""
    return re.sub(r"DN_IRIS_\w+", "DN", unit.to_string())


def _wavelength(image, meta):
    twave = meta.get("TWAVE1")
    if meta.get("INSTRUME") == "SJI" and twave is not None:
        return float(twave)
    wavelength = _world_values(image, "em.wl")
    if wavelength is not None:
        return float(np.mean(u.Quantity(wavelength).to_value(u.AA)))
    return None if twave is None else float(twave)


def _make_map(data, header):
    import sunpy.map
    from sunpy.util.metadata import MetaDict

    return sunpy.map.Map(data, MetaDict(header))


def to_maps(sji):
    """
    Make a sunpy MapSequence of a slit-jaw cube: one Map per frame, each with its own
    exposure's pointing, rotation and mid-exposure time.

    Parameters
    ----------
    sji : irispy_plus.cubes.IRISSJICube
        A 3-D slit-jaw cube (time, y, x).

    Returns
    -------
    sunpy.map.MapSequence

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.maps import to_maps
    >>> maps = to_maps(read_cube(sample.SJI_1400))
    >>> len(maps), maps[1].date.isot
    (2, '2023-04-08T11:42:16.050')
    """
    import sunpy.map

    if sji.data.ndim != 3:
        msg = f"to_maps takes a slit-jaw cube (time, y, x); this one has shape {sji.data.shape}."
        raise IrispyPlusMapError(msg)
    return sunpy.map.Map([to_map(sji[index]) for index in range(sji.data.shape[0])], sequence=True)
