"""
ASDF converter of `irispy_plus.meta.IRISMeta`.
"""

from asdf.extension import Converter

from irispy_plus.asdf.converters._prepare import prepare, shared_equal

__all__ = ["IRISMetaConverter"]


class IRISMetaConverter(Converter):
    """
    ASDF converter of `irispy_plus.meta.IRISMeta`: every entry (header keywords, the
    auxiliary and file-name tables, the exposure index), the key comments, and the axes
    of the axis-aware entries with the data shape, so that a loaded cube slices its
    metadata as the original did.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_meta-1.*",)
    types = ("irispy_plus.meta.IRISMeta",)

    def to_yaml_tree(self, meta, tag, ctx):
        return {
            "values": {key: prepare(value) for key, value in meta.items()},
            # Equal across the repeats of a window: written once (see shared_equal).
            "order": shared_equal(list(meta.keys())),
            "tuples": [key for key, value in meta.items() if isinstance(value, tuple)],
            "key_comments": shared_equal(dict(meta.key_comments)),
            "axes": {key: [int(axis) for axis in axes] for key, axes in meta.axes.items()},
            "data_shape": [int(n) for n in meta.data_shape],
        }

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.meta import IRISMeta

        stored = node["values"]
        order = [key for key in node.get("order", []) if key in stored]
        order += [key for key in stored if key not in order]
        values = {key: _in_memory(stored[key]) for key in order}
        for key in node.get("tuples", []):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        return IRISMeta(
            values,
            key_comments=dict(node.get("key_comments") or {}),
            axes={key: tuple(axes) for key, axes in node["axes"].items()},
            data_shape=node["data_shape"],
        )


def _in_memory(value):
    """
    Small arrays of the metadata (the exposure index) as plain numpy arrays.
    """
    import numpy as np
    from asdf.tags.core import NDArrayType

    return np.array(value) if isinstance(value, NDArrayType) else value
