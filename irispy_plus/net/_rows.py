"""
Turn HCR events into table rows: one row per downloadable file, with its observation.
"""

import math
import re

import astropy.units as u
import numpy as np
from astropy.time import Time

from irispy_plus.net._config import archive_url
from irispy_plus.net._hcr_api import parse_hcr_time
from irispy_plus.net._safety import check_url
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusSearchError, warn_user
from irispy_plus.utils.logger import log

__all__ = [
    "COLUMNS",
    "HIDDEN_COLUMNS",
    "classify_url",
    "event_name",
    "event_rows",
    "prefer_final",
    "rows_to_columns",
    "select_rows",
]

# name -> unit (None for columns without one); the order is the display order.
COLUMNS = {
    "OBSID": None,
    "Start Time": None,
    "End Time": None,
    "Description": None,
    "Target": None,
    "xCen": u.arcsec,
    "yCen": u.arcsec,
    "FOV X": u.arcsec,
    "FOV Y": u.arcsec,
    "Raster Steps": None,
    "Step Size": u.arcsec,
    "Cadence": u.s,
    "Exposure Time": u.s,
    "File Kind": None,
    "Band": None,
    "Final": None,
    "Raster Repeats": None,
    "Roll": u.deg,
    "Spectral Windows": None,
    "Instrument": None,
    "Level": None,
    "Observation": None,
    "filename": None,
    "url": None,
    "eventId": None,
}
HIDDEN_COLUMNS = [
    "Raster Repeats",
    "Roll",
    "Spectral Windows",
    "Instrument",
    "Level",
    "Observation",
    "filename",
    "url",
    "eventId",
]
_INT_COLUMNS = {"Raster Steps", "Raster Repeats", "Level"}

_OBSERVATION_ID = re.compile(r"(\d{8})_(\d{6})_(\d{10})")
_PRODUCTS = (
    ("raster", re.compile(r"_raster\.tar\.gz$")),
    ("sji_deconvolved", re.compile(r"_SJI_(?P<band>\d{4})_t\d{3}_deconvolved\.fits\.gz$")),
    ("sji", re.compile(r"_SJI_(?P<band>\d{4})_t\d{3}\.fits\.gz$")),
    ("sdo", re.compile(r"_SDO\.tar\.gz$")),
)
# Slit-jaw pass bands (centre, full width) in angstrom, and the half width given to a
# spectral window around the wavelength in its name, for matching a.Wavelength.
_SJI_BANDS = {"1330": (1335.0, 55.0), "1400": (1395.0, 55.0), "2796": (2796.0, 4.0), "2832": (2832.0, 4.0)}
_WINDOW_HALF_WIDTH = 4.0


def classify_url(url):
    """
    Tell the kind of file and slit-jaw band from a download URL.

    Parameters
    ----------
    url : str
        A Level 2 download URL.

    Returns
    -------
    kind : str
        ``"raster"``, ``"sji"``, ``"sji_deconvolved"``, ``"sdo"`` or ``"other"``.
    band : str
        The slit-jaw band (e.g. ``"1400"``), or ``""``.

    Examples
    --------
    >>> from irispy_plus.net._rows import classify_url
    >>> classify_url(".../iris_l2_20210905_001833_3620258102_SJI_2796_t000_deconvolved.fits.gz")
    ('sji_deconvolved', '2796')
    """
    for kind, pattern in _PRODUCTS:
        match = pattern.search(url)
        if match:
            return kind, match.groupdict().get("band") or ""
    return "other", ""


_LARGEST = 1e15  # larger numbers in a count or a size are damage, not data


def _float(value):
    """A finite float, or NaN for a missing, unreadable or non-finite value ("1e999")."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return np.nan
    if not math.isfinite(number) or abs(number) > _LARGEST:
        if value is not None:
            log.debug("unusable number %r in an HCR event: taken as unknown", value)
        return np.nan
    return number


def _int(value):
    number = _float(value)
    return 0 if np.isnan(number) else round(number)


def event_name(event):
    """
    How to name an event in a message: its ``eventId``, else its ``eventKey``, else its start.

    Parameters
    ----------
    event : dict

    Returns
    -------
    str
    """
    if not isinstance(event, dict):
        return repr(event)[:80]
    for key in ("eventId", "eventKey", "startTime"):
        if event.get(key) not in (None, ""):
            return f"{key} {str(event[key])[:200]!r}"
    return "without eventId"


def _time(event, key):
    value = event.get(key)
    if value in (None, ""):
        msg = f"it has no {key}"
        raise IrispyPlusSearchError(msg)
    try:
        return parse_hcr_time(value)
    except IrispyPlusSearchError as error:
        msg = f"its {key} {str(value)[:80]!r} is not a time"
        raise IrispyPlusSearchError(msg) from error


def _obsid(event):
    """The ``iris_obsid`` of an event checked to be an OBSID (digits), or None if missing."""
    value = event.get("iris_obsid")
    if value in (None, ""):
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        msg = f"its iris_obsid {text[:80]!r} is not an OBSID (up to 10 digits)"
        raise IrispyPlusSearchError(msg)
    return text.zfill(10)


def _observation_id(event):
    """``YYYYMMDD_HHMMSS_OBSID``: from the ``eventId``, else built from the start and OBSID."""
    match = _OBSERVATION_ID.search(str(event.get("eventId", "")))
    if match:
        return "_".join(match.groups())
    obsid = _obsid(event)
    if obsid is None:
        msg = "its eventId holds no YYYYMMDD_HHMMSS_OBSID and it has no iris_obsid"
        raise IrispyPlusSearchError(msg)
    return f"{_time(event, 'startTime'):%Y%m%d_%H%M%S}_{obsid}"


def _product_of_group(name):
    name = str(name or "").strip()
    if name.lower() == "raster":
        return "raster.tar.gz"
    if name.upper().startswith("SJI"):
        return f"SJI_{name.split()[-1]}_t000.fits.gz"
    if name.upper().startswith("SDO"):
        return "SDO.tar.gz"
    return None


def _group_url(group, observation):
    url = group.get("comp_data_url")
    if url not in (None, ""):
        if not isinstance(url, str):
            msg = f"its comp_data_url is a {type(url).__name__} ({str(url)[:80]}), not a URL"
            raise IrispyPlusSearchError(msg)
        return url
    product = _product_of_group(group.get("group_name"))
    if product is None:
        return None
    day = f"{observation[:4]}/{observation[4:6]}/{observation[6:8]}"
    return (
        f"{archive_url()}/solarsoft/irisa/data/level2_compressed/{day}/{observation}/"
        f"iris_l2_{observation}_{product}"
    )


def _checked_group_url(group, observation, event):
    """The checked URL of a group, or None (with a warning) for one that cannot be used."""
    try:
        url = _group_url(group, observation)
        if url is not None:
            check_url(url)
    except (IrispyPlusSearchError, IrispyPlusDownloadError) as error:
        warn_user(
            f"A file of the HCR event {event_name(event)} (group {str(group.get('group_name'))[:40]!r}) "
            f"was left out: {error}"
        )
        return None
    return url


def event_rows(event):
    """
    The rows of one HCR event: one per downloadable file.

    A file whose URL is not a usable http(s) URL ending in a file name is left out with a
    warning; the other files of the event are kept.

    Parameters
    ----------
    event : dict
        An event of an HCR ``search-events3`` answer.

    Returns
    -------
    list of dict
        One dict per file, keyed by the names of `COLUMNS` (plain values, not quantities).

    Raises
    ------
    irispy_plus.utils.exceptions.IrispyPlusSearchError
        If the event cannot be used at all: no or an unreadable ``startTime`` or
        ``stopTime``, no observation id, or an ``iris_obsid`` that is not an OBSID.
    """
    if not isinstance(event, dict):
        msg = "it is not a JSON object"
        raise IrispyPlusSearchError(msg)
    start = event.get("startTime")
    _time(event, "startTime")
    stop = event.get("stopTime") or start
    if stop != start:
        _time(event, "stopTime")
    observation = _observation_id(event)
    obsid = _obsid(event) or observation[-10:]
    groups = [group for group in event.get("groups") or [] if isinstance(group, dict)]
    raster = next((g for g in groups if str(g.get("group_name", "")).lower() == "raster"), {})
    common = {
        "OBSID": obsid,
        "Start Time": start,
        "End Time": stop,
        "Description": str(event.get("goal") or ""),
        "Target": str(event.get("target") or ""),
        "xCen": _float(event.get("xCen")),
        "yCen": _float(event.get("yCen")),
        "FOV X": _float(event.get("xFov")),
        "FOV Y": _float(event.get("yFov")),
        "Raster Steps": _int(raster.get("raster_numsteps")),
        "Step Size": _float(raster.get("raster_stepsize")),
        "Cadence": _float(raster.get("cadence_avg_asrun")),
        "Exposure Time": _float(raster.get("mean_exptime", raster.get("max_exptime"))),
        "Raster Repeats": _int(raster.get("numrasters", event.get("iris_repeats"))),
        "Roll": _float(event.get("roll_angle")),
        "Spectral Windows": str(event.get("spectral_window_names") or "").strip("[]"),
        "Instrument": "IRIS",
        "Level": 2,
        "Observation": observation,
        "eventId": str(event.get("eventId") or ""),
    }
    rows = []
    for group in groups:
        url = _checked_group_url(group, observation, event)
        if not url:
            continue
        kind, band = classify_url(url)
        rows.append(
            {
                **common,
                "File Kind": kind,
                "Band": band,
                "Final": "level2_nrt_compressed" not in url,
                "filename": check_url(url),
                "url": url,
            }
        )
    return rows


def _product_key(row):
    return (row["Observation"], row["filename"])


def prefer_final(rows):
    """
    Drop near-real-time rows of files that also have a final row.

    Parameters
    ----------
    rows : iterable of dict-like
        Rows with ``Observation``, ``filename`` and ``Final``.

    Returns
    -------
    list
        The rows kept, in their order.
    """
    rows = list(rows)
    final = {_product_key(row) for row in rows if row["Final"]}
    return [row for row in rows if row["Final"] or _product_key(row) not in final]


def _window_wavelengths(windows):
    numbers = []
    for name in str(windows).split(","):
        match = re.search(r"(\d{4})\s*$", name.strip())
        if match:
            numbers.append(float(match.group(1)))
    return numbers


def _matches_wavelength(row, low, high):
    if row["File Kind"] in ("sji", "sji_deconvolved"):
        centre, width = _SJI_BANDS.get(row["Band"], (_float(row["Band"]), 4.0))
        return centre - width / 2 <= high and centre + width / 2 >= low
    if row["File Kind"] == "raster":
        return any(
            w - _WINDOW_HALF_WIDTH <= high and w + _WINDOW_HALF_WIDTH >= low
            for w in _window_wavelengths(row["Spectral Windows"])
        )
    return False


def select_rows(rows, kinds=None, wavelength=None):
    """
    Keep the rows of the given file kinds whose band or spectral windows meet a wavelength range.

    Parameters
    ----------
    rows : list of dict
        Rows made by `event_rows`.
    kinds : sequence of str, optional
        File kinds to keep; all by default.
    wavelength : tuple of Quantity, optional
        ``(min, max)``: keep slit-jaw files whose pass band overlaps it and raster files with
        a spectral window that does (a window spans 4 Å either side of the wavelength in its
        name); other files are dropped.

    Returns
    -------
    list of dict
    """
    if kinds is not None:
        rows = [row for row in rows if row["File Kind"] in kinds]
    if wavelength is not None:
        low, high = (value.to_value(u.AA) for value in wavelength)
        rows = [row for row in rows if _matches_wavelength(row, low, high)]
    return rows


def rows_to_columns(rows):
    """
    Turn row dicts into table columns: times as `~astropy.time.Time`, numbers as quantities.

    Parameters
    ----------
    rows : list of dict
        Rows made by `event_rows` (at least one).

    Returns
    -------
    dict
        Column name to column, in the order of `COLUMNS`.
    """
    columns = {}
    for name, unit in COLUMNS.items():
        values = [row[name] for row in rows]
        if name in ("Start Time", "End Time"):
            columns[name] = Time([parse_hcr_time(value) for value in values], scale="utc")
        elif unit is not None:
            columns[name] = u.Quantity(np.array(values, dtype=float), unit)
        elif name in _INT_COLUMNS:
            columns[name] = np.array(values, dtype=int)
        elif name == "Final":
            columns[name] = np.array(values, dtype=bool)
        else:
            columns[name] = np.array(values, dtype=str)
    return columns
