"""
How the converters write and read the arrays of cubes.

Lazy (dask) arrays are computed when written. Read arrays stay in the file: with the
file memory-mapped they are wrapped, without a copy, in dask arrays, as the IRIS
readers give them, so slicing or computing reads only what is needed.
"""

import contextvars

import numpy as np

__all__ = ["DROP_DATA", "lazy", "to_numpy"]

#: Set by ``save(..., only_poi=True)``: the cube converters leave the data out.
DROP_DATA = contextvars.ContextVar("irispy_plus_asdf_drop_data", default=False)

_CHUNK_BYTES = 64 * 2**20


def to_numpy(array):
    """
    ``array`` as a numpy array (computing it if it is lazy), or a bool kept as is.
    """
    if array is None or isinstance(array, bool | np.bool_):
        return None if array is None else bool(array)
    return np.asarray(array)


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
