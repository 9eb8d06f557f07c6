"""
The wavelength drift of each exposure, measured from photospheric reference lines.

The IRIS wavelength scale moves during an orbit (thermal flexure of the instrument and
the orbital Doppler shift). SolarSoft's ``iris_prep_wavecorr_l2`` measures it in each
exposure from the slit-averaged profiles of a few photospheric lines and fits a sine of
the orbital period plus a low-order polynomial through the shifts; `wavelength_drift`
does the same. The lines and their fit ranges are those of ``iris_prep_wavecorr_l2``
(Wülser et al. 2018, Solar Physics 293, 149, section on the wavelength calibration):
Ni I 2799.474, Mn I 2801.902 and Fe I 2805.346 Å (NUV, absorption), O I 1355.598 and
Fe II 1392.817 Å (FUV, emission).
"""

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import astropy.units as u
import numpy as np
from astropy.table import QTable

from irispy_plus.calibration._cube import IRISData
from irispy_plus.calibration._wavelength import _invalid, apply_wavelength_shift
from irispy_plus.physics.lines import rest_wavelength
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError, warn_user
from irispy_plus.utils.logger import log

if TYPE_CHECKING:
    from irispy_plus.fitting import FitResult

__all__ = ["ORBITAL_PERIOD", "REFERENCE_LINES", "correct_wavelengths", "wavelength_drift"]

#: The IRIS orbital period used for the drift fit (as ``iris_prep_wavecorr_l2``).
ORBITAL_PERIOD = 5856 * u.s

#: The photospheric reference lines of ``iris_prep_wavecorr_l2``: rest wavelength (vacuum,
#: from the line list: Ni I 2799.474, Mn I 2801.902, Fe I 2805.346, O I 1355.598 and
#: Fe II 1392.817 Å), detector, fit range, whether the line is in absorption, and the
#: largest distance of a shift from the median before it is an outlier.
REFERENCE_LINES = QTable(
    rows=[
        (ion, rest_wavelength(ion, near=near).to_value(u.AA), detector, low, high, absorption, outlier)
        for ion, near, detector, low, high, absorption, outlier in (
            ("Ni I", 2799.47, "NUV", 2799.3, 2799.8, True, 0.08),
            ("Mn I", 2801.90, "NUV", 2801.6, 2802.4, True, 0.08),
            ("Fe I", 2805.35, "NUV", 2805.1, 2805.7, True, 0.08),
            ("O I", 1355.60, "FUV", 1355.4, 1355.9, False, 0.05),
            ("Fe II", 1392.82, "FUV", 1392.6, 1393.1, False, 0.05),
        )
    ],
    names=("ion", "wavelength", "detector", "range_min", "range_max", "absorption", "outlier"),
    units={"wavelength": u.AA, "range_min": u.AA, "range_max": u.AA, "outlier": u.AA},
)

_SMOOTHING = 300 * u.s
_MIN_SAMPLES = 5


def _label(row):
    return f"{row['ion']} {row['wavelength'].to_value(u.AA):.3f}"


def _windows(data):
    """(label, cube) of every spectrograph window in ``data``."""
    if hasattr(data, "meta") and hasattr(data.meta, "detector"):
        return [(data.meta.spectral_window or "window", data)]
    if isinstance(getattr(data, "data", None), list):  # a raster sequence: one file's is its cube
        if len(data.data) == 1:
            return _windows(data.data[0])
        msg = (
            f"wavelength_drift measures the windows of one raster file; this sequence covers "
            f"{len(data.data)} files. Measure each file's windows, e.g. sequence[i]."
        )
        raise IrispyPlusCalibrationError(msg)
    if hasattr(data, "items"):
        pairs: list[tuple[str, Any]] = []
        for key, value in data.items():
            pairs.extend((key, cube) for _, cube in _windows(value))
        return pairs
    msg = (
        f"wavelength_drift needs an IRIS spectrograph cube or a collection of them, not a "
        f"{type(data).__name__}."
    )
    raise IrispyPlusCalibrationError(msg)


def _slit_profiles(cube, columns):
    """Mean over the slit of the unmasked pixels of ``columns`` per exposure: (n_exp, n_col)."""
    data = np.asarray(cube.data[..., columns], dtype=float)
    valid = ~_invalid(cube, data, (..., columns))
    if data.ndim == 2:
        data, valid = data[None], valid[None]
    counts = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, data, 0).sum(axis=1) / counts
        spread = np.sqrt(
            np.where(valid, (data - mean[:, None]) ** 2, 0).sum(axis=1) / np.maximum(counts - 1, 1)
        )
        error = spread / np.sqrt(counts)
    mean[counts == 0] = np.nan
    return mean, error


def measure_line(cube, row, window):
    """
    The shift (observed minus rest, Å) of one reference line in each exposure of a cube.

    Returns the shifts, their 1-sigma errors, and a note on why exposures were dropped.
    """
    from irispy_plus.fitting import FitFlag, fit_lines

    wavelength = u.Quantity(cube.spectral_axis, u.AA).value
    lo, hi = row["range_min"].to_value(u.AA), row["range_max"].to_value(u.AA)
    columns = np.flatnonzero((wavelength >= lo) & (wavelength <= hi))
    n_exp = cube.shape[0] if cube.data.ndim == 3 else 1
    nan = np.full(n_exp, np.nan)
    if columns.size < _MIN_SAMPLES:
        return nan, nan, f"only {columns.size} samples in {lo}-{hi} Å"
    profiles, errors = _slit_profiles(cube, columns)
    sign = -1.0 if row["absorption"] else 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = cast(
            "FitResult",
            fit_lines(
                sign * profiles,
                wavelength[columns],
                background="linear",
                uncertainty=np.where(np.isfinite(errors) & (errors > 0), errors, np.nan),
                dtype=np.float64,
            ),
        )
    names = result.parameter_names
    amp = result.values[:, names.index("amp1")]
    damp = result.errors[:, names.index("amp1")]
    centre = result.values[:, names.index("mu1")]
    dcentre = result.errors[:, names.index("mu1")]
    rest = row["wavelength"].to_value(u.AA)
    good = (
        (result.flags & int(FitFlag.NOT_CONVERGED | FitFlag.NO_DATA | FitFlag.NO_SIGNAL) == 0)
        & np.isfinite(centre)
        & (amp > 3 * np.where(np.isfinite(damp), damp, np.inf))
        & (np.abs(centre - rest) <= (hi - lo) / 4)
    )
    shifts = np.where(good, centre - rest, np.nan)
    note = "" if good.all() else f"{np.count_nonzero(~good)} of {n_exp} exposures too faint or not fitted"
    return shifts, np.where(good, dcentre, np.nan), note


def _running_mean(seconds, values, width):
    """Mean of the finite ``values`` within ``width / 2`` of each time (times sorted)."""
    finite = np.isfinite(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    lo = np.searchsorted(seconds, seconds - width / 2, side="left")
    hi = np.searchsorted(seconds, seconds + width / 2, side="right")
    n = counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[hi] - sums[lo]) / n, np.nan)


def _fit_drift(seconds, shifts, outlier, *, period, smoothing, name):
    """The fitted drift at every exposure, with the fit's description."""
    finite = np.isfinite(shifts)
    median = np.median(shifts[finite])
    kept = np.where(finite & (np.abs(shifts - median) <= outlier), shifts, np.nan)
    smoothed = _running_mean(seconds, kept, smoothing)
    use = np.isfinite(kept)
    coverage = np.ptp(seconds[use]) if use.any() else 0.0
    phase = 2 * np.pi * seconds / period
    if coverage < period / 4:
        columns, model = [np.ones_like(seconds)], "constant"
        warn_user(
            f"The {name} shifts cover {coverage:.0f} s, less than a quarter orbit: the drift is "
            "fitted as a constant, not as an orbital variation."
        )
    else:
        order = min(int(coverage // period), 3)
        columns = [np.sin(phase), np.cos(phase)]
        columns += [(seconds / period) ** k for k in range(order + 1)]
        model = f"sine of period {period:.0f} s + polynomial of order {order}"
    design = np.column_stack(columns)
    if np.count_nonzero(use) <= design.shape[1]:
        msg = (
            f"Only {np.count_nonzero(use)} exposures have a usable {name} shift, too few to fit "
            f"the drift ({design.shape[1]} parameters)."
        )
        raise IrispyPlusCalibrationError(msg)
    coefficients, *_ = np.linalg.lstsq(design[use], smoothed[use], rcond=None)
    fitted = design @ coefficients
    rms = float(np.sqrt(np.mean((kept[use] - fitted[use]) ** 2)))
    return fitted, {
        "model": model,
        "coefficients": coefficients,
        "rms": rms * u.AA,
        "outliers": int(np.count_nonzero(finite & ~np.isfinite(kept))),
    }


def wavelength_drift(
    data: Any,
    *,
    period: u.Quantity = ORBITAL_PERIOD,
    smoothing: u.Quantity = _SMOOTHING,
    lines: Sequence[str] | None = None,
) -> QTable:
    """
    The wavelength drift of every exposure, from photospheric lines, per detector.

    As SolarSoft's ``iris_prep_wavecorr_l2``: in every exposure the profile averaged
    along the slit (masked pixels left out) is fitted with a Gaussian on a linear
    background around each reference line of `REFERENCE_LINES` found in the windows
    (with `irispy_plus.fitting.fit_lines`); its centre minus the rest wavelength is the
    line's shift. A shift is dropped if the fit failed, the line's amplitude is below 3
    times its uncertainty, or the centre is more than a quarter of the fit range from
    the rest wavelength. Then, for each detector, through the shifts of its first
    measurable line (Ni I for NUV, O I for FUV, then the others), after dropping outliers
    (0.08 Å NUV, 0.05 Å FUV from the median) and a running mean over ``smoothing``, the
    drift is fitted as ``a sin(2 pi t / P) + b cos(2 pi t / P)`` plus a polynomial in time
    of order ``min(orbits covered, 3)``; observations shorter than a quarter orbit get a
    constant (with a warning).

    The drift includes the orbital Doppler shift: it is everything that moves the
    photospheric lines from their rest wavelengths (a net photospheric flow along the
    slit included: avoid slits dominated by one, e.g. flux emergence).

    Parameters
    ----------
    data : IRIS spectrograph cube or `~irispy_plus.cubes.RasterCollection`
        The windows of one raster file (sharing their exposures).
    period : astropy.units.Quantity, optional
        The orbital period of the sine (5856 s).
    smoothing : astropy.units.Quantity, optional
        Width of the running mean applied before the fit (5 minutes, as SolarSoft).
    lines : sequence of str, optional
        Only these reference lines (by ion, e.g. ``["Ni I"]``).

    Returns
    -------
    astropy.table.QTable
        One row per exposure: ``time``, and for each line measured, e.g. ``"Ni I
        2799.474"``, its shift (Å, observed minus rest; NaN where dropped) and ``"<line>
        error"``, and for each detector, e.g. ``drift_NUV``, the fitted drift (Å, observed
        minus true; subtract it from the wavelengths, see `apply_wavelength_shift`).
        ``meta`` records, per detector, the line used, the model, its coefficients, the rms
        of the shifts about it and the number of outliers, plus the windows used.

    Raises
    ------
    IrispyPlusCalibrationError
        If no window covers a reference line, or a detector's lines leave too few shifts
        for the fit.

    Warns
    -----
    IrispyPlusUserWarning
        Naming the window, when a reference line is too faint in some or all exposures.

    Examples
    --------
    >>> import warnings
    >>> from irispy_plus import read_files
    >>> from irispy_plus.calibration import wavelength_drift
    >>> from irispy_plus.data import sample
    >>> windows = read_files(sample.SNS_RASTER, as_observation=True)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = wavelength_drift(windows)
    >>> table.colnames[:3], len(table) == windows.cube("O I 1356").shape[0]
    (['time', 'Ni I 2799.474', 'Ni I 2799.474 error'], True)

    The sample keeps every 10th wavelength pixel, too few to fit the lines, and says so
    (a full-resolution file gives ``drift_NUV`` and ``drift_FUV`` columns):

    >>> print(caught[0].message)
    Ni I 2799.474 in window 'Mg II k 2796': only 2 samples in 2799.3-2799.8 Å.
    """
    windows = _windows(data)
    chosen = (
        REFERENCE_LINES if lines is None else REFERENCE_LINES[np.isin(REFERENCE_LINES["ion"], list(lines))]
    )
    table = None
    measured: dict[str, list[tuple[Any, str]]] = {}
    used: dict[str, str] = {}
    for row in chosen:
        lo, hi = row["range_min"].to_value(u.AA), row["range_max"].to_value(u.AA)
        for key, cube in windows:
            if cube.meta.detector != row["detector"]:
                continue
            axis = u.Quantity(cube.spectral_axis, u.AA).value
            if not (axis.min() <= lo and hi <= axis.max()):
                continue
            if table is None:
                table = QTable({"time": np.atleast_1d(cube.time).reshape(-1)})
            shifts, errors, note = measure_line(cube, row, key)
            if len(shifts) != len(table):
                msg = (
                    f"Window {key!r} has {len(shifts)} exposures, the others {len(table)}: "
                    "the windows are not from one raster file."
                )
                raise IrispyPlusCalibrationError(msg)
            label = _label(row)
            if note:
                warn_user(f"{label} in window {key!r}: {note}.")
            table[label] = shifts * u.AA
            table[f"{label} error"] = errors * u.AA
            measured.setdefault(row["detector"], []).append((row, label))
            used[label] = key
            break
    if table is None:
        names = ", ".join(repr(key) for key, _ in windows)
        msg = (
            f"No window ({names}) covers a reference line ({', '.join(_label(r) for r in chosen)}) "
            "with its whole fit range; the drift cannot be measured."
        )
        raise IrispyPlusCalibrationError(msg)
    seconds = (table["time"] - table["time"][0]).to_value(u.s)
    order = np.argsort(seconds, kind="stable")
    table.meta["windows"] = used
    for detector, candidates in measured.items():
        usable = [
            (row, label) for row, label in candidates if np.count_nonzero(np.isfinite(table[label])) > 3
        ]
        if not usable:
            warn_user(
                f"No {detector} reference line ({', '.join(label for _, label in candidates)}) could be "
                f"measured in window {used[candidates[0][1]]!r}: too faint in every exposure; no "
                f"{detector} drift."
            )
            continue
        row, label = usable[0]
        shifts = table[label].to_value(u.AA)
        fitted = np.empty(len(table))
        fitted[order], info = _fit_drift(
            seconds[order],
            shifts[order],
            row["outlier"].to_value(u.AA),
            period=u.Quantity(period, u.s).value,
            smoothing=u.Quantity(smoothing, u.s).value,
            name=label,
        )
        table[f"drift_{detector}"] = fitted * u.AA
        table.meta[f"drift_{detector}"] = {"line": label, **info}
        log.info("%s drift from %s: %s, rms %s.", detector, label, info["model"], info["rms"])
    return table


def _correct_one(cube, table):
    column = f"drift_{cube.meta.detector}"
    if column not in table.colnames:
        msg = (
            f"The drift table has no {column} column for window {cube.meta.spectral_window!r}: no "
            f"{cube.meta.detector} reference line was measured. Correct this window with "
            "apply_wavelength_shift and a shift of your own."
        )
        raise IrispyPlusCalibrationError(msg)
    return apply_wavelength_shift(cube, table[column])


def correct_wavelengths(data: IRISData, drift: QTable | None = None) -> IRISData:
    """
    Correct every window for the wavelength drift of each exposure.

    The equivalent of SolarSoft's ``iris_prep_wavecorr_l2`` applied to the data: each
    window gets its detector's fitted drift (``drift_FUV`` or ``drift_NUV`` of
    `wavelength_drift`) by `apply_wavelength_shift`: the mean drift in the wavelength
    coordinate, each exposure's departure from it by resampling.

    Parameters
    ----------
    data : IRIS spectrograph cube or `~irispy_plus.cubes.RasterCollection`
        The windows of one raster file.
    drift : astropy.table.QTable, optional
        The output of `wavelength_drift`, measured on ``data`` if not given.

    Returns
    -------
    The same kind of object, corrected.

    Raises
    ------
    IrispyPlusCalibrationError
        If a window's detector has no drift (no reference line measured), or as
        `wavelength_drift`.

    Examples
    --------
    >>> import numpy as np
    >>> import astropy.units as u
    >>> from astropy.table import QTable
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.calibration import correct_wavelengths
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SNS_RASTER, "Mg II k 2796")
    >>> drift = QTable({"drift_NUV": np.linspace(0.01, 0.03, cube.shape[0]) * u.AA})
    >>> corrected = correct_wavelengths(cube, drift)
    >>> corrected.meta["WAVELENGTH_SHIFT"][[0, -1]]
    <Quantity [0.01, 0.03] Angstrom>
    """
    from irispy_plus.calibration._cube import _map

    table = wavelength_drift(data) if drift is None else drift
    return _map(_correct_one, data, table)
