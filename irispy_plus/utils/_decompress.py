"""
Bounded, checked decompression of files that come from outside: gzip streams and tar
archives (opened only if regular files, see `irispy_plus.utils._files`) are streamed to
their end, so that their CRC and length are checked, with limits on the decompressed size
and on the number of archive members.

Both the readers (`irispy_plus.io`, which decompress into memory) and the download
unpacker (`irispy_plus.net`, which writes to disk) use these functions; the limits come
from `irispy_plus.utils.config.conf`, lowered to what the memory or the disk can hold.
"""

import dataclasses
import gzip
import io
import os
import shutil
import tarfile
import zlib

from irispy_plus.utils._files import open_regular
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusDamagedFileError, IrispyPlusError, IrispyPlusLimitError

__all__ = [
    "Limits",
    "available_memory",
    "gunzip_to_memory",
    "iter_gunzip",
    "iter_tar",
    "read_tar_to_memory",
]

_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
#: What a damaged compressed stream raises, from gzip, zlib and tarfile.
_DAMAGE = (EOFError, zlib.error, tarfile.TarError, gzip.BadGzipFile)


def _size_text(size):
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


# --- limits --------------------------------------------------------------------------------


def available_memory():
    """
    The memory the system can still give, in bytes (``MemAvailable``), or None if unknown.
    """
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


@dataclasses.dataclass(frozen=True)
class Limits:
    """
    How much one compressed file may unpack to, and how many members an archive may hold.

    Parameters
    ----------
    max_bytes : int
        The most decompressed bytes (for a tar archive: of the whole tar stream).
    max_members : int
        The most members of a tar archive.
    advice : str
        What sets ``max_bytes`` and what to do about it, for the error message.

    Examples
    --------
    >>> from irispy_plus.utils import config
    >>> from irispy_plus.utils._decompress import Limits
    >>> with config.conf.set_temp("max_decompressed_size", 2**20):
    ...     Limits.configured().max_bytes
    1048576
    """

    max_bytes: int
    max_members: int
    advice: str

    @classmethod
    def configured(cls):
        """
        The configured limits (``max_decompressed_size``, ``max_archive_members``).
        """
        return cls(
            int(conf.max_decompressed_size),
            int(conf.max_archive_members),
            "If the file is genuine, raise irispy_plus.utils.config.conf.max_decompressed_size "
            "(or max_decompressed_size in irispy_plus.cfg).",
        )

    @classmethod
    def for_memory(cls):
        """
        The configured limits, lowered to half the memory available now.
        """
        limits = cls.configured()
        available = available_memory()
        if available is not None and available // 2 < limits.max_bytes:
            advice = (
                f"That is half the memory available now ({_size_text(available)}). Unpack the file "
                "to disk first (gunzip, or tar -xzf), then read the .fits files: they are "
                "memory-mapped, not read whole."
            )
            return cls(available // 2, limits.max_members, advice)
        return limits

    @classmethod
    def for_folder(cls, folder):
        """
        The configured limits, lowered to the free space of ``folder``.
        """
        limits = cls.configured()
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return limits
        if free < limits.max_bytes:
            advice = f"That is the free space in {folder}: make room there or choose another folder."
            return cls(free, limits.max_members, advice)
        return limits

    def too_large(self, name, declared=None):
        """
        The error for ``name`` unpacking to more than ``max_bytes``.
        """
        what = "unpacks to more than"
        if declared:
            what = f"declares a member of {_size_text(declared)}, more than"
        msg = (
            f"{name} {what} the {_size_text(self.max_bytes)} allowed; it was refused while "
            f"unpacking (a file that expands that much may be a decompression bomb). {self.advice}"
        )
        return IrispyPlusLimitError(msg)

    def too_many_members(self, name):
        """
        The error for the archive ``name`` holding more than ``max_members`` members.
        """
        msg = (
            f"{name} holds more than {self.max_members} members, the most allowed; it was refused. "
            "If the archive is genuine, raise irispy_plus.utils.config.conf.max_archive_members."
        )
        return IrispyPlusLimitError(msg)


# --- streams -------------------------------------------------------------------------------


def _damaged(name, error):
    return IrispyPlusDamagedFileError(
        f"{name} is damaged or incomplete ({type(error).__name__}: {error}); none of its values "
        "were used. Download it again."
    )


class _BoundedReader(io.RawIOBase):
    """
    A raw stream over the decompressed bytes of ``source`` that counts them, refuses more
    than ``limits.max_bytes`` and names the file in any error of the stream.
    """

    def __init__(self, source, name, limits):
        self._source = source
        self._name = name
        self._limits = limits
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            size = self._source.readinto(buffer)
        except IrispyPlusError:
            raise
        except (*_DAMAGE, OSError) as error:
            raise _damaged(self._name, error) from error
        self.count += size
        if self.count > self._limits.max_bytes:
            raise self._limits.too_large(self._name)
        return size

    def drain(self):
        """Read to the end of the stream: gzip checks its CRC and length there."""
        buffer = bytearray(_CHUNK)
        while self.readinto(buffer):
            pass


def _open_stream(name, limits, raw):
    """The decompressed stream of ``raw`` (an open file), gzip or not."""
    if raw.read(2) == _GZIP_MAGIC:
        raw.seek(0)
        return _BoundedReader(gzip.GzipFile(fileobj=raw, mode="rb"), name, limits)
    raw.seek(0)
    return _BoundedReader(raw, name, limits)


def iter_gunzip(path, limits=None, name=None):
    """
    The decompressed bytes of a gzip file, in chunks, streamed with a bound on their total.

    The iteration ends normally only once the CRC and length of the whole stream have been
    checked; otherwise it raises, so what was received is verified only when it ends.

    Parameters
    ----------
    path : path-like
        The ``.gz`` file (a regular file).
    limits : Limits, optional
        The limits; `Limits.configured` by default.
    name : str, optional
        How to name the file in messages; the path by default.

    Yields
    ------
    bytes
        Chunks of at most 1 MiB.

    Raises
    ------
    IrispyPlusFileError
        If ``path`` is not a regular file.
    IrispyPlusDamagedFileError
        If the stream is not gzip, is cut short or fails its CRC.
    IrispyPlusLimitError
        If it unpacks to more than ``limits.max_bytes``.
    """
    limits = limits or Limits.configured()
    name = name or str(path)
    with open_regular(path) as raw:
        try:
            stream = _BoundedReader(gzip.GzipFile(fileobj=raw, mode="rb"), name, limits)
        except _DAMAGE as error:
            raise _damaged(name, error) from error
        while chunk := stream.read(_CHUNK):
            yield chunk


def gunzip_to_memory(path, limits=None, name=None):
    """
    Decompress a gzip file into memory, checking its CRC and length.

    Parameters
    ----------
    path : path-like
        The ``.gz`` file (a regular file).
    limits : Limits, optional
        The limits; `Limits.for_memory` by default.
    name : str, optional
        How to name the file in messages; the path by default.

    Returns
    -------
    bytearray
        The decompressed content.

    Raises
    ------
    IrispyPlusFileError
        If ``path`` is not a regular file.
    IrispyPlusDamagedFileError
        If the stream is not gzip, is cut short or fails its CRC.
    IrispyPlusLimitError
        If it unpacks to more than ``limits.max_bytes``; memory then stays below that.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.testing.files import write_gzip
    >>> from irispy_plus.utils._decompress import gunzip_to_memory
    >>> packed = write_gzip(sample.SJI_1400, Path(tempfile.mkdtemp()) / "sji.fits.gz")
    >>> len(gunzip_to_memory(packed))
    184320
    """
    limits = limits or Limits.for_memory()
    name = name or str(path)
    with open_regular(path) as raw:
        try:
            stream = _BoundedReader(gzip.GzipFile(fileobj=raw, mode="rb"), name, limits)
        except _DAMAGE as error:
            raise _damaged(name, error) from error
        return _read_all(stream, limits.max_bytes)


def _read_all(stream, max_bytes, size_hint=None):
    """Everything ``stream`` gives, read into one growing buffer (no second copy)."""
    content = bytearray(min(size_hint, max_bytes) if size_hint else 0)
    filled = 0
    while True:
        if filled == len(content):
            # Grow in place: large buffers are re-mapped, not copied, when they grow.
            content.extend(bytes(_CHUNK))
        # At most a chunk per read: a larger request makes gzip and tarfile build (and
        # join) that much in bytes of their own first, doubling or tripling the memory.
        with memoryview(content)[filled : filled + _CHUNK] as view:
            size = stream.readinto(view)
        if not size:
            break
        filled += size
    del content[filled:]
    return content


class _MemberReader(io.RawIOBase):
    """The data of one tar member, naming the archive in any error of the stream."""

    def __init__(self, source, name):
        self._source = source
        self._name = name

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            return self._source.readinto(buffer)
        except IrispyPlusError:
            raise
        except (*_DAMAGE, OSError) as error:
            raise _damaged(self._name, error) from error


def iter_tar(path, limits=None, name=None):
    """
    The members of a tar archive (gzipped or not), in archive order, streamed.

    Each member's data can be read while it is the current one. The archive is read to
    its end (the gzip CRC and length checked) before the iteration stops.

    Parameters
    ----------
    path : path-like
        The ``.tar.gz`` or ``.tar`` file (a regular file).
    limits : Limits, optional
        The limits; `Limits.configured` by default.
    name : str, optional
        How to name the archive in messages; the path by default.

    Yields
    ------
    tarfile.TarInfo, file object or None
        Each member and, for a regular file, a binary stream of its data.

    Raises
    ------
    IrispyPlusDamagedFileError
        If the archive is cut short, is not a tar archive or fails its CRC.
    IrispyPlusLimitError
        If it unpacks to more than ``limits.max_bytes`` (a member declaring more is
        refused before it is read) or holds more than ``limits.max_members`` members.
    """
    limits = limits or Limits.configured()
    name = name or str(path)
    with open_regular(path) as raw:
        try:
            stream = _open_stream(name, limits, raw)
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                for count, member in enumerate(archive, start=1):
                    if count > limits.max_members:
                        raise limits.too_many_members(name)
                    if member.size > limits.max_bytes - stream.count:
                        raise limits.too_large(name, declared=member.size)
                    data = archive.extractfile(member) if member.isfile() else None
                    yield member, (None if data is None else _MemberReader(data, name))
            stream.drain()
        except _DAMAGE as error:
            raise _damaged(name, error) from error


def read_tar_to_memory(path, accept, limits=None, name=None):
    """
    Read the regular members of a tar archive that ``accept`` takes into memory.

    Parameters
    ----------
    path : path-like
        The ``.tar.gz`` or ``.tar`` file (a regular file).
    accept : callable
        Called with each regular member's name; True keeps it.
    limits : Limits, optional
        The limits; `Limits.for_memory` by default.
    name : str, optional
        How to name the archive in messages; the path by default.

    Returns
    -------
    list of (str, bytearray)
        The kept members' names and contents, in archive order, returned only once the
        whole archive has been read and checked.

    Raises
    ------
    IrispyPlusDamagedFileError, IrispyPlusLimitError
        As for `iter_tar`.
    """
    limits = limits or Limits.for_memory()
    kept = []
    for member, data in iter_tar(path, limits, name):
        if data is not None and accept(member.name):
            kept.append((member.name, _read_all(data, member.size, size_hint=member.size)))
    return kept
