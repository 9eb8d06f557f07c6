"""
What the slit-jaw viewers read from a (lazy) slit-jaw cube: one frame at a time.
"""

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization._raster_data import _read

__all__ = ["SJIFrames"]

#: The slit-jaw plate scale, arcsec per unsummed pixel.
_PLATE_SCALE = 0.16635


class SJIFrames:
    """
    Frames, times, world axes and slit positions of a slit-jaw cube.

    Parameters
    ----------
    cube : IRISSJICube
        A (time, y, x) slit-jaw cube, read lazily or not.
    """

    def __init__(self, cube):
        if cube.data.ndim != 3:
            msg = "The slit-jaw viewer needs a (time, y, x) cube; slice frames with cube[start:stop]."
            raise IrispyPlusError(msg)
        self.cube = cube
        self.band = cube.meta.detector
        self.unit = cube.unit
        self.n_frames, self.ny, self.nx = cube.data.shape
        self.times = cube.time
        self.times.format = "isot"
        self.seconds = (self.times - self.times[0]).to_value("s")
        self._frame = (None, None)

    def frame(self, index):
        """
        One frame, (y, x) float32 with fill pixels as NaN; the last one read is kept.
        """
        if self._frame[0] != index:
            self._frame = (index, _read(self.cube, index))
        return self._frame[1]

    def world(self, index, x, y):
        """
        Helioprojective longitude and latitude (arcsec) of a pixel of a frame.
        """
        lon, lat, _ = self.cube.wcs.low_level_wcs.pixel_to_world_values(x, y, index)
        return float(lon), float(lat)

    def x_axis(self, index):
        """
        Longitude (arcsec) of each x pixel along the middle row of a frame.
        """
        x = np.arange(self.nx)
        lon, _, _ = self.cube.wcs.low_level_wcs.pixel_to_world_values(
            x, np.full(self.nx, self.ny / 2), np.full(self.nx, index)
        )
        return np.asarray(lon, dtype=float)

    def y_axis(self, index):
        """
        Latitude (arcsec) of each y pixel along the middle column of a frame.
        """
        y = np.arange(self.ny)
        _, lat, _ = self.cube.wcs.low_level_wcs.pixel_to_world_values(
            np.full(self.ny, self.nx / 2), y, np.full(self.ny, index)
        )
        return np.asarray(lat, dtype=float)

    def slit_pixels(self):
        """
        The slit centre (x, y) in 0-based pixels of each frame, from SLTPX1IX/SLTPX2IX.

        The auxiliary values count pixels from 1 at the nominal plate scale; missing
        (zero) values are interpolated, and files resampled to coarser pixels (CDELT1 a
        multiple of the plate scale times the summing) are scaled to match.

        Returns
        -------
        numpy.ndarray
            Shape (n_frames, 2), NaN where no frame has a slit position.
        """
        aux = self.cube.meta.aux
        if aux is None or "SLTPX1IX" not in aux.colnames:
            return np.full((self.n_frames, 2), np.nan)
        summing = np.asarray(aux["SUMSPATS"], dtype=float) if "SUMSPATS" in aux.colnames else 1.0
        cdelt = float(self.cube.meta.get("CDELT1", _PLATE_SCALE))
        factor = np.round(cdelt / (_PLATE_SCALE * np.maximum(summing, 1)))
        factor = np.where(factor >= 2, factor, 1.0)
        result = []
        for column in ("SLTPX1IX", "SLTPX2IX"):
            values = np.asarray(aux[column], dtype=float)
            good = values > 0
            if not good.any():
                result.append(np.full(self.n_frames, np.nan))
                continue
            index = np.arange(self.n_frames)
            values = np.interp(index, index[good], values[good])
            result.append((values - 1) / factor)
        return np.stack(result, axis=1)
