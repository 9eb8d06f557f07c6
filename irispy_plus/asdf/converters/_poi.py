"""
ASDF converter of `irispy_plus.visualization.PointOfInterest`.
"""

import dataclasses

import numpy as np
from asdf.extension import Converter

from irispy_plus.asdf.converters._prepare import prepare

__all__ = ["PointOfInterestConverter"]

_IMAGES = ("xy_map", "slit_spectra", "spectrum", "frame")


class PointOfInterestConverter(Converter):
    """
    ASDF converter of `irispy_plus.visualization.PointOfInterest`: every field,
    images included (they are what `~irispy_plus.visualization.show_poi` shows).
    """

    tags = ("asdf://irispy-plus.org/tags/point_of_interest-1.*",)
    types = ("irispy_plus.visualization.poi.PointOfInterest",)

    def to_yaml_tree(self, poi, tag, ctx):
        node: dict = {}
        for field in dataclasses.fields(poi):
            value = getattr(poi, field.name)
            if field.name in _IMAGES:
                node[field.name] = None if value is None else np.asarray(value)
            elif field.name == "pixel":
                node[field.name] = {key: int(index) for key, index in value.items()}
            else:
                node[field.name] = prepare(value)
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.visualization.poi import PointOfInterest

        names = {field.name for field in dataclasses.fields(PointOfInterest)}
        values = {key: value for key, value in node.items() if key in names}
        for key in _IMAGES:
            if values.get(key) is not None:
                values[key] = np.array(values[key])
        return PointOfInterest(**values)
