"""
Atomic file writing: a file is written under a temporary name (on Linux, no name at all)
in the same folder, flushed to disk, then renamed over the final name, so that a crash,
an interrupted write or a full disk never leaves a damaged file under the final name nor
destroys the old one.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["atomic_write"]


def _file_mode(path):
    """
    The permissions for the new file: those of the file it replaces, else the default
    for new files (0666 less the umask).
    """
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory):
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _open_anonymous(directory):
    """
    A file without a name in ``directory`` (Linux ``O_TMPFILE``), or None where the
    system or file system has none. Killed part way, such a write leaves nothing behind.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(directory, flag | os.O_RDWR, 0o600)
    except OSError:
        return None


def atomic_write(path, write):
    """
    Write a file atomically: ``write(fileobj)`` fills a temporary file in the same
    folder, which is flushed to disk and then renamed to ``path``.

    If anything fails part way (an error, a full disk, an interrupt), ``path`` keeps its
    old content (or still does not exist) and the temporary file is removed. On Linux
    the temporary file has no name until it is complete, so even a killed process
    leaves nothing behind.

    Parameters
    ----------
    path : pathlib.Path
        The final file name.
    write : callable
        Called with a binary file object open for writing.

    Raises
    ------
    IrispyPlusFileError
        If the folder does not exist or the file cannot be written.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        msg = f"Cannot save {path.name}: the folder {directory} does not exist. Create it first."
        raise IrispyPlusFileError(msg)
    mode = _file_mode(path)
    fd = _open_anonymous(directory)
    temporary = None
    try:
        if fd is None:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
            temporary = Path(name)
        with os.fdopen(fd, "w+b") as fileobj:
            fd = None
            write(fileobj)
            fileobj.flush()
            os.fchmod(fileobj.fileno(), mode)
            os.fsync(fileobj.fileno())
            if temporary is None:
                temporary = _link_anonymous(fileobj.fileno(), directory, path.name)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        msg = f"Could not write {path}: {error}. Any previous file of that name is unchanged."
        raise IrispyPlusFileError(msg) from error
    finally:
        if fd is not None:
            os.close(fd)
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    _fsync_directory(directory)
    return path


def _link_anonymous(fd, directory, name):
    """
    Give the anonymous file ``fd`` a unique temporary name in ``directory``.
    """
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        for _ in range(100):
            candidate = f".{name}.{os.urandom(6).hex()}.tmp"
            try:
                # Giving the directory descriptors makes Python call linkat() with
                # AT_SYMLINK_FOLLOW, which links the file itself, not the /proc entry.
                os.link(
                    f"/proc/self/fd/{fd}",
                    candidate,
                    src_dir_fd=directory_fd,
                    dst_dir_fd=directory_fd,
                    follow_symlinks=True,
                )
            except FileExistsError:
                continue
            return Path(directory) / candidate
    finally:
        os.close(directory_fd)
    msg = f"Could not find a free temporary name for {name} in {directory}."
    raise FileExistsError(msg)
