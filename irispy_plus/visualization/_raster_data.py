"""
What the raster viewer reads from a (lazy) spectrograph window, and nothing more.

A pointer move reads at most one slit image (all slit spectra of one step: one
contiguous block of the file), and a change of wavelength at most one XY map; the
spectrum at a point is taken from the slit image already read.
"""

from collections import OrderedDict

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["RasterWindow", "windows_of"]

_CACHED_MAPS = 4


def _read(cube, item):
    """
    Read part of a cube (straight from its file when it is lazily read), with fill
    (values at or below the ``fill_threshold`` configuration item) and saturated pixels
    as NaN.
    """
    if hasattr(cube, "read_data"):
        values, mask = cube.read_data(item)
        values = np.array(values, dtype=np.float32)
        values[mask] = np.nan
        return values
    array = cube.data[item]
    if hasattr(array, "compute"):
        array = array.compute(scheduler="synchronous")
    from irispy_plus._lazy import fill_threshold

    values = np.array(array, dtype=np.float32)
    # Not an IRIS cube, so no mask from the reader: fill by the same rule.
    values[~(values > fill_threshold())] = np.nan
    return values


class RasterWindow:
    """
    One spectral window as the viewer sees it: the steps of every raster repeat in a row.

    Parameters
    ----------
    label : str
        The window label.
    value : IRISSpectrogramCube or IRISRasterSequence
        The window.
    """

    def __init__(self, label, value):
        parts = list(value.data) if hasattr(value, "data") and isinstance(value.data, list) else [value]
        if any(part.data.ndim != 3 for part in parts):
            msg = f"Window {label!r}: the raster viewer needs 3D cubes (step, slit, wavelength)."
            raise IrispyPlusError(msg)
        self.label = label
        self.parts = parts
        first = parts[0]
        self.detector = first.meta.detector
        self.unit = first.unit
        self.sit_and_stare = float(first.meta.get("CDELT3", 1.0) or 0.0) == 0.0
        self.n_slit, self.n_wave = first.data.shape[1:]
        self.offsets = np.cumsum([0] + [part.data.shape[0] for part in parts])
        self.n_steps = int(self.offsets[-1])
        self.wavelength = np.asarray(first.spectral_axis.to_value("Angstrom"), dtype=float)
        times = [part.time for part in parts]
        self.times = (
            times[0]
            if len(times) == 1
            else times[0].__class__(np.concatenate([t.jd for t in times]), format="jd")
        )
        self.times.format = "isot"
        self.seconds = (self.times - self.times[0]).to_value("s")
        self._maps = OrderedDict()
        self._slit = (None, None)

    def locate(self, step):
        """
        The repeat and the step within it of a step counted over all repeats.
        """
        part = int(np.searchsorted(self.offsets, step, side="right")) - 1
        return part, int(step - self.offsets[part])

    def part_steps(self, part):
        """
        The steps (counted over all repeats) of one repeat, as a range.
        """
        return range(int(self.offsets[part]), int(self.offsets[part + 1]))

    def slit_image(self, step):
        """
        The slit spectra of one step, (slit, wavelength), read once per step.
        """
        if self._slit[0] != step:
            part, local = self.locate(step)
            self._slit = (step, _read(self.parts[part], local))
        return self._slit[1]

    def spectrum(self, step, slit):
        """
        The spectrum at one step and slit pixel.
        """
        return self.slit_image(step)[slit]

    def xy_map(self, part, wave):
        """
        The map at one wavelength pixel of one repeat, (slit, step); a few are cached.
        """
        key = (part, wave)
        if key not in self._maps:
            self._maps[key] = _read(self.parts[part], (slice(None), slice(None), wave)).T
            while len(self._maps) > _CACHED_MAPS:
                self._maps.popitem(last=False)
        self._maps.move_to_end(key)
        return self._maps[key]

    def world(self, step, slit, wave):
        """
        Helioprojective longitude, latitude (arcsec) and wavelength (Å) of a pixel.
        """
        part, local = self.locate(step)
        wcs = self.parts[part].wcs.low_level_wcs
        wavelength, lon, lat = wcs.pixel_to_world_values(wave, slit, local)
        return float(lon), float(lat), float(wavelength)

    def step_axis(self, part):
        """
        World values along the step axis of one repeat: longitude (arcsec) at the slit
        middle for a raster, seconds after the first exposure for a sit-and-stare.

        Returns
        -------
        values : numpy.ndarray
        label : str
        """
        steps = self.part_steps(part)
        if self.sit_and_stare:
            return self.seconds[steps.start : steps.stop], f"Time [s] after {self.times[0].isot[:19]}"
        wcs = self.parts[part].wcs.low_level_wcs
        local = np.arange(len(steps))
        _, lon, _ = wcs.pixel_to_world_values(
            np.zeros(len(steps)), np.full(len(steps), self.n_slit / 2), local
        )
        return np.asarray(lon, dtype=float), "Helioprojective longitude [arcsec]"

    def slit_axis(self, part=0):
        """
        Helioprojective latitude (arcsec) along the slit at the repeat's middle step.
        """
        wcs = self.parts[part].wcs.low_level_wcs
        middle = len(self.part_steps(part)) // 2
        slits = np.arange(self.n_slit)
        _, _, lat = wcs.pixel_to_world_values(np.zeros(self.n_slit), slits, np.full(self.n_slit, middle))
        return np.asarray(lat, dtype=float)

    def pixel_aspect(self, part=0):
        """
        The size of a step over the size of a slit pixel on the sky (for true-scale maps).
        """
        if self.sit_and_stare or len(self.part_steps(part)) < 2:
            return None
        lon, _ = self.step_axis(part)
        lat = self.slit_axis(part)
        return float(abs(np.median(np.diff(lat))) / abs(np.median(np.diff(lon))))


def windows_of(data):
    """
    The windows of a raster collection, cube or sequence, as `RasterWindow` objects.

    Parameters
    ----------
    data : IRISObservation, RasterCollection, IRISSpectrogramCube or IRISRasterSequence
        What to show; of an observation, its raster windows (``data.raster``).

    Returns
    -------
    list of RasterWindow

    Raises
    ------
    IrispyPlusError
        If ``data`` holds no 3D spectrograph window.
    """
    raster = getattr(data, "raster", None)
    if hasattr(raster, "items"):  # an observation: its raster windows, not its slit-jaw bands
        data = raster
    if hasattr(data, "keys") and hasattr(data, "values"):
        items = list(data.items())
    else:
        label = getattr(data, "spectral_window", None) or "window"
        items = [(label, data)]
    if not items:
        msg = "There are no spectral windows to show: read raster files with irispy_plus.read_files."
        raise IrispyPlusError(msg)
    return [RasterWindow(label, value) for label, value in items]
