"""
HCR events in the shape of real ``search-events3`` answers, and the HCR's filters over
them: what `irispy_plus.testing.hcr_server.HCRTestServer` serves.

Examples
--------
>>> from irispy_plus.testing.hcr_events import make_events, rewrite_urls
>>> events = rewrite_urls(make_events(3), "http://127.0.0.1:8000")
>>> [event["iris_obsid"] for event in events]
['3600000000', '3600000001', '3600000002']
>>> events[0]["groups"][0]["comp_data_url"].startswith("http://127.0.0.1:8000/solarsoft/")
True
"""

import copy
import datetime as dt
import re

__all__ = ["REAL_HOST", "event_matches", "make_event", "make_events", "rewrite_urls"]

#: Scheme and host of the real IRIS archive, in the file URLs of the events.
REAL_HOST = "https://www.lmsal.com"


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


def _event_value(event, column):
    raster: dict = next((g for g in event.get("groups") or [] if g.get("group_name") == "Raster"), {})
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


def event_matches(event, params):  # noqa: PLR0911 - one test per HCR filter
    """
    Whether the HCR would answer a search of ``params`` with ``event``.

    The filters of ``search-events3`` that irispy-plus sends: the time range (an event
    without usable times is kept, so damaged events reach the client), OBSIDs, the
    description, target, NOAA number, windows, final data, limb scans and every
    ``min``/``max`` range.

    Parameters
    ----------
    event : dict
        An HCR event (`make_event`).
    params : dict
        The query parameters of the search, as strings.

    Returns
    -------
    bool

    Examples
    --------
    >>> from irispy_plus.testing.hcr_events import event_matches, make_event
    >>> event = make_event("20210905_001833_3620258102", "2021-09-05T05:07:36", target="QS")
    >>> times = {"startTime": "2021-09-05T00:00", "stopTime": "2021-09-06T00:00"}
    >>> event_matches(event, times | {"target": "QS"}), event_matches(event, times | {"target": "AR"})
    (True, False)
    """
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
