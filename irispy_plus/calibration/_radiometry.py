r"""
DN to physical units: the conversion factors of the spectrograph and the slit-jaw imager.

For a spectrograph pixel at wavelength :math:`\lambda` the photon rate is
:math:`N = g\,\mathrm{DN}/t` (``g`` photons per DN, ``t`` the exposure time) and the
spectral radiance is

.. math:: B_\lambda = \frac{N\,hc/\lambda}{A(\lambda)\,\Omega\,\Delta\lambda},

with :math:`A` the effective area, :math:`\Omega` the solid angle of the pixel (slit
width times the pixel size along the slit) and :math:`\Delta\lambda` the width of the
pixel in wavelength; per unit frequency :math:`B_\nu = B_\lambda\lambda^2/c`.

A slit-jaw pixel integrates over the band, so its radiance is given as that of a source
with a flat spectrum over the band (the usual continuum-equivalent convention):
:math:`B_\lambda = N\,hc/(\Omega\int A\lambda\,d\lambda)` and
:math:`B_\nu = N\,h/(\Omega\int A/\lambda\,d\lambda)`.
"""

import astropy.constants as const
import astropy.units as u
import numpy as np
from sunpy.time import parse_time

from irispy_plus.calibration._response import TimeLike, _check_detector, detector_area_on_grid, effective_area
from irispy_plus.units import dn_unit
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError

__all__ = [
    "CALIBRATED_UNITS",
    "SLIT_WIDTH",
    "SPECTROGRAPH_PIXEL_SIZE",
    "calibrate_spectrum",
    "photons_per_dn",
    "slit_jaw_factor",
    "spectrograph_factor",
]

#: Width of the IRIS spectrograph slit.
SLIT_WIDTH = 0.33 * u.arcsec
#: Size of an unsummed spectrograph pixel along the slit.
SPECTROGRAPH_PIXEL_SIZE = 0.16635 * u.arcsec
#: The units the calibration functions convert to (any unit equivalent to one also works).
CALIBRATED_UNITS = (
    u.erg / (u.cm**2 * u.s * u.sr * u.AA),
    u.W / (u.m**2 * u.sr * u.nm),
    u.erg / (u.cm**2 * u.s * u.sr * u.Hz),
    u.W / (u.m**2 * u.sr * u.Hz),
    u.ph / u.s,
)
_PER_WAVELENGTH, _PER_FREQUENCY, _PHOTON_RATE = CALIBRATED_UNITS[0], CALIBRATED_UNITS[2], CALIBRATED_UNITS[4]


def _unit_kind(unit):
    unit = u.Unit(unit)
    for kind, reference in (
        ("wavelength", _PER_WAVELENGTH),
        ("frequency", _PER_FREQUENCY),
        ("photons", _PHOTON_RATE),
    ):
        if unit.is_equivalent(reference):
            return unit, kind
    names = ", ".join(f"'{ref}'" for ref in CALIBRATED_UNITS)
    msg = f"unit={unit!s} is not a radiance or photon rate; use a unit equivalent to one of {names}."
    raise IrispyPlusCalibrationError(msg)


def photons_per_dn(detector: str) -> u.Quantity:
    """
    Photons per DN of an IRIS detector.

    Parameters
    ----------
    detector : str
        ``"FUV"``, ``"NUV"`` or a slit-jaw band such as ``"SJI_1400"``.

    Returns
    -------
    astropy.units.Quantity
        In photons per that detector's DN unit (see `irispy_plus.units`).

    Raises
    ------
    IrispyPlusCalibrationError
        If the detector is not an IRIS detector.

    Examples
    --------
    >>> from irispy_plus.calibration import photons_per_dn
    >>> photons_per_dn("FUV"), photons_per_dn("SJI_2796")
    (<Quantity 4. ph / DN_IRIS_FUV>, <Quantity 18. ph / DN_IRIS_SJI_NUV>)
    """
    try:
        unit = dn_unit(detector)
    except ValueError as error:
        raise IrispyPlusCalibrationError(str(error)) from None
    return (1 * unit).to(u.ph) / unit


def _safe_divide(numerator, denominator):
    numerator, denominator = np.broadcast_arrays(numerator, denominator)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


@u.quantity_input(wavelength=u.AA, exposure_time=u.s, solid_angle=u.sr, dispersion=u.AA)
def spectrograph_factor(
    wavelength: u.Quantity,
    time: TimeLike,
    detector: str,
    *,
    exposure_time: u.Quantity,
    solid_angle: u.Quantity,
    dispersion: u.Quantity,
    unit: str | u.UnitBase = CALIBRATED_UNITS[0],
    version: int | None = None,
) -> u.Quantity:
    """
    The factor that turns spectrograph DN into ``unit``, per exposure and wavelength.

    Parameters
    ----------
    wavelength : astropy.units.Quantity
        Wavelength of each spectral pixel, 1-D.
    time : astropy.time.Time or str
        Observation date(s), scalar or 1-D (one per exposure).
    detector : str
        ``"FUV"`` or ``"NUV"``.
    exposure_time : astropy.units.Quantity
        Exposure time(s), scalar or one per exposure.
    solid_angle : astropy.units.Quantity
        Solid angle of a pixel (slit width times pixel size along the slit).
    dispersion : astropy.units.Quantity
        Wavelength width of a pixel, scalar or one per wavelength.
    unit : astropy.units.Unit, optional
        Target unit, equivalent to one of `CALIBRATED_UNITS`.
    version : int or str, optional
        Response version, the latest by default.

    Returns
    -------
    astropy.units.Quantity
        In ``unit`` per detector DN, shape ``broadcast(time, exposure_time).shape +
        wavelength.shape``; NaN where the effective area is zero.

    Raises
    ------
    IrispyPlusCalibrationError
        If the detector is not a spectrograph channel or the unit is not supported.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.calibration import SLIT_WIDTH, spectrograph_factor
    >>> factor = spectrograph_factor(
    ...     [1334.5, 1335.7] * u.AA, "2021-09-05", "FUV", exposure_time=8 * u.s,
    ...     solid_angle=SLIT_WIDTH * 0.16635 * u.arcsec, dispersion=0.02596 * u.AA)
    >>> factor.round(1)
    <Quantity [3250.4, 3074.2] erg / (Angstrom DN_IRIS_FUV s sr cm2)>
    """
    detector = _check_detector(detector)
    if detector not in ("FUV", "NUV"):
        msg = f"detector={detector!r}: spectrograph factors are for 'FUV' or 'NUV'; use slit_jaw_factor."
        raise IrispyPlusCalibrationError(msg)
    unit, kind = _unit_kind(unit)
    time = parse_time(time)
    wavelength = np.atleast_1d(wavelength)
    exposure = np.broadcast_to(
        exposure_time, np.broadcast_shapes(time.shape, exposure_time.shape), subok=True
    )
    area = effective_area(wavelength, time, detector, version=version)
    shape = exposure.shape + wavelength.shape
    pixel = {"wavelength": wavelength, "solid_angle": solid_angle, "bandwidth": dispersion, "shape": shape}
    return _convert(kind, unit, detector, exposure[..., None], area, **pixel)


def _convert(kind, unit, detector, exposure, area, *, wavelength, solid_angle, bandwidth, shape):
    """Factor per DN for a pixel of area ``area`` (cm2 Quantity) and wavelength width ``bandwidth``."""
    dn = dn_unit(detector)
    photon_rate = photons_per_dn(detector) / exposure
    if kind == "photons":
        return u.Quantity(np.broadcast_to(photon_rate, shape, subok=True), copy=False).to(unit / dn)
    energy_rate = photon_rate * (const.h * const.c / wavelength).to(u.erg) / u.ph
    per_area = (energy_rate / (solid_angle * bandwidth)).to_value(_PER_WAVELENGTH * u.cm**2 / dn)
    radiance = _safe_divide(per_area, area.to_value(u.cm**2)) * (_PER_WAVELENGTH / dn)
    radiance = np.broadcast_to(radiance, shape, subok=True)
    if kind == "frequency":
        radiance = (radiance * dn).to(_PER_FREQUENCY, equivalencies=u.spectral_density(wavelength)) / dn
    return radiance.to(unit / dn)


@u.quantity_input(exposure_time=u.s, solid_angle=u.sr)
def slit_jaw_factor(
    time: TimeLike,
    detector: str,
    *,
    exposure_time: u.Quantity,
    solid_angle: u.Quantity,
    unit: str | u.UnitBase = CALIBRATED_UNITS[0],
    version: int | None = None,
) -> u.Quantity:
    r"""
    The factor that turns slit-jaw DN into ``unit``, per exposure.

    Radiances are those of a source with a flat spectrum across the band (see the module
    notes): :math:`B_\lambda = N hc / (\Omega \int A \lambda d\lambda)` and
    :math:`B_\nu = N h / (\Omega \int A / \lambda d\lambda)`.

    Parameters
    ----------
    time : astropy.time.Time or str
        Observation date(s), scalar or 1-D (one per exposure).
    detector : str
        ``"SJI_1330"``, ``"SJI_1400"``, ``"SJI_2796"`` or ``"SJI_2832"``.
    exposure_time : astropy.units.Quantity
        Exposure time(s), scalar or one per exposure.
    solid_angle : astropy.units.Quantity
        Solid angle of a pixel.
    unit : astropy.units.Unit, optional
        Target unit, equivalent to one of `CALIBRATED_UNITS`.
    version : int or str, optional
        Response version, the latest by default.

    Returns
    -------
    astropy.units.Quantity
        In ``unit`` per detector DN, shape ``broadcast(time, exposure_time).shape``.

    Raises
    ------
    IrispyPlusCalibrationError
        If the detector is not a slit-jaw band or the unit is not supported.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.calibration import slit_jaw_factor
    >>> pixel = (0.16635 * u.arcsec) ** 2
    >>> slit_jaw_factor("2021-09-05", "SJI_1400", exposure_time=8 * u.s, solid_angle=pixel, unit=u.ph / u.s)
    <Quantity 1.5 ph / (DN_IRIS_SJI_FUV s)>
    """
    detector = _check_detector(detector)
    if not detector.startswith("SJI"):
        msg = f"detector={detector!r}: slit-jaw factors are for the SJI_* bands; use spectrograph_factor."
        raise IrispyPlusCalibrationError(msg)
    unit, kind = _unit_kind(unit)
    time = parse_time(time)
    exposure = np.broadcast_to(
        exposure_time, np.broadcast_shapes(time.shape, exposure_time.shape), subok=True
    )
    grid, area = detector_area_on_grid(detector, time, version=version)
    grid = (grid * u.nm).to(u.AA)
    area = area * u.cm**2
    # One "effective pixel" per exposure: a flat spectrum sees int(A lambda) / lambda_ref
    # at lambda_ref for the wavelength scale and int(A / lambda) * lambda_ref for frequency.
    dn = dn_unit(detector)
    photon_rate = u.Quantity(
        np.broadcast_to(photons_per_dn(detector) / exposure, exposure.shape, subok=True), copy=False
    )
    if kind == "photons":
        return photon_rate.to(unit / dn)
    hc = const.h * const.c
    if kind == "wavelength":
        integral = np.broadcast_to(np.trapezoid(area * grid, grid, axis=-1), exposure.shape, subok=True)
        radiance = photon_rate * hc / u.ph / (solid_angle * integral)
        return radiance.to(unit / dn)
    integral = np.broadcast_to(np.trapezoid(area / grid, grid, axis=-1), exposure.shape, subok=True)
    radiance = photon_rate * const.h / u.ph / (solid_angle * integral)
    return radiance.to(unit / dn)


def _detector_from_wavelength(wavelength):
    return "FUV" if np.nanmedian(wavelength.to_value(u.AA)) < 2000 else "NUV"


@u.quantity_input(wavelength=u.AA, exposure_time=u.s, solid_angle=u.sr)
def calibrate_spectrum(
    spectrum: u.Quantity | np.ndarray,
    wavelength: u.Quantity,
    time: TimeLike,
    *,
    detector: str | None = None,
    exposure_time: u.Quantity = 1 * u.s,
    solid_angle: u.Quantity = SLIT_WIDTH * SPECTROGRAPH_PIXEL_SIZE,
    dispersion: u.Quantity | None = None,
    unit: str | u.UnitBase = CALIBRATED_UNITS[0],
    version: int | None = None,
) -> u.Quantity:
    r"""
    Calibrate one spectrum from DN, as SolarSoft's ``iris_calib_spectrum``.

    Parameters
    ----------
    spectrum : array-like or astropy.units.Quantity
        The spectrum in DN (a plain array, or a Quantity in a DN unit of
        `irispy_plus.units` or in photons); the last axis is wavelength.
    wavelength : astropy.units.Quantity
        Wavelength of each sample, 1-D.
    time : astropy.time.Time or str
        Observation date.
    detector : str, optional
        ``"FUV"`` or ``"NUV"``; by default from the wavelengths.
    exposure_time : astropy.units.Quantity, optional
        Exposure time; 1 s by default (the spectrum is then taken to be in DN/s).
    solid_angle : astropy.units.Quantity, optional
        Solid angle of a pixel; by default `SLIT_WIDTH` times `SPECTROGRAPH_PIXEL_SIZE`.
    dispersion : astropy.units.Quantity, optional
        Wavelength width of a pixel; by default the spacing of ``wavelength``.
    unit : astropy.units.Unit, optional
        Target unit, equivalent to one of `CALIBRATED_UNITS`.
    version : int or str, optional
        Response version, the latest by default.

    Returns
    -------
    calibrated : astropy.units.Quantity
        The spectrum in ``unit``.
    factor : astropy.units.Quantity
        The factor applied at each wavelength (``unit`` per DN).

    Raises
    ------
    IrispyPlusCalibrationError
        If the shapes, detector or unit do not fit.

    Notes
    -----
    SolarSoft's ``iris_calib_spectrum``, called with a spectrum and its wavelengths only,
    uses the response for the current date, 1 s exposures and a pixel of
    :math:`\Omega\,\Delta\lambda = (1/18)\,\mathrm{arcsec}^2 \times 12.9` mÅ (inferred from
    its output: with those values this function reproduces it to 2e-6).

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from irispy_plus.calibration import calibrate_spectrum
    >>> wavelength = 1334.0 * u.AA + np.arange(3) * 0.02596 * u.AA
    >>> calibrated, factor = calibrate_spectrum([10.0, 20.0, 10.0], wavelength, "2021-09-05")
    >>> calibrated.unit
    Unit("erg / (Angstrom s sr cm2)")
    """
    wavelength = np.atleast_1d(wavelength)
    if wavelength.ndim != 1:
        msg = f"wavelength must be 1-D; got shape {wavelength.shape}."
        raise IrispyPlusCalibrationError(msg)
    detector = _detector_from_wavelength(wavelength) if detector is None else detector
    if isinstance(spectrum, u.Quantity):
        spectrum = spectrum.to_value(dn_unit(detector))
    spectrum = np.asarray(spectrum, dtype=float)
    if spectrum.shape[-1:] != wavelength.shape:
        msg = (
            f"spectrum has {spectrum.shape[-1:]} samples along its last axis and wavelength "
            f"{wavelength.shape}."
        )
        raise IrispyPlusCalibrationError(msg)
    if dispersion is None:
        if wavelength.size < 2:
            msg = "Give dispersion= for a spectrum of a single wavelength."
            raise IrispyPlusCalibrationError(msg)
        dispersion = np.abs(np.gradient(wavelength))
    dispersion = u.Quantity(dispersion, u.AA)
    factor = spectrograph_factor(
        wavelength,
        time,
        detector,
        exposure_time=exposure_time,
        solid_angle=solid_angle,
        dispersion=dispersion,
        unit=unit,
        version=version,
    )
    calibrated = spectrum * factor * dn_unit(detector)
    return calibrated, factor
