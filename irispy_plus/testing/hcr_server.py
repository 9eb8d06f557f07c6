"""
A loopback stand-in for the HCR and the IRIS archive, for tests and benchmarks.

`HCRTestServer` is a real threaded HTTP server on 127.0.0.1 that answers
``/hek/hcr?cmd=search-events3`` with its events filtered as the HCR filters them (at most
400 per answer), and serves ``.fits.gz`` and ``raster.tar.gz`` files built from the bundled
sample (HEAD, ``Accept-Ranges``/``Content-Length`` and ranged GETs), at an optional fixed
rate per connection. Faults can be set per file path or for searches.

Examples
--------
>>> from irispy_plus.testing.hcr_events import make_event
>>> from irispy_plus.testing.hcr_server import HCRTestServer
>>> with HCRTestServer([make_event("20210905_001833_3620258102", "2021-09-05T05:07:36")]) as server:
...     server.hcr_url.startswith("http://127.0.0.1:")
True
"""

import gzip
import http.server
import json
import re
import threading
import time
import urllib.parse

from irispy_plus.data import sample
from irispy_plus.testing.files import tar_gz
from irispy_plus.testing.hcr_events import event_matches, rewrite_urls

__all__ = ["DOWNLOAD_FAULTS", "SEARCH_FAULTS", "HCRTestServer", "raster_tar_gz"]

SEARCH_FAULTS = ("html", "malformed", "500", "stall", "trickle", "huge", "incomplete")
DOWNLOAD_FAULTS = (
    "404",
    "500",
    "fail_once",
    "stall",
    "truncate",
    "truncate_nolength",
    "corrupt",
    "html",
    "trickle",
)
_CAP = 400
_CHUNK = 64 * 1024


def raster_tar_gz(observation):
    """
    A ``raster.tar.gz`` for an observation, made of the sample raster files.

    Parameters
    ----------
    observation : str
        ``YYYYMMDD_HHMMSS_OBSID``; the sit-and-stare sample is used for OBSID 3620258102,
        else the three repeats of the 8-step raster.

    Returns
    -------
    bytes

    Examples
    --------
    >>> import io, tarfile
    >>> from irispy_plus.testing.hcr_server import raster_tar_gz
    >>> packed = raster_tar_gz("20210905_001833_3620258102")
    >>> tarfile.open(fileobj=io.BytesIO(packed)).getnames()
    ['iris_l2_20210905_001833_3620258102_raster_t000_r00000.fits']
    """
    files = (sample.SNS_RASTER,) if observation.endswith("3620258102") else sample.RASTER_SERIES
    return tar_gz(
        (f"iris_l2_{observation}_raster_t000_r{n:05d}.fits", path.read_bytes())
        for n, path in enumerate(files)
    )


def _sji_sample(observation, band):
    if observation.endswith("3620258102"):
        return getattr(sample, f"SNS_SJI_{band}", sample.SNS_SJI_1400)
    return sample.SJI_2832 if band in ("2796", "2832") else sample.SJI_1400


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HCRTestServer/1.0"

    def log_message(self, format, *args):
        pass

    @property
    def owner(self) -> "HCRTestServer":
        return self.server.owner  # type: ignore[attr-defined]

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _send(self, status, body, content_type="text/html", head=False, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self._write(body)

    def _write(self, body):
        rate = self.owner.rate
        started = time.monotonic()
        try:
            for offset in range(0, len(body), _CHUNK):
                self.wfile.write(body[offset : offset + _CHUNK])
                if rate:
                    delay = started + (offset + _CHUNK) / rate - time.monotonic()
                    if delay > 0 and self.owner.stopping.wait(delay):
                        return
        except OSError:  # the client left
            self.close_connection = True

    def _serve(self, head):
        parsed = urllib.parse.urlsplit(self.path)
        self.owner.requests.append((self.command, parsed.path))
        if parsed.path == "/hek/hcr":
            self._search(dict(urllib.parse.parse_qsl(parsed.query)), head)
        else:
            self._file(parsed.path, head)

    def _stall(self):
        self.close_connection = True
        self.owner.stopping.wait(self.owner.stall_seconds)

    def _trickle(self, body):
        """Send ``body`` one byte every ``trickle_interval`` seconds (until the client leaves)."""
        self.close_connection = True
        try:
            for offset in range(len(body)):
                self.wfile.write(body[offset : offset + 1])
                self.wfile.flush()
                if self.owner.stopping.wait(self.owner.trickle_interval):
                    return
        except OSError:
            return

    def _huge(self):
        """Stream a JSON answer of ``huge_size`` bytes with no length (until the client leaves)."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        filler = b'{"eventId": "x", "goal": "' + b"z" * 65000 + b'"}, '
        try:
            self.wfile.write(b'{"Events": [')
            for _ in range(self.owner.huge_size // len(filler)):
                if self.owner.stopping.is_set():
                    return
                self.wfile.write(filler)
                self.owner.huge_sent += len(filler)
        except OSError:
            return

    def _search(self, params, head):  # noqa: PLR0911 - one branch per fault
        self.owner.search_params.append(params)
        fault = self.owner.search_fault
        if fault == "500":
            self._send(500, b"<html><body>Internal error</body></html>", head=head)
            return
        if fault == "html":
            page = (
                b"<html><head><title>HCR</title></head>"
                b"<body><h1>Error</h1><p>Query failed: bad parameter</p></body></html>"
            )
            self._send(200, page, head=head)
            return
        if fault == "stall":
            self._stall()
            return
        if fault == "huge":
            self._huge()
            return
        if fault == "malformed":
            self._send(200, b'{"Events": [{"eventId": "x", ', "application/json", head=head)
            return
        if params.get("cmd") not in ("search-events3", "search-events-corr"):
            self._send(400, b"<html><body>unknown cmd</body></html>", head=head)
            return
        found = sorted(
            (e for e in self.owner.events if event_matches(e, params)), key=lambda e: str(e.get("startTime"))
        )
        if params.get("outputformat") == "count":
            self._send(200, str(len(found)).encode(), "text/plain", head=head)
            return
        cap = min(_CAP, int(params.get("limit") or _CAP))
        body = json.dumps({"Events": found[:cap]}).encode()
        if fault in ("trickle", "incomplete"):
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + (1000 if fault == "incomplete" else 0)))
            self.end_headers()
            if fault == "trickle":
                self._trickle(body)
            else:
                self._write(body)
            return
        self._send(200, body, "application/json", head=head)

    def _file(self, path, head):  # noqa: PLR0911 - one branch per fault
        fault = self.owner.faults.get(path)
        if fault == "fail_once" and path not in self.owner.failed_once:
            if self.command == "GET":  # parfive falls back to GET when HEAD fails: fail both
                self.owner.failed_once.add(path)
            fault = "500"
        if fault in ("404", "500"):
            status = int(fault)
            self._send(status, f"<html><body>{status}</body></html>".encode(), head=head)
            return
        body = self.owner.content(path)
        if body is None:
            self._send(404, b"<html><body>404 Not Found</body></html>", head=head)
            return
        if fault == "html":
            self._send(200, b"<html><body>The archive is down for maintenance</body></html>", head=head)
            return
        if fault == "corrupt":
            middle = len(body) // 2
            body = body[:middle] + bytes(b ^ 0xFF for b in body[middle : middle + 64]) + body[middle + 64 :]
        if fault == "truncate_nolength":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            if not head:
                self._write(body[: len(body) // 2])
            return
        start, end, status = 0, len(body), 200
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = min(len(body), int(match.group(2)) + 1) if match.group(2) else len(body)
            status = 206
        extra = [("Accept-Ranges", "bytes")]
        if status == 206:
            extra.append(("Content-Range", f"bytes {start}-{end - 1}/{len(body)}"))
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if head:
            return
        if fault == "stall":
            self._write(body[start : start + min(1024, end - start)])
            self._stall()
            return
        if fault == "trickle":
            self._trickle(body[start:end])
            return
        if fault == "truncate":
            self.close_connection = True
            self._write(body[start : start + (end - start) // 2])
            return
        self._write(body[start:end])


class _Server(http.server.ThreadingHTTPServer):
    owner: "HCRTestServer"
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class HCRTestServer:
    """
    A real HTTP server on 127.0.0.1 playing the HCR and the IRIS archive.

    Parameters
    ----------
    events : iterable of dict, optional
        HCR events; URLs of the real archive are moved to this server.
    rate : float, optional
        Bytes per second per connection (unlimited by default).

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT``.
    hcr_url : str
        The HCR endpoint, ``url + "/hek/hcr"``.
    events : list of dict
        The served events (changeable).
    files : dict
        Path -> bytes served instead of the built content.
    faults : dict
        Path -> one of `DOWNLOAD_FAULTS` (``"trickle"``: a byte every ``trickle_interval``
        seconds).
    search_fault : str or None
        One of `SEARCH_FAULTS`: ``"trickle"`` sends the answer a byte every
        ``trickle_interval`` seconds, ``"huge"`` streams ``huge_size`` bytes (1 GiB) of JSON
        without a length (``huge_sent`` counts what went out), ``"incomplete"`` declares
        more bytes than it sends.
    requests : list of (method, path)
        Every request received.
    search_params : list of dict
        The parameters of every search received.
    """

    def __init__(self, events=(), *, rate=None):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.hcr_url = f"{self.url}/hek/hcr"
        self.events = rewrite_urls(events, self.url)
        self.rate = rate
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, str] = {}
        self.search_fault: str | None = None
        self.stall_seconds = 30.0
        self.trickle_interval = 0.5
        self.huge_size = 1 << 30
        self.huge_sent = 0
        self.requests: list[tuple[str, str]] = []
        self.search_params: list[dict[str, str]] = []
        self.failed_once: set[str] = set()
        self.stopping = threading.Event()
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self):
        """Start serving in a background thread; returns self."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving, release stalled requests and close the socket."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        """Forget faults, overrides and the request log."""
        self.files.clear()
        self.faults.clear()
        self.search_fault = None
        self.requests.clear()
        self.search_params.clear()
        self.failed_once.clear()
        self.huge_sent = 0

    def path_of(self, url):
        """The path part of a URL of this server."""
        return urllib.parse.urlsplit(url).path

    def content(self, path):
        """
        The bytes served at ``path``: an override, or a file built from the bundled sample.

        Parameters
        ----------
        path : str
            A URL path.

        Returns
        -------
        bytes or None
            None for a path that is not a Level 2 file.
        """
        if path in self.files:
            return self.files[path]
        match = re.search(
            r"iris_l2_(\d{8}_\d{6}_\d{10})_(raster\.tar\.gz|SJI_(\d{4})_t000(_deconvolved)?\.fits\.gz)$", path
        )
        if not match:
            return None
        with self._lock:
            if path not in self._cache:
                observation, product, band = match.group(1), match.group(2), match.group(3)
                if product == "raster.tar.gz":
                    self._cache[path] = raster_tar_gz(observation)
                else:
                    self._cache[path] = gzip.compress(_sji_sample(observation, band).read_bytes(), 1, mtime=0)
            return self._cache[path]
