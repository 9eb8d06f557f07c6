"""
Training batches from an archive, read lazily from memory-mapped files, and their export
to Zarr with coordinates and provenance.
"""

from collections import OrderedDict
from datetime import UTC, datetime

import numpy as np

from irispy_plus.archive._ml import Crops, crop_coordinates, crop_shape, draw_origins, read_crop
from irispy_plus.archive._observation import normalize_band
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.optional import import_optional

__all__ = ["CropLoader", "export_zarr"]


def _locate(cubes, exposure):
    """The cube of the ``exposure``-th exposure counted across ``cubes``, and its index there."""
    for cube in cubes:
        if exposure < cube.shape[0]:
            return cube, exposure
        exposure -= cube.shape[0]
    msg = f"exposure {exposure} is beyond the cubes"
    raise IndexError(msg)


class CropLoader:
    """
    Batches of fixed-size crops of slit-jaw frames or spectrogram patches drawn across
    the observations of an archive, as NumPy arrays (no framework needed).

    Each crop picks an observation uniformly, then a frame (or raster step) and a
    position uniformly, from ``numpy.random.default_rng((seed, epoch))``: iterating
    again gives the same batches, so a training set can be rebuilt from its seed.
    Cubes are opened on first use (headers only) and only each crop's pixels are read,
    straight from the memory-mapped files; the most recently used cubes stay open.
    (Compressed files, ``.fits.gz`` and ``raster.tar.gz``, are decompressed in memory
    when opened: unpack an archive meant for training.) Patches are drawn from every
    raster repeat; their ``origin`` counts exposures across the repeats in time order.

    Parameters
    ----------
    archive : Archive
        The observations to draw from (a selection, typically).
    size : int, pair, astropy.units.Quantity or pair of them
        The crop size, as for `sample_crops`.
    band : int or str, optional
        The slit-jaw band to crop (``1400``, ``"SJI_2796"``).
    window : str, optional
        The spectral window to take patches of (``"Si IV 1403"``); give ``band`` or
        ``window``.
    batch_size : int, optional
        Crops per batch.
    n_batches : int, optional
        Batches per pass.
    seed : int, optional
        The random seed.
    epoch : int, optional
        Another pass with other crops from the same seed.
    max_masked : float, optional
        Redraw crops with more than this fraction of masked pixels.
    max_open : int, optional
        How many cubes to keep open.

    Examples
    --------
    >>> from irispy_plus.archive import Archive, CropLoader
    >>> from irispy_plus.testing.archives import make_archive
    >>> archive = Archive(make_archive(tmp_path / "iris", n_observations=4))
    >>> loader = CropLoader(archive.select(bands=1400), size=16, band=1400, batch_size=8, n_batches=2)
    >>> batch = next(iter(loader))
    >>> batch.data.shape, batch.data.dtype.name, len(batch.sources)
    ((8, 16, 16), 'float32', 8)
    """

    def __init__(
        self,
        archive,
        size,
        *,
        band=None,
        window=None,
        batch_size=32,
        n_batches=10,
        seed=0,
        epoch=0,
        max_masked=1.0,
        max_open=16,
    ):
        if (band is None) == (window is None):
            msg = "CropLoader takes band= (a slit-jaw band) or window= (a spectral window), one of them."
            raise IrispyPlusError(msg)
        selection = archive.select(bands=band) if band is not None else archive.select(windows=window)
        if not len(selection):
            what = normalize_band(band) if band is not None else f"window {window!r}"
            msg = f"No observation of the archive has {what}; nothing to draw crops from."
            raise IrispyPlusError(msg)
        self.observations = list(selection)
        self.size, self.band, self.window = size, band, window
        self.batch_size, self.n_batches = int(batch_size), int(n_batches)
        self.seed, self.epoch, self.max_masked = int(seed), int(epoch), float(max_masked)
        self._open = OrderedDict()
        self._max_open = int(max_open)

    def __len__(self):
        return self.n_batches

    def _cubes(self, index):
        """The cubes of an observation: one, or one per raster repeat."""
        cubes = self._open.get(index)
        if cubes is None:
            obs = self.observations[index]
            cube = obs.sji(self.band) if self.band is not None else obs.raster(self.window)
            cubes = list(cube.data) if isinstance(getattr(cube, "data", None), list) else [cube]
            self._open[index] = cubes
            if len(self._open) > self._max_open:
                self._open.popitem(last=False)
        else:
            self._open.move_to_end(index)
        return cubes

    def _draw(self, rng):
        for _attempt in range(50):
            index = int(rng.integers(len(self.observations)))
            cubes = self._cubes(index)
            shape = crop_shape(cubes[0], self.size)
            # Exposures of every raster repeat, numbered in order: (repeat, step) of one.
            exposure = int(rng.integers(sum(cube.shape[0] for cube in cubes)))
            cube, local = _locate(cubes, exposure)
            origin = draw_origins(cube, shape, 1, rng)[0]
            origin[0] = local
            data, mask = read_crop(cube, origin, shape)
            if mask.mean() <= self.max_masked:
                return index, cube, origin, shape, data, mask, exposure
        msg = f"No crop with at most {self.max_masked:.0%} masked pixels was found in 50 draws."
        raise IrispyPlusError(msg)

    def __iter__(self):
        rng = np.random.default_rng((self.seed, self.epoch))
        for _ in range(self.n_batches):
            drawn = [self._draw(rng) for _ in range(self.batch_size)]
            shapes = {item[3] for item in drawn}
            if len(shapes) > 1:
                msg = f"The crop size gives different pixel shapes in different observations ({shapes})."
                raise IrispyPlusError(msg)
            coords = [crop_coordinates(item[1], item[2][None], item[3]) for item in drawn]
            merged = {name: np.concatenate([item[name] for item in coords]) for name in coords[0]}
            yield Crops(
                data=np.stack([item[4] for item in drawn]).astype(np.float32, copy=False),
                mask=np.stack([item[5] for item in drawn]),
                origin=np.stack([[item[6], *item[2][1:]] for item in drawn]).astype(np.int64),
                coords=merged,
                unit=drawn[0][1].unit,
                kind="sji" if self.band is not None else "spectrogram",
                sources=[self.observations[item[0]].obs_id for item in drawn],
            )

    def provenance(self):
        """
        What rebuilds this loader's crops: the parameters and the observations' files.

        Returns
        -------
        dict
        """
        from irispy_plus import __version__

        return {
            "created_by": f"irispy-plus {__version__}: irispy_plus.archive.CropLoader",
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "size": str(self.size),
            "band": None if self.band is None else normalize_band(self.band),
            "window": self.window,
            "batch_size": self.batch_size,
            "n_batches": self.n_batches,
            "seed": self.seed,
            "epoch": self.epoch,
            "max_masked": self.max_masked,
            "rng": "numpy.random.default_rng((seed, epoch))",
            "observations": {obs.obs_id: [str(path) for path in obs.files] for obs in self.observations},
        }


def _batches(source):
    if isinstance(source, Crops):
        return len(source), [source], {}
    if isinstance(source, CropLoader):
        return source.batch_size * source.n_batches, source, source.provenance()
    msg = f"export_zarr takes Crops or a CropLoader, not {type(source).__name__}."
    raise IrispyPlusError(msg)


def export_zarr(source, path, *, provenance=None, overwrite=False):
    """
    Write crops, or every batch of a loader, to a Zarr store with their coordinates
    and provenance.

    The store holds ``data`` (float32, chunked by batch), ``mask``, ``origin`` (the
    cube index of each crop's first pixel), ``source`` (an index into the ``sources``
    attribute: observation ids), the coordinates ``tx``, ``ty`` (arcsec),
    ``wavelength`` (Å, patches) and ``time_unix`` (UTC seconds since 1970); its
    attributes give the unit, the kind of crops and the provenance: the irispy-plus
    version, the date, the loader's parameters and seed, and every observation's files.

    Parameters
    ----------
    source : Crops or CropLoader
        What to write; a loader is iterated once, batch by batch.
    path : str or pathlib.Path
        The Zarr store (a folder) to create.
    provenance : dict, optional
        More to record (JSON-serialisable).
    overwrite : bool, optional
        Replace an existing store.

    Returns
    -------
    pathlib.Path
        The store.

    Raises
    ------
    IrispyPlusError
        If zarr is not installed, or the store exists and ``overwrite`` is False.

    Examples
    --------
    >>> import zarr
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.archive import export_zarr, sample_crops
    >>> from irispy_plus.data import sample
    >>> crops = sample_crops(read_cube(sample.SJI_1400), 16, n=5, seed=0, source="sample")
    >>> store = zarr.open_group(export_zarr(crops, tmp_path / "crops.zarr"), mode="r")
    >>> store["data"].shape, store.attrs["sources"]
    ((5, 16, 16), ['sample'])
    """
    from pathlib import Path

    zarr = import_optional("zarr", "archive")
    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} exists; pass overwrite=True to replace it, or choose another path."
        raise IrispyPlusError(msg)
    total, batches, recorded = _batches(source)
    group = zarr.open_group(str(path), mode="w")
    arrays = {}
    sources = []
    position = 0
    unit = ""
    for batch in batches:
        indices = []
        for name in batch.sources:
            if name not in sources:
                sources.append(name)
            indices.append(sources.index(name))
        columns = {
            "data": batch.data,
            "mask": batch.mask,
            "origin": batch.origin,
            "source": np.asarray(indices, dtype=np.int32),
        }
        for name, values in batch.coords.items():
            if name == "time":
                columns["time_unix"] = np.asarray(values.utc.unix, dtype=np.float64)
            else:
                columns[name] = np.asarray(values, dtype=np.float64)
        if not arrays:
            for name, values in columns.items():
                chunks = (max(1, len(values)), *values.shape[1:])
                arrays[name] = group.create_array(
                    name, shape=(total, *values.shape[1:]), dtype=values.dtype, chunks=chunks
                )
        end = position + len(batch)
        for name, values in columns.items():
            arrays[name][position:end] = values
        position = end
        unit = str(batch.unit)
    units = {
        "data": unit,
        "tx": "arcsec",
        "ty": "arcsec",
        "wavelength": "Angstrom",
        "time_unix": "s (UTC, since 1970)",
    }
    for name, array in arrays.items():
        if name in units:
            array.attrs["unit"] = units[name]
    group.attrs.update(
        {
            "kind": _kind(source),
            "sources": sources,
            "provenance": {**recorded, **(provenance or {})},
        }
    )
    return path


def _kind(source):
    if isinstance(source, Crops):
        return source.kind
    return "sji" if source.band is not None else "spectrogram"
