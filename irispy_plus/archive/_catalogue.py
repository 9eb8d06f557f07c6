"""
`Archive`: a catalogue of the IRIS Level 2 observations in a folder tree.
"""

import math
import time
from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.table import QTable, Table
from astropy.time import Time

from irispy_plus.archive._index import FileRecord, candidate_files, read_record
from irispy_plus.archive._observation import Observation
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError, warn_user
from irispy_plus.utils.logger import log

__all__ = ["CATALOGUE_NAME", "FILES_NAME", "Archive", "IndexReport", "observations_table"]

#: The catalogue of observations, written in the archive's folder.
CATALOGUE_NAME = "irispy_plus_catalogue.ecsv"
#: The per-file index behind it (sizes, time stamps, errors), beside it.
FILES_NAME = "irispy_plus_catalogue_files.ecsv"
_FORMAT_VERSION = 1

# name, unit, dtype of the observation table's columns (times apart).
_COLUMNS = (
    ("obs_id", None, str),
    ("obsid", None, np.int64),
    ("description", None, str),
    ("start", "time", None),
    ("end", "time", None),
    ("n_steps", None, np.int64),
    ("n_repeats", None, np.int64),
    ("raster_cadence", u.s, float),
    ("step_cadence", u.s, float),
    ("step_size", u.arcsec, float),
    ("windows", None, str),
    ("sji_bands", None, str),
    ("fov_x", u.arcsec, float),
    ("fov_y", u.arcsec, float),
    ("x_cen", u.arcsec, float),
    ("y_cen", u.arcsec, float),
    ("distance", u.arcsec, float),
    ("n_raster_files", None, np.int64),
    ("n_sji_files", None, np.int64),
    ("folder", None, str),
    ("files", None, str),
    ("raster_files", None, str),
    ("sji_files", None, str),
    ("sji_file_bands", None, str),
)


@dataclass
class IndexReport:
    """
    What one update of the catalogue did.

    Attributes
    ----------
    read : int
        Files read (new, or changed in size or time stamp).
    kept : int
        Files unchanged since the last update, not read again.
    removed : int
        Files gone from the tree since the last update.
    errors : int
        Files that could not be indexed (see `Archive.errors`).
    seconds : float
        How long the update took.

    Examples
    --------
    `Archive.update` returns one, and ``Archive.last_update`` keeps the last:

    >>> import shutil
    >>> import tempfile
    >>> from pathlib import Path
    >>> from irispy_plus.archive import Archive
    >>> from irispy_plus.testing.archives import make_archive
    >>> folder = tempfile.TemporaryDirectory()
    >>> root = make_archive(Path(folder.name) / "iris", n_observations=3)
    >>> archive = Archive(root)  # a raster and a slit-jaw file per observation
    >>> first = archive.last_update
    >>> first.read, first.kept, first.removed, first.errors
    (6, 0, 0, 0)
    >>> shutil.rmtree(root / "20150103_020000_3600000002")  # one observation goes
    >>> report = archive.update()
    >>> report.read, report.kept, report.removed, len(archive)
    (0, 4, 2, 2)
    >>> folder.cleanup()
    """

    read: int = 0
    kept: int = 0
    removed: int = 0
    errors: int = 0
    seconds: float = 0.0


def _first(values, default):
    """The first known value: not empty, not NaN, and not 0 for counts (0 is unknown)."""
    for value in values:
        if isinstance(value, float):
            if not math.isnan(value):
                return value
        elif value not in ("", 0):
            return value
    return default


def _observation_row(obs_id, records):
    rasters = sorted((r for r in records if r.kind == "raster"), key=lambda r: r.path)
    slit_jaws = sorted((r for r in records if r.kind == "sji"), key=lambda r: (r.band, r.path))
    preferred = rasters + slit_jaws
    windows = []
    for record in rasters:
        windows.extend(label for label in record.windows.split(", ") if label and label not in windows)
    bands = sorted({record.band for record in slit_jaws if record.band})
    files = sorted(record.path for record in records)
    folders = {str(Path(name).parent) for name in files}
    x_cen = _first((r.x_cen for r in preferred), math.nan)
    y_cen = _first((r.y_cen for r in preferred), math.nan)
    return {
        "obs_id": obs_id,
        "obsid": preferred[0].obsid,
        "description": _first((r.description for r in preferred), ""),
        "start": min(r.start for r in records),
        "end": max(r.end for r in records),
        "n_steps": _first((r.n_steps for r in preferred), 0),
        "n_repeats": _first((r.n_repeats for r in preferred), 0),
        "raster_cadence": _first((r.raster_cadence for r in rasters), math.nan),
        "step_cadence": _first((r.step_cadence for r in rasters), math.nan),
        "step_size": _first((r.step_size for r in rasters), math.nan),
        "windows": ", ".join(windows),
        "sji_bands": ", ".join(bands),
        "fov_x": _first((r.fov_x for r in preferred), math.nan),
        "fov_y": _first((r.fov_y for r in preferred), math.nan),
        "x_cen": x_cen,
        "y_cen": y_cen,
        "distance": math.hypot(x_cen, y_cen),
        "n_raster_files": sum(r.n_files for r in rasters),
        "n_sji_files": len(slit_jaws),
        "folder": folders.pop() if len(folders) == 1 else "",
        "files": "|".join(files),
        "raster_files": "|".join(r.path for r in rasters),
        "sji_files": "|".join(r.path for r in slit_jaws),
        "sji_file_bands": "|".join(r.band for r in slit_jaws),
    }


def observations_table(records):
    """
    The catalogue of observations from the files' records: one row per observation,
    in order of start time.

    Parameters
    ----------
    records : iterable of FileRecord
        The indexed files; those with an error are left out.

    Returns
    -------
    astropy.table.QTable
    """
    groups = {}
    for record in records:
        if not record.error:
            groups.setdefault(record.obs_id, []).append(record)
    rows = [_observation_row(obs_id, group) for obs_id, group in groups.items()]
    rows.sort(key=lambda row: (row["start"], row["obs_id"]))
    table = QTable()
    for name, unit, dtype in _COLUMNS:
        values = [row[name] for row in rows]
        if unit == "time":
            table[name] = (
                Time(values or [], format="isot", scale="utc") if values else Time([], format="isot")
            )
        elif unit is not None:
            table[name] = u.Quantity(np.array(values, dtype=dtype), unit)
        else:
            table[name] = np.array(values, dtype=dtype) if values else np.array([], dtype=dtype)
    return table


def _records_from_table(table):
    names = FileRecord.columns()
    records = {}
    for row in table:
        values = {name: row[name] for name in names}
        for name in ("path", "kind", "obs_id", "description", "start", "end", "windows", "band", "error"):
            values[name] = "" if np.ma.is_masked(values[name]) else str(values[name])
        for name in ("size", "mtime_ns", "obsid", "n_steps", "n_repeats", "n_exposures", "n_files"):
            values[name] = int(values[name])
        for name in ("raster_cadence", "step_cadence", "step_size", "fov_x", "fov_y", "x_cen", "y_cen"):
            values[name] = float(values[name])
        records[values["path"]] = FileRecord(**values)
    return records


def _files_table(records):
    names = FileRecord.columns()
    table = Table(rows=[[getattr(r, name) for name in names] for r in records], names=names)
    if not records:
        table = Table(names=names, dtype=[type(getattr(FileRecord("", 0, 0), n)) for n in names])
    table.meta["irispy_plus_catalogue_version"] = _FORMAT_VERSION
    return table


def _write_ecsv(table, path):
    """Write ``table`` to ``path`` as ECSV, atomically."""
    import io

    from irispy_plus.asdf._io import atomic_write

    buffer = io.StringIO()
    table.write(buffer, format="ascii.ecsv")
    data = buffer.getvalue().encode("utf-8")
    atomic_write(path, lambda fileobj: fileobj.write(data))


class Archive:
    """
    A catalogue of the IRIS Level 2 observations in a folder tree, to query, browse and
    process in batch.

    The tree may be laid out as `Fido.fetch` writes it (``ROOT/YYYYMMDD_HHMMSS_OBSID/``
    with unpacked files, or the ``.fits.gz`` and ``raster.tar.gz`` files themselves) or
    as LMSAL's archive (``ROOT/YYYY/MM/DD/YYYYMMDD_HHMMSS_OBSID/``), or any mix: files
    are found in every sub-folder and grouped by OBSID and start time, read from their
    headers. Only primary headers are read, never data.

    The catalogue is kept in ``ROOT/irispy_plus_catalogue.ecsv`` (one row per
    observation) with the per-file index beside it; opening the archive again reads only
    the files that are new or changed (in size or time stamp) since. Files that cannot
    be indexed (damaged, truncated, not IRIS Level 2) are listed in `errors` and never
    stop the indexing.

    Parameters
    ----------
    root : str or pathlib.Path
        The top folder of the tree.
    catalogue : str or pathlib.Path, optional
        Where to keep the catalogue, if not in ``root`` (for a read-only archive).
    update : bool, optional
        Look for new and changed files now (default). With False, the catalogue on disk
        is used as it is.

    Raises
    ------
    IrispyPlusFileError
        If ``root`` is not a folder, or ``update=False`` and there is no catalogue yet.

    Examples
    --------
    >>> from irispy_plus.archive import Archive
    >>> from irispy_plus.testing.archives import make_archive
    >>> root = make_archive(tmp_path / "iris", n_observations=3)
    >>> archive = Archive(root)
    >>> len(archive), archive.last_update.read
    (3, 6)
    >>> for row in archive.table["obs_id", "n_steps", "sji_bands"][:2]:
    ...     print(*row)
    20150101_000000_3600000000 8 SJI_1400
    20150102_010000_3600000001 8 SJI_2832
    >>> Archive(root).last_update.read  # nothing new: nothing read again
    0
    """

    def __init__(self, root, *, catalogue=None, update=True):
        self.root = Path(root).expanduser().resolve()
        if not self.root.is_dir():
            msg = f"The archive folder {self.root} does not exist or is not a folder."
            raise IrispyPlusFileError(msg)
        self.catalogue_path = Path(catalogue).expanduser() if catalogue else self.root / CATALOGUE_NAME
        self.files_path = self.catalogue_path.with_name(
            self.catalogue_path.name.removesuffix(".ecsv") + "_files.ecsv"
        )
        self._records = {}
        self._parent = None
        self.last_update = None
        self._load()
        if update:
            self.update()
        elif not self._records and not self.files_path.exists():
            msg = (
                f"{self.root} has no catalogue yet ({self.catalogue_path.name}); open it with "
                "update=True (the default) or run: irispy-plus archive index ROOT"
            )
            raise IrispyPlusFileError(msg)
        else:
            self.table = observations_table(self._records.values())

    # --- the catalogue on disk ----------------------------------------------------------
    def _load(self):
        if not self.files_path.exists():
            return
        try:
            table = Table.read(self.files_path, format="ascii.ecsv")
            if table.meta.get("irispy_plus_catalogue_version") != _FORMAT_VERSION:
                log.debug("%s is of another version; indexing again", self.files_path)
                return
            self._records = _records_from_table(table)
        except (OSError, ValueError, KeyError, TypeError) as error:
            warn_user(
                f"The catalogue {self.files_path} could not be read ({error}); the tree is indexed again."
            )
            self._records = {}

    def update(self):
        """
        Index new and changed files, forget removed ones, and save the catalogue.

        Returns
        -------
        IndexReport
            What was read, kept and removed.

        Raises
        ------
        IrispyPlusError
            On a sliced archive (update the full archive it came from).
        """
        if self._parent is not None:
            msg = "This archive is a selection; update the full Archive it was selected from."
            raise IrispyPlusError(msg)
        start = time.perf_counter()
        report = IndexReport()
        skip = {self.catalogue_path.name, self.files_path.name}
        found = candidate_files(self.root, skip=skip)
        report.removed = len(set(self._records) - set(found))
        records = {}
        for relative, stat in found.items():
            old = self._records.get(relative)
            if (
                old is not None
                and not isinstance(stat, OSError)
                and old.size == stat.st_size
                and old.mtime_ns == stat.st_mtime_ns
            ):
                records[relative] = old
                report.kept += 1
                continue
            records[relative] = read_record(self.root, relative, stat)
            report.read += 1
        report.errors = sum(bool(record.error) for record in records.values())
        changed = report.read or report.removed or not self.catalogue_path.exists()
        self._records = records
        self.table = observations_table(records.values())
        if changed:
            self._save()
        report.seconds = time.perf_counter() - start
        self.last_update = report
        log.debug(
            "Indexed %s: %s files read, %s kept, %s removed, %s with errors, in %.2f s",
            self.root,
            report.read,
            report.kept,
            report.removed,
            report.errors,
            report.seconds,
        )
        return report

    def _save(self):
        try:
            _write_ecsv(_files_table(list(self._records.values())), self.files_path)
            _write_ecsv(self.table, self.catalogue_path)
        except IrispyPlusError as error:
            warn_user(
                f"The catalogue could not be saved ({error}); it is kept in memory only. Pass "
                "catalogue= a writable path to keep it."
            )

    # --- what is in it ------------------------------------------------------------------
    @property
    def errors(self):
        """
        The files that could not be indexed, with why: a table of ``path`` and ``error``.
        """
        bad = [record for record in self._records.values() if record.error]
        return Table(
            {"path": [r.path for r in bad], "error": [r.error for r in bad]},
            dtype=[str, str],
        )

    @property
    def obs_ids(self):
        """The observation ids, ``YYYYMMDD_HHMMSS_OBSID``, in the table's order."""
        return [str(value) for value in self.table["obs_id"]]

    def __len__(self):
        return len(self.table)

    def _row(self, index):
        row = self.table[index]
        values = {}
        for name in self.table.colnames:
            value = row[name]
            if isinstance(value, Time):
                value = value.isot
            elif isinstance(value, u.Quantity):
                value = float(value.value)
            elif isinstance(value, np.generic):
                value = value.item()
            values[name] = value
        return values

    def observation(self, index):
        """
        One observation, by position or observation id.

        Parameters
        ----------
        index : int or str

        Returns
        -------
        Observation

        Raises
        ------
        IrispyPlusError
            If there is no such observation.
        """
        if isinstance(index, str):
            matches = np.flatnonzero(np.asarray(self.table["obs_id"]) == index)
            if not len(matches):
                msg = f"The archive {self.root} has no observation {index!r}."
                raise IrispyPlusError(msg)
            index = int(matches[0])
        try:
            return Observation(self.root, self._row(int(index)))
        except IndexError:
            msg = f"Observation {index} is out of range: the archive holds {len(self)}."
            raise IrispyPlusError(msg) from None

    def __getitem__(self, item):
        if isinstance(item, int | np.integer | str):
            return self.observation(item)
        return self._sliced(self.table[item])

    def __iter__(self):
        for index in range(len(self)):
            yield self.observation(index)

    def _sliced(self, table):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.table = table
        new._parent = self._parent or self
        return new

    def select(self, **criteria):
        """
        The observations that meet every criterion given, as a sliced `Archive`.

        Parameters
        ----------
        **criteria
            See `irispy_plus.archive.select_mask` for every criterion: ``time``,
            ``obsid``, ``description``, ``windows``, ``bands``, ``fov_x``, ``fov_y``,
            ``distance``, ``steps``, ``repeats``.

        Returns
        -------
        Archive

        Examples
        --------
        >>> import astropy.units as u
        >>> from irispy_plus.archive import Archive
        >>> from irispy_plus.testing.archives import make_archive
        >>> archive = Archive(make_archive(tmp_path / "iris", n_observations=4))
        >>> len(archive.select(time=("2015-01-02", "2015-01-03 12:00"), windows="Si IV 1403"))
        2
        >>> len(archive.select(distance=(None, 900 * u.arcsec)))
        3
        """
        from irispy_plus.archive._query import select_mask

        return self._sliced(self.table[select_mask(self.table, **criteria)])

    def map(self, func, client=None, out="irispy-plus-batch", **kwargs):
        """
        Run ``func(observation)`` for every observation on a dask cluster, keeping each
        result in an ASDF file. See `irispy_plus.archive.run_map` for the parameters.

        Returns
        -------
        RunReport
        """
        from irispy_plus.archive._batch import run_map

        return run_map(self, func, client=client, out=out, **kwargs)

    def __repr__(self):
        n_files = len(self._records)
        header = (
            f"<Archive of {len(self)} observations in {self.root}: {n_files} files indexed, "
            f"{len(self.errors)} unreadable>"
        )
        if not len(self):
            return header
        shown = self.table["obs_id", "description", "start", "n_steps", "windows", "sji_bands"]
        return "\n".join([header, *shown.pformat(max_lines=12, max_width=120)])
