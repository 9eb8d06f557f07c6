"""
The IRIS instrument response: effective areas of the spectrograph and slit-jaw bands.

This reproduces SolarSoft's ``iris_get_response`` from the response files shipped in
``irispy_plus/data/calibration`` (``iris_sra_*.geny``, IDL save files). Each file holds
one response version: the transmission of every optical element, which elements make up
each channel, and the coefficients of the time-dependent throughput model
(`fit_iris_xput`) at a few reference wavelengths. From those, for a given date:

- FUV spectrograph: the throughput at 133.52, 139.38 and 140.29 nm is interpolated
  linearly (and extrapolated) over 133.1-135.9 nm from the first two and over
  138.8-140.8 nm from the last two; from version 9 on, the Si IV part (138.8-140.8 nm)
  is replaced by its mean, as IRIS technical note 26 describes.
- NUV spectrograph: the six reference throughputs are interpolated over 278.2-283.5 nm
  as IDL's ``interpol(/spline)`` does (a natural cubic spline through the four reference
  points around each wavelength, not one spline through all six: that difference is what
  kept earlier Python ports at ~7e-4 from SolarSoft).
- Slit-jaw bands: the geometric area times the transmissions of their elements; the FUV
  bands also get the spectral "slant" of the FUV spectrograph throughput, normalised so
  that a 2.4:1 mix of C II and Si IV keeps its response; then every band is scaled by
  its own time-dependent throughput.

The effective area is zero outside these ranges, as in SolarSoft.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import astropy.units as u
import numpy as np
import scipy.io
from astropy.time import Time
from sunpy.time import parse_time

from irispy_plus.calibration._idl import (
    TimeLike,
    anytim_seconds,
    interpol_linear_weights,
    interpol_spline_weights,
)
from irispy_plus.calibration._xput import throughput_at_seconds
from irispy_plus.data.files import CALIBRATION_DIR
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError

__all__ = [
    "DETECTORS",
    "IRISResponse",
    "IrispyPlusCalibrationError",
    "effective_area",
    "iris_response",
    "response_versions",
]

#: The detectors `effective_area` knows: the two spectrograph channels and four slit-jaw bands.
DETECTORS = ("FUV", "NUV", "SJI_1330", "SJI_1400", "SJI_2796", "SJI_2832")
_SG_INDEX = {"FUV": 0, "NUV": 1}
_SJI_INDEX = {"SJI_1330": 0, "SJI_1400": 1, "SJI_2796": 2, "SJI_2832": 3}

# Wavelength ranges (nm) over which SolarSoft defines the spectrograph effective areas.
_FUV_RANGES = ((133.1, 135.9), (138.8, 140.8))
_NUV_RANGE = (278.2, 283.5)
# Typical solar C II : Si IV ratio used to normalise the FUV slit-jaw slant.
_FUV_SJI_WEIGHTS = np.array([2.4, 1.0])
# First version whose Si IV part of the FUV response is flat in wavelength.
_FIRST_FLAT_SI_IV_VERSION = 9


@dataclass(frozen=True, eq=False)
class _ResponseFile:
    path: Path
    version: int
    version_date: str
    comment: str
    wavelength: np.ndarray  # nm, float32 as stored
    transmission: np.ndarray  # (n_elements, n_wavelength)
    geometric_area: float
    index_sg: np.ndarray
    index_sji: np.ndarray
    coeffs_fuv: np.ndarray
    time_fuv: np.ndarray
    wavelength_fuv: np.ndarray
    coeffs_nuv: np.ndarray
    time_nuv: np.ndarray
    wavelength_nuv: np.ndarray
    coeffs_sji: np.ndarray
    time_sji: np.ndarray
    dn2phot_sg: np.ndarray
    dn2phot_sji: np.ndarray


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


@cache
def _read_response_file(path):
    try:
        record = scipy.io.readsav(path)["p0"][0]
    except (OSError, ValueError, KeyError, IndexError) as error:
        msg = f"{path} is not a readable IRIS response file (an IDL save with a 'p0' structure): {error}"
        raise IrispyPlusCalibrationError(msg) from error
    return _ResponseFile(
        path=Path(path),
        version=int(_text(record["VERSION"])),
        version_date=_text(record["VERSION_DATE"]),
        comment=_text(record["COMMENT"]),
        wavelength=np.asarray(record["LAMBDA"]),
        transmission=np.stack([np.asarray(t, dtype=float) for t in record["ELEMENTS"]["TRANS"]]),
        geometric_area=float(record["GEOM_AREA"]),
        index_sg=np.asarray(record["INDEX_EL_SG"], dtype=int),
        index_sji=np.asarray(record["INDEX_EL_SJI"], dtype=int),
        coeffs_fuv=np.asarray(record["COEFFS_FUV"], dtype=float),
        time_fuv=np.asarray(record["C_F_TIME"], dtype=float),
        wavelength_fuv=np.asarray(record["C_F_LAMBDA"], dtype=float),
        coeffs_nuv=np.asarray(record["COEFFS_NUV"], dtype=float),
        time_nuv=np.asarray(record["C_N_TIME"], dtype=float),
        wavelength_nuv=np.asarray(record["C_N_LAMBDA"], dtype=float),
        coeffs_sji=np.asarray(record["COEFFS_SJI"], dtype=float),
        time_sji=np.asarray(record["C_S_TIME"], dtype=float),
        dn2phot_sg=np.asarray(record["DN2PHOT_SG"], dtype=float),
        dn2phot_sji=np.asarray(record["DN2PHOT_SJI"], dtype=float),
    )


@cache
def _files_by_version():
    files = {}
    for path in sorted(CALIBRATION_DIR.glob("iris_sra_*.geny")):
        files[_read_response_file(path).version] = path
    return files


def response_versions() -> dict[int, Path]:
    """
    The response versions shipped with irispy-plus.

    Returns
    -------
    dict
        Version number (int) to the path of its response file, oldest first.

    Examples
    --------
    >>> from irispy_plus.calibration import response_versions
    >>> sorted(response_versions())
    [4, 9]
    """
    return dict(_files_by_version())


def _response_file(version):
    files = _files_by_version()
    if version is None:
        return _read_response_file(files[max(files)])
    try:
        number = int(version)
    except (TypeError, ValueError):
        number = None
    if number not in files:
        msg = (
            f"version={version!r}: no IRIS response file of that version is shipped; "
            f"choose one of {sorted(files)} or None for the latest."
        )
        raise IrispyPlusCalibrationError(msg)
    return _read_response_file(files[number])


def _in_range(wavelength, low, high):
    # Compare in the file's single precision, as IDL does.
    return (wavelength >= np.float32(low)) & (wavelength <= np.float32(high))


def _element_product(response, indices):
    area = np.full(response.wavelength.shape, response.geometric_area)
    for index in indices:
        area = area * response.transmission[index]
    return area


def _sg_throughputs(response, channel, seconds):
    """Throughput at the reference wavelengths of a spectrograph channel, (n_times, n_ref)."""
    times, coeffs = (
        (response.time_fuv, response.coeffs_fuv) if channel == 0 else (response.time_nuv, response.coeffs_nuv)
    )
    return np.stack([throughput_at_seconds(seconds, times, c) for c in coeffs], axis=-1)


@cache
def _sg_grid_weights(response, channel):
    """
    Matrix (n_wavelength, n_ref) turning reference throughputs into the area on the grid.

    Every step of SolarSoft's spectrograph area (interpolation, extrapolation, the Si IV
    mean) is linear in the reference throughputs, so one matrix per channel serves every date.
    """
    wavelength = response.wavelength
    grid = wavelength.astype(float)
    if channel == 0:
        weights = np.zeros((grid.size, response.wavelength_fuv.size))
        for j, (low, high) in enumerate(_FUV_RANGES):
            inside = _in_range(wavelength, low, high)
            ref = response.wavelength_fuv[j : j + 2]
            weights[inside, j : j + 2] = interpol_linear_weights(ref, grid[inside])
        if response.version >= _FIRST_FLAT_SI_IV_VERSION:
            si_iv = _in_range(wavelength, *_FUV_RANGES[1])
            weights[si_iv] = weights[si_iv].mean(axis=0)
    else:
        weights = np.zeros((grid.size, response.wavelength_nuv.size))
        inside = _in_range(wavelength, *_NUV_RANGE)
        weights[inside] = interpol_spline_weights(response.wavelength_nuv, grid[inside])
    weights.flags.writeable = False
    return weights


def _sg_area(response, channel, seconds):
    """Spectrograph area on the grid, (n_times, n_wavelength)."""
    return _sg_throughputs(response, channel, seconds) @ _sg_grid_weights(response, channel).T


def _sji_area(response, band, seconds):
    """Slit-jaw area of one band on the grid, (n_times, n_wavelength)."""
    grid = response.wavelength.astype(float)
    area = np.broadcast_to(_element_product(response, response.index_sji[band]), (seconds.size, grid.size))
    if band in (0, 1):
        # FUV bands: apply the FUV spectrograph slant at C II and (mostly) Si IV, normalised
        # so that a weighted C II + Si IV sum keeps its baseline response.
        ref = response.wavelength_fuv
        at = np.array([ref[0], (2 * ref[-2] + ref[-1]) / 3])
        baseline_sg = np.interp(at, grid, _element_product(response, response.index_sg[0]))
        fuv_sg = _sg_area(response, 0, seconds)
        slant = np.stack([np.interp(at, grid, row) for row in fuv_sg]) / baseline_sg
        baseline_sji = np.interp(at, grid, area[0])
        norm = np.sum(_FUV_SJI_WEIGHTS * baseline_sji) / np.sum(
            _FUV_SJI_WEIGHTS * baseline_sji * slant, axis=-1, keepdims=True
        )
        area = area * np.clip((slant * norm) @ interpol_linear_weights(at, grid).T, 0, None)
    throughput = throughput_at_seconds(seconds, response.time_sji[band], response.coeffs_sji[band])
    return area * throughput[:, None]


def _detector_area(response, detector, seconds):
    if detector in _SG_INDEX:
        return _sg_area(response, _SG_INDEX[detector], seconds)
    return _sji_area(response, _SJI_INDEX[detector], seconds)


@dataclass(frozen=True)
class IRISResponse:
    """
    The IRIS effective areas for one or more dates, as SolarSoft's ``iris_get_response``.

    Attributes
    ----------
    time : astropy.time.Time
        The date(s) the areas are for (scalar or array).
    version : int
        Response version.
    version_date : str
        Release date of the response version.
    comment : str
        The response file's description.
    wavelength : astropy.units.Quantity
        The wavelength grid (nm, 120-300 nm in 0.05 nm steps).
    area_sg : astropy.units.Quantity
        Spectrograph areas, shape ``time.shape + (2, n_wavelength)`` (FUV, NUV), cm2.
    area_sji : astropy.units.Quantity
        Slit-jaw areas, shape ``time.shape + (4, n_wavelength)`` (1330, 1400, 2796, 2832), cm2.
    dn2phot_sg, dn2phot_sji : astropy.units.Quantity
        Photons per DN as the response file gives them.

    Examples
    --------
    `iris_response` makes one; with two dates, every area has a leading time axis:

    >>> from irispy_plus.calibration import iris_response
    >>> response = iris_response(["2014-01-01", "2021-09-05"])
    >>> response.time.shape, response.area_sg.shape, response.area_sji.shape
    ((2,), (2, 2, 3601), (2, 4, 3601))
    >>> response.wavelength[[0, -1]]
    <Quantity [120., 300.] nm>
    >>> response.area("SJI_1400").shape
    (2, 3601)
    >>> response.dn2phot_sg
    <Quantity [ 4., 18.] ph / DN>
    """

    time: Time
    version: int
    version_date: str
    comment: str
    wavelength: u.Quantity
    area_sg: u.Quantity
    area_sji: u.Quantity
    dn2phot_sg: u.Quantity
    dn2phot_sji: u.Quantity

    def area(self, detector: str) -> u.Quantity:
        """
        The effective area of one detector on the response's wavelength grid.

        Parameters
        ----------
        detector : str
            One of `DETECTORS`.

        Returns
        -------
        astropy.units.Quantity
            Shape ``time.shape + (n_wavelength,)``, cm2.

        Raises
        ------
        IrispyPlusCalibrationError
            If the detector is not one of `DETECTORS`.
        """
        detector = _check_detector(detector)
        if detector in _SG_INDEX:
            return self.area_sg[..., _SG_INDEX[detector], :]
        return self.area_sji[..., _SJI_INDEX[detector], :]


def _check_detector(detector):
    if detector not in DETECTORS:
        msg = f"detector={detector!r} is not an IRIS detector; use one of {', '.join(DETECTORS)}."
        raise IrispyPlusCalibrationError(msg)
    return detector


def iris_response(time: TimeLike, version: int | None = None) -> IRISResponse:
    """
    Compute the IRIS effective areas for a date, as SolarSoft's ``iris_get_response``.

    Parameters
    ----------
    time : astropy.time.Time or str
        Observation date(s), anything `sunpy.time.parse_time` reads; scalar or array.
    version : int or str, optional
        Response version (see `response_versions`); the latest by default.

    Returns
    -------
    IRISResponse
        The areas of the spectrograph and slit-jaw channels on the 120-300 nm grid.

    Raises
    ------
    IrispyPlusCalibrationError
        If no response file of ``version`` is shipped.

    Examples
    --------
    >>> from irispy_plus.calibration import iris_response
    >>> response = iris_response("2025-08-05T22:25:04.723")
    >>> response.version, response.area_sg.shape
    (9, (2, 3601))
    >>> response.area("NUV").max().round(4)
    <Quantity 0.1109 cm2>
    """
    response = _response_file(version)
    time = parse_time(time)
    seconds = np.atleast_1d(anytim_seconds(time)).ravel()
    area_sg = np.stack([_sg_area(response, channel, seconds) for channel in (0, 1)], axis=1)
    area_sji = np.stack([_sji_area(response, band, seconds) for band in range(4)], axis=1)
    shape = time.shape
    return IRISResponse(
        time=time,
        version=response.version,
        version_date=response.version_date,
        comment=response.comment,
        wavelength=response.wavelength.astype(float) * u.nm,
        area_sg=area_sg.reshape(*shape, *area_sg.shape[1:]) * u.cm**2,
        area_sji=area_sji.reshape(*shape, *area_sji.shape[1:]) * u.cm**2,
        dn2phot_sg=response.dn2phot_sg * u.ph / u.DN,
        dn2phot_sji=response.dn2phot_sji * u.ph / u.DN,
    )


@u.quantity_input(wavelength=u.AA)
def effective_area(
    wavelength: u.Quantity, time: TimeLike, detector: str, version: int | None = None
) -> u.Quantity:
    """
    The effective area of an IRIS detector at given wavelengths and date(s).

    The response is computed on SolarSoft's 0.05 nm grid (see `iris_response`) and
    interpolated linearly to ``wavelength``, as SolarSoft's calibration routines do. It
    is zero outside the wavelengths a detector records.

    Parameters
    ----------
    wavelength : astropy.units.Quantity
        Wavelengths (any shape, any length unit).
    time : astropy.time.Time or str
        Observation date(s), scalar or 1-D.
    detector : str
        ``"FUV"``, ``"NUV"``, ``"SJI_1330"``, ``"SJI_1400"``, ``"SJI_2796"`` or ``"SJI_2832"``.
    version : int or str, optional
        Response version (see `response_versions`); the latest by default.

    Returns
    -------
    astropy.units.Quantity
        cm2, shape ``time.shape + wavelength.shape``.

    Raises
    ------
    IrispyPlusCalibrationError
        If ``detector`` or ``version`` is unknown.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.calibration import effective_area
    >>> effective_area([1334.5, 1402.8, 2796.4] * u.AA, "2021-09-05", "FUV").round(3)
    <Quantity [0.068, 0.306, 0.   ] cm2>
    >>> effective_area(2796.4 * u.AA, ["2014-01-01", "2021-09-05"], "NUV").shape
    (2,)
    """
    detector = _check_detector(detector)
    response = _response_file(version)
    time = parse_time(time)
    seconds = np.atleast_1d(anytim_seconds(time)).ravel()
    grid = response.wavelength.astype(float)
    target = np.asarray(wavelength.to_value(u.nm), dtype=float)
    if detector in _SG_INDEX:
        channel = _SG_INDEX[detector]
        weights = _interpolate_last_axis(_sg_grid_weights(response, channel).T, grid, target.ravel())
        area = _sg_throughputs(response, channel, seconds) @ weights
    else:
        area = _interpolate_last_axis(
            _sji_area(response, _SJI_INDEX[detector], seconds), grid, target.ravel()
        )
    return area.reshape(time.shape + target.shape) * u.cm**2


def _interpolate_last_axis(values, grid, target):
    """Linear interpolation of ``values[..., grid]`` to ``target``, zero outside the grid."""
    index = np.clip(np.searchsorted(grid, target, side="right") - 1, 0, grid.size - 2)
    frac = (target - grid[index]) / (grid[index + 1] - grid[index])
    result = values[..., index] * (1 - frac) + values[..., index + 1] * frac
    return np.where((target >= grid[0]) & (target <= grid[-1]), result, 0.0)


def detector_area_on_grid(detector, time, version=None):
    """
    The area of one detector on the response grid: (wavelength in nm, cm2 array).

    Parameters
    ----------
    detector : str
        One of `DETECTORS`.
    time : astropy.time.Time or str
        Date(s), scalar or array.
    version : int or str, optional
        Response version, the latest by default.

    Returns
    -------
    tuple of numpy.ndarray
        The grid (nm, float64) and the area (cm2), shape ``time.shape + grid.shape``.
    """
    detector = _check_detector(detector)
    response = _response_file(version)
    time = parse_time(time)
    seconds = np.atleast_1d(anytim_seconds(time)).ravel()
    area = _detector_area(response, detector, seconds)
    return response.wavelength.astype(float), area.reshape(*time.shape, -1)
