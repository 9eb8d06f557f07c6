"""
HTTP for irispy-plus: `http_get` is the one function through which irispy-plus opens a
URL (parfive does the parallel downloads, with the same limits), always with a time-out,
so tests can point every request at a loopback server; `read_bounded` reads an answer
under the deadline, minimum rate and size cap of a `Pace`.
"""

import http.client
import time
import urllib.parse
import urllib.request

from irispy_plus.net._config import timeout
from irispy_plus.net._safety import check_url
from irispy_plus.utils.logger import log

__all__ = ["Pace", "TransferTooSlow", "http_get", "read_bounded"]

_USER_AGENT = "irispy-plus (https://github.com/irispy-plus/irispy-plus)"


class TransferTooSlow(Exception):
    """A transfer passed its deadline, fell below the minimum rate or exceeded its size cap."""


class Pace:
    """
    Watch one transfer: its overall deadline, its rate over a window, and its size.

    Parameters
    ----------
    deadline : float
        Most seconds the whole transfer may take.
    min_rate : float
        Slowest accepted rate (bytes per second), averaged over ``window`` seconds.
    window : float
        Seconds over which the rate is averaged.
    max_size : int, optional
        Most bytes accepted.

    Examples
    --------
    >>> from irispy_plus.net._http import Pace, TransferTooSlow
    >>> pace = Pace(deadline=60, min_rate=10, window=30, max_size=100)
    >>> pace.add(50)
    >>> try:
    ...     pace.add(51)
    ... except TransferTooSlow as error:
    ...     print(error)
    more than 100 bytes
    """

    def __init__(self, *, deadline, min_rate, window, max_size=None):
        self.started = time.monotonic()
        self.deadline = float(deadline)
        self.min_rate = float(min_rate)
        self.window = max(float(window), 1e-3)
        self.max_size = max_size
        self.total = 0
        self._mark = (self.started, 0)

    def remaining(self):
        """Seconds left before the deadline (raises `TransferTooSlow` when none are)."""
        left = self.started + self.deadline - time.monotonic()
        if left <= 0:
            msg = f"not finished within the deadline of {self.deadline:g} s"
            raise TransferTooSlow(msg)
        return left

    def add(self, count):
        """Count ``count`` more bytes; raise `TransferTooSlow` if a limit is passed."""
        self.total += count
        if self.max_size is not None and self.total > self.max_size:
            msg = f"more than {self.max_size} bytes"
            raise TransferTooSlow(msg)
        now = time.monotonic()
        self.remaining()
        since, at_mark = self._mark
        if now - since >= self.window:
            rate = (self.total - at_mark) / (now - since)
            if rate < self.min_rate:
                msg = (
                    f"{rate:.3g} bytes/s over {now - since:.3g} s, below the minimum rate of "
                    f"{self.min_rate:g} bytes/s"
                )
                raise TransferTooSlow(msg)
            self._mark = (now, self.total)


def http_get(url, *, method="GET", request_timeout=None):
    """
    Open ``url`` with a time-out: the one place where irispy-plus makes an HTTP request.

    Parameters
    ----------
    url : str
        The URL to open; only ``http`` and ``https`` URLs are opened.
    method : str, optional
        ``"GET"`` or ``"HEAD"``.
    request_timeout : float, optional
        Seconds to wait for the connection and for each read; by default
        ``irispy_plus.net.conf.timeout``.

    Returns
    -------
    http.client.HTTPResponse
        The open response (a context manager); its status is 2xx. Read it with
        `read_bounded` to bound the whole transfer.

    Raises
    ------
    irispy_plus.utils.exceptions.IrispyPlusDownloadError
        If the URL is not http(s) (before any request is made).
    urllib.error.HTTPError
        For an answer with an error status.
    urllib.error.URLError, TimeoutError
        When the server cannot be reached or does not answer in time.
    """
    parts = urllib.parse.urlsplit(str(url))
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        check_url(url)  # raises the named error
    request = urllib.request.Request(url, method=method, headers={"User-Agent": _USER_AGENT})
    seconds = timeout() if request_timeout is None else float(request_timeout)
    log.debug("%s %s (time-out %s s)", method, url, seconds)
    return urllib.request.urlopen(request, timeout=seconds)


def read_bounded(response, pace, sink=None, chunk=1 << 16):
    """
    Read an open response to its end under the limits of ``pace``.

    Each read returns what has arrived (at most ``chunk`` bytes), so a server that trickles
    its answer is stopped at the deadline or the minimum rate, and one that sends too much is
    stopped at the size cap, while it streams.

    Parameters
    ----------
    response : http.client.HTTPResponse
        From `http_get`.
    pace : Pace
        The limits.
    sink : callable, optional
        Called with each chunk; without it the chunks are joined and returned.
    chunk : int, optional
        Most bytes per read.

    Returns
    -------
    bytes or None
        The body, or None when ``sink`` took it.

    Raises
    ------
    TransferTooSlow
        When a limit is passed.
    http.client.IncompleteRead, OSError
        When the connection breaks.
    """
    parts: list[bytes] = []
    while True:
        pace.remaining()
        data = response.read1(chunk)
        if not data:
            if response.length:  # the connection closed before the declared length
                raise http.client.IncompleteRead(b"".join(parts), response.length)
            break
        pace.add(len(data))
        if sink is None:
            parts.append(data)
        else:
            sink(data)
    return None if sink is not None else b"".join(parts)
