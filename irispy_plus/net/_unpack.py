"""
Check and unpack downloaded IRIS files, so that no damaged file ever appears under a final name.

Every function writes to a hidden temporary name beside the destination, verifies what it
wrote (the gzip CRC and length, that each FITS file opens with all its headers and data),
and only then moves it to the final name with `os.replace`. Tar members that are links,
devices, absolute paths or that climb out of the target folder are refused.

Decompression is streamed and bounded (`irispy_plus.utils._decompress`): by the configured
``max_decompressed_size`` (lowered to the free space of the target folder) and
``max_archive_members``. On any failure, Ctrl-C included, the temporary file or staging
folder is removed before the error goes on.
"""

import filecmp
import os
import re
import shutil
import tarfile
import tempfile
import warnings
import zlib
from pathlib import Path, PurePosixPath

from astropy.io import fits

from irispy_plus.utils._decompress import Limits, iter_gunzip, iter_tar
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusFileError
from irispy_plus.utils.logger import log

__all__ = ["check_fits", "check_gzip", "gunzip_fits", "untar_fits"]

_CHUNK = 4 << 20
# Words of the warnings astropy gives for a FITS file cut short or with a broken last header.
_SIGNS_OF_DAMAGE = re.compile(r"truncated|corrupt", re.IGNORECASE)
_DAMAGED = (OSError, EOFError, zlib.error, tarfile.TarError, ValueError)


def _damaged(url, error):
    if isinstance(error, IrispyPlusFileError):
        # Named already (a failed CRC, a limit): say what became of the download.
        return IrispyPlusDownloadError(f"{error} Nothing was kept under its name.")
    return IrispyPlusDownloadError(
        f"The file downloaded from {url} is damaged or incomplete ({type(error).__name__}: {error}); "
        "nothing was kept under its name. Download it again (Fido.fetch(results) retries failures)."
    )


def _name(source, url):
    return f"The file downloaded from {url}" if url else str(source)


def check_fits(path, url=""):
    """
    Check that a FITS file opens with every header and that its data are all there.

    Parameters
    ----------
    path : path-like
        The FITS file.
    url : str, optional
        Where it came from, for the message.

    Raises
    ------
    IrispyPlusDownloadError
        If it is not a FITS file or is shorter than its headers say.

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.net._unpack import check_fits
    >>> check_fits(sample.SJI_1400)
    """
    path = Path(path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with fits.open(path, memmap=False, lazy_load_hdus=False) as hdul:
                end = max(hdu._data_offset + hdu._data_size for hdu in hdul)
        damaged = [str(w.message) for w in caught if _SIGNS_OF_DAMAGE.search(str(w.message))]
        if damaged:
            raise OSError(damaged[0].strip())
        if end > path.stat().st_size:
            msg = f"the data end at byte {end} but the file has {path.stat().st_size}"
            raise OSError(msg)
    except _DAMAGED as error:
        raise IrispyPlusDownloadError(
            f"{path.name} (from {url or 'disk'}) is not a complete FITS file: {error}."
        ) from error


def check_gzip(path, url=""):
    """
    Read a gzip file to its end, which checks its CRC and length.

    Parameters
    ----------
    path : path-like
        The ``.gz`` file.
    url : str, optional
        Where it came from, for the message.

    Raises
    ------
    IrispyPlusDownloadError
        If the file is not gzip, is cut short, fails its CRC or unpacks to more than the
        configured ``max_decompressed_size``.
    """
    try:
        for _ in iter_gunzip(path, Limits.configured(), _name(path, url)):
            pass
    except _DAMAGED as error:
        raise _damaged(url, error) from error


def _temporary_file(destination):
    descriptor, name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
    )
    os.close(descriptor)
    return Path(name)


def gunzip_fits(source, destination, url=""):
    """
    Decompress a ``.fits.gz`` file to ``destination`` once it is verified.

    Parameters
    ----------
    source : path-like
        The downloaded ``.fits.gz`` file (left in place).
    destination : path-like
        The ``.fits`` file to make.
    url : str, optional
        Where the download came from, for the message.

    Returns
    -------
    pathlib.Path
        ``destination``.

    Raises
    ------
    IrispyPlusDownloadError
        If the gzip stream is damaged, unpacks to more than the limits allow, or the result
        is not a complete FITS file; then ``destination`` is not created (nor changed, if
        it existed).

    Examples
    --------
    >>> import gzip, shutil, tempfile
    >>> from pathlib import Path
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.net._unpack import gunzip_fits
    >>> tmp_path = Path(tempfile.mkdtemp())
    >>> packed = tmp_path / "sji.fits.gz"
    >>> with open(sample.SJI_1400, "rb") as raw, gzip.open(packed, "wb") as out:
    ...     shutil.copyfileobj(raw, out)
    >>> gunzip_fits(packed, tmp_path / "sji.fits").stat().st_size
    184320
    """
    destination = Path(destination)
    temporary = _temporary_file(destination)
    try:
        limits = Limits.for_folder(destination.parent)
        with open(temporary, "wb") as out:
            try:
                for chunk in iter_gunzip(source, limits, _name(source, url)):
                    out.write(chunk)
            except (IrispyPlusFileError, zlib.error, EOFError) as error:
                raise _damaged(url, error) from error
        check_fits(temporary, url)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)
    log.debug("unpacked %s to %s", source, destination)
    return destination


def _member_path(member, url):
    """The safe relative path of a tar member, or an error saying why it is refused."""
    name = PurePosixPath(member.name)
    if member.issym() or member.islnk():
        problem = f"is a link (to {member.linkname!r})"
    elif not (member.isfile() or member.isdir()):
        problem = "is a device, FIFO or other special file"
    elif name.is_absolute() or ".." in name.parts or "\\" in member.name or ":" in member.name:
        problem = "has a path that leaves the target folder"
    else:
        return Path(*[part for part in name.parts if part not in ("", ".")])
    return IrispyPlusDownloadError(
        f"The archive downloaded from {url} holds a member {member.name!r} that {problem}; "
        "it was refused and nothing was unpacked."
    )


def _refuse_replacing_other_files(staging, folder, members, url):
    """
    Refuse an archive whose members would replace different files already in ``folder``
    (say, a slit-jaw file fetched beside it): unpacking the same archive again is fine.
    """
    for relative in members:
        target = folder / relative
        if target.exists() and not filecmp.cmp(staging / relative, target, shallow=False):
            msg = (
                f"The archive downloaded from {url} holds {relative}, but {target} already exists "
                "with other contents; it is left as it is and nothing is unpacked. Move or remove "
                "that file, or unpack into another folder."
            )
            raise IrispyPlusDownloadError(msg)


def untar_fits(source, folder, url=""):
    """
    Unpack a ``.tar.gz`` of FITS files (a ``raster.tar.gz``) into ``folder``, safely.

    Members are written to a hidden temporary folder beside ``folder``; only when the whole
    archive has been read (gzip CRC checked) and every FITS file verified are they moved
    into ``folder``.

    Parameters
    ----------
    source : path-like
        The downloaded ``.tar.gz`` file (left in place).
    folder : path-like
        The folder to put the files in (made if missing).
    url : str, optional
        Where the download came from, for the message.

    Returns
    -------
    list of pathlib.Path
        The unpacked files, sorted.

    Raises
    ------
    IrispyPlusDownloadError
        If the archive is damaged, unpacks to more than the limits allow, holds more
        members than ``max_archive_members``, a link, a special file or a member whose
        path leaves the folder, or a member is not a complete FITS file; then nothing is
        moved into ``folder``.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".part"))
    try:
        members = []
        limits = Limits.for_folder(folder.parent)
        try:
            # Streamed in archive order; the stream is read to its end (CRC and length).
            for member, data in iter_tar(source, limits, _name(source, url)):
                relative = _member_path(member, url)
                if isinstance(relative, Exception):
                    raise relative
                if member.isdir():
                    continue
                if relative in members:
                    msg = (
                        f"The archive downloaded from {url} holds {relative} twice; the second "
                        "would overwrite the first. The archive is not usable as it is."
                    )
                    raise IrispyPlusDownloadError(msg)
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                with open(staging / relative, "wb") as out:
                    shutil.copyfileobj(data, out, _CHUNK)
                members.append(relative)
        except (IrispyPlusFileError, zlib.error, EOFError, tarfile.TarError) as error:
            raise _damaged(url, error) from error
        if not members:
            msg = f"The archive downloaded from {url} holds no files."
            raise IrispyPlusDownloadError(msg)
        for relative in members:
            if relative.suffix.lower() in (".fits", ".fts", ".fit"):
                check_fits(staging / relative, url)
        _refuse_replacing_other_files(staging, folder, members, url)
        finished = []
        for relative in members:
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, folder / relative)
            finished.append(folder / relative)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.debug("unpacked %s into %s (%d files)", source, folder, len(finished))
    return sorted(finished)
