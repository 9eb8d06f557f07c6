"""
Turn what a user passes to `read_files` into IRIS Level 2 files: paths, folders, glob
patterns, ``.fits.gz`` files and ``*_raster.tar.gz`` archives (read in memory, never
unpacked to disk).
"""

import glob
import gzip
import tarfile
import zlib
from pathlib import Path

from irispy_plus.io._layout import Level2File
from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["expand_sources", "open_sources"]

_FITS_PATTERNS = ("iris_l2_*.fits", "iris_l2_*.fits.gz", "iris_l2_*.tar.gz")


def expand_sources(sources):
    """
    The files named by ``sources``, in a stable order.

    Parameters
    ----------
    sources : str, pathlib.Path or iterable of them
        Files, folders (their IRIS Level 2 files are taken, in sub-folders too) or glob
        patterns.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    IrispyPlusFileError
        If a path does not exist, or nothing matched.
    """
    if isinstance(sources, str | Path):
        sources = [sources]
    paths = []
    for source in sources:
        text = str(source)
        if any(character in text for character in "*?["):
            matched = sorted(glob.glob(text))
            if not matched:
                msg = f"No file matches the pattern {text!r}."
                raise IrispyPlusFileError(msg)
            paths.extend(Path(match) for match in matched)
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            found = sorted({match for pattern in _FITS_PATTERNS for match in path.rglob(pattern)})
            if not found:
                msg = f"The folder {path} holds no IRIS Level 2 files (iris_l2_*.fits, .fits.gz, .tar.gz)."
                raise IrispyPlusFileError(msg)
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            msg = f"{path} does not exist. Check the path, or download the file first (irispy-plus fetch)."
            raise IrispyPlusFileError(msg)
    if not paths:
        msg = "read_files was given no files."
        raise IrispyPlusFileError(msg)
    return paths


def open_sources(sources):
    """
    Open every file named by ``sources`` as a `Level2File` (headers only; compressed
    files are decompressed in memory).

    Parameters
    ----------
    sources : str, pathlib.Path or iterable of them
        As for `expand_sources`.

    Returns
    -------
    list of Level2File
    """
    layouts = []
    for path in expand_sources(sources):
        name = path.name
        if name.endswith((".tar.gz", ".tgz", ".tar")):
            layouts.extend(_open_tar(path))
        elif name.endswith(".gz"):
            layouts.append(Level2File(_gunzip(path), name=str(path)))
        else:
            layouts.append(Level2File(path))
    return layouts


def _gunzip(path):
    try:
        with gzip.open(path, "rb") as file:
            return file.read()
    except (OSError, EOFError, zlib.error) as error:
        msg = f"{path} is not a valid gzip file ({error}); it may be cut short or corrupt. Download it again."
        raise IrispyPlusFileError(msg) from error


def _open_tar(path):
    try:
        with tarfile.open(path, "r:*") as archive:
            members = sorted(
                (
                    member
                    for member in archive.getmembers()
                    if member.isfile() and member.name.endswith(".fits")
                ),
                key=lambda member: member.name,
            )
            if not members:
                msg = f"The archive {path} holds no FITS files."
                raise IrispyPlusFileError(msg)
            return [
                Level2File(archive.extractfile(member).read(), name=f"{path}:{member.name}")
                for member in members
            ]
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        if isinstance(error, IrispyPlusFileError):
            raise
        msg = f"{path} could not be read as a tar archive ({error}); it may be cut short. Download it again."
        raise IrispyPlusFileError(msg) from error
