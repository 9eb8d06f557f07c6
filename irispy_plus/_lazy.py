"""
Data and masks that stay on disk until used, and the cube behaviour built on them.

Everything lazy lives here, below the cube classes: `irispy_plus.cubes` mixes
`DiskBackedMixin` into its cubes, and the readers (`irispy_plus.io`) attach the file
windows of this module to the cubes they build. Nothing here imports a cube class.

astropy refuses to memory-map scaled integer images, so the readers map the raw values
and scale, or mask, only what is sliced: `ScaledWindow` and `FillMask` are array-likes
over the raw memory map whose ``__getitem__`` does that, and `lazy_window` wraps them in
dask arrays so every NDCube operation stays lazy until ``.compute()`` or
``numpy.asarray``.

The mask is True at saturated pixels and at fill: Level 2 pixels with no data hold
-200 DN, and the warping of Level 2 smears that value into its neighbours (-199.99,
-217, -150...), so every value at or below the ``fill_threshold`` configuration item
(`irispy_plus.utils.config`) counts as fill. The threshold in force when a file is read
is kept with its cubes.
"""

import copy
from typing import TYPE_CHECKING, Any, Self

import astropy.units as u
import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = [
    "FILL_VALUE",
    "DiskBackedMixin",
    "FillMask",
    "ScaledWindow",
    "as_dask",
    "fill_threshold",
    "is_dask_array",
    "lazy_window",
]

#: Level 2 pixels with no data hold this value (in DN, after scaling).
FILL_VALUE = -200.0

_CHUNK_BYTES = 16 * 2**20


def fill_threshold():
    """
    The ``fill_threshold`` configuration item: values (DN) at or below it are fill.

    Returns
    -------
    float
    """
    from irispy_plus.utils.config import conf

    return float(conf.fill_threshold)


class _RawWindow:
    """
    Shared by the scaled data and the mask: a view of the raw array of one HDU.

    The memory map is opened on first use, and a view remembers the indexing that made
    it, so objects can be pickled (to dask workers) and re-open the file there.
    `view` indexes without reading: basic indexing of a memory map is a view of it.
    """

    def __init__(self, layout, index, keys=()):
        self._layout = layout
        self._index = index
        self._keys = tuple(keys)
        self._raw = None
        header = layout.headers[index]
        self._bscale, self._bzero = layout.scaling(index)
        self._integer = int(header["BITPIX"]) > 0
        self._threshold = fill_threshold()
        self.shape = np.shape(self.raw) if keys else layout.window_shape(index)
        self.ndim = len(self.shape)

    @property
    def raw(self):
        """
        The raw (unscaled, big-endian) values this view covers, a memory map.
        """
        if self._raw is None:
            raw = self._layout.raw_array(self._index)
            for key in self._keys:
                raw = raw[key]
            self._raw = raw
        return self._raw

    def view(self, key):
        """
        The part of this window that ``key`` indexes, without reading it.
        """
        new = copy.copy(self)
        new._keys = (*self._keys, key)
        new._raw = self.raw[key]
        new.shape = np.shape(new._raw)
        new.ndim = len(new.shape)
        return new

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_raw"] = None
        return state

    def __deepcopy__(self, memo):
        # Read-only views of a file: a copy is the same view.
        return self

    def __dask_tokenize__(self):
        return (
            type(self).__name__,
            self._layout.name,
            self._index,
            repr(self._keys),
            self.shape,
            self._threshold,
        )

    def __len__(self):
        return self.shape[0]

    def __array__(self, dtype=None, copy=None):
        values = self[...]
        return values if dtype is None else values.astype(dtype, copy=False)


class ScaledWindow(_RawWindow):
    """
    The physical values (DN, float32) of one HDU, scaled on access.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The file.
    index : int
        The HDU that holds the window.
    """

    dtype = np.dtype(np.float32)

    def __getitem__(self, key):
        return self._scale(_native_copy(self.raw[key]))

    def _scale(self, raw):
        if not self._integer:
            return raw.astype(np.float32, copy=False)
        values = np.multiply(raw, np.float32(self._bscale), dtype=np.float32)
        values += np.float32(self._bzero)
        return values

    def read_raw(self, key):
        """
        ``(raw, bscale, bzero)`` of ``key`` for int16 files (raw in native order), or
        None for files that store floats.
        """
        if not self._integer or self.raw.dtype.itemsize != 2:
            return None
        return _native_copy(self.raw[key]), self._bscale, self._bzero

    def read_with_mask(self, key):
        """
        The scaled values and the mask of ``key``, from one read of the raw values.
        """
        raw = _native_copy(self.raw[key])
        return self._scale(raw), _fill_mask(raw, self._integer, self._bscale, self._bzero, self._threshold)


class FillMask(_RawWindow):
    """
    The mask of one HDU: True where a pixel is fill (no data: at or below the fill
    threshold, or NaN) or is saturated (stored as infinity, or at the top of the integer
    range).

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The file.
    index : int
        The HDU that holds the window.
    """

    dtype = np.dtype(bool)

    def __getitem__(self, key):
        raw = _native_copy(self.raw[key])
        return _fill_mask(raw, self._integer, self._bscale, self._bzero, self._threshold)


def _native_copy(raw):
    """
    A contiguous, native-byte-order copy of (a view of) the file's big-endian values:
    one strided read that swaps the bytes on the way.
    """
    raw = np.asarray(raw)
    native = np.empty(raw.shape, dtype=raw.dtype.newbyteorder("="))
    native[...] = raw
    return native


def _fill_mask(raw, integer, bscale, bzero, threshold):
    """
    True where raw values (native byte order) are fill (scaled value at or below
    ``threshold``, or NaN) or saturated (+infinity, or the top of the integer range).
    """
    if not integer:
        if (bscale, bzero) != (1, 0) and bscale > 0:
            threshold = (threshold - bzero) / bscale
        # One pass each: NaN fails both comparisons, +inf fails the second.
        good = np.greater(raw, threshold)
        good &= np.less(raw, np.inf)
        return np.logical_not(good, out=good)
    limits = np.iinfo(raw.dtype)
    if bscale <= 0:
        values = raw * np.float64(bscale) + bzero
        return (values <= threshold) | (raw == limits.min) | (raw == limits.max)
    # The largest stored integer whose value is at or below the threshold.
    top = int(np.floor((threshold - bzero) / bscale + 1e-9))
    if raw.dtype == np.int16 and limits.min <= top < limits.max:
        # Fill is [-32768, top] and saturation 32767: subtracting 32767 (wrapping) maps
        # exactly those to 0 ... top + 32769, so one pass and one comparison mask both.
        wrapped = (raw - np.int16(limits.max)).view(np.uint16)
        return wrapped <= np.uint16(top - int(limits.min) + 1)
    return (raw <= top) | (raw == limits.min) | (raw == limits.max)


def _chunks(shape, itemsize):
    """
    Chunk along the first axis only, about 16 MiB each, so any slice reads whole rows.
    """
    row_bytes = max(int(np.prod(shape[1:])) * itemsize, 1)
    rows = max(1, min(shape[0], _CHUNK_BYTES // row_bytes))
    return (rows, *shape[1:])


def as_dask(window):
    """
    A `ScaledWindow` or `FillMask` as a lazy dask array, chunked along its first axis.
    """
    import dask.array as da

    chunks = _chunks(window.shape, 4) if window.ndim and window.shape[0] else window.shape
    meta = np.empty((0,) * window.ndim, dtype=window.dtype)
    return da.from_array(window, chunks=chunks, asarray=False, fancy=False, lock=False, meta=meta)


def lazy_window(layout, index):
    """
    The data and mask of one HDU as lazy dask arrays, and the windows behind them.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The file.
    index : int
        The HDU that holds the window.

    Returns
    -------
    data, mask : dask.array.Array
        float32 values in DN and the boolean mask, neither read yet.
    sources : tuple of ScaledWindow, FillMask
        What the arrays read from; a cube slices these (without reading) when it is
        sliced, so that a slice reads only its own pixels.
    """
    scaled = ScaledWindow(layout, index)
    mask = FillMask(layout, index)
    return as_dask(scaled), as_dask(mask), (scaled, mask)


def is_dask_array(array):
    """
    Whether ``array`` is a dask array (its values not read yet).
    """
    return hasattr(array, "dask")


class DiskBackedMixin:
    """
    Lazily read cubes: slices that read only their own pixels, and pulling a cube into
    memory and dropping it back to its file.
    """

    _lazy_sources: tuple | None = None
    _photon_uncertainty = False
    _on_disk: tuple | None = None

    if TYPE_CHECKING:  # what the cube class this is mixed into provides
        data: Any
        mask: Any
        uncertainty: Any
        unit: Any
        meta: Any
        exposure_time: Any
        _data: Any
        _mask: Any
        _uncertainty: Any

        def _new_instance(self, **kwargs: Any) -> Any: ...

    def attach_lazy_sources(self, sources: tuple, photon_uncertainty: bool = False) -> None:
        """
        Remember the file windows the lazy data and mask read from (see
        `irispy_plus._lazy.lazy_window`), so that slicing the cube slices them
        without reading, and a slice reads only its own pixels.

        Parameters
        ----------
        sources : tuple
            The `~irispy_plus._lazy.ScaledWindow` and `~irispy_plus._lazy.FillMask`
            behind ``data`` and ``mask``.
        photon_uncertainty : bool
            Whether the uncertainty is the photon and read noise of the data, to be
            recomputed for each slice.
        """
        self._lazy_sources = tuple(sources)
        self._photon_uncertainty = photon_uncertainty

    def __getitem__(self, item):
        new = super().__getitem__(item)
        if self._lazy_sources is None or not isinstance(new, DiskBackedMixin):
            return new
        from irispy_plus.units import photon_uncertainty

        # ndcube treats a list of per-axis items as a tuple (a memory map would take it
        # as fancy indexing), so the file views are indexed with the same tuple.
        key = tuple(item) if isinstance(item, list) else item
        scaled, mask = (source.view(key) for source in self._lazy_sources)
        if scaled.shape != new.data.shape:  # pragma: no cover - numpy and ndcube agree
            return new
        new._data = as_dask(scaled)
        new._mask = as_dask(mask)
        if self._photon_uncertainty:
            new._uncertainty = photon_uncertainty(new._data, new.unit)
            new._uncertainty.parent_nddata = new
        new.attach_lazy_sources((scaled, mask), self._photon_uncertainty)
        return new

    def read_data(self, item: Any = Ellipsis, mask: bool = True) -> Any:
        """
        Read part of the cube's data and mask into memory, straight from the file.

        The fastest way to read a frame, a slit image or a spectroheliogram: no cube is
        made and no task graph is built. ``cube.read_data(item)`` gives the same values
        as ``numpy.asarray(cube[item].data)`` and ``numpy.asarray(cube[item].mask)``.

        Parameters
        ----------
        item : int, slice or tuple of them, optional
            Numpy-style index into the cube's array; everything by default.
        mask : bool, optional
            Also read the mask; with False only the data are returned.

        Returns
        -------
        data : numpy.ndarray
            float32 values in the cube's unit.
        mask : numpy.ndarray
            True at fill and saturated pixels (not returned with ``mask=False``).

        Examples
        --------
        >>> from irispy_plus import read_cube
        >>> from irispy_plus.data import sample
        >>> sji = read_cube(sample.SJI_1400)
        >>> frame, mask = sji.read_data(1)
        >>> frame.shape, frame.dtype.name
        ((109, 178), 'float32')
        """
        if self._lazy_sources is not None:
            scaled = self._lazy_sources[0]
            return scaled.read_with_mask(item) if mask else scaled[item]
        data = np.asarray(self.data[item])
        if not mask:
            return data
        if self.mask is None or isinstance(self.mask, bool | np.bool_):
            return data, np.zeros(data.shape, dtype=bool) | bool(self.mask)
        return data, np.asarray(self.mask[item])

    def read_raw(self, item: Any = Ellipsis) -> tuple | None:
        """
        Read part of the cube's stored integers, unscaled, straight from the file.

        For display tools that map the integers through a lookup table: the physical
        values are ``raw * bscale + bzero``.

        Parameters
        ----------
        item : int, slice or tuple of them, optional
            Numpy-style index into the cube's array; everything by default.

        Returns
        -------
        tuple or None
            ``(raw, bscale, bzero)`` with ``raw`` a native-order int16 array, or None if
            the file stores floats or the cube is not read lazily from a file.
        """
        if self._lazy_sources is None:
            return None
        return self._lazy_sources[0].read_raw(item)

    def load(self) -> Self:
        """
        Read the data, mask and uncertainty into memory (in place) and return the cube.

        Later operations no longer read the file. `unload` goes back. The IRIS
        tutorial calls this ``flush``, which is an alias.
        """
        if not is_dask_array(self.data):
            return self
        self._on_disk = (self._data, self._mask, self._uncertainty, self._lazy_sources)
        self._data = np.asarray(self._data)
        if self._mask is not None and not isinstance(self._mask, bool | np.bool_):
            self._mask = np.asarray(self._mask)
        if self._uncertainty is not None and is_dask_array(self._uncertainty.array):
            self._uncertainty = self._uncertainty.__class__(
                np.asarray(self._uncertainty.array), unit=self._uncertainty.unit
            )
        self._lazy_sources = None
        return self

    def unload(self) -> Self:
        """
        Drop the data read by `load` and go back to reading from the file on use.

        The IRIS tutorial calls this ``tomemmap``, which is an alias.

        Raises
        ------
        IrispyPlusError
            If the cube was not loaded from a lazily read one.
        """
        if self._on_disk is None:
            if is_dask_array(self.data):
                return self
            msg = (
                "This cube's data are in memory and were not read lazily from a file "
                "(it was made in memory or sliced from a loaded cube), so there is no file "
                "to go back to. Read the file again with irispy_plus.read_files."
            )
            raise IrispyPlusError(msg)
        self._data, self._mask, self._uncertainty, self._lazy_sources = self._on_disk
        self._on_disk = None
        return self

    flush = load
    tomemmap = unload

    @property
    def is_lazy(self) -> bool:
        """
        Whether the data are still on disk (read only when used).
        """
        return is_dask_array(self.data)

    @property
    def aux(self) -> Any:
        """
        The auxiliary array rows of this cube's exposures, as an astropy Table.
        """
        return self.meta.aux

    def apply_exposure_time_correction(self, undo: bool = False, force: bool = False) -> Any:
        """
        Divide the data (and uncertainty) by each exposure's own exposure time, giving
        DN/s; ``undo=True`` multiplies back.

        IRIS's automatic exposure control shortens exposures during flares, so each
        exposure is divided by its own time, never by the header's average.

        Parameters
        ----------
        undo : bool, optional
            Multiply by the exposure times instead.
        force : bool, optional
            Apply even if the unit says it was already applied.

        Returns
        -------
        IRISSpectrogramCube or IRISSJICube
            A new cube; the data stay lazy if they were.

        Raises
        ------
        IrispyPlusError
            If the correction is already applied (or, with ``undo``, is not).
        """
        per_second = u.s in self.unit.decompose().bases
        if per_second != undo and not force:
            state = "already" if per_second else "not"
            msg = (
                f"The exposure time correction is {state} applied to this cube (unit {self.unit}); "
                "pass force=True to apply it anyway."
            )
            raise IrispyPlusError(msg)
        seconds = np.asarray(self.exposure_time.to_value(u.s))
        if seconds.ndim:
            seconds = seconds.reshape((-1,) + (1,) * (self.data.ndim - 1))
        factor = seconds if undo else 1 / seconds
        uncertainty = None
        if self.uncertainty is not None:
            uncertainty = self.uncertainty.__class__(self.uncertainty.array * factor)
        new_unit = self.unit * u.s if undo else self.unit / u.s
        return self._new_instance(data=self.data * factor, uncertainty=uncertainty, unit=new_unit)
