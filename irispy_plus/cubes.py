"""
The IRIS cube classes: thin subclasses of the sunraster and ndcube classes.

- `IRISSpectrogramCube`: one spectral window of one raster file.
- `IRISRasterSequence`: one spectral window over the raster files (repeats), in time
  order; one file gives a sequence of one.
- `IRISSJICube`: one slit-jaw file, (time, y, x).
- `IRISObservation`: what ``read_files(..., as_observation=True)`` returns, a flat
  mapping from window label to `IRISRasterSequence` and from band to `IRISSJICube`;
  `RasterCollection` (raster windows only) and `SJICollection` (slit-jaw bands only) are
  its subclasses.

The lazy reading from the files comes from `irispy_plus._lazy`, and the viewers are
reached through the ``viewer`` seam of `irispy_plus._viewers`; this module imports
neither the readers nor the viewers.
"""

import textwrap
import warnings
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time
from ndcube import NDCollection, NDCube
from sunraster import RasterSequence, SpectrogramCube

from irispy_plus._lazy import DiskBackedMixin
from irispy_plus._viewers import ViewerDescriptor
from irispy_plus.utils.exceptions import IrispyPlusDeprecationWarning, IrispyPlusError

__all__ = [
    "IRISObservation",
    "IRISRasterSequence",
    "IRISSJICube",
    "IRISSpectrogramCube",
    "RasterCollection",
    "SJICollection",
]


class IRISSpectrogramCube(DiskBackedMixin, SpectrogramCube):
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
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.RASTER, "Si IV 1403")
    >>> cube.shape
    (8, 109, 29)
    >>> cube.spectral_axis[0]
    <SpectralCoord 1398.63094787 Angstrom>
    >>> cube.exposure_time[0]
    <Quantity 7.99921799 s>
    """

    @property
    def spectral_window(self) -> str:
        """
        The window label, e.g. ``"Si IV 1403"``.
        """
        return self.meta.spectral_window

    viewer = ViewerDescriptor("raster")

    def quick_look(self, **kwargs: Any) -> Any:
        """
        Open the interactive raster quick-look viewer (XY map, slit spectra, spectrum).

        See `irispy_plus.visualization.quick_look` for the keys and the options.
        """
        return self.viewer.quick_look(**kwargs)

    def plot(self, *args: Any, **kwargs: Any) -> Any:
        """
        Plot the cube; an image of the raster (``raster[:, :, i]``) as a map with
        Solar-X along x and a colour bar (see `irispy_plus.visualization.plot_map`),
        anything else with ndcube's plotter.
        """
        if self.viewer.shows_as_map():
            return self.viewer.plot_map(*args, **kwargs)
        return super().plot(*args, **kwargs)

    def to_map(self, **kwargs: Any) -> Any:
        """
        Make a sunpy Map of this 2-D raster image (a spectroheliogram, ``cube[..., i]``).

        See `irispy_plus.maps.to_map` for how the per-step pointing is approximated.
        """
        from irispy_plus.maps import to_map

        return to_map(self, **kwargs)

    def __str__(self) -> str:
        header = f"{self.meta.spectral_window} from {self.meta.filename}"
        return f"{header}\n{super().__str__()}"

    def __repr__(self) -> str:
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
    def spectral_window(self) -> str:
        """
        The window label, e.g. ``"Si IV 1403"``.
        """
        return self.data[0].meta.spectral_window

    @property
    def index_as_cube(self) -> Any:
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

    def __repr__(self) -> str:
        from irispy_plus._cube_repr import sequence_summary

        label = self.spectral_window if self.data else ""
        return sequence_summary(self, f"IRISRasterSequence {label}".rstrip())

    viewer = ViewerDescriptor("raster")

    def quick_look(self, **kwargs: Any) -> Any:
        """
        Open the interactive raster quick-look viewer (XY map, slit spectra, spectrum).

        See `irispy_plus.visualization.quick_look` for the keys and the options.
        """
        return self.viewer.quick_look(**kwargs)

    def load(self) -> "IRISRasterSequence":
        """
        Read every repeat into memory; see `IRISSpectrogramCube.load`.
        """
        for cube in self.data:
            cube.load()
        return self

    def unload(self) -> "IRISRasterSequence":
        """
        Go back to reading every repeat from its file; see `IRISSpectrogramCube.unload`.
        """
        for cube in self.data:
            cube.unload()
        return self

    flush = load
    tomemmap = unload


class IRISSJICube(DiskBackedMixin, NDCube):
    """
    One IRIS slit-jaw image series.

    Axes in numpy order: (time, y, x). World coordinates: helioprojective longitude and
    latitude from each frame's own pointing, and time (middle of each exposure). The
    exposure time of each frame is an extra coordinate.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> sji = read_cube(sample.SJI_1400)
    >>> sji.shape
    (2, 109, 178)
    >>> str(sji.time[0].isot)
    '2023-04-08T11:10:12.690'
    """

    @property
    def band(self) -> str:
        """
        The slit-jaw band, e.g. ``"SJI_1400"``.
        """
        return self.meta.detector

    viewer = ViewerDescriptor("sji")

    def quick_look(self, **kwargs: Any) -> Any:
        """
        Open the interactive slit-jaw quick-look viewer (image and time bar).

        See `irispy_plus.visualization.sji_quick_look` for the keys and the options.
        """
        return self.viewer.quick_look(**kwargs)

    def to_map(self, **kwargs: Any) -> Any:
        """
        Make a sunpy Map of this slit-jaw frame (``sji[i]``) with its exposure's own pointing.

        See `irispy_plus.maps.to_map`.

        Examples
        --------
        >>> from irispy_plus import read_cube
        >>> from irispy_plus.data import sample
        >>> read_cube(sample.SJI_1400)[1].to_map().date.isot
        '2023-04-08T11:42:16.050'
        """
        from irispy_plus.maps import to_map

        return to_map(self, **kwargs)

    def to_maps(self) -> Any:
        """
        Every frame as a sunpy Map, in a MapSequence. See `irispy_plus.maps.to_maps`.

        Examples
        --------
        >>> from irispy_plus import read_cube
        >>> from irispy_plus.data import sample
        >>> len(read_cube(sample.SJI_1400).to_maps())
        2
        """
        from irispy_plus.maps import to_maps

        return to_maps(self)

    def movie(self, **kwargs: Any) -> Any:
        """
        Play the series in the fast Qt movie viewer (needs the ``qt`` extra).

        See `irispy_plus.visualization.sji_view` for the options.
        """
        return self.viewer.movie(**kwargs)

    @property
    def time(self) -> Time:
        """
        The middle of each frame's exposure (a scalar Time for a single frame).
        """
        aux = self.meta.aux
        times = aux["DATE_OBS"] + aux["EXPTIMES"] * u.s / 2
        return times if np.ndim(self.meta.exposure_index) else times[0]

    @property
    def exposure_time(self) -> u.Quantity:
        """
        The exposure time of each frame (a scalar for a single frame).
        """
        seconds = self.meta.aux["EXPTIMES"].data * u.s
        return seconds if np.ndim(self.meta.exposure_index) else seconds[0]

    def __str__(self) -> str:
        return textwrap.dedent(
            f"""\
            IRISSJICube {self.band} from {self.meta.filename}
            OBSID {self.meta.obsid}: {self.meta.observation_description}
            Shape (time, y, x): {self.shape}
            Time range: {np.min(self.time).isot} to {np.max(self.time).isot}
            Unit: {self.unit}"""
        )

    def __repr__(self) -> str:
        from irispy_plus._cube_repr import cube_summary

        return cube_summary(self, f"IRISSJICube {self.band}", ("time", "y", "x"))


def _is_raster_value(value: Any) -> bool:
    return isinstance(value, IRISRasterSequence | IRISSpectrogramCube)


class IRISObservation(NDCollection):
    """
    The data of IRIS Level 2 files, keyed by label: what
    ``irispy_plus.read_files(..., as_observation=True)`` returns.

    A flat mapping (an `~ndcube.NDCollection` with no aligned axes): each raster window
    under its label (``"Si IV 1403"``), always an `IRISRasterSequence` with one cube per
    raster file in time order (a sequence of one for one file); each slit-jaw band under
    its band (``"SJI_1400"``), an `IRISSJICube`. `RasterCollection` (raster windows
    only) and `SJICollection` (slit-jaw bands only) are subclasses.

    ``obs.raster`` and ``obs.sji`` give the two parts, ``obs.windows`` and ``obs.bands``
    their labels, and ``obs.cube(label)`` the one cube of a label.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> obs = read_files(sample.SNS_DIR, as_observation=True)
    >>> obs.bands
    ['SJI_1330', 'SJI_1400', 'SJI_2796', 'SJI_2832']
    >>> obs.windows[:3]
    ['C II 1336', 'Fe XII 1349', 'O I 1356']
    >>> obs.cube("Si IV 1403").shape
    (187, 40, 29)
    """

    def _raster_items(self) -> list[tuple[str, Any]]:
        if dict.__contains__(self, "raster"):  # the deprecated nested form
            return list(dict.__getitem__(self, "raster").items())
        return [(key, value) for key, value in self.items() if _is_raster_value(value)]

    def _sji_items(self) -> list[tuple[str, Any]]:
        return [(key, value) for key, value in self.items() if isinstance(value, IRISSJICube)]

    @property
    def windows(self) -> list[str]:
        """
        The labels of the raster windows, e.g. ``["C II 1336", "Si IV 1403"]``.
        """
        return [key for key, _ in self._raster_items()]

    @property
    def bands(self) -> list[str]:
        """
        The labels of the slit-jaw bands, e.g. ``["SJI_1400", "SJI_2796"]``.
        """
        return [key for key, _ in self._sji_items()]

    @property
    def raster(self) -> "RasterCollection | None":
        """
        The raster windows, a `RasterCollection` (None if no raster file was read).
        """
        if dict.__contains__(self, "raster"):
            return dict.__getitem__(self, "raster")
        items = self._raster_items()
        return RasterCollection(items, aligned_axes=None, meta=self.meta) if items else None

    @property
    def sji(self) -> "SJICollection | None":
        """
        The slit-jaw series keyed by band, an `SJICollection` (None if none was read).
        """
        items = self._sji_items()
        return SJICollection(items, aligned_axes=None, meta=self.meta) if items else None

    def cube(self, label: str | None = None) -> "IRISSpectrogramCube | IRISSJICube":
        """
        The one cube of a raster window or slit-jaw band.

        Parameters
        ----------
        label : str, optional
            The window (``"Si IV 1403"``) or band (``"SJI_1400"``), in any case; may be
            left out when there is only one.

        Returns
        -------
        IRISSpectrogramCube or IRISSJICube
            The window of the one raster file read, or the slit-jaw series.

        Raises
        ------
        IrispyPlusError
            If no label is given and there are several, if the label is not here (the
            message lists those that are), or if the window covers several raster
            files (index its `IRISRasterSequence` instead).

        Examples
        --------
        >>> from irispy_plus import read_files
        >>> from irispy_plus.data import sample
        >>> read_files(sample.SJI_1400, as_observation=True).cube().shape
        (2, 109, 178)
        """
        labels = self.windows + self.bands
        if label is None:
            if len(labels) != 1:
                msg = (
                    f"This observation holds {len(labels)} windows and bands ({', '.join(labels)}); "
                    "pass the one you want, e.g. obs.cube('Si IV 1403')."
                )
                raise IrispyPlusError(msg)
            label = labels[0]
        by_label = {key.lower(): key for key in labels}
        key = by_label.get(str(label).lower()) if isinstance(label, str) else None
        if key is None:
            msg = f"No window or band {label!r} here; there are: {', '.join(map(repr, labels))}."
            raise IrispyPlusError(msg)
        value = dict(self._raster_items() + self._sji_items())[key]
        if isinstance(value, IRISRasterSequence):
            if len(value.data) != 1:
                msg = (
                    f"Window {key!r} covers {len(value.data)} raster files, so it is not one cube: "
                    f"index its sequence, obs[{key!r}][i] for one repeat or "
                    f"obs[{key!r}].index_as_cube[...] across them."
                )
                raise IrispyPlusError(msg)
            return value.data[0]
        return value

    def __getitem__(self, item: Any) -> Any:
        if (
            isinstance(item, str)
            and item == "raster"
            and not dict.__contains__(self, "raster")
            and not isinstance(self, RasterCollection | SJICollection)
        ):
            warnings.warn(
                'obs["raster"] is deprecated: the raster windows are now keys of the observation '
                "itself (obs['Si IV 1403']); use obs.raster for them as a RasterCollection.",
                IrispyPlusDeprecationWarning,
                stacklevel=2,
            )
            return self.raster
        return super().__getitem__(item)

    def load(self) -> "IRISObservation":
        """
        Read every window and band into memory; see `IRISSpectrogramCube.load`.
        """
        for value in self.values():
            value.load()
        return self

    def unload(self) -> "IRISObservation":
        """
        Go back to reading every window and band from its file.
        """
        for value in self.values():
            value.unload()
        return self

    flush = load
    tomemmap = unload

    def __repr__(self) -> str:
        raster = self.raster
        parts = [] if raster is None else [repr(raster)]
        parts += [f"{key}: {value!r}" for key, value in self._sji_items()]
        return "<IRISObservation\n" + "\n".join(parts) + ">"


class RasterCollection(IRISObservation):
    """
    The spectral windows of IRIS raster files, keyed by window label: an
    `IRISObservation` of raster windows only.

    Each value is an `IRISRasterSequence` over the raster files in time order (what
    ``read_files(..., as_observation=True)`` gives), or, from the deprecated default of
    `irispy_plus.read_files` for one file, an `IRISSpectrogramCube`. ``repr`` shows the
    windows and the observation.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> rasters = read_files(sample.SNS_RASTER, as_observation=True)
    >>> rasters.windows[:3]
    ['C II 1336', 'Fe XII 1349', 'O I 1356']
    """

    viewer = ViewerDescriptor("raster")

    @property
    def raster(self) -> "RasterCollection":
        """
        The collection itself (it holds only raster windows).
        """
        return self

    def quick_look(self, **kwargs: Any) -> Any:
        """
        Open the interactive raster quick-look viewer (XY map, slit spectra, spectrum).

        See `irispy_plus.visualization.quick_look` for the keys and the options.
        """
        return self.viewer.quick_look(**kwargs)

    def _first_cube(self) -> IRISSpectrogramCube:
        first = next(iter(self.values()))
        return first.data[0] if isinstance(first, IRISRasterSequence) else first

    def __str__(self) -> str:
        meta = self._first_cube().meta
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

    def __repr__(self) -> str:
        from irispy_plus._cube_repr import coverage_lines

        lines = str(self).split("\n")
        lines[1:1] = coverage_lines(self.values())
        return "<" + "\n".join(lines) + ">"


class SJICollection(IRISObservation):
    """
    Several slit-jaw series keyed by band (``"SJI_1400"``): an `IRISObservation` of
    slit-jaw bands only.

    What ``read_files(..., as_observation=True)`` gives for slit-jaw files alone, and
    ``obs.sji`` of an observation; each value is an `IRISSJICube`. ``repr`` shows one line
    per band: its shape, time range and unit.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> sji = read_files([sample.SJI_1400, sample.SJI_2832], as_observation=True)
    >>> sji
    <SJICollection: 2 slit-jaw series
      SJI_1400       (2, 109, 178)    2023-04-08T11:10:12.690 to 2023-04-08T11:42:16.050, DN_IRIS_SJI_FUV
      SJI_2832       (2, 109, 178)    2023-04-08T11:09:40.830 to 2023-04-08T11:41:44.200, DN_IRIS_SJI_NUV>
    >>> sji.bands
    ['SJI_1400', 'SJI_2832']
    >>> sji["SJI_2832"].shape
    (2, 109, 178)
    """

    @property
    def sji(self) -> "SJICollection":
        """
        The collection itself (it holds only slit-jaw bands).
        """
        return self

    def __repr__(self) -> str:
        from irispy_plus._cube_repr import sji_collection_summary

        return sji_collection_summary(self)
