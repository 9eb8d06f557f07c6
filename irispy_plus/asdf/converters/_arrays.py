"""
How the converters write and read the arrays of cubes.

Lazy (dask) arrays are computed when written: small ones in memory, large ones block by
block into an unnamed temporary file beside the output, memory-mapped, which asdf then
copies into the output. Memory stays bounded whatever the size of the cube (the kernel
may evict the file's pages), and the temporary file vanishes when the array does.

Read arrays stay in the file: with the file memory-mapped they are wrapped, without a
copy, in dask arrays, as the IRIS readers give them, so slicing or computing reads only
what is needed.
"""

import contextvars
import os
import tempfile

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["SPILL_BYTES", "SPILL_DIR", "lazy", "to_numpy"]

#: Set by `save` and `save_vars`: where large lazy arrays are computed to (the output's
#: folder; the system's temporary folder if not set).
SPILL_DIR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "irispy_plus_asdf_spill_dir", default=None
)

#: Lazy arrays larger than this (bytes) are computed into a temporary file, not memory.
SPILL_BYTES = 256 * 2**20

_CHUNK_BYTES = 64 * 2**20


def to_numpy(array):
    """
    ``array`` as a numpy array (computing it if it is lazy), or a bool kept as is.
    """
    if array is None or isinstance(array, bool | np.bool_):
        return None if array is None else bool(array)
    if hasattr(array, "dask") and array.nbytes > SPILL_BYTES:
        return _spill(array)
    return np.asarray(array)


def _spill(array):
    """
    The lazy ``array`` computed block by block into a memory-mapped, unnamed temporary
    file (its space reserved first: a full disk is an error, not a crash).
    """
    import dask.array as da

    folder = SPILL_DIR.get()
    with tempfile.TemporaryFile(prefix=".irispy-plus-", dir=folder) as handle:
        try:
            os.posix_fallocate(handle.fileno(), 0, max(int(array.nbytes), 1))
        except OSError as error:
            msg = (
                f"Cannot compute a {array.nbytes / 2**20:,.0f} MiB lazy array for writing in "
                f"{folder or tempfile.gettempdir()}: {error}. Free some space there, or save "
                "a smaller part (slice the cube first)."
            )
            raise IrispyPlusFileError(msg) from error
        out = np.memmap(handle, dtype=array.dtype, mode="r+", shape=array.shape)
    da.store(array, out, lock=False)
    return out.view(np.ndarray)  # (asdf writes plain ndarrays; the view keeps the map)


class _FileArray:
    """
    An array read from a file (memory-mapped), sliced only on access. Given to dask
    instead of the numpy view itself, which dask would copy into its graph.
    """

    def __init__(self, array):
        self._array = array
        self.shape = array.shape
        self.dtype = array.dtype
        self.ndim = array.ndim

    def __getitem__(self, key):
        return self._array[key]

    def __len__(self):
        return self.shape[0]

    def __dask_tokenize__(self):
        return (type(self).__name__, id(self._array), self.shape, str(self.dtype))


def lazy(array):
    """
    A dask array over an array read from a file, without copying it.
    """
    import dask.array as da

    if array is None or isinstance(array, bool | np.bool_):
        return array
    array = np.asarray(array)  # asdf's lazy array: a view of the memory-mapped file
    if array.ndim == 0:
        return array
    row_bytes = max(int(np.prod(array.shape[1:])) * array.dtype.itemsize, 1)
    rows = max(1, min(array.shape[0], _CHUNK_BYTES // row_bytes))
    return da.from_array(
        _FileArray(array),
        chunks=(rows, *array.shape[1:]),
        asarray=False,
        fancy=False,
        lock=False,
        meta=np.empty((0,) * array.ndim, dtype=array.dtype),
    )
