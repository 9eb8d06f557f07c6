"""
Histogram-optimised contrast: clip levels from the cumulative histogram of an image.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["ClipLevels", "histo_opt"]

_BINS = 10_000


class ClipLevels(NamedTuple):
    """
    The display range of an image: values at or below ``low`` show as the darkest colour,
    at or above ``high`` as the brightest, with a power law of exponent ``gamma`` between.
    """

    low: float
    high: float
    gamma: float = 1.0

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


def histo_opt(image, cutoff: float = 1e-3, gamma: float = 1.0) -> ClipLevels:
    """
    Clip levels that cut a fraction ``cutoff`` of the pixels at each end of the histogram.

    As SolarSoft's ``iris_histo_opt``: the finite pixels are binned, the levels are read
    off the cumulative histogram at ``cutoff`` and ``1 - cutoff``, and the low level is
    never below the second bin, so a fill value (-200 DN) or a few very dark pixels do
    not set the scale.

    Parameters
    ----------
    image : array-like
        The image (any shape); NaN and infinite values are ignored.
    cutoff : float, optional
        The fraction of pixels clipped at each end, between 0 and 0.5.
    gamma : float, optional
        The display exponent carried by the result.

    Returns
    -------
    ClipLevels
        ``(low, high, gamma)``; ``(0, 1, gamma)`` for an image without finite pixels.

    Raises
    ------
    ValueError
        If ``cutoff`` is outside [0, 0.5) or ``gamma`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.visualization import histo_opt
    >>> image = np.arange(10_000.0).reshape(100, 100)
    >>> image[0, 0] = -200
    >>> levels = histo_opt(image, cutoff=0.01)
    >>> print(f"{levels.low:.0f} {levels.high:.0f}")
    100 9899
    """
    if not 0 <= cutoff < 0.5:
        msg = f"cutoff must be in [0, 0.5), got {cutoff}: it is the fraction clipped at each end."
        raise ValueError(msg)
    if gamma <= 0:
        msg = f"gamma must be positive, got {gamma}."
        raise ValueError(msg)
    values = np.asarray(image, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
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
