"""
Make values ready for ASDF without losing anything the standard tags would drop.

- Units and quantities in an IRIS DN unit are marked for the irispy-plus tags (the
  standard unit tag writes ``DN_IRIS_FUV`` as ``4photon``).
- Times in a string format are written to the nanosecond (the standard time tag writes
  the strings at the Time's own ``precision``, milliseconds by default).
- Lazy (dask) arrays are computed (large ones into a temporary file, see `to_numpy`).

Dicts, lists, tuples and tables are copied, never changed in place. Within `sharing`
(each save), a table or time met again is prepared once and the same object is given
back, so that asdf writes it once and refers to it elsewhere: the windows of one raster
file share its auxiliary and file-name tables, written once instead of once a window.
"""

import contextlib
import contextvars

from irispy_plus.asdf.converters._arrays import to_numpy
from irispy_plus.asdf.converters._units import IRISQuantity, IRISUnit, has_iris_unit

__all__ = ["precise_time", "precise_time_coordinate", "prepare", "shared_equal", "sharing"]

#: id -> (object, prepared object) of the tables and times prepared in this save.
_PREPARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "irispy_plus_asdf_prepared", default=None
)


@contextlib.contextmanager
def sharing():
    """
    Prepare each table and time once while in this context (one save).
    """
    token = _PREPARED.set({})
    try:
        yield
    finally:
        _PREPARED.reset(token)


def shared_equal(value):
    """
    Within `sharing`, the first equal value met (a dict of strings or a list of strings,
    such as the key comments and key order of the headers of every repeat of a window),
    so that asdf writes it once; otherwise ``value``.
    """
    prepared = _PREPARED.get()
    if prepared is None:
        return value
    key = ("equal", tuple(value.items()) if isinstance(value, dict) else tuple(value))
    return prepared.setdefault(key, value)


def _once(value, make):
    """``make(value)``, made once per object within `sharing`."""
    prepared = _PREPARED.get()
    if prepared is None:
        return make(value)
    entry = prepared.get(id(value))
    if entry is None:
        # The object is kept with its result, so that its id is not reused meanwhile.
        entry = prepared[id(value)] = (value, make(value))
    return entry[1]


_STRING_FORMATS = ("isot", "iso", "fits", "yday")
_NANOSECONDS = 9


def precise_time(time):
    """
    ``time`` (an astropy Time), or a copy written to the nanosecond if its format is a
    string one.
    """
    if time.format not in _STRING_FORMATS or time.precision >= _NANOSECONDS:
        return time
    precise = time.copy()
    precise.precision = _NANOSECONDS
    return precise


def precise_time_coordinate(coordinate):
    """
    An ndcube TimeTableCoordinate whose times are written to the nanosecond; any other
    table coordinate as it is.
    """
    from ndcube.extra_coords import TimeTableCoordinate

    if type(coordinate) is not TimeTableCoordinate:
        return coordinate
    return TimeTableCoordinate(
        precise_time(coordinate.table),
        names=coordinate.names,
        physical_types=coordinate.physical_types,
        reference_time=precise_time(coordinate.reference_time),
    )


def _prepare_table(table):
    from astropy.time import Time

    columns = [name for name in table.colnames if isinstance(table[name], Time)]
    precise = {name: precise_time(table[name]) for name in columns}
    if all(precise[name] is table[name] for name in columns):
        return table
    copied = table.copy(copy_data=False)
    for name in columns:
        copied.replace_column(name, precise[name])
    return copied


def prepare(value, _open=None):  # noqa: PLR0911 - one return per kind of value reads best
    """
    ``value`` ready to be written (see the module docstring), through dicts, lists,
    tuples and tables.

    Raises
    ------
    IrispyPlusError
        If a dict, list or tuple holds itself (it would have no end in the file), or
        they nest deeper than the files that `irispy_plus.asdf.load` reads.
    """
    if type(value) in (dict, list, tuple):
        return _prepare_container(value, set() if _open is None else _open)
    import astropy.units as u
    from astropy.table import Table
    from astropy.time import Time

    if hasattr(value, "dask") and hasattr(value, "compute"):
        return to_numpy(value)
    if isinstance(value, u.UnitBase):
        return IRISUnit(value) if has_iris_unit(value) else value
    if type(value) is u.Quantity:
        return IRISQuantity(value) if has_iris_unit(value.unit) else value
    if type(value) is Time:
        return _once(value, precise_time)
    if type(value) in (Table,) or type(value).__name__ == "QTable":
        return _once(value, _prepare_table)
    return value


def _prepare_container(value, open_ids):
    """A dict, list or tuple prepared, item by item; ``open_ids`` are those it is inside."""
    from irispy_plus.asdf._reading import MAX_DEPTH
    from irispy_plus.utils.exceptions import IrispyPlusError

    if id(value) in open_ids:
        msg = (
            f"Cannot save a {type(value).__name__} that holds itself (a reference cycle): the file "
            "would have no end. Save a copy without the cycle."
        )
        raise IrispyPlusError(msg)
    deepest = MAX_DEPTH - 10  # the levels of the file's own structure above the values
    if len(open_ids) >= deepest:
        msg = f"Cannot save dicts and lists nested more than {deepest} deep: load() would refuse the file."
        raise IrispyPlusError(msg)
    open_ids.add(id(value))
    try:
        if type(value) is dict:
            return {key: prepare(item, open_ids) for key, item in value.items()}
        return type(value)(prepare(item, open_ids) for item in value)
    finally:
        open_ids.discard(id(value))
