"""
Histogram-optimised contrast: clip levels from the cumulative histogram of an image.
"""

import numpy as np

__all__ = ["ClipLevels", "histo_opt"]

_BINS = 10_000


class ClipLevels(tuple):
    """
    The display range of an image: values at or below ``low`` show as the darkest colour,
    at or above ``high`` as the brightest, with a power law of exponent ``gamma`` between.

    It unpacks like the ``(vmin, vmax)`` pair of iris_lmsalpy's ``histo_opt``:
    ``vmin, vmax = histo_opt(image)``; ``gamma`` is an attribute.

    Parameters
    ----------
    low, high : float
        The display range.
    gamma : float, optional
        The display exponent.

    Examples
    --------
    >>> from irispy_plus.visualization import ClipLevels
    >>> levels = ClipLevels(1.0, 5.0, gamma=0.5)
    >>> vmin, vmax = levels
    >>> vmin, vmax, levels.gamma
    (1.0, 5.0, 0.5)
    """

    gamma: float

    def __new__(cls, low: float, high: float, gamma: float = 1.0):
        new = super().__new__(cls, (low, high))
        new.gamma = gamma
        return new

    @property
    def low(self):
        """
        The value shown as the darkest colour.
        """
        return self[0]

    @property
    def high(self):
        """
        The value shown as the brightest colour.
        """
        return self[1]

    def __eq__(self, other):
        if isinstance(other, ClipLevels):
            return tuple(self) == tuple(other) and self.gamma == other.gamma
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((*self, self.gamma))

    def __repr__(self):
        return f"ClipLevels(low={self.low!r}, high={self.high!r}, gamma={self.gamma!r})"

    def __reduce__(self):
        return (type(self), (self.low, self.high, self.gamma))

    def norm(self):
        """
        The matplotlib normalisation that shows these levels.

        Returns
        -------
        matplotlib.colors.Normalize
            A `~matplotlib.colors.PowerNorm` (a plain ``Normalize`` for gamma 1), clipping.
        """
        from matplotlib.colors import Normalize, PowerNorm

        if self.gamma == 1:
            return Normalize(self.low, self.high, clip=True)
        return PowerNorm(self.gamma, self.low, self.high, clip=True)

    def to_bytes(self, image, out=None):
        """
        Scale ``image`` linearly to 0-255 between the levels (gamma is left to a lookup
        table, see `gamma_table`).

        Parameters
        ----------
        image : numpy.ndarray
            The image.
        out : numpy.ndarray, optional
            A float32 work array of the image's shape, to avoid allocating one.

        Returns
        -------
        numpy.ndarray
            uint8 image; NaN shows as 0.
        """
        work = np.empty(image.shape, np.float32) if out is None else out
        span = max(self.high - self.low, np.finfo(np.float32).tiny)
        np.subtract(image, np.float32(self.low), out=work)
        np.multiply(work, np.float32(255.0 / span), out=work)
        np.clip(work, 0, 255, out=work)
        np.nan_to_num(work, copy=False, nan=0.0)
        return work.astype(np.uint8)

    def gamma_table(self):
        """
        The 256-entry lookup table that applies ``gamma`` to `to_bytes` output.

        Returns
        -------
        numpy.ndarray
            uint8 values, ``255 * (i / 255) ** gamma``.
        """
        return np.round(255 * (np.arange(256) / 255.0) ** self.gamma).astype(np.uint8)


_FROM_CONFIG = "config"

#: An image whose lowest value is at or below this holds Level 2 fill (-200 DN).
_HOLDS_FILL = -199.0


def histo_opt(
    image,
    cutoff: float = 1e-3,
    gamma: float = 1.0,
    *,
    fill_threshold: float | str | None = _FROM_CONFIG,
    verbose: bool = False,
) -> ClipLevels:
    """
    Clip levels that cut a fraction ``cutoff`` of the pixels at each end of the histogram.

    As SolarSoft's ``iris_histo_opt``: the finite pixels are binned, the levels are read
    off the cumulative histogram at ``cutoff`` and ``1 - cutoff``, and the low level is
    never below the second bin. Fill does not set the scale: masked pixels (of a
    `numpy.ma.MaskedArray`) are left out, and in an image that holds Level 2 fill (a
    value at or below -199) so are the values at or below ``fill_threshold`` (the fill
    smeared by the warping), unless nothing else is left.

    The result unpacks as iris_lmsalpy's pair: ``vmin, vmax = histo_opt(image)``.

    Parameters
    ----------
    image : array-like
        The image (any shape); NaN and infinite values are ignored.
    cutoff : float, optional
        The fraction of pixels clipped at each end, between 0 and 0.5.
    gamma : float, optional
        The display exponent carried by the result.
    fill_threshold : float or None, optional
        Values at or below this are fill and left out, if the image holds fill at all;
        by default the ``fill_threshold`` configuration item (`irispy_plus.utils.config`,
        in DN). None keeps every finite value.
    verbose : bool, optional
        Print the pixels used, the data range and the levels, as iris_lmsalpy does.

    Returns
    -------
    ClipLevels
        ``(low, high)`` with ``gamma`` as an attribute; ``(0, 1)`` for an image without
        finite pixels.

    Raises
    ------
    ValueError
        If ``cutoff`` is outside [0, 0.5) or ``gamma`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.visualization import histo_opt
    >>> image = np.arange(10_000.0).reshape(100, 100)
    >>> image[:10] = -200
    >>> vmin, vmax = histo_opt(image, cutoff=0.01)
    >>> print(f"{vmin:.0f} {vmax:.0f}")
    1090 9909
    """
    if not 0 <= cutoff < 0.5:
        msg = f"cutoff must be in [0, 0.5), got {cutoff}: it is the fraction clipped at each end."
        raise ValueError(msg)
    if gamma <= 0:
        msg = f"gamma must be positive, got {gamma}."
        raise ValueError(msg)
    if isinstance(fill_threshold, str):
        from irispy_plus._lazy import fill_threshold as configured

        fill_threshold = configured()
    values = np.ma.filled(np.ma.asarray(image, dtype=np.float64), np.nan).ravel()
    values = values[np.isfinite(values)]
    n_finite, n_fill = values.size, 0
    # Only images that hold fill (-200, or its smear below it) lose the values at or
    # below the threshold: a velocity map in km/s keeps its strong blue shifts.
    if fill_threshold is not None and values.size and values.min() <= _HOLDS_FILL:
        signal = values[values > float(fill_threshold)]
        if signal.size:
            n_fill = values.size - signal.size
            values = signal
    levels = _levels(values, cutoff, gamma)
    if verbose:
        _report(values, (n_finite, n_fill), fill_threshold, cutoff, levels)
    return levels


def _levels(values, cutoff, gamma):
    if values.size == 0:
        return ClipLevels(0.0, 1.0, float(gamma))
    low, high = values.min(), values.max()
    if low == high:
        return ClipLevels(float(low), float(low) + 1.0, float(gamma))
    counts, edges = np.histogram(values, bins=_BINS, range=(low, high))
    cumulative = np.cumsum(counts) / values.size
    low_bin = max(int(np.searchsorted(cumulative, cutoff, side="right")), 1)
    high_bin = min(int(np.searchsorted(cumulative, 1 - cutoff, side="left")) + 1, _BINS)
    low_level, high_level = float(edges[low_bin]), float(edges[high_bin])
    if high_level <= low_level:
        high_level = float(high)
    return ClipLevels(low_level, high_level, float(gamma))


def _report(values, counts, fill_threshold, cutoff, levels):
    n_finite, n_fill = counts
    # histo_opt(..., verbose=True) is interactive: it prints, as iris_lmsalpy's does.
    if values.size:
        print(f"histo_opt: min and max of the image: {values.min():.6g}, {values.max():.6g}")  # noqa: T201
    if n_fill:
        print(  # noqa: T201
            f"histo_opt: {n_fill} of {n_finite} finite pixels at or below the fill threshold "
            f"({fill_threshold:g}) left out"
        )
    print(  # noqa: T201
        f"histo_opt: cutoff {cutoff:g} of {values.size} pixels at each end -> "
        f"clip values: {levels.low:.6g}, {levels.high:.6g}"
    )
