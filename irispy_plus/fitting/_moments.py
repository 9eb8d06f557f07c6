"""
Spectral moments of many spectra at once: background, peak, intensity, centroid, width.

Moments are the fast first look at a window and the fitter's initial guesses.
"""

import numpy as np

__all__ = ["moment_arrays"]


def _background(y, valid):
    """A low quantile (the 20th percentile) of the valid pixels of each spectrum."""
    m = y.shape[-1]
    k = max(0, int(0.2 * (m - 1)))
    if valid.all():
        return np.partition(y, k, axis=-1)[..., k]
    filled = np.where(valid, y, np.inf)
    low = np.partition(filled, k, axis=-1)[..., k]
    fallback = np.min(filled, axis=-1)
    return np.where(np.isfinite(low), low, fallback)


def _dot(spectra, weights):
    """Weighted sums along the last axis, without BLAS (whose rounding depends on the batch)."""
    return np.einsum("...m,m->...", spectra, weights.astype(spectra.dtype))


def moment_arrays(x, y, valid=None, full=True, peak_index=False):
    """
    Moments of spectra ``y`` ``(..., M)`` on wavelengths ``x`` ``(M,)``.

    Parameters
    ----------
    x : numpy.ndarray
        Wavelengths (Å), increasing.
    y : numpy.ndarray
        Spectra, wavelength last (computed in their own floating-point precision).
    valid : numpy.ndarray of bool, optional
        Pixels to use; by default the finite ones.
    full : bool, optional
        Also the centroid and width (the initial guesses need only the rest).
    peak_index : bool, optional
        Also ``peak_index``, the index of the peak pixel (0 where there is no signal).

    Returns
    -------
    dict of numpy.ndarray
        ``background`` (20th percentile of the valid pixels), ``peak`` (maximum above the
        background), ``peak_wavelength``, ``intensity`` (integral of the spectrum above the
        background, data unit times Å), and if ``full`` ``centroid`` (first moment, Å) and
        ``width`` (square root of the second central moment, Å), each of shape
        ``y.shape[:-1]``; NaN where a spectrum has no valid pixel or no signal above the
        background.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    if y.dtype.kind != "f":
        y = y.astype(float)
    valid = np.isfinite(y) if valid is None else valid & np.isfinite(y)
    any_valid = valid.any(axis=-1)
    step = np.gradient(x) if x.size > 1 else np.ones_like(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        bg = _background(y, valid)
        above = y - bg[..., None]
        if not valid.all():
            above[~valid] = 0
        np.maximum(above, 0, out=above)
        imax = np.argmax(above, axis=-1)
        peak = np.take_along_axis(above, imax[..., None], axis=-1)[..., 0]
        out = {
            "background": bg,
            "peak": peak,
            "peak_wavelength": x[imax],
            "intensity": _dot(above, step),
        }
        total = above.sum(axis=-1)
        if full:
            xc = x - x.mean()
            centroid = _dot(above, xc) / total
            second = _dot(above, xc * xc) / total
            out["centroid"] = centroid + x.mean()
            out["width"] = np.sqrt(np.maximum(second - centroid * centroid, 0))
        bad = ~any_valid | ~(total > 0)
    out = {key: np.where(bad, np.nan, np.asarray(value, dtype=float)) for key, value in out.items()}
    if peak_index:
        out["peak_index"] = imax
    return out
