"""
The time-dependent throughput correction of IRIS (SolarSoft's ``fit_iris_xput``).
"""

import numpy as np
from astropy.time import Time

from irispy_plus.calibration._idl import TimeLike, anytim_seconds

__all__ = ["fit_iris_xput", "throughput_at_seconds"]

# A Julian year: the unit of the decay rates in the response files.
_YEAR = 365.25 * 86400.0
# Exponent of the weight that blends two calibration intervals across the gap between them.
_TRANSITION_EXPONENT = 1.5


def fit_iris_xput(time: TimeLike, interval_times: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """
    Evaluate the IRIS throughput model at the given times.

    The response files describe the throughput at a reference wavelength as a sequence of
    calibration intervals ``[start, end]``; within interval ``i`` it is
    ``c0 + c1 * exp(c2 * (t - start))`` with ``t`` in Julian years. In the gap between two
    intervals the two neighbouring models are blended with weights ``1 - f`` and ``f``,
    ``f = ((t - end_i) / (start_i+1 - end_i)) ** 1.5``. Times before the first interval
    use the first model and times after the last interval the last model (the last
    interval of the response files runs to 2050).

    Parameters
    ----------
    time : astropy.time.Time or str
        Observation time(s); any shape.
    interval_times : array-like or astropy.time.Time
        Shape ``(n, 2)``: start and end of each calibration interval, either as times or
        as SolarSoft ``anytim`` seconds since 1979-01-01 (what the response files hold).
    coefficients : array-like
        Shape ``(n, 3)``: ``c0, c1, c2`` of each interval.

    Returns
    -------
    numpy.ndarray
        The throughput factor, same shape as ``time``.

    Raises
    ------
    ValueError
        If ``interval_times`` and ``coefficients`` do not describe the same intervals.

    Examples
    --------
    >>> from irispy_plus.calibration import fit_iris_xput
    >>> intervals = [[0.0, 3.15576e7], [6.31152e7, 9.46728e7]]  # 1979 and 1981
    >>> coefficients = [[1.0, 1.0, -1.0], [0.5, 0.0, 0.0]]
    >>> float(fit_iris_xput("1979-01-01", intervals, coefficients))
    2.0
    >>> float(fit_iris_xput("1981-06-01", intervals, coefficients))
    0.5
    """
    if isinstance(interval_times, Time):
        interval_times = anytim_seconds(interval_times)
    interval_times = np.asarray(interval_times, dtype=float)
    coefficients = np.asarray(coefficients, dtype=float)
    if (
        interval_times.ndim != 2
        or interval_times.shape[1] != 2
        or coefficients.ndim != 2
        or coefficients.shape[1] < 3
        or coefficients.shape[0] != interval_times.shape[0]
    ):
        msg = (
            f"interval_times must have shape (n, 2) and coefficients (n, 3); got "
            f"{interval_times.shape} and {coefficients.shape}. Pass the C_*_TIME and COEFFS_* "
            "arrays of one reference wavelength of a response file."
        )
        raise ValueError(msg)
    seconds = anytim_seconds(time)
    return throughput_at_seconds(seconds, interval_times, coefficients)


def throughput_at_seconds(seconds, interval_times, coefficients):
    """
    `fit_iris_xput` for ``anytim`` seconds and already checked arrays (shape of ``seconds``).
    """
    shape = np.shape(seconds)
    seconds = np.atleast_1d(np.asarray(seconds, dtype=float)).ravel()
    # Years from every interval boundary, flattened as start0, end0, start1, end1, ...
    years = (seconds[:, None] - interval_times.ravel()[None, :]) / _YEAR
    n_bounds = years.shape[1]
    # The first boundary still ahead of each time: odd = inside an interval, even = in a gap.
    ahead = years < 0
    idx = np.where(ahead.any(axis=1), np.argmax(ahead, axis=1), n_bounds - 1)
    idx = np.maximum(idx, 1)
    rows = np.arange(seconds.size)
    c0, c1, c2 = coefficients[:, 0], coefficients[:, 1], coefficients[:, 2]

    def model(interval, since_start):
        return c0[interval] + c1[interval] * np.exp(c2[interval] * since_start)

    inside = idx % 2 == 1
    result = np.empty(seconds.size)
    k = idx[inside] // 2
    result[inside] = model(k, years[rows[inside], idx[inside] - 1])
    gap = ~inside
    if gap.any():
        i = idx[gap]
        since_end = years[rows[gap], i - 1]
        to_next = years[rows[gap], i]
        weight = (since_end / (since_end - to_next)) ** _TRANSITION_EXPONENT
        before = model(i // 2 - 1, years[rows[gap], i - 2])
        after = model(i // 2, to_next)
        result[gap] = (1 - weight) * before + weight * after
    return result.reshape(shape)
