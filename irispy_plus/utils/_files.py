"""
Files that come from outside, opened safely: only regular files (a FIFO or a device would
block a reader or never end), and in-memory contents read as files without a copy.
"""

import io
import os
import stat

from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["BufferFile", "open_regular", "require_regular_file"]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def require_regular_file(path):
    """
    Check that ``path`` (followed through symbolic links) is a regular file.

    A FIFO would block the reader forever and a device could never end, so they are
    refused before they are opened.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    os.stat_result
        The file's status.

    Raises
    ------
    IrispyPlusFileError
        If ``path`` does not exist, cannot be examined, or is not a regular file.

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.utils._files import require_regular_file
    >>> require_regular_file(sample.SJI_1400).st_size
    184320
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        msg = f"{path} does not exist. Check the path, or download the file first (irispy-plus fetch)."
        raise IrispyPlusFileError(msg) from None
    except (OSError, ValueError) as error:
        msg = f"{path} cannot be examined ({error}). Check the path and its permissions."
        raise IrispyPlusFileError(msg) from None
    _check_regular(path, status)
    return status


def _check_regular(path, status):
    if stat.S_ISREG(status.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
    link = " (through a symbolic link)" if os.path.islink(path) else ""
    msg = (
        f"{path} is {kind}{link}, not a regular file; irispy-plus reads only regular files, "
        "since a FIFO or a device could block or never end. Give the path of the file itself."
    )
    raise IrispyPlusFileError(msg)


def open_regular(path):
    """
    Open a regular file for binary reading, refusing anything else without blocking.

    The file is opened non-blocking and checked again through its descriptor, so a FIFO
    swapped in after the first check cannot block either.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    io.BufferedReader

    Raises
    ------
    IrispyPlusFileError
        If ``path`` is not a regular file or cannot be opened.
    """
    require_regular_file(path)
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        msg = f"{path} cannot be opened ({error.strerror}). Check its permissions."
        raise IrispyPlusFileError(msg) from None
    try:
        _check_regular(path, os.fstat(descriptor))
        if nonblocking:
            os.set_blocking(descriptor, True)
        return open(descriptor, "rb", closefd=True)
    except BaseException:
        os.close(descriptor)
        raise


class BufferFile(io.RawIOBase):
    """
    A read-only, seekable binary file over a buffer, without copying it (unlike
    `io.BytesIO`, which copies anything but `bytes`).

    Parameters
    ----------
    buffer : bytes-like
        The content.

    Examples
    --------
    >>> from irispy_plus.utils._files import BufferFile
    >>> file = BufferFile(bytearray(b"SIMPLE  =   T"))
    >>> file.seek(9), file.read(4)
    (9, b'  T')
    """

    def __init__(self, buffer):
        self._view = memoryview(buffer).toreadonly().cast("B")
        self._position = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        start = min(self._position, len(self._view))
        size = min(len(buffer), len(self._view) - start)
        buffer[:size] = self._view[start : start + size]
        self._position = start + size
        return size

    def seek(self, offset, whence=io.SEEK_SET):
        base = (0, self._position, len(self._view))[whence]
        position = base + offset
        if position < 0:
            msg = f"negative seek position {position}"
            raise ValueError(msg)
        self._position = position
        return position

    def tell(self):
        return self._position
