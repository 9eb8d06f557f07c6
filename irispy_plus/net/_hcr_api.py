"""
The HEK Coverage Registry search API: `query_events` asks the HCR for events and splits a
time range that hits the 400-event cap of one answer; the HCR's times and query URLs are
read and written here.

Its requests go through `irispy_plus.net._http.http_get`, as every request does.
"""

import datetime as dt
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from irispy_plus.net._config import hcr_url, limits
from irispy_plus.net._http import Pace, TransferTooSlow, http_get, read_bounded
from irispy_plus.utils.exceptions import IrispyPlusSearchError
from irispy_plus.utils.logger import log

__all__ = [
    "MAX_EVENTS",
    "format_hcr_time",
    "parse_hcr_time",
    "parse_query_url",
    "query_events",
]

MAX_EVENTS = 400
"""The most events one JSON answer of the HCR holds."""

_MINUTE = dt.timedelta(minutes=1)
_TIME_KEYS = ("startTime", "stopTime")


def format_hcr_time(moment, *, round_up=False):
    """
    Write a time as the HCR wants it: ``YYYY-MM-DDTHH:MM``, optionally rounded up.

    Parameters
    ----------
    moment : datetime.datetime
        The time (UTC).
    round_up : bool, optional
        Round up to the next whole minute (for stop times) instead of down.

    Returns
    -------
    str

    Examples
    --------
    >>> import datetime
    >>> from irispy_plus.net._hcr_api import format_hcr_time
    >>> format_hcr_time(datetime.datetime(2014, 3, 29, 14, 9, 38), round_up=True)
    '2014-03-29T14:10'
    """
    floor = moment.replace(second=0, microsecond=0)
    if round_up and floor != moment:
        floor += _MINUTE
    return floor.strftime("%Y-%m-%dT%H:%M")


def parse_hcr_time(text):
    """
    Read a time written by or for the HCR (``YYYY-MM-DDTHH:MM[:SS[.fff]]``).

    Parameters
    ----------
    text : str
        The time; a space may stand for the ``T``.

    Returns
    -------
    datetime.datetime

    Raises
    ------
    IrispyPlusSearchError
        If the text is not such a time.

    Examples
    --------
    >>> from irispy_plus.net._hcr_api import parse_hcr_time
    >>> parse_hcr_time("2014-03-29T14:09:38.830")
    datetime.datetime(2014, 3, 29, 14, 9, 38, 830000)
    """
    try:
        return dt.datetime.fromisoformat(str(text).strip().replace(" ", "T").rstrip("Z"))
    except ValueError as error:
        msg = f"{text!r} is not a time the HCR understands; write it as YYYY-MM-DDTHH:MM."
        raise IrispyPlusSearchError(msg) from error


def parse_query_url(url):
    """
    Split a pasted HCR query URL (the IRIS search tool's "Export Python" link) into parameters.

    Parameters
    ----------
    url : str
        The whole URL, e.g. ``https://www.lmsal.com/hek/hcr?cmd=search-events3&...``.

    Returns
    -------
    dict
        Every query parameter of the URL (the last value of a repeated one), except
        ``outputformat``, which the client sets itself.

    Raises
    ------
    IrispyPlusSearchError
        If the URL has no ``startTime`` and ``stopTime``.

    Examples
    --------
    >>> from irispy_plus.net._hcr_api import parse_query_url
    >>> params = parse_query_url("https://www.lmsal.com/hek/hcr?cmd=search-events3&outputformat=json"
    ...                          "&startTime=2014-03-29T00:00&stopTime=2014-03-30T00:00&obsDesc=raster")
    >>> params["obsDesc"], params["startTime"], "outputformat" in params
    ('raster', '2014-03-29T00:00', False)
    """
    query = urllib.parse.urlsplit(url.strip()).query
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    params.pop("outputformat", None)
    missing = [key for key in _TIME_KEYS if not params.get(key)]
    if missing:
        msg = (
            f"The query URL {url!r} has no {' or '.join(missing)}; paste the whole URL of the "
            "IRIS search tool's 'Export Python' link."
        )
        raise IrispyPlusSearchError(msg)
    return params


class _TextOfHTML(HTMLParser):
    """Collect the visible text of an HTML page (to quote an HCR error page)."""

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        if data.strip():
            self.parts.append(data.strip())


def _quote_html(body):
    parser = _TextOfHTML()
    parser.feed(body)
    return " ".join(parser.parts)[:300]


def _request_events(params):
    """Ask the HCR once; return the list of IRIS events of its JSON answer."""
    full = {"cmd": "search-events3", **params, "outputformat": "json"}
    url = f"{hcr_url()}?{urllib.parse.urlencode(full)}"
    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        msg = f"The HCR URL {hcr_url()!r} is not http(s); set irispy_plus.net.conf.hcr_url."
        raise IrispyPlusSearchError(msg)
    pace = Pace(**limits("search"))
    try:
        with http_get(url) as response:
            content_type = response.headers.get("Content-Type", "")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > pace.max_size:
                raise TransferTooSlow(f"a declared {declared} bytes, more than {pace.max_size}")
            body = read_bounded(response, pace).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        msg = f"The HCR answered {error.code} {error.reason} to {url}; try again later."
        raise IrispyPlusSearchError(msg) from error
    except TransferTooSlow as error:
        msg = (
            f"The HCR answer for {url} was refused: {error}. Narrow the search, or raise the "
            "limits in irispy_plus.net.conf (search_deadline, min_rate, max_search_size)."
        )
        raise IrispyPlusSearchError(msg) from error
    except http.client.IncompleteRead as error:
        msg = f"The HCR answer for {url} was cut short after {len(error.partial)} bytes; try again later."
        raise IrispyPlusSearchError(msg) from error
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
        msg = (
            f"No answer from the HCR for {url}: {reason}. Check the network, or set "
            "irispy_plus.net.conf.hcr_url / IRISPY_PLUS_HCR_URL."
        )
        raise IrispyPlusSearchError(msg) from error
    if "html" in content_type.lower() or body.lstrip().startswith("<"):
        msg = f"The HCR sent an HTML page instead of JSON for {url}: {_quote_html(body)!r}"
        raise IrispyPlusSearchError(msg)
    try:
        answer = json.loads(body)
    except json.JSONDecodeError as error:
        msg = f"The HCR sent malformed JSON for {url} ({error}); the answer began {body[:120]!r}."
        raise IrispyPlusSearchError(msg) from error
    if not isinstance(answer, dict) or not isinstance(answer.get("Events"), list):
        msg = f"The HCR answer for {url} has no list of 'Events'; it began {body[:120]!r}."
        raise IrispyPlusSearchError(msg)
    events = [event for event in answer["Events"] if isinstance(event, dict)]
    return [event for event in events if str(event.get("instrument", "IRIS")).upper() == "IRIS"]


def _event_key(event):
    return event.get("eventId") or event.get("eventKey") or (event.get("startTime"), event.get("iris_obsid"))


def _query_range(params, start, stop, cap):
    """Query ``[start, stop]``; halve the range (recursively) while an answer is full."""
    bounded = {
        **params,
        "startTime": format_hcr_time(start),
        "stopTime": format_hcr_time(stop, round_up=True),
    }
    events = _request_events(bounded)
    if len(events) < cap:
        return events
    if stop - start <= _MINUTE:
        msg = (
            f"The HCR returned its maximum of {cap} events for the one-minute range "
            f"{bounded['startTime']} to {bounded['stopTime']}, so more may exist that cannot be "
            "fetched; narrow the query with more filters (e.g. a.iris.OBSID or a.iris.Description)."
        )
        raise IrispyPlusSearchError(msg)
    middle = start + ((stop - start) // 2 // _MINUTE) * _MINUTE
    middle = max(middle, start + _MINUTE)
    log.info("HCR answer full (%d events): splitting at %s", len(events), middle)
    merged: dict[object, dict] = {}
    for part in (_query_range(params, start, middle, cap), _query_range(params, middle, stop, cap)):
        for event in part:
            merged.setdefault(_event_key(event), event)
    return list(merged.values())


def query_events(params):
    """
    Ask the HCR for every event that matches ``params``, splitting the time range at the cap.

    Parameters
    ----------
    params : dict
        HCR query parameters, including ``startTime`` and ``stopTime``; a ``limit`` below
        `MAX_EVENTS` is the caller's own cap and is obeyed without splitting.

    Returns
    -------
    list of dict
        The events, sorted by start time, each once.

    Raises
    ------
    IrispyPlusSearchError
        If the HCR cannot be reached, answers with an error, HTML or malformed JSON, or a
        one-minute range still holds more events than one answer can.
    """
    params = {key: str(value) for key, value in params.items() if value is not None}
    start = parse_hcr_time(params.pop("startTime"))
    stop = parse_hcr_time(params.pop("stopTime"))
    if stop < start:
        msg = f"The search ends ({stop}) before it starts ({start}); swap the times."
        raise IrispyPlusSearchError(msg)
    limit = int(params["limit"]) if params.get("limit", "").isdigit() else None
    if limit is not None and limit < MAX_EVENTS:
        events = _request_events(
            {**params, "startTime": format_hcr_time(start), "stopTime": format_hcr_time(stop, round_up=True)}
        )
    else:
        events = _query_range(params, start, stop, MAX_EVENTS)
        if limit is not None:
            events = sorted(events, key=lambda event: str(event.get("startTime")))[:limit]
    return sorted(events, key=lambda event: str(event.get("startTime")))
