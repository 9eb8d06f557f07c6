"""
Turn what a user passes to `read_files` into IRIS Level 2 files: paths, folders, glob
patterns, ``.fits.gz`` files and ``*_raster.tar.gz`` archives (read in memory, never
unpacked to disk).

Only regular files are opened. Compressed files are read to the end of their stream, so
their CRC and length are checked before any value is used, with the limits of
`irispy_plus.utils.config.conf` on the decompressed size and the number of members.
"""

import glob
import os
from pathlib import Path

from irispy_plus.io._level2_file import Level2File
from irispy_plus.utils._decompress import gunzip_to_memory, read_tar_to_memory
from irispy_plus.utils._files import require_regular_file
from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["expand_sources", "open_sources"]

_FITS_PATTERNS = ("iris_l2_*.fits", "iris_l2_*.fits.gz", "iris_l2_*.tar.gz")


def _source_text(source):
    """The text of one source, or an error saying why it is not a path."""
    if isinstance(source, bytes | bytearray):
        msg = (
            f"read_files was given the bytes {bytes(source)[:60]!r} as a path; give a str or a "
            "pathlib.Path (os.fsdecode turns bytes into a str)."
        )
        raise IrispyPlusFileError(msg)
    if not isinstance(source, str | os.PathLike):
        msg = (
            f"read_files was given {source!r} ({type(source).__name__}) as a file; give a path "
            "(str or pathlib.Path), a folder, a glob pattern, or a list of them."
        )
        raise IrispyPlusFileError(msg)
    text = os.fspath(source)
    if isinstance(text, bytes):
        return _source_text(text)
    if not text.strip():
        msg = "read_files was given an empty path; give the file or folder to read."
        raise IrispyPlusFileError(msg)
    if "\0" in text:
        msg = f"read_files was given the path {text!r}, which holds a NUL character."
        raise IrispyPlusFileError(msg)
    return text


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
        If a source is not a path (bytes, a number), is empty, does not exist, is not a
        regular file or folder (a FIFO, a device), or nothing matched.

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.io import expand_sources
    >>> [path.name[-10:] for path in expand_sources(sample.SAMPLE_DIR / "sji")]
    ['_t000.fits', '_t000.fits']
    """
    if isinstance(sources, str | bytes | bytearray | os.PathLike):
        sources = [sources]
    elif not hasattr(sources, "__iter__"):
        _source_text(sources)
    paths: list[Path] = []
    for source in sources:
        text = _source_text(source)
        if any(character in text for character in "*?["):
            matched = sorted(glob.glob(text))
            if not matched:
                msg = f"No file matches the pattern {text!r}."
                raise IrispyPlusFileError(msg)
            paths.extend(_regular(Path(match)) for match in matched if not Path(match).is_dir())
            continue
        path = Path(text).expanduser()
        if path.is_dir():
            found = sorted({match for pattern in _FITS_PATTERNS for match in path.rglob(pattern)})
            if not found:
                msg = f"The folder {path} holds no IRIS Level 2 files (iris_l2_*.fits, .fits.gz, .tar.gz)."
                raise IrispyPlusFileError(msg)
            paths.extend(_regular(match) for match in found)
        else:
            paths.append(_regular(path))
    if not paths:
        msg = "read_files was given no files."
        raise IrispyPlusFileError(msg)
    return paths


def _regular(path):
    require_regular_file(path)
    return path


def open_sources(sources):
    """
    Open every file named by ``sources`` as a `Level2File` (headers only; compressed
    files are decompressed in memory, and checked to their end).

    Parameters
    ----------
    sources : str, pathlib.Path or iterable of them
        As for `expand_sources`.

    Returns
    -------
    list of Level2File

    Raises
    ------
    IrispyPlusFileError
        As for `expand_sources`, or if a file is not IRIS Level 2.
    IrispyPlusDamagedFileError
        If a file is cut short or a compressed file fails its CRC.
    IrispyPlusLimitError
        If a compressed file unpacks to more than the memory or the configuration allows.

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.io import open_sources
    >>> [(layout.kind, len(layout.windows)) for layout in open_sources(sample.SNS_RASTER)]
    [('raster', 8)]
    """
    layouts = []
    for path in expand_sources(sources):
        name = path.name
        if name.endswith((".tar.gz", ".tgz", ".tar")):
            layouts.extend(_open_tar(path))
        elif name.endswith(".gz"):
            layouts.append(Level2File(gunzip_to_memory(path), name=str(path)))
        else:
            layouts.append(Level2File(path))
    return layouts


def _open_tar(path):
    members = read_tar_to_memory(path, accept=lambda member: member.endswith(".fits"))
    if not members:
        msg = f"The archive {path} holds no FITS files."
        raise IrispyPlusFileError(msg)
    return [
        Level2File(content, name=f"{path}:{member}")
        for member, content in sorted(members, key=lambda item: item[0])
    ]
