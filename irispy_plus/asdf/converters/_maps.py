"""
ASDF converter of `irispy_plus.utils.quality.DerivedMap`, the maps derived from spectra.

A map is written as a cube is (`irispy_plus.asdf.converters._cubes`: data, mask,
uncertainty, unit, WCS, extra and global coordinates as lookup tables) plus its quality
flags; its metadata is a plain mapping. (ndcube's own converter, which a plain NDCube
would get, writes the extra and global coordinates with a reference back to the cube:
a self-reference that `irispy_plus.asdf.load` refuses.)
"""

from functools import partial

import numpy as np
from asdf.extension import Converter

from irispy_plus.asdf.converters._arrays import to_numpy
from irispy_plus.asdf.converters._cubes import cube_from_tree, cube_to_tree
from irispy_plus.asdf.converters._prepare import prepare

__all__ = ["DerivedMapConverter"]


class DerivedMapConverter(Converter):
    """
    ASDF converter of `irispy_plus.utils.quality.DerivedMap`. Read back, the data stay
    in the file until used (as a cube's); the flags are read into memory.
    """

    tags = ("asdf://irispy-plus.org/tags/derived_map-1.*",)
    types = ("irispy_plus.utils.quality.DerivedMap",)

    def to_yaml_tree(self, derived_map, tag, ctx):
        node = cube_to_tree(derived_map)
        node["meta"] = prepare(dict(derived_map.meta or {}))
        node["flags"] = to_numpy(derived_map.flags)
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.utils._plotting import as_map
        from irispy_plus.utils.quality import DerivedMap

        # Not cast here: DerivedMap refuses flags that are not integers of the data's shape.
        flags = np.array(node["flags"])
        return as_map(cube_from_tree(partial(DerivedMap, flags=flags), node))
