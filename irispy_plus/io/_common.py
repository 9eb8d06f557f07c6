"""
What the raster and slit-jaw readers share: metadata, times, pointing.
"""

import astropy.units as u
import numpy as np

from irispy_plus._keywords import Keywords
from irispy_plus.meta import AUX_TABLE, EXPOSURE_INDEX, FILENAME_TABLE, IRISMeta

__all__ = ["build_meta", "mid_exposure_times", "pc_per_exposure"]


def build_meta(layout, index, extra, n_exposure_axis_length):
    """
    The metadata of one window: primary header, then the window's own header, then
    ``extra``, with the per-exposure index attached to the first array axis.
    """
    values = dict(layout.header_values(0))
    values.update(layout.header_values(index))
    values.update(extra)
    values["filename"] = layout.name
    values[EXPOSURE_INDEX] = np.arange(n_exposure_axis_length)
    values[AUX_TABLE] = layout.aux_table
    values[FILENAME_TABLE] = layout.filename_table
    meta = IRISMeta(values, axes={EXPOSURE_INDEX: 0}, data_shape=layout._shape(index))
    return meta


def mid_exposure_times(layout, exposure_times):
    """
    The middle of each exposure: STARTOBS + TIME + exposure time / 2.
    """
    return layout.start_time + (layout.aux_table["TIME"].data + exposure_times / 2) * u.s


def pc_per_exposure(layout, header, names):
    """
    The per-exposure 2x2 rotation matrices from the auxiliary columns ``names``
    (row-major, e.g. ``("PC1_1IX", "PC1_2IX", "PC2_1IX", "PC2_2IX")``), or the header's
    own matrix for every exposure if a column is missing.
    """
    aux = layout.aux_table
    if all(name in aux.colnames for name in names):
        values = [aux[name].data for name in names]
    else:
        keywords = Keywords(header, layout.name, "header")
        keys = [name[:-2] for name in names]
        defaults = [keywords.number(key, 1.0 if key[2] == key[4] else 0.0) for key in keys]
        values = [np.full(len(aux), value) for value in defaults]
    return np.stack(values, axis=-1).reshape(-1, 2, 2)
