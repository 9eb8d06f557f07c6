"""
Download HCR files with parfive and unpack them, with retries and no damaged file left behind.

Each file to get is a `FileTarget`: its URL, the ``.part`` name it downloads to, and where
the verified result goes. `fetch_targets` downloads every target in parallel, tries
transient failures again, unpacks (in threads) and returns a `parfive.Results`.
"""

import asyncio
import concurrent.futures
import dataclasses
import errno
import http.client
import os
import socket
import urllib.error
from pathlib import Path

import aiohttp
import parfive
import parfive.utils

from irispy_plus.net._config import conf, limits, timeout
from irispy_plus.net._http import Pace, TransferTooSlow, http_get, read_bounded
from irispy_plus.net._parfive import QuietDownloader, paced_session_config, quiet_parfive, run
from irispy_plus.net._safety import check_url, inside, safe_component
from irispy_plus.net._unpack import check_gzip, gunzip_fits, untar_fits
from irispy_plus.utils.exceptions import IrispyPlusDownloadError
from irispy_plus.utils.logger import log

__all__ = ["FAILURES", "FileTarget", "check_count", "fetch_targets"]

FAILURES = log.getChild("net.failures")
"""The logger of failed downloads: each failure is logged here once, as a warning."""

_CHUNK = 1 << 20


@dataclasses.dataclass(frozen=True)
class FileTarget:
    """
    One file to download: where it comes from and where its verified content goes.

    Parameters
    ----------
    url : str
        The download URL (its last segment is the compressed file name).
    directory : pathlib.Path
        Where the download and its result go; unpacked files go into ``directory/folder``.
    folder : str
        The folder of the observation, ``YYYYMMDD_HHMMSS_OBSID`` (used when unpacking).
    unpack : bool
        Unpack (``.fits.gz`` to ``.fits``, ``.tar.gz`` to its files) or keep it compressed.
    root : pathlib.Path, optional
        The folder the user chose; every path of the target must stay inside it (links
        resolved). By default ``directory``.

    Raises
    ------
    IrispyPlusDownloadError
        If the URL is not http(s) or does not end in a safe file name, the folder is not
        one safe name, or a path leaves ``root``.
    """

    url: str
    directory: Path
    folder: str
    unpack: bool = True
    root: Path | None = None

    def __post_init__(self):
        check_url(self.url)
        safe_component(self.folder, "observation folder", source=self.url)
        root = self.directory if self.root is None else self.root
        for path in (self.part, self.destination):
            if not inside(path, root):
                msg = f"The path {str(path)!r} for {self.url} leaves the chosen folder {str(root)!r}."
                raise IrispyPlusDownloadError(msg)

    @property
    def filename(self):
        """The compressed file name, the last segment of the URL's path."""
        return check_url(self.url)

    @property
    def part(self):
        """The name the download is written to until it is verified."""
        return self.directory / f"{self.filename}.part"

    @property
    def destination(self):
        """The final file (or, for an unpacked archive, the folder of its files)."""
        if not self.unpack:
            return self.directory / self.filename
        if self.filename.endswith(".tar.gz"):
            return self.directory / self.folder
        return self.directory / self.folder / self.filename.removesuffix(".gz")

    @property
    def report_path(self):
        """The path a retry through ``Fido.fetch(results)`` reports: the folder of the files."""
        return self.directory if not self.unpack else self.directory / self.folder

    def existing(self):
        """
        The final files already on disk for this target.

        Returns
        -------
        list of pathlib.Path
            Empty when the target still has to be fetched.
        """
        destination = self.destination
        if self.unpack and self.filename.endswith(".tar.gz"):
            stem = self.filename.removesuffix(".tar.gz")
            return sorted(destination.glob(f"{stem}_*.fits")) if destination.is_dir() else []
        return [destination] if destination.is_file() else []

    def part_name(self, response, url):
        """The file name parfive writes to (its ``filename`` callable)."""
        return self.part

    def finish(self):
        """
        Verify the downloaded ``.part`` file and move or unpack it to its final place.

        Returns
        -------
        list of pathlib.Path
            The final files.

        Raises
        ------
        IrispyPlusDownloadError
            If the download is damaged; no final file is made and the ``.part`` is removed.
        """
        try:
            if not self.unpack:
                check_gzip(self.part, self.url)
                os.replace(self.part, self.destination)
                return [self.destination]
            if self.filename.endswith(".tar.gz"):
                return untar_fits(self.part, self.destination, self.url)
            self.destination.parent.mkdir(parents=True, exist_ok=True)
            return [gunzip_fits(self.part, self.destination, self.url)]
        finally:
            self.part.unlink(missing_ok=True)

    def __call__(self, response, url):
        """
        Fetch this file again outside parfive's transfer: the hook of ``Fido.fetch(results)``.

        A failed download is listed in ``results.errors`` with this target as its file name
        callable; when sunpy retries it, parfive calls this, which downloads, verifies and
        unpacks the file itself and returns the folder that holds the result, which parfive
        (with ``overwrite=False``) then reports without writing anything.

        Returns
        -------
        pathlib.Path
            `report_path`.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        _download_directly(self.url, self.part)
        self.finish()
        return self.report_path


def _download_directly(url, part):
    """Stream ``url`` into ``part`` with the package time-out, checking the length."""
    pace = Pace(**limits("download"))
    try:
        with http_get(url) as response, open(part, "wb") as out:
            expected = response.headers.get("Content-Length")
            read_bounded(response, pace, out.write, _CHUNK)
        if expected is not None and pace.total != int(expected):
            msg = f"got {pace.total} of {expected} bytes"
            raise ConnectionError(msg)
    except (
        urllib.error.URLError,
        http.client.HTTPException,
        TransferTooSlow,
        ValueError,
        OSError,
    ) as error:
        part.unlink(missing_ok=True)
        raise _failure(url, error) from error


def _failure(url, error):
    """An `IrispyPlusDownloadError` that says what went wrong with ``url``."""
    if isinstance(error, IrispyPlusDownloadError):
        return error
    status = getattr(error, "status", None) or getattr(error, "code", None)
    if isinstance(status, int):
        reason = getattr(error, "reason", "") or ""
        what = f"the server answered HTTP {status} {reason}".rstrip()
    elif isinstance(error, TransferTooSlow):
        what = f"the transfer was stopped: {error}"
    elif isinstance(error, asyncio.TimeoutError | TimeoutError | socket.timeout):
        what = f"no data arrived for {timeout():g} s (time-out)"
    elif isinstance(error, OSError) and error.errno is not None:
        code = errno.errorcode.get(error.errno, error.errno)
        what = f"{code} ({error.strerror}) on {error.filename or 'a file'}"
    else:
        what = f"{type(error).__name__}: {error}"
    return IrispyPlusDownloadError(
        f"Download of {url} failed: {what}. No file was kept under its name; "
        "try again later (Fido.fetch(results) retries failed downloads)."
    )


def _transient(error):
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status >= 500 or status in (408, 429)
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | TimeoutError | ConnectionError)


def _parfive_round(targets, *, max_conn, max_splits, progress):
    """Download ``targets`` to their ``.part`` names; return {url: exception} of failures."""
    downloader = QuietDownloader(
        max_conn=max_conn,
        max_splits=max_splits,
        progress=progress,
        overwrite=True,
        config=paced_session_config(progress),
    )
    failures = {}
    for target in targets:
        try:
            target.directory.mkdir(parents=True, exist_ok=True)
            downloader.enqueue_file(target.url, filename=target.part_name, overwrite=True)
        except (OSError, ValueError) as error:
            failures[target.url] = error
    with quiet_parfive():
        results = run(downloader.run_download())
    failures.update({error.url: _cause(error.exception) for error in results.errors})
    for target in targets:
        written = downloader.write_errors.get(str(target.part))
        if written is not None and target.url not in failures:
            failures[target.url] = OSError(written.errno, written.strerror, str(target.part))
    return failures


def _cause(error):
    """The innermost exception of parfive's (possibly nested) ``FailedDownload``."""
    while isinstance(error, parfive.utils.FailedDownload):
        error = error.exception
    return error


def check_count(name, value, minimum):
    """
    Check a count given by the user (``retries``, ``max_conn``, ``max_splits``).

    Parameters
    ----------
    name : str
        The parameter, for the message.
    value : int
        The count.
    minimum : int
        The smallest allowed.

    Returns
    -------
    int

    Raises
    ------
    IrispyPlusDownloadError
        If it is not a whole number or is below ``minimum``.

    Examples
    --------
    >>> from irispy_plus.net._download import check_count
    >>> check_count("retries", -1, 0)
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusDownloadError: retries must be a whole number of at least 0, ...
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        msg = f"{name} must be a whole number of at least {minimum}, not {value!r}."
        raise IrispyPlusDownloadError(msg)
    return value


def _collisions(targets):
    """
    Split targets into those to fetch and {target: error} for those that cannot be.

    A target is refused when its ``.part`` name or its final path is that of an earlier
    target (two results with the same final file name must not overwrite each other), or
    when a folder stands where its file has to go.
    """
    kept: list[FileTarget] = []
    refused: dict = {}
    owners: dict = {}
    for target in targets:
        keys = [target.part, target.destination]
        clash = next((owners[key] for key in keys if key in owners), None)
        if clash is not None:
            refused[target] = IrispyPlusDownloadError(
                f"{target.url} and {clash.url} would both be saved as "
                f"{str(target.destination)!r}; {target.url} was not fetched, so neither overwrites "
                "the other. Fetch it alone into another folder."
            )
            continue
        blocked = _in_the_way(target)
        if blocked is not None:
            refused[target] = IrispyPlusDownloadError(
                f"Cannot save {target.url}: {str(blocked)!r} is in the way (a folder where its file "
                "goes, or a file where its folder goes). Move it away and fetch again."
            )
            continue
        for key in keys:
            owners[key] = target
        kept.append(target)
    return kept, refused


def _in_the_way(target):
    """A path where a folder stands for a file of ``target`` or a file for its folder, or None."""
    archive = target.unpack and target.filename.endswith(".tar.gz")
    folder = target.destination if archive else target.destination.parent
    if target.part.is_dir() or target.part.is_symlink():
        return target.part
    if not archive and target.destination.is_dir():
        return target.destination
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


def fetch_targets(targets, *, max_conn=5, max_splits=5, progress=True, overwrite=False, retries=None):
    """
    Download, verify and unpack files, trying transient failures again.

    Parameters
    ----------
    targets : iterable of FileTarget
        The files.
    max_conn : int, optional
        Files downloaded at once (at least 1).
    max_splits : int, optional
        Ranged connections per file, when the server allows them (at least 1).
    progress : bool, optional
        Show parfive's progress bars.
    overwrite : bool, optional
        Fetch files whose final result is already on disk.
    retries : int, optional
        Further attempts at a download that failed for a transient reason (time-out, lost
        connection, HTTP 5xx); by default ``irispy_plus.net.conf.retries``.

    Returns
    -------
    parfive.Results
        The final paths; ``errors`` lists each failure with an `IrispyPlusDownloadError`
        that names the URL (and the target, so ``Fido.fetch(results)`` can retry it). Each
        failure is also logged once, as a warning.

    Raises
    ------
    IrispyPlusDownloadError
        If ``max_conn``, ``max_splits`` or ``retries`` is not a whole number in range.
    KeyboardInterrupt
        On Ctrl-C, once the ``.part`` downloads and temporary files are removed.
    """
    retries = check_count("retries", int(conf.retries) if retries is None else retries, 0)
    max_conn = check_count("max_conn", max_conn, 1)
    max_splits = check_count("max_splits", max_splits, 1)
    results = parfive.Results()
    pending, failed = [], {}
    unique, refused = _collisions({target.url: target for target in targets}.values())
    for target, error in refused.items():
        failed[target.url] = (target, error)
    for target in unique:
        existing = [] if overwrite else target.existing()
        if existing:
            log.info("%s is already unpacked; not fetched again", target.url)
            for path in existing:
                results.append(path=str(path), url=target.url)
        else:
            pending.append(target)
    try:
        for attempt in range(retries + 1):
            if not pending:
                break
            if attempt:
                log.info("retrying %d failed download(s), attempt %d of %d", len(pending), attempt, retries)
            errors = _parfive_round(pending, max_conn=max_conn, max_splits=max_splits, progress=progress)
            done = [target for target in pending if target.url not in errors]
            for target in pending:
                if target.url in errors:
                    target.part.unlink(missing_ok=True)
                    failed[target.url] = (target, errors[target.url])
                else:
                    failed.pop(target.url, None)
            _finish_all(done, results, failed)
            pending = [target for target, error in failed.values() if _transient(error)]
    except BaseException:
        for target in unique:
            _remove_quietly(target.part)
        raise
    for target, error in failed.values():
        wrapped = _failure(target.url, error)
        FAILURES.warning("%s", wrapped)
        results.add_error(target, target.url, wrapped)
    return results


def _remove_quietly(path):
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.debug("could not remove %s", path)


def _finish(target):
    """`FileTarget.finish` with every failure turned into an error that names the file."""
    try:
        return target.finish()
    except IrispyPlusDownloadError:
        raise
    except (OSError, ValueError, EOFError) as error:
        raise _failure(target.url, error) from error


def _finish_all(done, results, failed):
    """Unpack the downloaded targets in threads (zlib lets go of the GIL)."""
    if not done:
        return
    workers = max(1, min(len(done), os.cpu_count() or 1, 4))
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(_finish, target) for target in done]
        concurrent.futures.wait(futures)
    except BaseException:
        # Ctrl-C: drop what has not started; what runs ends with a whole file or nothing.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    for target, future in zip(done, futures, strict=True):
        try:
            paths = future.result()
        except IrispyPlusDownloadError as error:
            failed[target.url] = (target, error)
            continue
        for path in paths:
            results.append(path=str(path), url=target.url)
