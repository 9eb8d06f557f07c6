"""
ASDF converters of the IRIS cubes of `irispy_plus.cubes`.

A cube is written as its data, mask, uncertainty, unit, WCS, extra and global
coordinates and metadata. Lazily read data are computed when written; read back, the
data stay in the file until used (dask arrays over the memory-mapped file). Files
written by irispy-plus 0.1 with ``only_poi=True`` hold cubes without their data
(``dropped_data``): read back, their data are NaN and fully masked, lazily, with the
original shape.
"""

import numpy as np
from asdf.extension import Converter

from irispy_plus.asdf.converters._arrays import lazy, to_numpy
from irispy_plus.asdf.converters._prepare import precise_time_coordinate, prepare
from irispy_plus.asdf.converters._units import parse_unit

__all__ = [
    "IRISSJICubeConverter",
    "IRISSpectrogramCubeConverter",
    "add_extra_coords",
    "cube_from_tree",
    "cube_to_tree",
    "extra_coords_to_tree",
    "global_coords_to_tree",
]

_UNCERTAINTY_KINDS = {
    "StdDevUncertainty": "stddev",
    "VarianceUncertainty": "variance",
    "InverseVariance": "inverse_variance",
    "UnknownUncertainty": "unknown",
}


def _uncertainty_to_tree(uncertainty):
    from irispy_plus.utils.exceptions import IrispyPlusError

    name = type(uncertainty).__name__
    if name not in _UNCERTAINTY_KINDS:
        msg = (
            f"Cannot save a cube whose uncertainty is a {name}: only "
            f"{', '.join(sorted(_UNCERTAINTY_KINDS))} can be saved. Convert it to one of them first."
        )
        raise IrispyPlusError(msg)
    unit = uncertainty.unit
    return {
        "kind": _UNCERTAINTY_KINDS[name],
        "array": to_numpy(uncertainty.array),
        "unit": None if unit is None else unit.to_string(),
    }


def _uncertainty_from_tree(node):
    import astropy.nddata

    names = {kind: name for name, kind in _UNCERTAINTY_KINDS.items()}
    unit = node.get("unit")
    cls = getattr(astropy.nddata, names[node["kind"]])
    return cls(lazy(node["array"]), unit=None if unit is None else parse_unit(unit), copy=False)


def extra_coords_to_tree(extra_coords):
    """
    The lookup tables of an `ndcube.ExtraCoords` with their array axes, and the
    (scalar) tables of axes removed by slicing.
    """
    from irispy_plus.utils.exceptions import warn_user

    if extra_coords is None:
        return [], []
    if extra_coords._wcs is not None:
        warn_user(
            "The extra coordinates are given by a WCS, which irispy-plus does not save; "
            "they are left out of the file."
        )
        return [], []
    tables = [
        {
            "axes": [int(axis) for axis in np.atleast_1d(axes)],
            "coordinate": precise_time_coordinate(coordinate),
        }
        for axes, coordinate in extra_coords._lookup_tables
    ]
    return tables, [precise_time_coordinate(coordinate) for coordinate in extra_coords._dropped_tables or []]


def add_extra_coords(extra_coords, tables, dropped):
    """
    Put the tables written by `extra_coords_to_tree` into ``extra_coords``.
    """
    for entry in tables:
        coordinate = entry["coordinate"]
        axes = entry["axes"][0] if len(entry["axes"]) == 1 else tuple(entry["axes"])
        extra_coords.add(coordinate.names, axes, coordinate)
    if dropped:
        extra_coords._dropped_tables = list(dropped)
    return extra_coords


def global_coords_to_tree(global_coords):
    """
    The coordinates added by the user to a `ndcube.GlobalCoords` (those of dropped
    world axes follow from the WCS and extra coordinates).
    """
    if global_coords is None:
        return []
    return [
        {"name": name, "physical_type": physical_type, "value": prepare(value)}
        for name, (physical_type, value) in global_coords._internal_coords.items()
    ]


def cube_to_tree(cube):
    """
    The ASDF node of an IRIS cube.
    """
    node = {"data": to_numpy(cube.data)}
    if cube.mask is not None:
        node["mask"] = to_numpy(cube.mask)
    if cube.uncertainty is not None:
        node["uncertainty"] = _uncertainty_to_tree(cube.uncertainty)
    if cube.unit is not None:
        node["unit"] = cube.unit.to_string()
    node["wcs"] = cube.wcs.low_level_wcs
    node["meta"] = cube.meta
    tables, dropped = extra_coords_to_tree(cube.extra_coords)
    if tables:
        node["extra_coords"] = tables
    if dropped:
        node["dropped_extra_coords"] = dropped
    user_global = global_coords_to_tree(cube.global_coords)
    if user_global:
        node["global_coords"] = user_global
    return node


def cube_from_tree(cls, node):
    """
    Build an IRIS cube of class ``cls`` from its ASDF node.
    """
    if "dropped_data" in node:
        import dask.array as da

        shape = tuple(node["dropped_data"]["shape"])
        dtype = np.dtype(node["dropped_data"]["datatype"])
        fill = np.nan if dtype.kind in "fc" else 0
        data = da.full(shape, fill, dtype=dtype)
        mask = da.ones(shape, dtype=bool)
        uncertainty = None
    else:
        data = lazy(node["data"])
        mask = lazy(node.get("mask"))
        uncertainty = _uncertainty_from_tree(node["uncertainty"]) if "uncertainty" in node else None
    unit = node.get("unit")
    cube = cls(
        data,
        node["wcs"],
        mask=mask,
        uncertainty=uncertainty,
        unit=None if unit is None else parse_unit(unit),
        meta=node["meta"],
    )
    add_extra_coords(cube.extra_coords, node.get("extra_coords", []), node.get("dropped_extra_coords"))
    for entry in node.get("global_coords", []):
        cube.global_coords.add(entry["name"], entry.get("physical_type"), entry["value"])
    return cube


class IRISSpectrogramCubeConverter(Converter):
    """
    ASDF converter of `irispy_plus.cubes.IRISSpectrogramCube`.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_spectrogram_cube-1.*",)
    types = ("irispy_plus.cubes.IRISSpectrogramCube",)

    def to_yaml_tree(self, cube, tag, ctx):
        return cube_to_tree(cube)

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.cubes import IRISSpectrogramCube

        return cube_from_tree(IRISSpectrogramCube, node)


class IRISSJICubeConverter(Converter):
    """
    ASDF converter of `irispy_plus.cubes.IRISSJICube`.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_sji_cube-1.*",)
    types = ("irispy_plus.cubes.IRISSJICube",)

    def to_yaml_tree(self, cube, tag, ctx):
        return cube_to_tree(cube)

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.cubes import IRISSJICube

        return cube_from_tree(IRISSJICube, node)
