"""
ASDF converter of `irispy_plus.fitting.FitResult`.
"""

import numpy as np
from asdf.extension import Converter

from irispy_plus.asdf.converters._arrays import to_numpy
from irispy_plus.asdf.converters._cubes import (
    add_extra_coords,
    extra_coords_to_tree,
    global_coords_to_tree,
)
from irispy_plus.asdf.converters._prepare import prepare
from irispy_plus.asdf.converters._units import parse_unit

__all__ = ["FitResultConverter"]


def _low_level(wcs):
    return getattr(wcs, "low_level_wcs", wcs)


class FitResultConverter(Converter):
    """
    ASDF converter of `irispy_plus.fitting.FitResult`: the model, every map, the
    fitted wavelengths, the unit, both WCS, the input's extra and global coordinates
    and the metadata. The maps are read into memory when loaded (they are small next
    to the cube they come from).
    """

    tags = ("asdf://irispy-plus.org/tags/fit_result-1.*",)
    types = ("irispy_plus.fitting._result.FitResult",)

    def to_yaml_tree(self, result, tag, ctx):
        tables, dropped = extra_coords_to_tree(result.extra_coords)
        node = {
            "model": result.model.to_dict(),
            "values": to_numpy(result.values),
            "errors": to_numpy(result.errors),
            "chi2": to_numpy(result.chi2),
            "flags": to_numpy(result.flags),
            "n_iterations": to_numpy(result.n_iterations),
            "wavelength": result.wavelength,
            "unit": None if result.unit is None else result.unit.to_string(),
            "wcs": _low_level(result.wcs),
            "profile_wcs": None if result.profile_wcs is None else _low_level(result.profile_wcs),
            "meta": prepare(dict(result.meta)),
        }
        if tables or dropped:
            node["extra_coords"] = {"tables": tables, "dropped": dropped}
        global_coords = global_coords_to_tree(result.global_coords)
        if global_coords:
            node["global_coords"] = global_coords
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from ndcube import ExtraCoords, GlobalCoords

        from irispy_plus.fitting import FitResult

        extra_coords = None
        if "extra_coords" in node:
            entry = node["extra_coords"]
            extra_coords = add_extra_coords(ExtraCoords(), entry["tables"], entry.get("dropped"))
        global_coords = None
        if node.get("global_coords"):
            global_coords = GlobalCoords()
            for entry in node["global_coords"]:
                global_coords.add(entry["name"], entry.get("physical_type"), entry["value"])
        unit = node.get("unit")
        # Every parameter by keyword (the names of FitResult.to_dict).
        arrays = {key: np.array(node[key]) for key in ("values", "errors", "chi2", "flags", "n_iterations")}
        return FitResult(
            model=node["model"],
            wavelength=node["wavelength"],
            **arrays,
            unit=None if unit is None else parse_unit(unit),
            wcs=node["wcs"],
            profile_wcs=node.get("profile_wcs"),
            extra_coords=extra_coords,
            global_coords=global_coords,
            meta=node.get("meta") or {},
        )
