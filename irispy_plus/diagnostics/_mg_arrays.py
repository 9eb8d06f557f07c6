"""
The Mg II k and h feature search on arrays of spectra (no loop over spectra).

The method is that of SolarSoft's ``iris_get_mg_features_lev2`` (Pereira et al. 2013,
ApJ 778, 143, section 3): each line's profile is put on a velocity axis about its rest
wavelength, interpolated with IDL's spline onto 300 points spanning ``vrange``, and its
extrema are searched there; the core (k3, h3) is refined with a parabola through the
lowest point between the peaks, the peaks (k2v/k2r, h2v/h2r) with parabolas through the
highest points. Differences from SolarSoft, made to treat every spectrum alike at once:
the extrema are refined with a least-squares parabola over two spectral pixels either
side (SolarSoft: a parabola over 7 interpolated points for the core, a re-interpolation
for the peaks), which keeps the intensities' noise bias below 2 % at S/N 20; the two
peaks are the strongest local maximum and the strongest one separated from it
by a dip deeper than three times the noise (a topographic prominence), rather than a
case table on the number of extrema; single-peaked profiles keep their peak as the core
(no derivative method), and no spatial smoothing of the cores along the slit is done.
"""

import astropy.constants as const
import numpy as np

from irispy_plus.diagnostics._spline import tension_spline_matrix
from irispy_plus.fitting._flags import QualityFlag

__all__ = ["FEATURE_KEYS", "MGII_H_REST", "MGII_K_REST", "TRIPLET", "feature_block", "line_setup"]

#: Rest wavelengths (Å, vacuum) of Mg II k and h.
MGII_K_REST = 2796.352
MGII_H_REST = 2803.530
#: The subordinate triplet blend (Å, vacuum) and the bands of the emission index: the
#: line band and two reference bands in the k and h wings, clear of the 2797.9-2798.0 Å
#: triplet lines and of Ni I 2799.474 Å.
TRIPLET = (2798.75, 2798.82)
TRIPLET_BAND = (2798.70, 2798.87)
TRIPLET_REFERENCE = ((2798.35, 2798.50), (2799.10, 2799.25))

_C_KMS = const.c.to_value("km/s")
_FEATURES = ("3", "2v", "2r")
#: Per line: velocity and intensity of the core and both peaks, the mean intensity over
#: vrange, then the flags; then the triplet index.
FEATURE_KEYS = tuple(
    f"{line}{feature}_{what}" for line in "kh" for feature in _FEATURES for what in ("velocity", "intensity")
)
_PER_LINE = 2 * len(_FEATURES) + 2
_PRONOUNCED = 3.0  # a dip counts as a reversal if deeper than this many noise sigmas
#: Extrema are refined with a parabola over this many spectral pixels either side: wide
#: enough to average the noise (the bias of a noisy maximum stays below 2 % at S/N 20),
#: narrow enough to follow the k2 peaks at full resolution.
_REFINE_PIXELS = 2.0
# The median absolute value of a normal variable, in sigmas.
_ABS_NORMAL_MEDIAN = 0.6745
#: A reversal shallower than this fraction of the peak is no reversal, whatever the noise.
_MIN_DEPTH = 1e-3
# The residual about the neighbours' cubic has sqrt(70 / 36) times the pixels' noise.
_RESIDUAL_SIGMAS = np.sqrt(70 / 36)


def line_setup(x, rest, vrange, n_points, tension):
    """
    Pixels and spline operator of one line, or None if ``vrange`` is not covered.

    Returns a dict: ``pixels`` (slice of ``x``), ``velocity`` (the fine grid, km/s),
    ``weights`` (``(n_points, n_pixels)`` spline matrix), ``pixel_step`` (km/s).
    """
    v = _C_KMS * (x - rest) / rest
    lo, hi = vrange
    if v[0] > lo or v[-1] < hi:
        return None
    i0 = max(0, int(np.searchsorted(v, lo - 3.0, side="right")) - 1)
    i1 = min(v.size, int(np.searchsorted(v, hi + 3.0, side="left")) + 1)
    while i1 - i0 < 4 and (i0 > 0 or i1 < v.size):
        i0, i1 = max(0, i0 - 1), min(v.size, i1 + 1)
    if i1 - i0 < 3:
        return None
    fine = np.linspace(lo, hi, n_points)
    return {
        "pixels": slice(i0, i1),
        "velocity": fine,
        "weights": tension_spline_matrix(v[i0:i1], fine, tension),
        "pixel_step": float(np.median(np.diff(v[i0:i1]))),
    }


def _gather(a, index):
    return np.take_along_axis(a, index[:, None], axis=1)[:, 0]


def _refine(profile, index, velocity, half):
    """
    Vertex of the least-squares parabola through the ``2 * half + 1`` fine points about
    ``index`` (the grid point where the vertex falls outside them).
    """
    n_fine = profile.shape[1]
    offsets = np.arange(-half, half + 1)
    second = offsets**2 - np.mean(offsets**2)
    centre = np.clip(index, half, n_fine - half - 1)
    window = np.take_along_axis(profile, centre[:, None] + offsets, axis=1)
    c1 = window @ (offsets / np.sum(offsets**2))
    c2 = window @ (second / np.sum(second**2))
    c0 = window.mean(axis=1) - np.mean(offsets**2) * c2
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = -c1 / (2 * c2)
    good = np.isfinite(shift) & (np.abs(shift) <= half) & (c2 != 0)
    shift = np.where(good, shift, index - centre)
    value = np.where(good, c0 + c1 * shift + c2 * shift**2, _gather(profile, index))
    return velocity[centre] + shift * (velocity[1] - velocity[0]), value


def _features(profile, velocity, noise, pixel_step):
    """Core, peaks and flags of each fine profile ``(N, P)``."""
    n, p = profile.shape
    index = np.arange(p)
    dv = velocity[1] - velocity[0]
    half = int(np.clip(round(_REFINE_PIXELS * pixel_step / dv), 3, p // 8))
    flags = np.zeros(n, dtype=np.int32)
    interior = np.zeros((n, p), bool)
    interior[:, 1:-1] = (profile[:, 1:-1] > profile[:, :-2]) & (profile[:, 1:-1] >= profile[:, 2:])
    candidates = np.where(interior, profile, -np.inf)
    first = np.argmax(candidates, axis=1)
    top = _gather(profile, first)
    has_max = interior.any(axis=1)
    # Prominence of the strongest maximum above the window's ends.
    below = np.where(index < first[:, None], profile, np.inf).min(axis=1)
    above = np.where(index > first[:, None], profile, np.inf).min(axis=1)
    threshold = np.maximum(_PRONOUNCED * noise, _MIN_DEPTH * np.abs(top))
    has_max &= top - np.maximum(below, above) > threshold
    # Deepest dip from the strongest maximum to every other point, both ways.
    right = np.minimum.accumulate(np.where(index >= first[:, None], profile, np.inf), axis=1)
    left = np.minimum.accumulate(np.where(index <= first[:, None], profile, np.inf)[:, ::-1], axis=1)[:, ::-1]
    dip = np.where(index >= first[:, None], right, left)
    second_ok = interior & (profile - dip > threshold[:, None]) & (index != first[:, None])
    second = np.argmax(np.where(second_ok, profile, -np.inf), axis=1)
    double = has_max & second_ok.any(axis=1)
    lo = np.minimum(first, second)
    hi = np.maximum(first, second)
    between = (index > lo[:, None]) & (index < hi[:, None])
    core = np.where(double, np.argmin(np.where(between, profile, np.inf), axis=1), first)
    core_v, core_i = _refine(-profile, core, velocity, half)
    core_i = np.where(double, -core_i, np.nan)
    peak_v, peak_i = _refine(profile, first, velocity, half)
    single = has_max & ~double
    core_v = np.where(double, core_v, np.where(single, peak_v, np.nan))
    core_i = np.where(double, core_i, np.where(single, peak_i, np.nan))
    blue_v, blue_i = _refine(profile, lo, velocity, half)
    red_v, red_i = _refine(profile, hi, velocity, half)
    out = np.full((n, 6), np.nan)
    out[:, 0], out[:, 1] = core_v, core_i
    out[:, 2] = np.where(double, blue_v, np.nan)
    out[:, 3] = np.where(double, blue_i, np.nan)
    out[:, 4] = np.where(double, red_v, np.nan)
    out[:, 5] = np.where(double, red_i, np.nan)
    flags[~has_max] |= QualityFlag.NO_PEAK
    flags[single] |= QualityFlag.SINGLE_PEAK
    edge = (core_v - velocity[0] < pixel_step) | (velocity[-1] - core_v < pixel_step)
    flags[has_max & edge] |= QualityFlag.CORE_AT_EDGE
    return out, flags


def _noise(y, valid, pixels):
    """
    Noise per spectrum from the scatter of the line pixels about the cubic through their
    neighbours (``y[i] - (4 (y[i-1] + y[i+1]) - y[i-2] - y[i+2]) / 6``, blind to the
    profile up to its third derivative): the median absolute residual, robust to the few
    pixels where the profile curves sharply.
    """
    residuals = []
    usable = []
    for sl in pixels:
        a, ok = y[:, sl], valid[:, sl]
        residuals.append(np.abs(a[:, 2:-2] - (4 * (a[:, 1:-3] + a[:, 3:-1]) - a[:, :-4] - a[:, 4:]) / 6))
        usable.append(ok[:, :-4] & ok[:, 1:-3] & ok[:, 2:-2] & ok[:, 3:-1] & ok[:, 4:])
    if sum(r.shape[1] for r in residuals) == 0:
        return np.full(y.shape[0], np.nan)
    usable = np.concatenate(usable, axis=1)
    residuals = np.where(usable, np.concatenate(residuals, axis=1), np.inf)
    count = usable.sum(axis=1)
    median = _row_quantile(residuals, np.clip((count - 1) // 2, 0, residuals.shape[1] - 1))
    return np.where(count >= 3, median / (_ABS_NORMAL_MEDIAN * _RESIDUAL_SIGMAS), np.nan)


def _row_quantile(a, k):
    """The ``k``-th smallest value of each row (``k`` per row)."""
    ordered = np.sort(a, axis=1)
    return np.take_along_axis(ordered, k[:, None], axis=1)[:, 0]


def feature_block(y, mask, *, x, setups, noise_limit, triplet):
    """
    Features of spectra ``y`` ``(N, M)``: ``(N, 2 * 8 + 1)`` values (per line the
    velocity and intensity of core, blue and red peak, the mean intensity over
    ``vrange`` and the flags; then the triplet emission index).
    """
    y = np.asarray(y, dtype=float)
    valid = np.isfinite(y) & (True if mask is None else ~mask)
    from irispy_plus.diagnostics._common import valid_pixels

    valid &= valid_pixels(y)
    n = y.shape[0]
    out = np.full((n, 2 * _PER_LINE + 1), np.nan)
    present = [s for s in setups if s is not None]
    noise = _noise(y, valid, [s["pixels"] for s in present]) if present else np.full(n, np.nan)
    filled = np.where(valid, y, 0.0)
    for i, setup in enumerate(setups):
        col = i * _PER_LINE
        if setup is None:
            out[:, col + _PER_LINE - 1] = QualityFlag.NO_DATA
            continue
        sl = setup["pixels"]
        fill = ~valid[:, sl].all(axis=1)
        profile = filled[:, sl] @ setup["weights"].T
        values, flags = _features(profile, setup["velocity"], np.nan_to_num(noise, nan=0.0), setup["pixel_step"])
        with np.errstate(invalid="ignore", divide="ignore"):
            peak = profile.max(axis=1)
            noisy = ~(noise <= noise_limit * np.abs(peak))
        flags[noisy] |= QualityFlag.NOISY
        flags[~(peak > 0)] |= QualityFlag.NO_SIGNAL
        flags[fill] = QualityFlag.FILL
        values[fill] = np.nan
        out[:, col : col + 6] = values
        out[:, col + 6] = np.where(fill, np.nan, profile.mean(axis=1))
        out[:, col + 7] = flags
    if triplet is not None:
        line_w, ref_w, needed = triplet
        with np.errstate(invalid="ignore", divide="ignore"):
            index = (filled @ line_w) / (filled @ ref_w) - 1.0
        index[~valid[:, needed].all(axis=1)] = np.nan
        out[:, -1] = index
    return out
