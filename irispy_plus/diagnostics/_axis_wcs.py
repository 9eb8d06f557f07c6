"""
A one-axis WCS for a tabulated coordinate (e.g. the velocity offsets of a red-blue cube).

astropy's one-axis FITS WCS cannot take arrays of more than one dimension, and a
tabulated axis needs no FITS keywords: this is the APE 14 low-level interface over a
table, interpolated linearly between its entries (and beyond its ends).
"""

import astropy.units as u
import numpy as np
from astropy.wcs.wcsapi import BaseLowLevelWCS, HighLevelWCSMixin

__all__ = ["TabularAxisWCS"]


class TabularAxisWCS(BaseLowLevelWCS, HighLevelWCSMixin):
    """
    One pixel axis whose world coordinate is ``values[pixel]`` (linear in between).

    Parameters
    ----------
    values : `~astropy.units.Quantity`
        One strictly increasing value per pixel.
    physical_type : str
        The world axis' physical type (UCD), e.g. ``"custom:velocity.offset"``.
    name : str, optional
        The world axis name.
    """

    def __init__(self, values, physical_type, name=""):
        values = u.Quantity(values)
        if values.ndim != 1 or values.size < 1:
            msg = "a tabular axis needs one value per pixel (a 1-D Quantity)."
            raise ValueError(msg)
        self._values = values.value.astype(float)
        self._unit = values.unit
        self._type = physical_type
        self._name = name

    @property
    def pixel_n_dim(self):
        return 1

    @property
    def world_n_dim(self):
        return 1

    @property
    def world_axis_physical_types(self):
        return [self._type]

    @property
    def world_axis_units(self):
        return [self._unit.to_string()]

    @property
    def world_axis_names(self):
        return [self._name]

    @property
    def axis_correlation_matrix(self):
        return np.ones((1, 1), dtype=bool)

    @property
    def world_axis_object_components(self):
        return [("offset", 0, "value")]

    @property
    def world_axis_object_classes(self):
        return {"offset": (u.Quantity, (), {"unit": self._unit})}

    @property
    def pixel_shape(self):
        return (self._values.size,)

    @property
    def pixel_bounds(self):
        return None

    def _table(self):
        index = np.arange(self._values.size, dtype=float)
        if index.size == 1:
            return np.array([0.0, 1.0]), np.array([self._values[0], self._values[0] + 1.0])
        return index, self._values

    def pixel_to_world_values(self, *pixel_arrays):
        index, values = self._table()
        pixel = np.asarray(pixel_arrays[0], dtype=float)
        inside = np.interp(pixel, index, values)
        slope_lo = (values[1] - values[0]) / (index[1] - index[0])
        slope_hi = (values[-1] - values[-2]) / (index[-1] - index[-2])
        world = np.where(pixel < index[0], values[0] + (pixel - index[0]) * slope_lo, inside)
        return np.where(pixel > index[-1], values[-1] + (pixel - index[-1]) * slope_hi, world)

    def world_to_pixel_values(self, *world_arrays):
        index, values = self._table()
        world = np.asarray(world_arrays[0], dtype=float)
        inside = np.interp(world, values, index)
        slope_lo = (index[1] - index[0]) / (values[1] - values[0])
        slope_hi = (index[-1] - index[-2]) / (values[-1] - values[-2])
        pixel = np.where(world < values[0], index[0] + (world - values[0]) * slope_lo, inside)
        return np.where(world > values[-1], index[-1] + (world - values[-1]) * slope_hi, pixel)
