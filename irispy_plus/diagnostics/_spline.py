"""
Splines under tension, as IDL's ``SPLINE`` computes them, as one linear operator.

An interpolating spline is linear in the data: on fixed abscissae ``x`` and evaluation
points ``t`` it is a matrix ``W`` with ``f(t) = W @ y``. Building ``W`` once and
applying it to every spectrum of a raster at once (a matrix product) is what makes the
Mg II feature search fast.

The spline under tension (Cline 1974, Commun. ACM 17, 218) has ``f'' - s**2 f`` linear
between the nodes. IDL's ``SPLINE(x, y, t, sigma)`` takes ``s = max(sigma, 0.001) *
(n - 1) / (x[-1] - x[0])``, fixes the end slopes to those of the parabolas through the
first and last three nodes, and extends the end intervals' curves beyond the nodes; so
does this one. ``sigma`` near 0 gives a cubic spline, large values tend to linear
interpolation.
"""

import numpy as np
from scipy.linalg import solve_banded

__all__ = ["tension_spline", "tension_spline_matrix"]

_MIN_TENSION = 0.001


def _end_slopes(x):
    """Rows giving the slopes at both ends of the parabolas through the end nodes."""
    n = x.size
    first = np.zeros(n)
    last = np.zeros(n)
    d1, d2 = x[1] - x[0], x[2] - x[1]
    d12 = d1 + d2
    first[:3] = [-(d12 + d1) / (d12 * d1), d12 / (d1 * d2), -d1 / (d12 * d2)]
    dn, dm = x[-1] - x[-2], x[-2] - x[-3]
    dnm = dn + dm
    last[-3:] = [dn / (dnm * dm), -dnm / (dn * dm), (dnm + dn) / (dnm * dn)]
    return first, last


def tension_spline_matrix(x, t, tension=1.0):
    """
    The matrix ``W`` of IDL's ``SPLINE(x, y, t, tension)``: ``spline = W @ y``.

    Parameters
    ----------
    x : array-like
        ``(n,)`` increasing abscissae, ``n >= 3``.
    t : array-like
        ``(m,)`` evaluation points.
    tension : float, optional
        IDL's ``sigma`` (1 by default, as in IDL); values below 0.001 count as 0.001.

    Returns
    -------
    numpy.ndarray
        ``(m, n)``.

    Raises
    ------
    ValueError
        If ``x`` has fewer than 3 points or is not strictly increasing.
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(t, dtype=float)
    n = x.size
    if n < 3 or np.any(np.diff(x) <= 0):
        msg = f"a spline needs at least 3 strictly increasing abscissae (got {n})."
        raise ValueError(msg)
    s = max(float(tension), _MIN_TENSION) * (n - 1) / (x[-1] - x[0])
    h = np.diff(x)
    sinh = np.sinh(s * h)
    # Coupling of the unknowns p = f''/s**2 at neighbouring nodes, per interval.
    off = s / sinh - 1 / h
    diag = s * np.cosh(s * h) / sinh - 1 / h
    bands = np.zeros((3, n))
    bands[0, 1:] = -off
    bands[2, :-1] = -off
    bands[1, :-1] += diag
    bands[1, 1:] += diag
    # Right-hand side as a matrix acting on y: slope jumps, and the end conditions.
    slope = np.zeros((n - 1, n))
    slope[np.arange(n - 1), np.arange(n - 1)] = -1 / h
    slope[np.arange(n - 1), np.arange(1, n)] = 1 / h
    rhs = np.zeros((n, n))
    rhs[1:-1] = slope[1:] - slope[:-1]
    first, last = _end_slopes(x)
    rhs[0] = slope[0] - first
    rhs[-1] = last - slope[-1]
    p = solve_banded((1, 1), bands, rhs)  # (n, n): p = p @ y
    i = np.clip(np.searchsorted(x, t, side="right") - 1, 0, n - 2)
    left = t - x[i]
    right = x[i + 1] - t
    rows = np.arange(t.size)
    hyper_l = np.sinh(s * right) / sinh[i]
    hyper_r = np.sinh(s * left) / sinh[i]
    lin_l = right / h[i]
    lin_r = left / h[i]
    weights = (hyper_l - lin_l)[:, None] * p[i] + (hyper_r - lin_r)[:, None] * p[i + 1]
    weights[rows, i] += lin_l
    weights[rows, i + 1] += lin_r
    return weights


def tension_spline(x, y, t, tension=1.0):
    """
    IDL's ``SPLINE(x, y, t, tension)`` for many profiles at once.

    Parameters
    ----------
    x : array-like
        ``(n,)`` increasing abscissae.
    y : array-like
        ``(..., n)`` values, abscissa last.
    t : array-like
        ``(m,)`` evaluation points.
    tension : float, optional
        IDL's ``sigma``.

    Returns
    -------
    numpy.ndarray
        ``(..., m)``.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.diagnostics import tension_spline
    >>> x = np.arange(5.0)
    >>> tension_spline(x, x**2, [1.5, 2.5], tension=0).round(6)
    array([2.25, 6.25])
    """
    weights = tension_spline_matrix(x, t, tension)
    return np.asarray(y, dtype=float) @ weights.T
