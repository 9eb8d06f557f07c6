"""
Starting points of a fit: the default bounds and the initial values guessed from each
spectrum's moments.
"""

import numpy as np

from irispy_plus.fitting._moments import moment_arrays

__all__ = ["auto_guess", "default_limits"]


def default_limits(model, x):
    """
    Default bounds ``(2, P)``: free background, amplitudes >= 0, centroids within the
    fitted range, widths between a tenth of a pixel and the fitted range.

    Parameters
    ----------
    model : LineModel
        The model whose parameters are bounded.
    x : numpy.ndarray
        The fitted wavelengths.

    Returns
    -------
    numpy.ndarray
        ``[lower, upper]``, each with one value per parameter of ``model`` (in the order
        of ``model.parameter_names``).

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import LineModel, default_limits
    >>> wave = np.linspace(1402.0, 1403.0, 41)  # 0.025 Å steps
    >>> lower, upper = default_limits(LineModel(), wave)
    >>> lower.round(4).tolist()
    [-inf, 0.0, 1402.0, 0.0025]
    >>> upper.round(4).tolist()
    [inf, inf, 1403.0, 1.0]
    """
    step = float(np.median(np.abs(np.diff(x)))) if x.size > 1 else 1.0
    span = float(x.max() - x.min())
    lower = [-np.inf] * model.n_background
    upper = [np.inf] * model.n_background
    for _ in model.components:
        lower += [0.0, float(x.min()), 0.1 * step]
        upper += [np.inf, float(x.max()), span]
    return np.array([lower, upper])


def _refine_peak(x, y, j, bg, estimate):
    """
    Fit a Gaussian through the peak pixel ``j`` and its neighbours.

    The Gaussian is a parabola in log space, used where all three pixels are valid and
    above the background; the moment guesses are kept elsewhere. (Invalid pixels of ``y``
    must be NaN or below the background.)
    """
    peak, mu, sigma = estimate
    n, m = y.shape
    if m < 3:
        return estimate
    j = np.clip(j, 1, m - 2)
    # Three flat takes: much faster than take_along_axis on short rows.
    rows = np.ascontiguousarray(y).reshape(-1)
    at = np.arange(n) * m + j
    left, centre, right = (np.log(rows.take(at + k) - bg) for k in (-1, 0, 1))
    h = np.diff(x).mean()
    curvature = left - 2 * centre + right
    slope = right - left
    shift = -0.5 * slope / curvature
    good = np.isfinite(left) & np.isfinite(centre) & np.isfinite(right)
    good &= (curvature < 0) & (np.abs(shift) <= 1)
    new_sigma = h / np.sqrt(-curvature)
    new_peak = np.exp(centre - slope * slope / (8 * curvature))
    good &= np.isfinite(new_sigma) & np.isfinite(new_peak)
    return (
        np.where(good, new_peak, peak),
        np.where(good, x[j] + shift * h, mu),
        np.where(good, new_sigma, sigma),
    )


def auto_guess(x, y, valid, model, *, centers=None):
    """
    Initial values for every spectrum from its moments.

    One component: background (20th percentile), peak above it, peak wavelength, and
    the width from intensity / (peak sqrt(2 pi)). Several components: at ``centers`` if
    given (amplitude from the spectrum there), otherwise a narrow core and broader
    components about the peak.

    Parameters
    ----------
    x : numpy.ndarray
        Wavelengths ``(M,)``.
    y : numpy.ndarray
        Spectra ``(N, M)``.
    valid : numpy.ndarray of bool
        Usable pixels ``(N, M)``.
    model : LineModel
        The model whose parameters are guessed (``P`` of them).
    centers : sequence of float, optional
        Nominal centre (Å) per component.

    Returns
    -------
    numpy.ndarray
        ``(N, P)``, in the order of ``model.parameter_names``; NaN where a spectrum has
        no signal.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import LineModel, auto_guess
    >>> wave = np.linspace(1402.0, 1403.0, 41)
    >>> spectra = 5 + 80 * np.exp(-0.5 * ((wave - 1402.8) / 0.07) ** 2)[None, :]
    >>> valid = np.ones(spectra.shape, dtype=bool)
    >>> auto_guess(wave, spectra, valid, LineModel()).round(3).tolist()
    [[5.0, 80.0, 1402.8, 0.07]]
    """
    single = model.n_components == 1 and model.components[0] == "gaussian" and centers is None
    mom = moment_arrays(x, y, valid, full=False, peak_index=single)
    n = y.shape[0]
    step = float(np.median(np.abs(np.diff(x)))) if x.size > 1 else 1.0
    bg, peak, mu = mom["background"], mom["peak"], mom["peak_wavelength"]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = mom["intensity"] / (peak * np.sqrt(2 * np.pi))
    sigma = np.clip(sigma, step, max(step, 0.25 * float(x.max() - x.min())))
    if single:
        filled = y if valid.all() else np.where(valid, y, np.nan)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            peak, mu, sigma = _refine_peak(x, filled, mom["peak_index"], bg, (peak, mu, sigma))
    p0 = np.empty((n, model.n_parameters))
    p0[:, 0] = bg
    if model.background == "linear":
        p0[:, 1] = 0.0
    k_comp = model.n_components
    shares = [1.0] if k_comp == 1 else [0.7] + [0.3 / (k_comp - 1)] * (k_comp - 1)
    for i, kind in enumerate(model.components):
        k = model.component_slice(i + 1).start
        if centers is not None:
            c = float(centers[i])
            j = int(np.argmin(np.abs(x - c)))
            p0[:, k] = np.maximum(np.where(valid[:, j], y[:, j], np.nan) - bg, 0.1 * peak)
            p0[:, k + 1] = c
            p0[:, k + 2] = sigma / np.sqrt(k_comp)
        else:
            p0[:, k] = peak * shares[i]
            p0[:, k + 1] = mu if i < 2 else mu + sigma
            p0[:, k + 2] = sigma * (0.8 if i == 0 and k_comp > 1 else 1.0) * (2.0 if i == 1 else 1.0)
        if kind == "lorentzian":
            p0[:, k + 2] *= np.sqrt(2 * np.log(2))
    return p0
