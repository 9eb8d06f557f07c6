"""
A loopback stand-in for the HCR and the IRIS archive, for tests and benchmarks.

`HCRTestServer` is a real threaded HTTP server on 127.0.0.1 that answers
``/hek/hcr?cmd=search-events3`` with its events filtered as the HCR filters them (at most
400 per answer), and serves ``.fits.gz`` and ``raster.tar.gz`` files built from the bundled
sample (HEAD, ``Accept-Ranges``/``Content-Length`` and ranged GETs), at an optional fixed
rate per connection. Faults can be set per file path or for searches.

Examples
--------
>>> from irispy_plus.net._testing import HCRTestServer, make_event
>>> with HCRTestServer([make_event("20210905_001833_3620258102", "2021-09-05T05:07:36")]) as server:
...     server.hcr_url.startswith("http://127.0.0.1:")
True
"""

import copy
import datetime as dt
import gzip
import http.server
import io
import json
import pathlib
import re
import tarfile
import threading
import time
import urllib.parse

from irispy_plus.data import sample

__all__ = [
    "DOWNLOAD_FAULTS",
    "SEARCH_FAULTS",
    "HCRTestServer",
    "files_under",
    "make_event",
    "make_events",
    "raster_tar_gz",
    "rewrite_urls",
    "tar_gz",
]

REAL_HOST = "https://www.lmsal.com"
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


def _hcr_time(text):
    return dt.datetime.fromisoformat(str(text).replace(" ", "T").rstrip("Z"))


def make_event(
    observation,
    stop,
    *,
    description="Medium sit-and-stare 0.3x60 1s  C II   Si IV   Mg II h/k",
    target="AR",
    xcen=100.0,
    ycen=-200.0,
    steps=1,
    step_size=0.0,
    cadence=9.3,
    exposure=8.0,
    bands=("1330", "1400", "2796", "2832"),
    final=True,
    host=REAL_HOST,
):
    """
    Build one HCR event in the shape of a real ``search-events3`` answer.

    Parameters
    ----------
    observation : str
        ``YYYYMMDD_HHMMSS_OBSID``; gives the start time and OBSID.
    stop : str
        The end time, ISO format.
    description, target : str, optional
        The ``goal`` and ``target`` fields.
    xcen, ycen : float, optional
        Pointing in arcsec.
    steps, step_size, cadence, exposure : float, optional
        Raster group values.
    bands : sequence of str, optional
        Slit-jaw bands with a file.
    final : bool, optional
        Final (``level2_compressed``) or near-real-time URLs.
    host : str, optional
        Scheme and host of the file URLs.

    Returns
    -------
    dict
    """
    day, clock, obsid = observation.split("_")
    start = dt.datetime.strptime(day + clock, "%Y%m%d%H%M%S")
    tree = "level2_compressed" if final else "level2_nrt_compressed"
    folder = f"{host}/solarsoft/irisa/data/{tree}/{day[:4]}/{day[4:6]}/{day[6:]}/{observation}"
    base = f"{folder}/iris_l2_{observation}"
    groups = [
        {
            "group_name": "Raster",
            "comp_data_url": f"{base}_raster.tar.gz",
            "raster_stepsize": step_size,
            "raster_numsteps": steps,
            "numrasters": 3,
            "cadence_avg_asrun": cadence,
            "min_exptime": exposure,
            "max_exptime": exposure,
            "mean_exptime": exposure,
        }
    ]
    groups += [
        {
            "group_name": f"SJI {band}",
            "comp_data_url": f"{base}_SJI_{band}_t000.fits.gz",
            "num_images": None,
            "cadence_avg_asplanned": None,
        }
        for band in bands
    ]
    return {
        "eventId": f"ivo://sot.lmsal.com/VOEvent#VOEvent_IRIS_{observation}_{start:%Y-%m-%dT%H:%M:%S}.xml",
        "eventKey": int(obsid) % 10_000_000 + int(start.timestamp()) % 1000,
        "instrument": "IRIS",
        "startTime": f"{start:%Y-%m-%dT%H:%M:%S}.000",
        "stopTime": stop,
        "xCen": xcen,
        "yCen": str(ycen),
        "xFov": 60.0,
        "yFov": 65.0,
        "raster_fovx": 0.33,
        "raster_fovy": 60.0,
        "sji_fovx": 60.0,
        "sji_fovy": 65.0,
        "roll_angle": 0.0,
        "goal": description,
        "target": target,
        "sciObjectives": "",
        "spectral_window_names": "[C II 1336,O I 1356,Si IV 1394,Si IV 1403,2832,2814,Mg II k 2796]",
        "umodes": groups[0]["comp_data_url"],
        "iris_repeats": 3,
        "duration_hours": None,
        "groups": groups,
        "iris_obsid": obsid,
    }


def make_events(count, first_start="2020-01-01T00:00:00", spacing_minutes=10, duration_minutes=5, **kwargs):
    """
    Build ``count`` events starting every ``spacing_minutes``, with distinct OBSIDs.

    Parameters
    ----------
    count : int
        How many.
    first_start : str, optional
        The first start time.
    spacing_minutes, duration_minutes : float, optional
        Time between starts, and length of each observation.
    **kwargs
        Passed to `make_event`.

    Returns
    -------
    list of dict
    """
    first = _hcr_time(first_start)
    events = []
    for number in range(count):
        start = first + dt.timedelta(minutes=spacing_minutes * number)
        stop = start + dt.timedelta(minutes=duration_minutes)
        observation = f"{start:%Y%m%d_%H%M%S}_{3600000000 + number}"
        events.append(make_event(observation, f"{stop:%Y-%m-%dT%H:%M:%S}", **kwargs))
    return events


def rewrite_urls(events, base):
    """
    Copy events with their file URLs moved from the real archive to ``base``.

    Parameters
    ----------
    events : list of dict
        HCR events.
    base : str
        New scheme and host, e.g. ``http://127.0.0.1:8000``.

    Returns
    -------
    list of dict
    """
    events = copy.deepcopy(list(events))
    for event in events:
        for group in event.get("groups") or []:
            if isinstance(group.get("comp_data_url"), str):
                group["comp_data_url"] = group["comp_data_url"].replace(REAL_HOST, base)
        if event.get("umodes"):
            event["umodes"] = event["umodes"].replace(REAL_HOST, base)
    return events


def files_under(folder):
    """
    Every file below ``folder``, as sorted relative POSIX paths (hidden ones included).

    Parameters
    ----------
    folder : path-like

    Returns
    -------
    list of str
    """
    folder = pathlib.Path(folder)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def tar_gz(members):
    """
    Build a ``.tar.gz`` in memory.

    Parameters
    ----------
    members : iterable of tarfile.TarInfo or (name, bytes)
        Members; a ``TarInfo`` is added as is (links, devices...), a pair as a regular file.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w") as archive,
    ):
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
                continue
            name, data = member
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


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


def _event_value(event, column):
    raster = next((g for g in event.get("groups") or [] if g.get("group_name") == "Raster"), {})
    sources = {
        "xCen": event.get("xCen"),
        "yCen": event.get("yCen"),
        "sjiFOVX": event.get("sji_fovx"),
        "sjiFOVY": event.get("sji_fovy"),
        "numRasterSteps": raster.get("raster_numsteps"),
        "rasterStepsize": raster.get("raster_stepsize"),
        "cadMeanAsrun": raster.get("cadence_avg_asrun"),
        "expMax": raster.get("max_exptime"),
    }
    value = sources.get(column)
    return None if value is None else float(value)


def _has_final(event):
    return any("level2_compressed" in str(g.get("comp_data_url")) for g in event.get("groups") or [])


def _overlaps(event, start, stop):
    """Whether the event overlaps the range; a damaged event (no or bad times) is served."""
    try:
        return _hcr_time(event["startTime"]) <= stop and _hcr_time(event["stopTime"]) >= start
    except (KeyError, TypeError, ValueError):
        return True


def _matches(event, params):  # noqa: PLR0911 - one test per HCR filter
    start, stop = _hcr_time(params["startTime"]), _hcr_time(params["stopTime"])
    if not _overlaps(event, start, stop):
        return False
    if "obsId" in params and str(event.get("iris_obsid")) not in params["obsId"].split(","):
        return False
    if params.get("obsDesc") and params["obsDesc"].lower() not in str(event.get("goal", "")).lower():
        return False
    if params.get("target") and params["target"].upper() != str(event.get("target", "")).upper():
        return False
    if params.get("noaanum") and str(event.get("noaanum")) != params["noaanum"]:
        return False
    windows = str(event.get("spectral_window_names", "")).strip("[]").split(",")
    if params.get("specWindows") and not set(params["specWindows"].split(",")) <= set(windows):
        return False
    if params.get("hasData") and (params["hasData"] == "true") != _has_final(event):
        return False
    if params.get("hideMostLimbScans") == "true" and "limb" in str(event.get("goal", "")).lower():
        return False
    for key, wanted in params.items():
        match = re.fullmatch(r"(min|max)(\w+)", key)
        if match and match.group(2) not in ("Time",):
            value = _event_value(event, match.group(2))
            if value is None:
                continue
            if (match.group(1) == "min" and value < float(wanted)) or (
                match.group(1) == "max" and value > float(wanted)
            ):
                return False
    return True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HCRTestServer/1.0"

    def log_message(self, format, *args):
        pass

    @property
    def owner(self):
        return self.server.owner

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
            (e for e in self.owner.events if _matches(e, params)), key=lambda e: str(e.get("startTime"))
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
        self.files = {}
        self.faults = {}
        self.search_fault = None
        self.stall_seconds = 30.0
        self.trickle_interval = 0.5
        self.huge_size = 1 << 30
        self.huge_sent = 0
        self.requests = []
        self.search_params = []
        self.failed_once = set()
        self.stopping = threading.Event()
        self._cache = {}
        self._lock = threading.Lock()
        self._thread = None

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
