"""
The Mg II k and h feature search on arrays of spectra (no loop over spectra).

The method is that of SolarSoft's ``iris_get_mg_features_lev2`` (Pereira et al. 2013,
ApJ 778, 143, section 3): each line's profile is put on a velocity axis about its rest
wavelength, interpolated with IDL's spline, and its extrema within ``vrange`` are
searched on the interpolated profile; the core (k3, h3) is refined with a parabola
through the lowest point between the peaks, the peaks (k2v/k2r, h2v/h2r) with parabolas
through the highest points. Differences from SolarSoft, made to treat every spectrum
alike at once: the extrema are searched with three interpolated points per spectral
pixel, then refined on the 300-point interpolated profile with a least-squares parabola
over two spectral pixels either side (SolarSoft: a parabola over 7 of the 300 points for
the core, a re-interpolation for the peaks), which keeps the intensities' noise bias
below 2 % at S/N 20. Both steps are linear in the data, so they are matrix products
prepared once per window; the refinement needs only three numbers per extremum. The two
peaks are the strongest local maximum and the strongest one separated from it
by a dip deeper than three times the noise (a topographic prominence), rather than a
case table on the number of extrema; single-peaked profiles keep their peak as the core
(no derivative method), and no spatial smoothing of the cores along the slit is done.
"""

import astropy.constants as const
import astropy.units as u
import numpy as np

from irispy_plus.diagnostics._common import valid_pixels
from irispy_plus.diagnostics._spline import tension_spline_matrix
from irispy_plus.physics.lines import rest_wavelength
from irispy_plus.utils.quality import QualityFlag

__all__ = ["MGII_H_REST", "MGII_K_REST", "TRIPLET", "feature_block", "line_setup"]

#: Rest wavelengths (Å, vacuum) of Mg II k and h, from the line list (2796.352, 2803.530).
MGII_K_REST = float(rest_wavelength("Mg II", near=2796.4).to_value(u.AA))
MGII_H_REST = float(rest_wavelength("Mg II", near=2803.5).to_value(u.AA))
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
_PER_LINE = 2 * len(_FEATURES) + 2
_PRONOUNCED = 3.0  # a dip counts as a reversal if deeper than this many noise sigmas
#: Extrema are refined with a parabola over this many spectral pixels either side: wide
#: enough to average the noise (the bias of a noisy maximum stays below 2 % at S/N 20),
#: narrow enough to follow the k2 peaks at full resolution.
_REFINE_PIXELS = 2.0
#: Points of the search grid per spectral pixel, and at least.
_SEARCH_PER_PIXEL = 3
_MIN_SEARCH = 64
# The median absolute value of a normal variable, in sigmas.
_ABS_NORMAL_MEDIAN = 0.6745
#: A reversal shallower than this fraction of the peak is no reversal, whatever the noise.
_MIN_DEPTH = 1e-3
# The residual about the neighbours' cubic has sqrt(70 / 36) times the pixels' noise.
_RESIDUAL_SIGMAS = np.sqrt(70 / 36)
#: Spectra per batch: the fine profiles of a batch (300 float32 values each) fit the cache.
_BATCH = 2048


def line_setup(x, rest, vrange, n_points, tension):
    """
    Pixels and spline operators of one line, or None if ``vrange`` is not covered.

    Returns a dict: ``pixels`` (slice of ``x``), ``search`` (the search grid, km/s, three
    points per pixel), ``search_weights`` (its spline matrix), ``fine`` (the
    ``n_points`` grid), ``fine_weights``, ``parabola`` (``(n_points - 2 half, 3, n_pixels)``: the
    coefficients of the refining parabola about each fine point as functionals of the
    pixels), ``half`` (its half-width in fine points), ``pixel_step`` (km/s).
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
    pixels = v[i0:i1]
    pixel_step = float(np.median(np.diff(pixels)))
    n_search = max(_MIN_SEARCH, int(np.ceil(_SEARCH_PER_PIXEL * (hi - lo) / pixel_step)) + 1)
    search = np.linspace(lo, hi, n_search)
    fine = np.linspace(lo, hi, n_points)
    fine_weights = tension_spline_matrix(pixels, fine, tension)
    half = int(np.clip(round(_REFINE_PIXELS * pixel_step / (fine[1] - fine[0])), 3, n_points // 8))
    offsets = np.arange(-half, half + 1)
    second = offsets**2 - np.mean(offsets**2)
    windows = np.lib.stride_tricks.sliding_window_view(fine_weights, 2 * half + 1, axis=0)
    c1 = windows @ (offsets / np.sum(offsets**2))
    c2 = windows @ (second / np.sum(second**2))
    c0 = windows.mean(axis=-1) - np.mean(offsets**2) * c2
    return {
        "pixels": slice(i0, i1),
        "search": search,
        "search_weights": tension_spline_matrix(pixels, search, tension).T.astype(np.float32),
        "fine": fine,
        "fine_weights": fine_weights,
        "mean_weights": fine_weights.mean(axis=0),
        "parabola": np.stack([c0, c1, c2], axis=1),
        "half": half,
        "pixel_step": pixel_step,
    }


def _refine(y, index, setup, sign):
    """
    Vertex of the least-squares parabola through the ``2 * half + 1`` fine points about
    the fine point ``index`` of each spectrum ``y`` (pixels); the fine point itself where
    the vertex falls outside them. ``sign`` -1 for minima.
    """
    fine, half = setup["fine"], setup["half"]
    centre = np.clip(index, half, fine.size - half - 1)
    c0, c1, c2 = np.einsum("nkp,np->kn", setup["parabola"][centre - half], y)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = -c1 / (2 * c2)
    good = np.isfinite(shift) & (np.abs(shift) <= half) & (sign * c2 < 0)
    shift = np.where(good, shift, index - centre)
    value = c0 + c1 * shift + c2 * shift**2
    if not good.all():
        bad = ~good
        value[bad] = np.einsum("np,np->n", setup["fine_weights"][index[bad]], y[bad])
    return fine[centre] + shift * (fine[1] - fine[0]), value


def _features(y, profile, setup, noise):
    """Core, peaks and flags from the pixels ``y`` and the search profiles ``(N, P)``."""
    n, p = profile.shape
    rows = np.arange(n)
    index = np.arange(p, dtype=np.int32)
    velocity = setup["search"]
    to_fine = (setup["fine"].size - 1) / (p - 1)
    flags = np.zeros(n, dtype=np.int32)
    slope = np.diff(profile, axis=1)
    interior = np.zeros((n, p), bool)
    interior[:, 1:-1] = (slope[:, :-1] > 0) & (slope[:, 1:] <= 0)
    peaks = np.where(interior, profile, -np.inf)
    first = np.argmax(peaks, axis=1)
    top = profile[rows, first]
    # The lowest point between the strongest maximum and every other point: running
    # minima away from it on either side (infinite on the other side).
    after = index >= first[:, None]
    right = np.minimum.accumulate(np.where(after, profile, np.inf), axis=1)
    left = np.minimum.accumulate(np.where(after, np.inf, profile)[:, ::-1], axis=1)[:, ::-1]
    threshold = np.maximum(_PRONOUNCED * noise, _MIN_DEPTH * np.abs(top)).astype(profile.dtype)
    # The strongest maximum must stand out above both ends of vrange.
    has_max = np.isfinite(top) & (top - np.maximum(left[:, 0], right[:, -1]) > threshold)
    # The second peak: the highest other maximum behind a dip deeper than the threshold.
    dip = np.minimum(left, right)
    second_ok = peaks - dip > threshold[:, None]
    second = np.argmax(np.where(second_ok, peaks, -np.inf), axis=1)
    double = has_max & second_ok.any(axis=1)
    lo = np.minimum(first, second)
    hi = np.maximum(first, second)
    # The core: where the profile reaches the lowest value between the two peaks (the
    # running minimum at the second peak); the rare exact tie elsewhere is redone.
    core = np.argmax(profile == dip[rows, second][:, None], axis=1)
    redo = double & ((core <= lo) | (core >= hi))
    if redo.any():
        between = (index > lo[redo, None]) & (index < hi[redo, None])
        core[redo] = np.argmin(np.where(between, profile[redo], np.inf), axis=1)
    core = np.where(double, core, first)
    single = has_max & ~double
    fine_index = np.rint(np.where(double, core, first) * to_fine).astype(np.intp)
    core_v, core_i = _refine(y, fine_index, setup, np.where(double, -1, 1))
    out = np.full((n, 6), np.nan)
    out[:, 0] = np.where(has_max, core_v, np.nan)
    out[:, 1] = np.where(has_max, core_i, np.nan)
    if double.any():
        blue_v, blue_i = _refine(y, np.rint(lo * to_fine).astype(np.intp), setup, 1)
        red_v, red_i = _refine(y, np.rint(hi * to_fine).astype(np.intp), setup, 1)
        out[:, 2] = np.where(double, blue_v, np.nan)
        out[:, 3] = np.where(double, blue_i, np.nan)
        out[:, 4] = np.where(double, red_v, np.nan)
        out[:, 5] = np.where(double, red_i, np.nan)
    flags[~has_max] |= QualityFlag.NO_PEAK
    flags[single] |= QualityFlag.SINGLE_PEAK
    step = setup["pixel_step"]
    edge = (out[:, 0] - velocity[0] < step) | (velocity[-1] - out[:, 0] < step)
    flags[has_max & edge] |= QualityFlag.CORE_AT_EDGE
    return out, flags


def _wing_minima(y, mask, setup, values):
    """
    k1v and k1r (h1v, h1r): the lowest point of the interpolated profile between the blue
    end of the wing range and the blue peak (the core if there is one peak), and between
    the red peak and the red end; NaN where that lowest point is the end itself (no
    minimum in the range) or a pixel of the range is not valid.
    """
    sl = setup["pixels"]
    part = np.asarray(y[:, sl], dtype=float)
    ok = valid_pixels(part, None if mask is None else mask[:, sl])
    filled = np.where(ok, part, 0.0)
    profile = np.einsum("np,pk->nk", filled.astype(np.float32), setup["search_weights"])
    velocity = setup["search"]
    p = velocity.size
    to_fine = (setup["fine"].size - 1) / (p - 1)
    core = values[:, 0]
    blue_limit = np.where(np.isfinite(values[:, 2]), values[:, 2], core)
    red_limit = np.where(np.isfinite(values[:, 4]), values[:, 4], core)
    out = np.full((y.shape[0], 4), np.nan)
    for k, (region, edge) in enumerate(
        ((velocity < blue_limit[:, None], 0), (velocity > red_limit[:, None], p - 1))
    ):
        lowest = np.argmin(np.where(region, profile, np.inf), axis=1)
        found = region.any(axis=1) & (lowest != edge) & ok.all(axis=1) & np.isfinite(core)
        v, i = _refine(filled, np.rint(lowest * to_fine).astype(np.intp), setup, -1)
        out[:, 2 * k] = np.where(found, v, np.nan)
        out[:, 2 * k + 1] = np.where(found, i, np.nan)
    return out


def _noise(parts):
    """
    Noise per spectrum from the scatter of the line pixels about the cubic through their
    neighbours (``y[i] - (4 (y[i-1] + y[i+1]) - y[i-2] - y[i+2]) / 6``, blind to the
    profile up to its third derivative): the median absolute residual, robust to the few
    pixels where the profile curves sharply. ``parts``: ``(values, valid)`` per line.
    """
    residuals = []
    usable = []
    for a, ok in parts.values():
        residuals.append(np.abs(a[:, 2:-2] - (4 * (a[:, 1:-3] + a[:, 3:-1]) - a[:, :-4] - a[:, 4:]) / 6))
        usable.append(ok[:, :-4] & ok[:, 1:-3] & ok[:, 2:-2] & ok[:, 3:-1] & ok[:, 4:])
    n = next(iter(parts.values()))[0].shape[0]
    if sum(r.shape[1] for r in residuals) == 0:
        return np.full(n, np.nan)
    usable = np.concatenate(usable, axis=1)
    residuals = np.where(usable, np.concatenate(residuals, axis=1), np.inf)
    count = usable.sum(axis=1)
    median = _row_quantile(residuals, np.clip((count - 1) // 2, 0, residuals.shape[1] - 1))
    return np.where(count >= 3, median / (_ABS_NORMAL_MEDIAN * _RESIDUAL_SIGMAS), np.nan)


def _row_quantile(a, k):
    """The ``k``-th smallest value of each row (``k`` per row)."""
    ordered = np.sort(a, axis=1)
    return np.take_along_axis(ordered, k[:, None], axis=1)[:, 0]


def feature_block(y, mask, *, x, setups, noise_limit, triplet, wings=None):
    """
    Features of spectra ``y`` ``(N, M)``, in batches small enough to stay in the cache.
    """
    out = [
        _feature_batch(
            y[i : i + _BATCH],
            None if mask is None else mask[i : i + _BATCH],
            x=x,
            setups=setups,
            noise_limit=noise_limit,
            triplet=triplet,
            wings=wings,
        )
        for i in range(0, max(1, y.shape[0]), _BATCH)
    ]
    return np.concatenate(out, axis=0)


def _feature_batch(y, mask, *, x, setups, noise_limit, triplet, wings):
    """
    Features of spectra ``y`` ``(N, M)``: ``(N, 2 * 8 + 1)`` values (per line the
    velocity and intensity of core, blue and red peak, the mean intensity over
    ``vrange`` and the flags; then the triplet emission index), and with ``wings`` 8 more
    (per line the velocity and intensity of the blue and red wing minima, k1v/k1r).
    """
    n = y.shape[0]
    out = np.full((n, 2 * _PER_LINE + 1 + (8 if wings is not None else 0)), np.nan)
    present = [s for s in setups if s is not None]
    parts = {}
    for setup in present:
        sl = setup["pixels"]
        part = np.asarray(y[:, sl], dtype=float)
        ok = valid_pixels(part, None if mask is None else mask[:, sl])
        parts[sl.start] = (np.where(ok, part, 0.0), ok)
    noise = _noise(parts) if present else np.full(n, np.nan)
    for i, setup in enumerate(setups):
        col = i * _PER_LINE
        if setup is None:
            out[:, col + _PER_LINE - 1] = QualityFlag.NO_DATA
            continue
        filled, ok = parts[setup["pixels"].start]
        fill = ~ok.all(axis=1)
        # einsum, not BLAS: BLAS threads oversubscribe the cores that dask's threads use,
        # and its sums depend on the batch; einsum gives the same bits block by block.
        profile = np.einsum("np,pk->nk", filled.astype(np.float32), setup["search_weights"])
        values, flags = _features(filled, profile, setup, np.nan_to_num(noise, nan=0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            peak = profile.max(axis=1)
            noisy = ~(noise <= noise_limit * np.abs(peak))
        flags[noisy] |= QualityFlag.NOISY
        flags[~(peak > 0)] |= QualityFlag.NO_SIGNAL
        flags[fill] = QualityFlag.FILL
        values[fill] = np.nan
        out[:, col : col + 6] = values
        out[:, col + 6] = np.where(fill, np.nan, np.einsum("np,p->n", filled, setup["mean_weights"]))
        out[:, col + 7] = flags
        if wings is not None and wings[i] is not None:
            start = 2 * _PER_LINE + 1 + 4 * i
            out[:, start : start + 4] = _wing_minima(y, mask, wings[i], values)
    if triplet is not None:
        line_w, ref_w, needed = triplet
        part = np.asarray(y[:, needed], dtype=float)
        ok = valid_pixels(part, None if mask is None else mask[:, needed])
        part = np.where(ok, part, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            index = (
                np.einsum("np,p->n", part, line_w[needed]) / np.einsum("np,p->n", part, ref_w[needed]) - 1.0
            )
        index[~ok.all(axis=1)] = np.nan
        out[:, 2 * _PER_LINE] = index
    return out
