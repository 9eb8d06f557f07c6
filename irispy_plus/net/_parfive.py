"""
How irispy-plus drives parfive: bounded transfers, one report per failure, clean event loops
and Ctrl-C.

- Every response body is read through `_PacedStream`, which stops a connection that passes
  the download deadline or falls below the minimum rate (`irispy_plus.net.conf`), so a
  server that trickles bytes cannot hold a download forever.
- `QuietDownloader` leaves the reporting of failures to irispy-plus (parfive would print and
  log each one too).
- `run` runs a coroutine in an event loop that it closes where it ran, and turns Ctrl-C into
  a cancelled download followed by `KeyboardInterrupt`.
"""

import asyncio
import concurrent.futures
import contextlib
import logging
import signal
import threading

import aiohttp
import parfive

from irispy_plus.net._config import limits, timeout
from irispy_plus.net._http import Pace, TransferTooSlow

__all__ = ["QuietDownloader", "close_loops_of", "paced_session_config", "quiet_parfive", "run"]


class _PacedStream:
    """
    A response body whose reads obey a `Pace`: its deadline and minimum rate.

    The deadline is one timer per response that fails the stream (waking a read that
    waits); the rate is counted on each read. Both end the read with `TransferTooSlow`.
    """

    def __init__(self, stream, pace):
        self._stream = stream
        self._pace = pace
        self._timer = asyncio.get_running_loop().call_later(pace.deadline, self._expire)

    def _expire(self):
        msg = f"not finished within the deadline of {self._pace.deadline:g} s"
        self._stream.set_exception(TransferTooSlow(msg))

    def __getattr__(self, name):
        return getattr(self._stream, name)

    async def read(self, n=-1):
        try:
            chunk = await self._stream.read(n)
            if not chunk:
                self._timer.cancel()
            self._pace.add(len(chunk))
        except BaseException:
            self._timer.cancel()
            raise
        return chunk


class _PacedResponse(aiohttp.ClientResponse):
    """A response whose body is read under the download limits in force when it started."""

    async def start(self, connection):
        response = await super().start(connection)
        if self.content is not None and self.method != "HEAD":
            self.content = _PacedStream(self.content, Pace(**limits("download")))  # type: ignore[assignment]
        return response


def _session(config):
    return aiohttp.ClientSession(
        headers=config.headers, requote_redirect_url=False, response_class=_PacedResponse
    )


def paced_session_config(progress):
    """
    The parfive session configuration of irispy-plus downloads.

    Parameters
    ----------
    progress : bool
        Show a progress bar per file.

    Returns
    -------
    parfive.SessionConfig
        Time-outs from `irispy_plus.net.conf` (connection, each read, and the deadline as a
        backstop), and responses read under the deadline and minimum rate.
    """
    seconds = timeout()
    deadline = limits("download")["deadline"]
    return parfive.SessionConfig(
        # the deadline itself is kept by each response (_PacedStream), with a clear message;
        # aiohttp's total time-out is only a backstop
        timeouts=aiohttp.ClientTimeout(total=deadline + seconds, sock_connect=seconds, sock_read=seconds),
        file_progress=progress,
        chunksize=1 << 16,  # parfive's default of 1 kB costs a lot of CPU per MB
        aiohttp_session_generator=_session,
    )


class _DropFailureReports(logging.Filter):
    """Drop parfive's own reports of failed downloads (irispy-plus reports each once)."""

    def filter(self, record):
        return "failed to download" not in str(record.msg)


@contextlib.contextmanager
def quiet_parfive():
    """Within this context, parfive's logger does not report failed downloads."""
    log = logging.getLogger("parfive")
    log.addFilter(_FILTER)
    try:
        yield
    finally:
        log.removeFilter(_FILTER)


_FILTER = _DropFailureReports()


class QuietDownloader(parfive.Downloader):
    """
    A parfive downloader that reports failures only in its results.

    parfive writes a line per failed download above the progress bar and logs another;
    irispy-plus reports each failure once itself, with what went wrong and what to do.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.write_errors = {}

    def _format_results(self, retvals, main_pb):
        return super()._format_results(retvals, None)

    async def _write_worker(self, queue, file_pb, filepath):
        """
        Write each downloaded chunk at its offset; keep a failure instead of dying.

        parfive waits until every chunk is written, so a writer that stopped at a failure
        (a full disk, EFBIG, a busy file) would leave it waiting forever: this one records
        the error in `write_errors`, takes the remaining chunks and lets the download end.
        """
        out = None
        try:
            out = open(filepath, "wb")  # noqa: SIM115 - closed below, after the last chunk
        except OSError as error:
            self.write_errors[str(filepath)] = error
        try:
            while True:
                offset, chunk = await queue.get()
                try:
                    if out is not None and str(filepath) not in self.write_errors:
                        out.seek(offset)
                        out.write(chunk)
                        out.flush()
                        if file_pb is not None:
                            file_pb.update(len(chunk))
                except OSError as error:
                    self.write_errors[str(filepath)] = error
                finally:
                    queue.task_done()
        finally:
            if out is not None:
                try:
                    out.close()
                except OSError as error:
                    self.write_errors.setdefault(str(filepath), error)


def run(coroutine):
    """
    Run a coroutine to its end in an event loop of its own, closed where it ran.

    In the main thread, Ctrl-C (SIGINT) cancels the coroutine, which cleans up its
    downloads, and then raises `KeyboardInterrupt`. Under a running event loop (a
    notebook) the coroutine runs in a worker thread.

    Parameters
    ----------
    coroutine : coroutine
        What to run.

    Returns
    -------
    object
        What the coroutine returned.

    Raises
    ------
    KeyboardInterrupt
        When SIGINT arrived while it ran.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(coroutine)
    interrupted = []

    async def main():
        task = asyncio.ensure_future(coroutine)
        loop = asyncio.get_running_loop()

        def on_sigint():
            interrupted.append(True)
            task.cancel()

        loop.add_signal_handler(signal.SIGINT, on_sigint)
        try:
            return await task
        finally:
            loop.remove_signal_handler(signal.SIGINT)

    try:
        result = asyncio.run(main())
    except asyncio.CancelledError:
        if interrupted:
            raise KeyboardInterrupt from None
        raise
    if interrupted:
        raise KeyboardInterrupt
    return result


def close_loops_of(downloader):
    """
    Make ``downloader.download()`` close its event loop where it ran.

    ``Fido.fetch`` gives each client its downloader and then calls its ``download()``, which
    leaves a loop with signal handlers open; collected later off the main thread (at exit,
    or in a worker), that loop prints ``Exception ignored in: BaseEventLoop.__del__ ...
    signal only works in main thread``. The same download through `run` closes its loop.

    Parameters
    ----------
    downloader : parfive.Downloader
        The downloader (changed in place; its queued files are downloaded as before).
    """
    if getattr(downloader, "_irispy_plus_closes_loops", False):
        return

    def download():
        return run(downloader.run_download())

    download.__doc__ = parfive.Downloader.download.__doc__
    downloader.download = download
    downloader._irispy_plus_closes_loops = True
