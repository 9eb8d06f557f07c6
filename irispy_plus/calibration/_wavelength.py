r"""
Wavelength corrections: the orbital Doppler shift and an absolute offset from a
reference photospheric or chromospheric line.

IRIS moves along the line of sight to the Sun during its orbit (``OBS_VRIX`` in the
auxiliary table, positive away from the Sun), which shifts every line by
:math:`\Delta\lambda = \lambda v / c` (observed minus true). What remains after removing
it is a constant offset of the wavelength scale, measured here from the position of a
reference line (e.g. Ni I 2799.474 Å in the NUV, O I 1355.598 Å in the FUV) in the
slit-averaged spectrum of each exposure.
"""

import warnings

import astropy.constants as const
import astropy.units as u
import numpy as np
from astropy.table import QTable
from astropy.wcs.wcsapi.wrappers.base import BaseWCSWrapper

from irispy_plus.calibration._resample import resample_exposures
from irispy_plus.cubes import IRISSpectrogramCube
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError, warn_user
from irispy_plus.utils.logger import log

__all__ = ["apply_wavelength_shift", "line_position", "orbital_wavelength_shift", "wavelength_shifts"]

#: Key of the per-exposure wavelength shift applied to a cube, in its metadata.
SHIFT_KEY = "WAVELENGTH_SHIFT"


@u.quantity_input(wavelength=u.AA, radial_velocity=u.m / u.s)
def orbital_wavelength_shift(wavelength: u.Quantity, radial_velocity: u.Quantity) -> u.Quantity:
    r"""
    The Doppler shift caused by the observer's motion: observed minus true wavelength.

    Parameters
    ----------
    wavelength : astropy.units.Quantity
        The wavelength(s) concerned.
    radial_velocity : astropy.units.Quantity
        The observer's velocity along the line of sight, positive away from the Sun (as
        ``OBS_VRIX``); broadcast against ``wavelength``.

    Returns
    -------
    astropy.units.Quantity
        :math:`\lambda v / c`, in the unit of ``wavelength``.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.calibration import orbital_wavelength_shift
    >>> orbital_wavelength_shift(2799.474 * u.AA, 3 * u.km / u.s).to(u.mAA).round(2)
    <Quantity 28.01 mAngstrom>
    """
    return (wavelength * (radial_velocity / const.c).decompose()).to(wavelength.unit)


def line_position(
    wavelength: u.Quantity,
    spectrum: np.ndarray,
    near: u.Quantity,
    half_width: u.Quantity = 0.3 * u.AA,
    absorption: bool | None = None,
) -> u.Quantity:
    """
    The position of a spectral line: the extremum near ``near``, refined by a parabola.

    The spectrum is searched within ``near ± half_width`` for its minimum (absorption
    line) or maximum (emission line); a parabola through that sample and its two
    neighbours gives the sub-pixel position. Works on any number of spectra at once.

    Parameters
    ----------
    wavelength : astropy.units.Quantity
        The wavelength of each sample, 1-D, increasing.
    spectrum : array-like
        Spectra, wavelength along the last axis; NaN samples are ignored.
    near : astropy.units.Quantity
        Where to look (e.g. the rest wavelength).
    half_width : astropy.units.Quantity, optional
        Half-width of the search window.
    absorption : bool, optional
        Absorption (minimum) or emission (maximum) line; by default decided from the
        mean profile in the window (the larger excursion from its median).

    Returns
    -------
    astropy.units.Quantity
        The line position per spectrum (NaN where the window has fewer than three valid
        samples or the extremum is at its edge).

    Raises
    ------
    IrispyPlusCalibrationError
        If the window holds fewer than three samples.

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from irispy_plus.calibration import line_position
    >>> wavelength = np.arange(2798.0, 2801.0, 0.0255) * u.AA
    >>> profile = 1 - 0.5 * np.exp(-0.5 * ((wavelength.value - 2799.5) / 0.05) ** 2)
    >>> line_position(wavelength, profile, 2799.474 * u.AA).round(3)
    <Quantity 2799.5 Angstrom>
    """
    grid = np.asarray(wavelength.to_value(u.AA), dtype=float)
    values = np.asarray(spectrum, dtype=float)
    centre = u.Quantity(near, u.AA).value
    half = u.Quantity(half_width, u.AA).value
    window = np.nonzero(np.abs(grid - centre) <= half)[0]
    if window.size < 3:
        msg = (
            f"Only {window.size} samples lie within {half} Å of {centre} Å; widen half_width or "
            "choose a line inside the spectral window."
        )
        raise IrispyPlusCalibrationError(msg)
    part = values[..., window]
    if absorption is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN spectra are allowed
            mean = np.nanmean(part.reshape(-1, window.size), axis=0)
            median = np.nanmedian(mean)
            absorption = bool((median - np.nanmin(mean)) > (np.nanmax(mean) - median))
    signed = -part if absorption else part
    filled = np.where(np.isfinite(signed), signed, -np.inf)
    peak = np.argmax(filled, axis=-1)
    valid = (np.isfinite(signed).sum(axis=-1) >= 3) & (peak > 0) & (peak < window.size - 1)
    peak = np.clip(peak, 1, window.size - 2)
    left = np.take_along_axis(signed, (peak - 1)[..., None], axis=-1)[..., 0]
    mid = np.take_along_axis(signed, peak[..., None], axis=-1)[..., 0]
    right = np.take_along_axis(signed, (peak + 1)[..., None], axis=-1)[..., 0]
    curvature = left - 2 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(curvature < 0, 0.5 * (left - right) / curvature, np.nan)
    x = grid[window]
    step = x[peak + 1] - x[peak]
    position = x[peak] + offset * step
    return np.where(valid & np.isfinite(position), position, np.nan) * u.AA


def _default_reference(spectral_axis):
    from irispy_plus.physics.lines import find_lines

    rows = find_lines(wavelength_range=(spectral_axis.min(), spectral_axis.max()))
    for row in rows:
        if "reference" in str(row["note"]):
            return row["wavelength"], f"{row['ion']} {row['wavelength'].to_value(u.AA):.3f}"
    msg = (
        "No wavelength reference line of the IRIS line list lies in this window; pass "
        "reference_line=<rest wavelength> (e.g. 2799.474 * u.AA) or reference_line=None."
    )
    raise IrispyPlusCalibrationError(msg)


#: Level 2 values below this many DN are fill smeared by the warping (between -200 and
#: about -100 DN next to fill), which the reader's fill threshold leaves unmasked.
_SMEARED_FILL_DN = -100.0


def _invalid(cube, data, index=Ellipsis):
    """Pixels of ``data`` (``cube.data[index]``) to leave out of a slit average."""
    from irispy_plus.units import dn_unit

    invalid = ~np.isfinite(data)
    if cube.mask is not None and not isinstance(cube.mask, bool | np.bool_):
        invalid |= np.asarray(cube.mask[index], dtype=bool)
    detector = getattr(cube.meta, "detector", None)
    if (
        detector in ("FUV", "NUV")
        and cube.unit is not None
        and u.Unit(cube.unit).is_equivalent(dn_unit(detector))
    ):
        with np.errstate(invalid="ignore"):
            invalid |= data * u.Unit(cube.unit).to(dn_unit(detector)) < _SMEARED_FILL_DN
    return invalid


def _slit_average(cube):
    """The mean over the slit of each exposure's valid pixels: (exposure, wavelength)."""
    data = np.asarray(cube.data, dtype=float)
    # Masked and smeared fill left out; the mask, unlike a test on the values, also marks
    # fill once the data are in DN/s or calibrated.
    invalid = _invalid(cube, data)
    if data.ndim == 2:
        data, invalid = data[None], invalid[None]
    counts = (~invalid).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(invalid, 0, data).sum(axis=1) / counts
    return np.where(counts > 0, mean, np.nan)


def wavelength_shifts(
    cube: IRISSpectrogramCube,
    reference_line: u.Quantity | str | None = "auto",
    orbital: bool = True,
    half_width: u.Quantity = 0.3 * u.AA,
    absorption: bool | None = None,
) -> QTable:
    r"""
    The wavelength shift of each exposure of a raster cube: orbital plus absolute.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        A spectrograph cube (exposure, slit, wavelength).
    reference_line : astropy.units.Quantity, "auto" or None, optional
        Rest wavelength of the reference line; ``"auto"`` picks the wavelength reference
        line of `irispy_plus.physics.line_list` in the window; None skips the absolute
        correction.
    orbital : bool, optional
        Include the orbital Doppler shift from ``OBS_VRIX``.
    half_width : astropy.units.Quantity, optional
        Half-width of the window searched for the reference line.
    absorption : bool, optional
        Whether the reference line is in absorption; decided from the data by default.

    Returns
    -------
    astropy.table.QTable
        One row per exposure: ``time``, ``orbital_shift`` (:math:`\lambda v/c` at the
        reference or mid-window wavelength), ``line_position`` (measured, NaN without a
        reference line), ``absolute_shift`` (the median over exposures of the measured
        position minus orbital shift minus rest wavelength) and ``shift`` (orbital plus
        absolute: subtract it from the wavelength scale). ``meta`` names the line.

    Raises
    ------
    IrispyPlusCalibrationError
        If no reference line is found in the window, or it cannot be located in any
        exposure (never a silent NaN shift).

    Warns
    -----
    IrispyPlusUserWarning
        Naming the window, if the line cannot be located in some exposures.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.calibration import wavelength_shifts
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SNS_RASTER, "Mg II k 2796")
    >>> shifts = wavelength_shifts(cube, half_width=1 * u.AA)  # the sample keeps every 10th pixel
    >>> shifts.meta["reference_line"], len(shifts) == cube.shape[0]
    ('Ni I 2799.474', True)
    """
    spectral_axis = u.Quantity(cube.spectral_axis, u.AA)
    name = None
    if isinstance(reference_line, str) and reference_line == "auto":
        rest, name = _default_reference(spectral_axis)
    elif reference_line is None:
        rest = None
    else:
        rest = u.Quantity(reference_line, u.AA)
        name = f"{rest.value:.3f} Angstrom"
    velocity = np.atleast_1d(cube.meta.observer_radial_velocity)
    at = rest if rest is not None else spectral_axis.mean()
    orbit = orbital_wavelength_shift(at, velocity) if orbital else np.zeros(velocity.shape) * u.AA
    table = QTable()
    table["time"] = np.atleast_1d(cube.time) if cube.data.ndim == 3 else cube.time.reshape(1)
    table["orbital_shift"] = orbit.to(u.AA)
    if rest is None:
        table["line_position"] = np.full(len(orbit), np.nan) * u.AA
        table["absolute_shift"] = np.zeros(len(orbit)) * u.AA
    else:
        measured = line_position(spectral_axis, _slit_average(cube), rest, half_width, absorption)
        table["line_position"] = measured
        residual = (measured - orbit - rest).to_value(u.AA)
        found = np.isfinite(residual)
        window = getattr(cube.meta, "spectral_window", None) or "the cube"
        if not found.any():
            msg = (
                f"The reference line {name} was not located in any exposure of {window}: in each "
                f"slit-averaged spectrum its extremum within {half_width} is at the edge of the "
                "search window, next to a masked or fill sample, or not a peak (too faint or too "
                "coarsely sampled). Widen half_width, pass another reference_line, or "
                "reference_line=None for the orbital shift alone."
            )
            raise IrispyPlusCalibrationError(msg)
        if not found.all():
            warn_user(
                f"The reference line {name} was not located in {np.count_nonzero(~found)} of "
                f"{found.size} exposures of {window}; the absolute shift is the median of the others."
            )
        table["absolute_shift"] = np.full(len(orbit), np.median(residual[found])) * u.AA
    table["shift"] = table["orbital_shift"] + table["absolute_shift"]
    table.meta["reference_line"] = name
    return table


class _ShiftedSpectralWCS(BaseWCSWrapper):
    """A low-level WCS whose wavelength world axis is shifted by a constant."""

    def __init__(self, wcs, shift):
        super().__init__(wcs)
        types = list(wcs.world_axis_physical_types)
        self._axis = types.index("em.wl")
        self._shift = shift.to_value(u.Unit(wcs.world_axis_units[self._axis]))

    def pixel_to_world_values(self, *pixel_arrays):
        world = list(self._wcs.pixel_to_world_values(*pixel_arrays))
        world[self._axis] = np.asarray(world[self._axis]) - self._shift
        return tuple(world) if len(world) > 1 else world[0]

    def world_to_pixel_values(self, *world_arrays):
        world = list(world_arrays)
        world[self._axis] = np.asarray(world[self._axis]) + self._shift
        return self._wcs.world_to_pixel_values(*world)


@u.quantity_input(shift=u.AA)
def apply_wavelength_shift(cube: IRISSpectrogramCube, shift: u.Quantity) -> IRISSpectrogramCube:
    """
    A new cube whose wavelengths are ``old - shift``, per exposure if ``shift`` is.

    One shift (or all shifts equal) only changes the spectral coordinate: the data are
    untouched. With a shift per exposure (e.g. the ``drift_NUV`` column of
    `wavelength_drift`), their mean goes into the spectral coordinate and what is left of
    each exposure's shift (the orbital variation, typically a pixel or less) is applied by
    resampling that exposure's spectra onto the common wavelength grid, with Keys cubic
    convolution (4 samples; exact for quadratics, smooth, and without the ringing of a
    Fourier shift at line cores). Resampling was chosen over a wavelength coordinate that
    varies with exposure because everything downstream (moments, `fit_lines`, the
    viewers, ratios and features) takes one wavelength axis per cube; it keeps the cube
    a cube. The price: a resampled pixel mixes four, so its noise is slightly lower and
    correlated with its neighbours'. The uncertainty is propagated (weights squared); a
    pixel is masked if any of its four samples is masked or beyond the window.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        The cube to correct.
    shift : astropy.units.Quantity
        Observed minus true wavelength: one value, or one per exposure.

    Returns
    -------
    irispy_plus.cubes.IRISSpectrogramCube
        The corrected cube (lazy if the input is). Its ``meta["WAVELENGTH_SHIFT"]`` holds
        the shift applied to each exposure.

    Raises
    ------
    IrispyPlusCalibrationError
        If the cube has no wavelength axis, a shift is not finite, or the number of shifts
        is neither 1 nor the number of exposures.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.calibration import apply_wavelength_shift
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SNS_RASTER, "Mg II k 2796")
    >>> corrected = apply_wavelength_shift(cube, 0.05 * u.AA)
    >>> (cube.spectral_axis[0] - corrected.spectral_axis[0]).to(u.AA).round(6)
    <Quantity 0.05 Angstrom>
    """
    wcs = cube.wcs.low_level_wcs
    window = getattr(cube.meta, "spectral_window", None) or "the cube"
    if "em.wl" not in wcs.world_axis_physical_types:
        msg = "apply_wavelength_shift needs a cube with a wavelength axis."
        raise IrispyPlusCalibrationError(msg)
    shift = u.Quantity(shift, u.AA, ndmin=1)
    if not np.all(np.isfinite(shift)):
        bad = np.flatnonzero(~np.isfinite(shift))
        msg = (
            f"The wavelength shift for {window} is not finite at exposure(s) {bad[:10].tolist()}; "
            "a reference line was not measured there. Fill or fit the shifts first (e.g. the "
            "drift columns of wavelength_drift), or pass one value."
        )
        raise IrispyPlusCalibrationError(msg)
    n_exposures = cube.data.shape[0] if cube.data.ndim == 3 else 1
    if shift.size not in (1, n_exposures):
        msg = (
            f"{shift.size} shifts for {window}, which has {n_exposures} exposures: give one shift "
            "or one per exposure."
        )
        raise IrispyPlusCalibrationError(msg)
    total = shift.mean()
    residual = (shift - total).to_value(u.AA)
    if shift.size > 1 and np.any(np.abs(residual) > 1e-9):
        data, mask, uncertainty = resample_exposures(cube, residual)
        log.info("Resampled %s by per-exposure shifts (spread %s).", window, np.ptp(shift))
        new = cube._new_instance(data=data, mask=mask, uncertainty=uncertainty)
    else:
        new = cube._new_instance()
    if isinstance(wcs, _ShiftedSpectralWCS):
        total = total + wcs._shift * u.Unit(wcs.world_axis_units[wcs._axis])
        wcs = wcs._wcs
    new = new._new_instance(wcs=_ShiftedSpectralWCS(wcs, total))
    previous = cube.meta.get(SHIFT_KEY) if hasattr(cube.meta, "get") else None
    applied = shift * np.ones(n_exposures) + (0 * u.AA if previous is None else previous)
    if hasattr(new.meta, "add") and cube.data.ndim == 3:
        new.meta.add(SHIFT_KEY, applied, axes=0, overwrite=True)
    else:
        new.meta[SHIFT_KEY] = applied
    return new
