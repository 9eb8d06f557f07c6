"""
The IRIS cube classes: thin subclasses of the sunraster and ndcube classes.

- `IRISSpectrogramCube`: one spectral window of one raster file.
- `IRISRasterSequence`: one spectral window over several raster repeats, in time order.
- `RasterCollection`: the windows of an observation, keyed by label.
- `IRISSJICube`: one slit-jaw file, (time, y, x).
- `SJICollection`: several slit-jaw files, keyed by band.
"""

import textwrap

import astropy.units as u
import numpy as np
from ndcube import NDCollection, NDCube
from sunraster import RasterSequence, SpectrogramCube

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = [
    "IRISObservation",
    "IRISRasterSequence",
    "IRISSJICube",
    "IRISSpectrogramCube",
    "RasterCollection",
    "SJICollection",
]


class _DiskBackedMixin:
    """
    Lazily read cubes: slices that read only their own pixels, and pulling a cube into
    memory and dropping it back to its file.
    """

    _lazy_sources = None
    _photon_uncertainty = False
    _on_disk = None

    def attach_lazy_sources(self, sources, photon_uncertainty=False):
        """
        Remember the file windows the lazy data and mask read from (see
        `irispy_plus.io._lazy.lazy_window`), so that slicing the cube slices them
        without reading, and a slice reads only its own pixels.

        Parameters
        ----------
        sources : tuple
            The `~irispy_plus.io._lazy.ScaledWindow` and `~irispy_plus.io._lazy.FillMask`
            behind ``data`` and ``mask``.
        photon_uncertainty : bool
            Whether the uncertainty is the photon and read noise of the data, to be
            recomputed for each slice.
        """
        self._lazy_sources = tuple(sources)
        self._photon_uncertainty = photon_uncertainty

    def __getitem__(self, item):
        new = super().__getitem__(item)
        if self._lazy_sources is None or not isinstance(new, _DiskBackedMixin):
            return new
        from irispy_plus.io._common import photon_uncertainty
        from irispy_plus.io._lazy import as_dask

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

    def read_data(self, item=Ellipsis, mask=True):
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
        >>> from irispy_plus import read_files
        >>> from irispy_plus.data import sample
        >>> sji = read_files(sample.SJI_1400)
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

    def read_raw(self, item=Ellipsis):
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

    def load(self):
        """
        Read the data, mask and uncertainty into memory (in place) and return the cube.

        Later operations no longer read the file. `unload` goes back. The IRIS
        tutorial calls this ``flush``, which is an alias.
        """
        if not _is_lazy(self.data):
            return self
        self._on_disk = (self._data, self._mask, self._uncertainty, self._lazy_sources)
        self._data = np.asarray(self._data)
        if self._mask is not None and not isinstance(self._mask, bool | np.bool_):
            self._mask = np.asarray(self._mask)
        if self._uncertainty is not None and _is_lazy(self._uncertainty.array):
            self._uncertainty = self._uncertainty.__class__(
                np.asarray(self._uncertainty.array), unit=self._uncertainty.unit
            )
        self._lazy_sources = None
        return self

    def unload(self):
        """
        Drop the data read by `load` and go back to reading from the file on use.

        The IRIS tutorial calls this ``tomemmap``, which is an alias.

        Raises
        ------
        IrispyPlusError
            If the cube was not loaded from a lazily read one.
        """
        if self._on_disk is None:
            if _is_lazy(self.data):
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
    def is_lazy(self):
        """
        Whether the data are still on disk (read only when used).
        """
        return _is_lazy(self.data)

    @property
    def aux(self):
        """
        The auxiliary array rows of this cube's exposures, as an astropy Table.
        """
        return self.meta.aux

    def apply_exposure_time_correction(self, undo=False, force=False):
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


def _is_lazy(array):
    return hasattr(array, "dask")


class IRISSpectrogramCube(_DiskBackedMixin, SpectrogramCube):
    """
    One spectral window of one IRIS raster file.

    Axes in numpy order: (raster step or sit-and-stare exposure, position along the
    slit, wavelength). The data are in the detector's DN unit (see `irispy_plus.units`),
    read lazily from the file; the mask is True at the fill value and saturated pixels.
    World coordinates come from the per-exposure pointing (`irispy_plus.io.wcs`); the
    time (middle of each exposure), exposure time and observer radial velocity of each
    step are extra coordinates.

    See `sunraster.SpectrogramCube` for the parameters.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> cube = read_files(sample.RASTER)["Si IV 1403"]
    >>> cube.shape
    (8, 109, 29)
    >>> cube.spectral_axis[0]
    <SpectralCoord 1398.63094787 Angstrom>
    >>> cube.exposure_time[0]
    <Quantity 7.99921799 s>
    """

    @property
    def spectral_window(self):
        """
        The window label, e.g. ``"Si IV 1403"``.
        """
        return self.meta.spectral_window

    def quick_look(self, **kwargs):
        """
        Open the interactive raster quick-look viewer (XY map, slit spectra, spectrum).

        See `irispy_plus.visualization.quick_look` for the keys and the options.
        """
        from irispy_plus.visualization.raster_viewer import quick_look

        return quick_look(self, **kwargs)

    def plot(self, *args, **kwargs):
        """
        Plot the cube; an image of the raster (``raster[:, :, i]``) as a map with
        Solar-X along x and a colour bar (see `irispy_plus.visualization.plot_map`),
        anything else with ndcube's plotter.
        """
        from irispy_plus.visualization._maps import is_celestial_map, plot_map

        if is_celestial_map(self):
            return plot_map(self, *args, **kwargs)
        return super().plot(*args, **kwargs)

    def to_map(self, **kwargs):
        """
        This 2-D raster image (a spectroheliogram, ``cube[..., i]``) as a sunpy Map.

        See `irispy_plus.maps.to_map` for how the per-step pointing is approximated.
        """
        from irispy_plus.maps import to_map

        return to_map(self, **kwargs)

    def __str__(self):
        header = f"{self.meta.spectral_window} from {self.meta.filename}"
        return f"{header}\n{super().__str__()}"

    def __repr__(self):
        from irispy_plus._cube_repr import cube_summary

        return cube_summary(
            self,
            f"IRISSpectrogramCube {self.meta.spectral_window}",
            ("exposure", "slit", "wavelength"),
        )


class IRISRasterSequence(RasterSequence):
    """
    One spectral window over several raster repeats (``r00000``, ``r00001``, ...), in
    time order. The raster step axis is the common axis, so ``sequence.index_as_cube``
    indexes the steps of all repeats as one long axis.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> sequence = read_files(sample.RASTER_SERIES)["Si IV 1403"]
    >>> len(sequence.data), sequence[0].shape
    (3, (8, 109, 29))
    """

    @property
    def spectral_window(self):
        """
        The window label, e.g. ``"Si IV 1403"``.
        """
        return self.data[0].meta.spectral_window

    @property
    def index_as_cube(self):
        """
        Index the sequence as one cube whose exposure axis runs through every repeat.

        Integers and slices follow numpy's rules on that long axis (negative indices,
        stops past the end); a slice with a step is refused, since a cube's world
        coordinates cannot skip exposures. Lazy and loaded sequences give the same cubes.

        Examples
        --------
        >>> from irispy_plus import read_files
        >>> from irispy_plus.data import sample
        >>> sequence = read_files(sample.RASTER_SERIES)["Si IV 1403"]
        >>> [cube.shape for cube in sequence.index_as_cube[6:10, 50:60].data]
        [(2, 10, 29), (2, 10, 29)]
        >>> sequence.index_as_cube[-1].shape
        (109, 29)
        """
        from irispy_plus._sequence_index import CubeLikeIndexer

        return CubeLikeIndexer(self)

    def __repr__(self):
        from irispy_plus._cube_repr import sequence_summary

        label = self.spectral_window if self.data else ""
        return sequence_summary(self, f"IRISRasterSequence {label}".rstrip())

    def quick_look(self, **kwargs):
        """
        Open the interactive raster quick-look viewer (XY map, slit spectra, spectrum).

        See `irispy_plus.visualization.quick_look` for the keys and the options.
        """
        from irispy_plus.visualization.raster_viewer import quick_look

        return quick_look(self, **kwargs)

    def load(self):
        """
        Read every repeat into memory; see `IRISSpectrogramCube.load`.
        """
        for cube in self.data:
            cube.load()
        return self

    def unload(self):
        """
        Go back to reading every repeat from its file; see `IRISSpectrogramCube.unload`.
        """
        for cube in self.data:
            cube.unload()
        return self

    flush = load
    tomemmap = unload


class RasterCollection(NDCollection):
    """
    The spectral windows of IRIS raster files, keyed by window label.

    Each value is an `IRISSpectrogramCube` when one file was read, or an
    `IRISRasterSequence` over the raster repeats when several files of one observation
    were. ``repr`` shows the windows and the observation.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> rasters = read_files(sample.SNS_RASTER)
    >>> list(rasters)[:3]
    ['C II 1336', 'Fe XII 1349', 'O I 1356']
    """

    @property
    def windows(self):
        """
        The window labels.
        """
        return list(self.keys())

    def quick_look(self, **kwargs):
        """
        Open the interactive raster quick-look viewer (XY map, slit spectra, spectrum).

        See `irispy_plus.visualization.quick_look` for the keys and the options.
        """
        from irispy_plus.visualization.raster_viewer import quick_look

        return quick_look(self, **kwargs)

    def _first_cube(self):
        first = next(iter(self.values()))
        return first.data[0] if isinstance(first, IRISRasterSequence) else first

    def __str__(self):
        cube = self._first_cube()
        meta = cube.meta
        lines = [
            f"RasterCollection: OBSID {meta.obsid}, {meta.observation_description}",
            f"  start {meta.get('STARTOBS')}, {len(self)} window(s):",
            f"    {'window':<14} {'band':<5} {'wavelength (Å)':<19} {'unit':<12} "
            "shape (exposure, slit, wavelength)",
        ]
        for label, value in self.items():
            if isinstance(value, IRISRasterSequence):
                first = value.data[0]
                shape = f"{len(value.data)} repeats x {first.shape}"
            else:
                first = value
                shape = str(value.shape)
            low, high = first.meta.get("wavelength_range", (None, None))
            wavelength = f"{low:.2f}-{high:.2f}" if low is not None else ""
            lines.append(f"    {label:<14} {first.meta.band:<5} {wavelength:<19} {first.unit!s:<12} {shape}")
        return "\n".join(lines)

    def __repr__(self):
        from irispy_plus._cube_repr import coverage_lines

        lines = str(self).split("\n")
        lines[1:1] = coverage_lines(self.values())
        return "<" + "\n".join(lines) + ">"

    def load(self):
        """
        Read every window into memory; see `IRISSpectrogramCube.load`.
        """
        for value in self.values():
            value.load()
        return self

    def unload(self):
        """
        Go back to reading every window from its file.
        """
        for value in self.values():
            value.unload()
        return self

    flush = load
    tomemmap = unload


class IRISSJICube(_DiskBackedMixin, NDCube):
    """
    One IRIS slit-jaw image series.

    Axes in numpy order: (time, y, x). World coordinates: helioprojective longitude and
    latitude from each frame's own pointing, and time (middle of each exposure). The
    exposure time of each frame is an extra coordinate.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> sji = read_files(sample.SJI_1400)
    >>> sji.shape
    (2, 109, 178)
    >>> str(sji.time[0].isot)
    '2023-04-08T11:10:12.690'
    """

    @property
    def band(self):
        """
        The slit-jaw band, e.g. ``"SJI_1400"``.
        """
        return self.meta.detector

    def quick_look(self, **kwargs):
        """
        Open the interactive slit-jaw quick-look viewer (image and time bar).

        See `irispy_plus.visualization.sji_quick_look` for the keys and the options.
        """
        from irispy_plus.visualization.sji_viewer import sji_quick_look

        return sji_quick_look(self, **kwargs)

    def to_map(self, **kwargs):
        """
        This slit-jaw frame (``sji[i]``) as a sunpy Map with its exposure's own pointing.

        See `irispy_plus.maps.to_map`.

        Examples
        --------
        >>> from irispy_plus import read_files
        >>> from irispy_plus.data import sample
        >>> read_files(sample.SJI_1400)[1].to_map().date.isot
        '2023-04-08T11:42:16.050'
        """
        from irispy_plus.maps import to_map

        return to_map(self, **kwargs)

    def to_maps(self):
        """
        Every frame as a sunpy Map, in a MapSequence. See `irispy_plus.maps.to_maps`.

        Examples
        --------
        >>> from irispy_plus import read_files
        >>> from irispy_plus.data import sample
        >>> len(read_files(sample.SJI_1400).to_maps())
        2
        """
        from irispy_plus.maps import to_maps

        return to_maps(self)

    def movie(self, **kwargs):
        """
        Play the series in the fast Qt movie viewer (needs the ``qt`` extra).

        See `irispy_plus.visualization.sji_view` for the options.
        """
        from irispy_plus.visualization.qt_movie import sji_view

        return sji_view(self, **kwargs)

    @property
    def time(self):
        """
        The middle of each frame's exposure (a scalar Time for a single frame).
        """
        aux = self.meta.aux
        times = aux["DATE_OBS"] + aux["EXPTIMES"] * u.s / 2
        return times if np.ndim(self.meta.exposure_index) else times[0]

    @property
    def exposure_time(self):
        """
        The exposure time of each frame (a scalar for a single frame).
        """
        seconds = self.meta.aux["EXPTIMES"].data * u.s
        return seconds if np.ndim(self.meta.exposure_index) else seconds[0]

    def __str__(self):
        return textwrap.dedent(
            f"""\
            IRISSJICube {self.band} from {self.meta.filename}
            OBSID {self.meta.obsid}: {self.meta.observation_description}
            Shape (time, y, x): {self.shape}
            Time range: {np.min(self.time).isot} to {np.max(self.time).isot}
            Unit: {self.unit}"""
        )

    def __repr__(self):
        from irispy_plus._cube_repr import cube_summary

        return cube_summary(self, f"IRISSJICube {self.band}", ("time", "y", "x"))


class SJICollection(NDCollection):
    """
    Several slit-jaw cubes, keyed by band (``"SJI_1400"``).
    """

    def __repr__(self):
        from irispy_plus._cube_repr import sji_collection_summary

        return sji_collection_summary(self)


class IRISObservation(dict):
    """
    What `irispy_plus.read_files` returns for raster and slit-jaw files together: the
    `RasterCollection` under ``"raster"`` and each slit-jaw cube under its band.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> observation = read_files(sample.SNS_DIR)
    >>> sorted(observation)
    ['SJI_1330', 'SJI_1400', 'SJI_2796', 'SJI_2832', 'raster']
    """

    def __repr__(self):
        parts = [f"{key}: {value!r}" for key, value in self.items()]
        return "<IRISObservation\n" + "\n".join(parts) + ">"

    @property
    def raster(self):
        """
        The spectrograph windows, a `RasterCollection` (None if no raster was read).
        """
        return self.get("raster")

    @property
    def sji(self):
        """
        The slit-jaw cubes keyed by band, an `SJICollection` (None if none was read).
        """
        cubes = [(key, value) for key, value in self.items() if key != "raster"]
        return SJICollection(cubes, aligned_axes=None) if cubes else None
