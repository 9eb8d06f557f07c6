"""
Axes whose data coordinates are array pixels and whose ticks are world values.

The viewers draw every image in pixel coordinates, so pointer positions, slicing and
overlays stay exact; `world_ticks` labels an axis with the world coordinate of each pixel
along it (helioprojective arcsec, Å, or seconds), with ticks at round world values.
"""

import numpy as np
from matplotlib.ticker import AutoLocator, Formatter, Locator, MaxNLocator, ScalarFormatter

__all__ = ["world_ticks"]


class _WorldLocator(Locator):
    def __init__(self, world, nbins=5):
        self._pixels = np.arange(len(world), dtype=float)
        self._world = np.asarray(world, dtype=float)
        self._order = np.argsort(self._world)
        self._inner = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10])

    def to_world(self, pixel):
        return _extrapolate(pixel, self._pixels, self._world)

    def to_pixel(self, world):
        return _extrapolate(world, self._world[self._order], self._pixels[self._order])

    def __call__(self):
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin, vmax):
        world = self.to_world(np.array([vmin, vmax]))
        ticks = self._inner.tick_values(world.min(), world.max())
        pixels = self.to_pixel(ticks)
        low, high = min(vmin, vmax), max(vmin, vmax)
        return pixels[(pixels >= low) & (pixels <= high)]


class _WorldFormatter(Formatter):
    def __init__(self, locator):
        self._locator = locator
        world = locator._world
        span = float(np.max(np.abs(world))) if world.size else 0.0
        # Tick values come back from pixels by interpolation, with rounding errors: keep 7
        # significant digits of the axis' largest value, so a tick at 0 reads 0, not 2e-15.
        self._decimals = 6 - int(np.floor(np.log10(span))) if span > 0 else 6

    def __call__(self, x, pos=None):
        value = round(float(self._locator.to_world(np.array([x]))[0]), self._decimals) + 0.0
        return f"{float(f'{value:.6g}'):g}"


def _extrapolate(x, xp, fp):
    x = np.asarray(x, dtype=float)
    if len(xp) == 1:
        return np.full(x.shape, fp[0])
    result = np.interp(x, xp, fp)
    below, above = x < xp[0], x > xp[-1]
    result[below] = fp[0] + (x[below] - xp[0]) * (fp[1] - fp[0]) / (xp[1] - xp[0])
    result[above] = fp[-1] + (x[above] - xp[-1]) * (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
    return result


def world_ticks(axis, world, label):
    """
    Label a pixel axis with world values.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis``, whose data coordinates are pixel indices.
    world : array-like
        The world value at each pixel index along the axis, monotonic.
    label : str
        The axis label, with its unit.
    """
    world = np.asarray(world, dtype=float)
    axis.set_label_text(label)
    monotonic = len(world) > 1 and (np.all(np.diff(world) > 0) or np.all(np.diff(world) < 0))
    if not monotonic:
        axis.set_major_locator(AutoLocator())
        axis.set_major_formatter(ScalarFormatter())
        return
    locator = _WorldLocator(world)
    axis.set_major_locator(locator)
    axis.set_major_formatter(_WorldFormatter(locator))
