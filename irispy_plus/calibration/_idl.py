"""
Small numerical helpers that behave exactly as the IDL routines SolarSoft relies on.

The IRIS response is defined by what SolarSoft's ``iris_get_response`` computes, so the
few IDL primitives it uses are reproduced here: ``anytim`` seconds (since 1979-01-01,
without leap seconds), ``value_locate`` and ``interpol`` (linear, with linear
extrapolation, and ``/SPLINE``, which fits a natural cubic spline through the four
points around each interval rather than one spline through all points).
"""

import datetime as dt

import numpy as np
from astropy.time import Time
from scipy.interpolate import CubicSpline

__all__ = ["anytim_seconds", "interpol_linear_weights", "interpol_spline_weights"]

# 1979-01-01T00:00:00 UTC as a Julian date, the epoch of SolarSoft's ``anytim``.
_ANYTIM_EPOCH_JD = 2443874.5

#: What a calibration takes as a time or times: what `sunpy.time.parse_time` reads.
TimeLike = Time | str | dt.datetime | dt.date | np.datetime64


def anytim_seconds(time):
    """
    Seconds since 1979-01-01 UTC counted as SolarSoft's ``anytim`` does (no leap seconds).

    Parameters
    ----------
    time : astropy.time.Time or str
        Any time astropy can parse.

    Returns
    -------
    numpy.ndarray
        Float64 seconds, same shape as ``time``.
    """
    utc = Time(time).utc
    return ((utc.jd1 - _ANYTIM_EPOCH_JD) + utc.jd2) * 86400.0


def _value_locate(x, u):
    # IDL VALUE_LOCATE clipped to a valid interval, as INTERPOL does.
    return np.clip(np.searchsorted(x, u, side="right") - 1, 0, len(x) - 2)


def interpol_linear_weights(x, u):
    """
    Weights ``w`` (len(u), len(x)) such that ``w @ y`` is IDL ``interpol(y, x, u)``.

    Linear interpolation between neighbouring knots, extrapolating the end intervals.
    """
    x = np.asarray(x, dtype=float)
    u = np.asarray(u, dtype=float)
    s = _value_locate(x, u)
    frac = (u - x[s]) / (x[s + 1] - x[s])
    w = np.zeros((u.size, x.size))
    rows = np.arange(u.size)
    w[rows, s] = 1 - frac
    w[rows, s + 1] = frac
    return w


def interpol_spline_weights(x, u):
    """
    Weights ``w`` (len(u), len(x)) such that ``w @ y`` is IDL ``interpol(y, x, u, /spline)``.

    IDL fits, for each interval, a natural cubic spline through the four knots around it
    (``s - 1`` to ``s + 2``, shifted to stay inside the array). A spline is linear in its
    knot values, so splining the unit vectors gives weights that any set of knot values
    (for instance one per observation time) can share.
    """
    x = np.asarray(x, dtype=float)
    u = np.asarray(u, dtype=float)
    n = x.size
    start = np.clip(_value_locate(x, u) - 1, 0, n - 4)
    w = np.zeros((u.size, n))
    for first in np.unique(start):
        rows = start == first
        knots = x[first : first + 4]
        spline = CubicSpline(knots, np.eye(4), bc_type="natural", extrapolate=True)
        w[rows, first : first + 4] = spline(u[rows])
    return w
