"""
Read what the catalogue needs from IRIS Level 2 files: the primary header only.

The index reads one header per file (per member of a raster tarball), never the data,
the window extensions or the per-exposure tables: `irispy_plus.io.Level2File` parses
every extension header and checks the windows, about four times the work, which only
pays when the file is read. A file that cannot be indexed (not FITS, not IRIS Level 2,
truncated, a damaged archive) gives a record with its error instead.
"""

import gzip
import math
import os
import tarfile
import warnings
import zlib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from astropy.io import fits
from astropy.time import Time
from astropy.utils.exceptions import AstropyUserWarning

from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["FILE_SUFFIXES", "FileRecord", "candidate_files", "observation_id", "read_record"]

#: File names the index looks at; anything else in the tree is ignored.
FILE_SUFFIXES = (".fits", ".fts", ".fit", ".fits.gz", ".fts.gz", ".tar.gz", ".tgz", ".tar")
_BLOCK = 2880
_BYTES = {8: 1, 16: 2, 32: 4, 64: 8, -32: 4, -64: 8}


@dataclass
class FileRecord:
    """
    What the index keeps of one file: its size and time stamp (to see it change), and
    either the observation facts of its primary header or the error that stopped it.

    A raster tarball is one record; ``n_files`` counts its FITS members.
    """

    path: str
    size: int
    mtime_ns: int
    kind: str = ""
    obs_id: str = ""
    obsid: int = 0
    description: str = ""
    start: str = ""
    end: str = ""
    n_steps: int = 0
    n_repeats: int = 0
    raster_cadence: float = math.nan
    step_cadence: float = math.nan
    step_size: float = math.nan
    windows: str = ""
    band: str = ""
    fov_x: float = math.nan
    fov_y: float = math.nan
    x_cen: float = math.nan
    y_cen: float = math.nan
    n_exposures: int = 0
    n_files: int = 0
    error: str = ""
    _extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def columns(cls):
        """The names of the stored fields, in order."""
        return [item.name for item in fields(cls) if not item.name.startswith("_")]


def observation_id(obsid, start):
    """
    The folder name of an observation in LMSAL's archive and in `Fido.fetch`'s layout:
    ``YYYYMMDD_HHMMSS_OBSID``.

    Parameters
    ----------
    obsid : int or str
        The OBSID.
    start : str or astropy.time.Time
        STARTOBS.

    Returns
    -------
    str

    Examples
    --------
    >>> from irispy_plus.archive._index import observation_id
    >>> observation_id(3620258102, "2021-09-05T00:18:33.640")
    '20210905_001833_3620258102'
    """
    text = Time(start, scale="utc").strftime("%Y%m%d_%H%M%S")
    return f"{text}_{int(obsid)}"


def candidate_files(root, skip=()):
    """
    The files under ``root`` whose names look like IRIS Level 2 files or archives, with
    their ``os.stat`` results; hidden files and folders are skipped.

    Parameters
    ----------
    root : pathlib.Path
        The top of the tree.
    skip : collection of str
        File names (in ``root`` itself) not to list, such as the catalogue.

    Returns
    -------
    dict
        Path relative to ``root`` (POSIX form) -> ``os.stat_result``.
    """
    found = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            found[Path(folder).relative_to(root).as_posix() + "/"] = error
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.name.lower().endswith(FILE_SUFFIXES) and not (folder is root and entry.name in skip):
                try:
                    found[Path(entry.path).relative_to(root).as_posix()] = entry.stat()
                except OSError as error:
                    found[Path(entry.path).relative_to(root).as_posix()] = error
    return dict(sorted(found.items()))


#: The primary-header keywords the index reads (and TDESCn); the others are skipped.
_WANTED = frozenset(
    (
        b"SIMPLE", b"BITPIX", b"NAXIS", b"NAXIS1", b"NAXIS2", b"NAXIS3", b"INSTRUME", b"DATA_LEV",
        b"OBSID", b"STARTOBS", b"ENDOBS", b"DATE_END", b"OBS_DESC", b"NRASTERP", b"RASNRPT",
        b"CADPL_AV", b"STEPT_AV", b"STEPS_AV", b"FOVX", b"FOVY", b"XCEN", b"YCEN", b"NWIN", b"NEXP",
        b"TWAVE1",
    )
)  # fmt: skip
_MAX_HEADER_BLOCKS = 1000


def _header(fileobj, name):
    """
    The cards of a primary header that the index uses, parsed by astropy.

    The header is read block by block up to its END card; only the wanted cards (about
    25 of the 300 of an IRIS header, with any CONTINUE cards of long strings) are parsed,
    which makes indexing several times faster than parsing the whole header.
    """
    cards = []
    continued = False
    for number in range(_MAX_HEADER_BLOCKS):
        block = fileobj.read(_BLOCK)
        if number == 0 and not block.startswith(b"SIMPLE  ="):
            msg = (
                f"{name} could not be read as a FITS file (it does not start with SIMPLE =); "
                "it is damaged or not FITS."
            )
            raise IrispyPlusFileError(msg)
        if len(block) < _BLOCK:
            msg = f"{name} ends inside its primary header (no END card): it is truncated or damaged."
            raise IrispyPlusFileError(msg)
        for offset in range(0, _BLOCK, 80):
            image = block[offset : offset + 80]
            keyword = image[:8].rstrip()
            if keyword == b"END":
                return _parse(b"".join(cards), name)
            if keyword in _WANTED or keyword.startswith(b"TDESC") or (continued and keyword == b"CONTINUE"):
                cards.append(image)
                continued = image.rstrip().endswith(b"&'")
            else:
                continued = False
    msg = (
        f"{name} has no END card in its first {_MAX_HEADER_BLOCKS} header blocks; it is damaged or not FITS."
    )
    raise IrispyPlusFileError(msg)


def _parse(images, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AstropyUserWarning)
        try:
            return fits.Header.fromstring(images.decode("ascii", "replace"))
        except (OSError, ValueError) as error:
            msg = f"{name} has a primary header astropy cannot parse ({error}); it is damaged."
            raise IrispyPlusFileError(msg) from error


def _data_bytes(header):
    naxis = int(header.get("NAXIS", 0))
    if naxis == 0:
        return 0
    count = math.prod(int(header.get(f"NAXIS{axis}", 0)) for axis in range(1, naxis + 1))
    return count * _BYTES.get(int(header.get("BITPIX", 8)), 1)


def _float(header, key):
    try:
        return float(header[key])
    except (KeyError, TypeError, ValueError):
        return math.nan


def _int(header, key):
    try:
        return int(header[key])
    except (KeyError, TypeError, ValueError):
        return 0


def _isot(value):
    """A FITS time string as ISO ``YYYY-MM-DDTHH:MM:SS.sss`` (UTC), checked."""
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return Time(text, scale="utc").isot  # a leap second, or another FITS form
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds")


def _fill(record, header, name):
    """Put the observation facts of a primary header into ``record``."""
    instrument = str(header.get("INSTRUME", "")).strip()
    level = header.get("DATA_LEV", -1)
    if instrument not in ("SPEC", "SJI") or not isinstance(level, int | float) or round(level) != 2:
        msg = (
            f"{name} is not an IRIS Level 2 file (INSTRUME={instrument or 'missing'!r}, "
            f"DATA_LEV={header.get('DATA_LEV', 'missing')!r})."
        )
        raise IrispyPlusFileError(msg)
    missing = [key for key in ("OBSID", "STARTOBS") if key not in header]
    if missing:
        msg = f"{name} lacks the keyword(s) {', '.join(missing)} that every IRIS Level 2 file has."
        raise IrispyPlusFileError(msg)
    try:
        start = _isot(header["STARTOBS"])
        record.obs_id = (
            f"{start[:10].replace('-', '')}_{start[11:19].replace(':', '')}_{int(header['OBSID'])}"
        )
        record.start = start
        end = header.get("ENDOBS", header.get("DATE_END"))
        record.end = _isot(end) if end else start
    except (TypeError, ValueError) as error:
        msg = f"{name}: OBSID {header['OBSID']!r} or STARTOBS {header['STARTOBS']!r} is not valid ({error})."
        raise IrispyPlusFileError(msg) from error
    record.kind = "raster" if instrument == "SPEC" else "sji"
    record.obsid = int(header["OBSID"])
    record.description = str(header.get("OBS_DESC", "")).strip()
    record.n_steps = _int(header, "NRASTERP")
    record.n_repeats = _int(header, "RASNRPT")
    record.raster_cadence = _float(header, "CADPL_AV")
    record.step_cadence = _float(header, "STEPT_AV")
    record.step_size = _float(header, "STEPS_AV")
    record.fov_x, record.fov_y = _float(header, "FOVX"), _float(header, "FOVY")
    record.x_cen, record.y_cen = _float(header, "XCEN"), _float(header, "YCEN")
    if record.kind == "raster":
        n_windows = _int(header, "NWIN")
        labels = [str(header.get(f"TDESC{index}", "")).strip() for index in range(1, n_windows + 1)]
        record.windows = ", ".join(label for label in labels if label)
        record.n_exposures = _int(header, "NEXP")
    else:
        wave = _float(header, "TWAVE1")
        record.band = f"SJI_{round(wave)}" if math.isfinite(wave) else str(header.get("TDESC1", "")).strip()
        record.n_exposures = _int(header, "NAXIS3")


def _read_fits(record, path, name):
    size = record.size
    with path.open("rb") as fileobj:
        header = _header(fileobj, name)
        data_start = fileobj.tell()
    if size % _BLOCK:
        msg = f"{name} is {size} bytes, not a whole number of 2880-byte FITS blocks: it is truncated."
        raise IrispyPlusFileError(msg)
    needed = data_start + _data_bytes(header)
    if size < needed:
        msg = f"{name} is truncated: its primary header describes {needed} bytes but it holds {size}."
        raise IrispyPlusFileError(msg)
    _fill(record, header, name)
    record.n_files = 1


def _read_gzip(record, path, name):
    try:
        with gzip.open(path, "rb") as fileobj:
            header = _header(fileobj, name)
    except (OSError, EOFError, zlib.error) as error:
        if isinstance(error, IrispyPlusFileError):
            raise
        msg = f"{name} is not a valid gzip file ({error}); it may be cut short."
        raise IrispyPlusFileError(msg) from error
    _fill(record, header, name)
    record.n_files = 1


def _read_tar(record, path, name):
    members = 0
    limit = int(conf.max_archive_members)
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if not (member.isfile() and member.name.lower().endswith((".fits", ".fts"))):
                    continue
                members += 1
                if members > limit:
                    msg = (
                        f"{name} holds more than {limit} FITS members (irispy_plus.conf.max_archive_members)."
                    )
                    raise IrispyPlusFileError(msg)
                if members == 1:
                    header = _header(archive.extractfile(member), f"{name}:{member.name}")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        if isinstance(error, IrispyPlusFileError):
            raise
        msg = f"{name} could not be read as a tar archive ({error}); it may be cut short."
        raise IrispyPlusFileError(msg) from error
    if not members:
        msg = f"{name} is an archive without FITS files."
        raise IrispyPlusFileError(msg)
    _fill(record, header, name)
    record.n_files = members


def read_record(root, relative, stat):
    """
    Index one file.

    Parameters
    ----------
    root : pathlib.Path
        The top of the tree.
    relative : str
        The file's path relative to ``root``.
    stat : os.stat_result or OSError
        What `candidate_files` found of it.

    Returns
    -------
    FileRecord
        With ``error`` set, and nothing else, if the file could not be indexed.
    """
    if isinstance(stat, OSError):
        return FileRecord(relative, 0, 0, error=f"{relative} could not be read: {stat}")
    record = FileRecord(relative, int(stat.st_size), int(stat.st_mtime_ns))
    path = root / relative
    lower = relative.lower()
    try:
        if lower.endswith((".tar.gz", ".tgz", ".tar")):
            _read_tar(record, path, relative)
        elif lower.endswith(".gz"):
            _read_gzip(record, path, relative)
        else:
            _read_fits(record, path, relative)
    except (IrispyPlusFileError, OSError) as error:
        text = (
            str(error) if isinstance(error, IrispyPlusFileError) else f"{relative} could not be read: {error}"
        )
        return FileRecord(relative, record.size, record.mtime_ns, error=text)
    return record
