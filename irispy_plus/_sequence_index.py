"""
``index_as_cube`` for the raster sequences: index the repeats as one long exposure axis.

ndcube's own ``index_as_cube`` ignores slice steps, cannot take negative indices or a
stop past the end, and passes each cube a list (not a tuple) of per-axis items, which
the lazily read cubes cannot index. This one follows numpy's rules on the concatenated
exposure axis, gives the same cube whether the data are on disk or loaded, and says
clearly what it cannot do (steps: a cube's world coordinates cannot skip exposures).
"""

import numbers

from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusIndexError

__all__ = ["CubeLikeIndexer"]


class CubeLikeIndexer:
    """
    ``sequence.index_as_cube[item]``: ``item`` indexes the cube-like array of the
    sequence, whose common axis runs through the exposures of every repeat in order.

    Parameters
    ----------
    sequence : ndcube.NDCubeSequence
        A sequence with a common axis.
    """

    def __init__(self, sequence):
        self._sequence = sequence

    def __getitem__(self, item):
        sequence = self._sequence
        axis = sequence._common_axis
        cubes = list(sequence.data)
        if axis is None or not cubes:
            msg = "index_as_cube needs a sequence of cubes with a common axis."
            raise IrispyPlusError(msg)
        item = _full_item(item, len(cubes[0].shape))
        # Negative indices on the other axes as numpy reads them (the WCS slicing of a
        # cube refuses them).
        item = tuple(
            entry if i == axis else _non_negative(entry, length, i)
            for i, (entry, length) in enumerate(zip(item, cubes[0].shape, strict=True))
        )
        lengths = [cube.shape[axis] for cube in cubes]
        total = sum(lengths)
        common = item[axis]
        if isinstance(common, numbers.Integral):
            index = int(common) + total if common < 0 else int(common)
            if not 0 <= index < total:
                msg = (
                    f"index_as_cube: exposure index {int(common)} is out of range for the "
                    f"{total} exposures of this sequence ({len(cubes)} repeats of {lengths})."
                )
                raise IrispyPlusIndexError(msg)
            for cube, offset in zip(cubes, _offsets(lengths), strict=True):
                if index < offset + cube.shape[axis]:
                    return cube[_replace(item, axis, index - offset)]
        start, stop, step = common.indices(total)
        if step != 1:
            msg = (
                f"index_as_cube: the exposure axis takes slices with a step of 1, not {common.step}: "
                "the world coordinates of a cube cannot skip exposures. Slice without the step "
                "(e.g. index_as_cube[2:10]) and take every n-th exposure from the data."
            )
            raise IrispyPlusIndexError(msg)
        parts = []
        for cube, offset in zip(cubes, _offsets(lengths), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, cube.shape[axis])
            if high > low:
                parts.append(cube[_replace(item, axis, slice(low, high))])
        if not parts:
            # Like numpy: an empty slice, kept as one cube with no exposures.
            parts.append(cubes[0][_replace(item, axis, slice(0, 0))])
        new_axis = axis - sum(isinstance(entry, numbers.Integral) for entry in item[:axis])
        return type(sequence)(parts, meta=sequence.meta, common_axis=new_axis)


def _full_item(item, ndim):
    """
    ``item`` as a tuple with one int or slice per cube axis (Ellipsis expanded).
    """
    entries = tuple(item) if isinstance(item, tuple | list) else (item,)
    if sum(entry is Ellipsis for entry in entries) > 1:
        msg = "index_as_cube: an index can hold only one Ellipsis (...)."
        raise IrispyPlusIndexError(msg)
    for entry in entries:
        if entry is not Ellipsis and not isinstance(entry, numbers.Integral | slice):
            msg = (
                f"index_as_cube takes integers, slices and ... per axis, not {type(entry).__name__} "
                f"({entry!r})."
            )
            raise IrispyPlusIndexError(msg)
    if len(entries) - (Ellipsis in entries) > ndim:
        msg = f"index_as_cube: too many indices ({len(entries)}) for the {ndim} axes of the cubes."
        raise IrispyPlusIndexError(msg)
    if Ellipsis in entries:
        at = entries.index(Ellipsis)
        fill = (slice(None),) * (ndim - len(entries) + 1)
        entries = entries[:at] + fill + entries[at + 1 :]
    return entries + (slice(None),) * (ndim - len(entries))


def _non_negative(entry, length, axis):
    if isinstance(entry, slice):
        if entry.step not in (None, 1):
            return entry
        start, stop, _ = entry.indices(length)
        return slice(start, max(start, stop))
    index = int(entry) + length if entry < 0 else int(entry)
    if not 0 <= index < length:
        msg = f"index_as_cube: index {int(entry)} is out of range for axis {axis} of length {length}."
        raise IrispyPlusIndexError(msg)
    return index


def _replace(item, axis, value):
    return (*item[:axis], value, *item[axis + 1 :])


def _offsets(lengths):
    offset = 0
    for length in lengths:
        yield offset
        offset += length
