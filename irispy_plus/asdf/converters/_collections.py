"""
ASDF converters of the IRIS sequences and collections of `irispy_plus.cubes`.
"""

from asdf.extension import Converter

from irispy_plus.asdf.converters._prepare import prepare

__all__ = [
    "IRISObservationConverter",
    "IRISRasterSequenceConverter",
    "RasterCollectionConverter",
    "SJICollectionConverter",
]


class IRISRasterSequenceConverter(Converter):
    """
    ASDF converter of `irispy_plus.cubes.IRISRasterSequence`.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_raster_sequence-1.*",)
    types = ("irispy_plus.cubes.IRISRasterSequence",)

    def to_yaml_tree(self, sequence, tag, ctx):
        node = {"cubes": list(sequence.data), "common_axis": sequence._common_axis}
        if sequence.meta is not None:
            node["meta"] = prepare(sequence.meta)
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.cubes import IRISRasterSequence

        return IRISRasterSequence(node["cubes"], common_axis=node.get("common_axis"), meta=node.get("meta"))


class _CollectionConverter(Converter):
    def to_yaml_tree(self, collection, tag, ctx):
        keys = list(collection.keys())
        node: dict = {"keys": keys, "values": [collection[key] for key in keys]}
        aligned = collection._aligned_axes
        node["aligned_axes"] = None if aligned is None else [[int(i) for i in aligned[key]] for key in keys]
        if collection.meta is not None:
            node["meta"] = prepare(collection.meta)
        return node

    def _build(self, cls, node):
        aligned = node.get("aligned_axes")
        return cls(
            list(zip(node["keys"], node["values"], strict=True)),
            aligned_axes=None if aligned is None else tuple(tuple(axes) for axes in aligned),
            meta=node.get("meta"),
        )


class RasterCollectionConverter(_CollectionConverter):
    """
    ASDF converter of `irispy_plus.cubes.RasterCollection`.
    """

    tags = ("asdf://irispy-plus.org/tags/raster_collection-1.*",)
    types = ("irispy_plus.cubes.RasterCollection",)

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.cubes import RasterCollection

        return self._build(RasterCollection, node)


class SJICollectionConverter(_CollectionConverter):
    """
    ASDF converter of `irispy_plus.cubes.SJICollection`.
    """

    tags = ("asdf://irispy-plus.org/tags/sji_collection-1.*",)
    types = ("irispy_plus.cubes.SJICollection",)

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.cubes import SJICollection

        return self._build(SJICollection, node)


class IRISObservationConverter(Converter):
    """
    ASDF converter of `irispy_plus.cubes.IRISObservation`.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_observation-1.*",)
    types = ("irispy_plus.cubes.IRISObservation",)

    def to_yaml_tree(self, observation, tag, ctx):
        return dict(observation)

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.cubes import IRISObservation

        return IRISObservation(node)
