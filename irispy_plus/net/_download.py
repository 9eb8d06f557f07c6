"""
Download HCR files with parfive and unpack them, with retries and no damaged file left behind.

Each file to get is a `FileTarget`: its URL, the ``.part`` name it downloads to, and where
the verified result goes. `fetch_targets` downloads every target in parallel, tries
transient failures again, unpacks (in threads) and returns a `parfive.Results`.
"""

import asyncio
import concurrent.futures
import dataclasses
import os
import socket
import urllib.error
from pathlib import Path

import aiohttp
import parfive
import parfive.utils

from irispy_plus.net._config import conf, timeout
from irispy_plus.net._hcr_api import http_get
from irispy_plus.net._unpack import check_gzip, gunzip_fits, untar_fits
from irispy_plus.utils.exceptions import IrispyPlusDownloadError
from irispy_plus.utils.logger import log

__all__ = ["FileTarget", "fetch_targets"]

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
    """

    url: str
    directory: Path
    folder: str
    unpack: bool = True

    @property
    def filename(self):
        """The compressed file name, the last segment of the URL."""
        return self.url.rsplit("/", 1)[-1]

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
    try:
        with http_get(url) as response, open(part, "wb") as out:
            expected = response.headers.get("Content-Length")
            written = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                written += len(chunk)
        if expected is not None and written != int(expected):
            msg = f"got {written} of {expected} bytes"
            raise ConnectionError(msg)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
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
    elif isinstance(error, asyncio.TimeoutError | TimeoutError | socket.timeout):
        what = f"no data arrived for {timeout():g} s (time-out)"
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
    seconds = timeout()
    config = parfive.SessionConfig(
        timeouts=aiohttp.ClientTimeout(total=None, sock_connect=seconds, sock_read=seconds),
        file_progress=progress,
        chunksize=_CHUNK // 16,  # parfive's default of 1 kB costs a lot of CPU per MB
    )
    downloader = parfive.Downloader(
        max_conn=max_conn, max_splits=max_splits, progress=progress, overwrite=True, config=config
    )
    for target in targets:
        target.directory.mkdir(parents=True, exist_ok=True)
        downloader.enqueue_file(target.url, filename=target.part_name, overwrite=True)
    results = _run(downloader.run_download())
    return {error.url: _cause(error.exception) for error in results.errors}


def _cause(error):
    """The innermost exception of parfive's (possibly nested) ``FailedDownload``."""
    while isinstance(error, parfive.utils.FailedDownload):
        error = error.exception
    return error


def _run(coroutine):
    """
    Run a coroutine to its end in an event loop of its own, which is then closed.

    parfive's ``download()`` leaves its loop open, and a loop collected later in another
    thread fails to remove its signal handlers; here the loop is closed where it ran. Under
    a running loop (a notebook) it runs in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def fetch_targets(targets, *, max_conn=5, max_splits=5, progress=True, overwrite=False, retries=None):
    """
    Download, verify and unpack files, trying transient failures again.

    Parameters
    ----------
    targets : iterable of FileTarget
        The files.
    max_conn : int, optional
        Files downloaded at once.
    max_splits : int, optional
        Ranged connections per file (when the server allows them).
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
        that names the URL (and the target, so ``Fido.fetch(results)`` can retry it).
    """
    retries = int(conf.retries) if retries is None else int(retries)
    results = parfive.Results()
    pending = []
    for target in {target.url: target for target in targets}.values():
        existing = [] if overwrite else target.existing()
        if existing:
            log.info("%s is already unpacked; not fetched again", target.url)
            for path in existing:
                results.append(path=str(path), url=target.url)
        else:
            pending.append(target)
    failed = {}
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
    for target, error in failed.values():
        wrapped = _failure(target.url, error)
        log.warning("%s", wrapped)
        results.add_error(target, target.url, wrapped)
    return results


def _finish_all(done, results, failed):
    """Unpack the downloaded targets in threads (zlib lets go of the GIL)."""
    if not done:
        return
    workers = max(1, min(len(done), os.cpu_count() or 1, 4))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(target.finish) for target in done]
    for target, future in zip(done, futures, strict=True):
        try:
            paths = future.result()
        except IrispyPlusDownloadError as error:
            failed[target.url] = (target, error)
            continue
        for path in paths:
            results.append(path=str(path), url=target.url)
