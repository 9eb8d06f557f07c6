"""
Radiometric calibration of IRIS cubes, sequences and collections.

Everything a factor needs is taken from the cube itself: the detector (``meta.detector``),
the date and exposure time of each exposure, the pixel scale along the slit (or both
slit-jaw pixel scales) from the WCS, and the wavelength width of each spectral pixel
from the spectral axis. The factor is a small NumPy array broadcast against the data,
so lazily read (dask) data stay lazy.
"""

from typing import TypeVar

import astropy.units as u
import numpy as np
from astropy.coordinates import angular_separation
from astropy.nddata import InverseVariance, StdDevUncertainty, VarianceUncertainty

from irispy_plus.calibration._radiometry import (
    CALIBRATED_UNITS,
    SLIT_WIDTH,
    _unit_kind,
    slit_jaw_factor,
    spectrograph_factor,
)
from irispy_plus.units import dn_unit
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError

#: A cube, sequence or collection: the calibrations give back the same kind.
IRISData = TypeVar("IRISData")

__all__ = ["inverse_radiometric_calibration", "radiometric_calibration"]

#: Key of the response version used, kept in the metadata of a calibrated cube.
RESPONSE_VERSION_KEY = "RESPONSE_VERSION"
_EXPOSURE_COLUMN = {"FUV": "EXPTIMEF", "NUV": "EXPTIMEN"}


def _numpy_axis(cube, name):
    """The numpy axis of the WCS pixel axis called ``name``, or None if sliced away."""
    names = list(cube.wcs.low_level_wcs.pixel_axis_names)[::-1]
    return names.index(name) if name in names else None


def _exposure_times(cube, detector):
    try:
        seconds = cube.exposure_time
    except (ValueError, AttributeError, KeyError):
        column = _EXPOSURE_COLUMN.get(detector, "EXPTIMES")
        seconds = cube.meta.aux[column].data * u.s
    return np.atleast_1d(u.Quantity(seconds, u.s))


def _times(cube, exposure):
    try:
        time = cube.time
    except (ValueError, AttributeError, KeyError):
        time = cube.meta.date_start + cube.meta.aux["TIME"].data * u.s + exposure / 2
    return time.reshape(-1) if time.ndim else time.reshape(1)


def _pixel_scale(cube, axis_name, header_key):
    """Angular size of one pixel along a spatial pixel axis, from the WCS (header if sliced away)."""
    wcs = cube.wcs.low_level_wcs
    names = list(wcs.pixel_axis_names)
    if axis_name not in names:
        return cube.meta[header_key] * u.arcsec
    start = [0.0] * wcs.pixel_n_dim
    step = list(start)
    step[names.index(axis_name)] = 1.0
    types = wcs.world_axis_physical_types
    lon = next(i for i, t in enumerate(types) if t.endswith("helioprojective.lon"))
    lat = next(i for i, t in enumerate(types) if t.endswith("helioprojective.lat"))
    a = wcs.pixel_to_world_values(*start)
    b = wcs.pixel_to_world_values(*step)
    to_rad = (1 * u.Unit(wcs.world_axis_units[lon])).to_value(u.rad)
    separation = angular_separation(a[lon] * to_rad, a[lat] * to_rad, b[lon] * to_rad, b[lat] * to_rad)
    return (float(separation) * u.rad).to(u.arcsec)


def _data_scale(unit, detector):
    """(scale to detector DN, whether the data are already per second)."""
    dn = dn_unit(detector)
    unit = u.Unit(unit)
    if unit.is_equivalent(dn):
        return unit.to(dn), False
    if unit.is_equivalent(dn / u.s):
        return unit.to(dn / u.s), True
    msg = (
        f"The cube is in {unit}, not in {detector} DN or DN/s; radiometric_calibration needs "
        "uncalibrated data (use inverse_radiometric_calibration to go back to DN)."
    )
    raise IrispyPlusCalibrationError(msg)


def _broadcast_factor(factor, ndim, axes):
    """Reshape ``factor`` (dims in the order of ``axes``) to broadcast against data of ``ndim``."""
    present = [(axis, size) for axis, size in zip(axes, factor.shape, strict=True) if axis is not None]
    factor = factor.reshape([size for _, size in present]) if present else factor.reshape(())
    shape = [1] * ndim
    order = np.argsort([axis for axis, _ in present])
    factor = np.transpose(factor, order) if present else factor
    for axis, size in present:
        shape[axis] = size
    return factor.reshape(shape)


def _cube_factor(cube, unit, version, *, solid_angle=None, dispersion=None, from_unit=None):
    """The factor from the cube's data unit (or ``from_unit``) to ``unit``, broadcastable to the data."""
    detector = cube.meta.detector
    scale, per_second = _data_scale(cube.unit if from_unit is None else from_unit, detector)
    exposure = _exposure_times(cube, detector)
    time = _times(cube, exposure)
    if per_second:
        exposure = np.ones(exposure.shape) * u.s
    if detector in ("FUV", "NUV"):
        spectral = _numpy_axis(cube, "wavelength")
        if spectral is None:
            msg = (
                "radiometric_calibration needs the wavelength axis of a spectrograph cube; "
                "it was sliced away."
            )
            raise IrispyPlusCalibrationError(msg)
        wavelength = u.Quantity(cube.spectral_axis, u.AA)
        if dispersion is None:
            dispersion = (
                np.abs(np.gradient(wavelength)) if wavelength.size > 1 else cube.meta["CDELT1"] * u.AA
            )
        if solid_angle is None:
            solid_angle = SLIT_WIDTH * _pixel_scale(cube, "slit position", "CDELT2")
        factor = spectrograph_factor(
            wavelength,
            time,
            detector,
            exposure_time=exposure,
            solid_angle=solid_angle.to(u.sr),
            dispersion=dispersion,
            unit=unit,
            version=version,
        )
        axes: tuple = (_numpy_axis(cube, "raster step"), spectral)
    else:
        if solid_angle is None:
            solid_angle = _pixel_scale(cube, "x", "CDELT1") * _pixel_scale(cube, "y", "CDELT2")
        factor = slit_jaw_factor(
            time,
            detector,
            exposure_time=exposure,
            solid_angle=solid_angle.to(u.sr),
            unit=unit,
            version=version,
        )
        axes = (_numpy_axis(cube, "frame"),)
    values = factor.value * scale
    return _broadcast_factor(values, cube.data.ndim, axes), factor.unit * dn_unit(detector)


def _scaled_uncertainty(uncertainty, factor, unit):
    if uncertainty is None:
        return None
    array = uncertainty.array
    if isinstance(uncertainty, StdDevUncertainty):
        return StdDevUncertainty(array * np.abs(factor), unit=unit)
    if isinstance(uncertainty, VarianceUncertainty):
        return VarianceUncertainty(array * factor**2, unit=unit**2)
    if isinstance(uncertainty, InverseVariance):
        return InverseVariance(array / factor**2, unit=unit**-2)
    msg = f"Cannot carry a {type(uncertainty).__name__} through the calibration; use StdDevUncertainty."
    raise IrispyPlusCalibrationError(msg)


def _apply(cube, factor, unit):
    data = cube.data
    dtype = np.result_type(data.dtype, np.float32)
    factor = factor.astype(dtype)
    return cube._new_instance(
        data=data * factor,
        unit=unit,
        uncertainty=_scaled_uncertainty(cube.uncertainty, factor, unit),
    )


def _calibrate_one(cube, unit, version, solid_angle, dispersion):
    factor, _ = _cube_factor(cube, unit, version, solid_angle=solid_angle, dispersion=dispersion)
    new = _apply(cube, factor, unit)
    new.meta[RESPONSE_VERSION_KEY] = version
    return new


def _invert_one(cube, version, solid_angle, dispersion):
    detector = cube.meta.detector
    unit = u.Unit(cube.unit)
    _unit_kind(unit)
    version = cube.meta.get(RESPONSE_VERSION_KEY) if version is None else version
    # The factor from DN to the cube's unit, computed as for the forward calibration.
    dn = dn_unit(detector)
    factor, _ = _cube_factor(
        cube, unit, version, solid_angle=solid_angle, dispersion=dispersion, from_unit=dn
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(np.isfinite(factor) & (factor != 0), 1 / factor, np.nan)
    new = _apply(cube, inverse, dn)
    new.meta.pop(RESPONSE_VERSION_KEY, None)
    return new


def _map(function, data, *args):
    # Imported here: the cube classes sit below calibration in the package's data flow.
    from irispy_plus.cubes import IRISObservation, IRISRasterSequence

    if isinstance(data, IRISRasterSequence):
        return type(data)(
            [function(cube, *args) for cube in data.data], common_axis=data._common_axis, meta=data.meta
        )
    if isinstance(data, IRISObservation):  # RasterCollection and SJICollection too
        aligned = None if data.aligned_axes is None else tuple(data.aligned_axes.values())
        items = [(key, _map(function, value, *args)) for key, value in data.items()]
        return type(data)(items, aligned_axes=aligned, meta=data.meta)
    if hasattr(data, "meta") and hasattr(data.meta, "detector"):
        return function(data, *args)
    msg = (
        f"Cannot calibrate a {type(data).__name__}; pass an IRIS cube, raster sequence or "
        "collection read with irispy_plus.read_files."
    )
    raise IrispyPlusCalibrationError(msg)


@u.quantity_input(solid_angle=u.sr, dispersion=u.AA)
def radiometric_calibration(
    data: IRISData,
    unit: str | u.UnitBase = CALIBRATED_UNITS[0],
    *,
    version: int | None = None,
    solid_angle: u.Quantity | None = None,
    dispersion: u.Quantity | None = None,
) -> IRISData:
    """
    Convert IRIS data from DN to radiance (or photons per second).

    Works on a raster cube (`~irispy_plus.cubes.IRISSpectrogramCube`), a raster
    sequence, a `~irispy_plus.cubes.RasterCollection`, a slit-jaw cube
    (`~irispy_plus.cubes.IRISSJICube`) or an `~irispy_plus.cubes.IRISObservation`; data
    in DN or DN/s. Each exposure uses its own date and exposure time; the pixel solid
    angle is the slit width (`SLIT_WIDTH`) times the WCS pixel scale along the slit (both
    WCS pixel scales for slit-jaws), and the wavelength width of a spectral pixel is the
    spacing of the spectral axis. Lazy data stay lazy; mask and coordinates are kept, an
    uncertainty is scaled with the data.

    Parameters
    ----------
    data : IRIS cube, sequence or collection
        What to calibrate.
    unit : astropy.units.Unit, optional
        Target unit, equivalent to one of `CALIBRATED_UNITS`; erg cm-2 s-1 sr-1 Å-1 by default.
    version : int, optional
        Response version, the latest by default.
    solid_angle : astropy.units.Quantity, optional
        Override the solid angle of a pixel.
    dispersion : astropy.units.Quantity, optional
        Override the wavelength width of a spectral pixel.

    Returns
    -------
    The same kind of object, in ``unit``.

    Raises
    ------
    IrispyPlusCalibrationError
        If the data are not in DN, the unit is not a radiance or photon rate, or a
        spectrograph cube has lost its wavelength axis.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.calibration import radiometric_calibration
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    >>> calibrated = radiometric_calibration(cube, unit=u.W / (u.m**2 * u.sr * u.nm))
    >>> calibrated.unit
    Unit("W / (nm sr m2)")
    >>> calibrated.is_lazy
    True
    """
    unit, _ = _unit_kind(unit)
    return _map(_calibrate_one, data, unit, version, solid_angle, dispersion)


@u.quantity_input(solid_angle=u.sr, dispersion=u.AA)
def inverse_radiometric_calibration(
    data: IRISData,
    *,
    version: int | None = None,
    solid_angle: u.Quantity | None = None,
    dispersion: u.Quantity | None = None,
) -> IRISData:
    """
    Convert calibrated IRIS data back to DN; the inverse of `radiometric_calibration`.

    Parameters
    ----------
    data : IRIS cube, sequence or collection
        Data calibrated by `radiometric_calibration`.
    version : int, optional
        Response version; by default the one the calibration used.
    solid_angle, dispersion : astropy.units.Quantity, optional
        The overrides given to `radiometric_calibration`, if any.

    Returns
    -------
    The same kind of object, in the detector's DN unit.

    Raises
    ------
    IrispyPlusCalibrationError
        If the data are not in a radiance or photon rate unit.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.calibration import inverse_radiometric_calibration, radiometric_calibration
    >>> from irispy_plus.data import sample
    >>> sji = read_cube(sample.SJI_1400)
    >>> inverse_radiometric_calibration(radiometric_calibration(sji)).unit
    Unit("DN_IRIS_SJI_FUV")
    """
    return _map(_invert_one, data, version, solid_angle, dispersion)
