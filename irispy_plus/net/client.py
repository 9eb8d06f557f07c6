"""
The `sunpy.net.Fido` client for IRIS Level 2 files listed by the HEK Coverage Registry.
"""

import os
import re
import string
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import parfive
import sunpy.net.attrs as a
from sunpy import config as sunpy_config
from sunpy.net.attr import Attr, and_
from sunpy.net.base_client import BaseClient, QueryResponseRow, QueryResponseTable, convert_row_to_table

from irispy_plus.net import attrs as iris_attrs
from irispy_plus.net._config import hcr_url
from irispy_plus.net._download import FAILURES, FileTarget, check_count, fetch_targets
from irispy_plus.net._hcr_api import query_events
from irispy_plus.net._parfive import close_loops_of
from irispy_plus.net._rows import COLUMNS, event_name, event_rows, prefer_final, rows_to_columns, select_rows
from irispy_plus.net._safety import (
    check_folder,
    check_url,
    fill_template,
    safe_component,
    template_fields,
    template_root,
)
from irispy_plus.net._scripts import write_scripts
from irispy_plus.net._table import IRISHCRResponseTable, read_saved_results
from irispy_plus.net._walker import walker
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusSearchError, warn_user
from irispy_plus.utils.windows import HCR_WINDOWS

__all__ = ["IRISHCRClient", "check_destination", "check_template", "get_fits", "load_results"]

_KIND_CHOICES = {
    "raster": ("raster",),
    "sji": ("sji", "sji_deconvolved"),
    "sji_deconvolved": ("sji_deconvolved",),
    "sdo": ("sdo",),
}
_TARGETS = (
    ("AR", "Active region"),
    ("QS", "Quiet Sun"),
    ("CH", "Coronal hole"),
    ("FS", "Flare or flare watch"),
    ("PR", "Prominence"),
    ("SS", "Sunspot"),
    ("EF", "Emerging flux"),
    ("PL", "Plage"),
    ("LIMB", "Limb"),
)


class IRISHCRClient(BaseClient):
    """
    Search the HEK Coverage Registry (HCR) for IRIS Level 2 files, and fetch them.

    One row per downloadable file (a ``raster.tar.gz``, a slit-jaw ``.fits.gz`` in one band,
    its deconvolved version, the SDO cubes), with its observation: OBSID, times,
    description, target, pointing and field of view, raster steps and step size, cadence,
    exposure time, whether the file is final or near-real-time, and the URL.

    Searches take ``a.Time``, ``a.Instrument.iris``, ``a.Level(2)``, ``a.Wavelength``
    (keeps slit-jaw bands and rasters with a spectral window in range) and every
    ``a.iris.*`` attribute (`irispy_plus.net.attrs`); a pasted query URL of the IRIS search
    tool is ``a.iris.QueryURL(url)`` or `search_url`. A range with more matches than one
    HCR answer holds (400) is split by time and merged.

    Fetching downloads with parfive (parallel, ranged, with retries and a progress bar),
    verifies every file and by default unpacks it: ``.fits.gz`` to ``.fits`` and
    ``raster.tar.gz`` to its ``raster_t000_rNNNNN.fits`` files, in a folder of the
    observation (``{file}`` in a path template is that folder's name).

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import Fido, attrs as a
    >>> import irispy_plus
    >>> query = (a.Time("2021-09-05 00:00", "2021-09-05 06:00"), a.Instrument.iris,
    ...          a.iris.Description("sit-and-stare"), a.iris.FileKind("raster"))
    >>> results = Fido.search(*query)  # doctest: +SKIP
    >>> files = Fido.fetch(results, path="~/iris/{file}")  # doctest: +SKIP
    """

    @property
    def info_url(self) -> str:
        """The HCR search page."""
        return "https://iris.lmsal.com/search/"

    def search(self, *query: Attr) -> IRISHCRResponseTable:
        """
        Search the HCR.

        Parameters
        ----------
        *query : `sunpy.net.attr.Attr`
            Search attributes, combined with AND; ``|`` between them makes several queries
            whose results are merged.

        Returns
        -------
        IRISHCRResponseTable
            One row per downloadable file, near-real-time rows dropped where a final file
            exists.

        Raises
        ------
        IrispyPlusSearchError
            If the query lacks a time range, or the HCR fails or answers unusably (an error
            status, HTML, malformed or cut-short JSON, an answer over the size cap or slower
            than the limits of `irispy_plus.net.conf`).

        Warns
        -----
        IrispyPlusUserWarning
            For each event that cannot be used (no start time, no observation id, an OBSID
            that is not digits) and each file whose URL is not usable; they are left out and
            the other events are kept.
        """
        queries = walker.create(and_(*query))
        rows: dict[str, dict[str, Any]] = {}
        for hcr_query in queries:
            for event in query_events(hcr_query.params):
                try:
                    found = event_rows(event)
                except IrispyPlusSearchError as error:
                    warn_user(f"The HCR event {event_name(event)} was left out of the results: {error}.")
                    continue
                for row in select_rows(found, hcr_query.kinds, hcr_query.wavelength):
                    rows.setdefault(row["url"], row)
        kept = prefer_final(rows.values())
        table = IRISHCRResponseTable(rows_to_columns(kept) if kept else None, client=self)
        table.meta["hcr_query"] = [
            {
                "params": dict(q.params),
                "url": f"{hcr_url()}?{urllib.parse.urlencode({'cmd': 'search-events3', **q.params})}",
                "kinds": list(q.kinds or []),
                "wavelength_angstrom": [] if q.wavelength is None else [w.value for w in q.wavelength],
            }
            for q in queries
        ]
        return table

    def search_url(self, url: str, *query: Attr) -> IRISHCRResponseTable:
        """
        Search with a pasted query URL of the IRIS search tool, keeping all its filters.

        Parameters
        ----------
        url : str
            The whole URL (the "Export Python" link).
        *query : `sunpy.net.attr.Attr`
            Further attributes (e.g. ``a.iris.FileKind("sji")``).

        Returns
        -------
        IRISHCRResponseTable
        """
        return self.search(iris_attrs.QueryURL(url), *query)

    @convert_row_to_table
    def fetch(
        self,
        query_results: QueryResponseTable | QueryResponseRow,
        *,
        path: str | os.PathLike[str] | None = None,
        downloader: parfive.Downloader | None = None,
        wait: bool = True,
        unpack: bool = True,
        kind: str | Sequence[str] | None = None,
        prefer_final_files: bool = True,
        text_files: bool = False,
        overwrite: bool | str | None = None,
        retries: int | None = None,
        progress: bool | None = None,
        max_conn: int | None = None,
        max_splits: int | None = None,
        **kwargs: Any,
    ) -> parfive.Results:
        """
        Download, verify and (by default) unpack the files of search results.

        Parameters
        ----------
        query_results : IRISHCRResponseTable or its row
            What to fetch.
        path : str or path-like, optional
            A directory, or a template such as ``"~/iris/{obsid}/{file}"`` with any column
            (lower case, ``_`` for spaces) and ``{file}``: the observation folder when
            unpacking, else the compressed file name. By default sunpy's download folder.
        downloader : parfive.Downloader, optional
            Given by ``Fido.fetch``; its ``max_conn``, ``max_splits``, ``progress`` and
            ``overwrite`` settings are used for the download, which this client runs itself
            so that it can verify and unpack each file.
        wait : bool, optional
            Ignored: the files are always fetched before this returns.
        unpack : bool, optional
            Unpack ``.fits.gz`` and ``.tar.gz`` files (default), or keep them compressed.
        kind : str or sequence of str, optional
            Only these kinds: ``"raster"``, ``"sji"`` (with deconvolved), ``"sji_deconvolved"``,
            ``"sdo"``.
        prefer_final_files : bool, optional
            Skip near-real-time files whose final version is also in the results (default).
        text_files : bool, optional
            Download nothing; write ``download_iris.sh`` and ``unpack_iris.sh`` to edit and run
            by hand (in the directory of ``path``) and return their paths.
        overwrite : bool, optional
            Fetch again files already unpacked on disk; default from the downloader, else False.
        retries : int, optional
            Further attempts after a transient failure; default ``irispy_plus.net.conf.retries``.
        progress : bool, optional
            Show progress bars; default from the downloader, else True.
        max_conn : int, optional
            Parallel downloads (at least 1); default from the downloader, else 5.
        max_splits : int, optional
            Ranged connections per file (at least 1); default from the downloader, else 5.
        **kwargs
            Nothing else is accepted: an unknown keyword is an error, never ignored.

        Returns
        -------
        parfive.Results
            The final file paths. Failures are in ``.errors``, each an
            `~irispy_plus.utils.exceptions.IrispyPlusDownloadError` naming the URL; pass the
            results back to ``Fido.fetch`` to retry them. One failed file does not stop the
            others.

        Raises
        ------
        IrispyPlusDownloadError
            Before anything is fetched: for an unknown keyword, a count out of range, a path
            template with an unknown or malformed field, or a folder that is a file or cannot
            be written in.
        KeyboardInterrupt
            On Ctrl-C, once partial downloads and temporary files are removed.

        Notes
        -----
        Every name that comes from the HCR and becomes part of a path (the observation
        folder, a file name, a template field such as ``{description}``) must be one plain
        file name: a row with ``..``, a path separator, a control character or an absolute
        path is not fetched and is reported in ``.errors``, as is a row whose final path is
        that of another row (nothing is overwritten).
        """
        if kwargs:
            msg = (
                f"IRISHCRClient.fetch does not take {', '.join(map(repr, sorted(kwargs)))}; it takes path, "
                "unpack, kind, prefer_final_files, text_files, overwrite, retries, progress, "
                "max_conn and max_splits."
            )
            raise IrispyPlusDownloadError(msg)
        settings = downloader.config if isinstance(downloader, parfive.Downloader) else None
        if isinstance(downloader, parfive.Downloader):
            close_loops_of(downloader)
        max_conn = check_count(
            "max_conn", max_conn if max_conn is not None else _setting(settings, "max_conn"), 1
        )
        max_splits = check_count(
            "max_splits", max_splits if max_splits is not None else _setting(settings, "max_splits"), 1
        )
        if retries is not None:
            check_count("retries", retries, 0)
        template = check_template(path)
        rows = [row for row in query_results if _wanted(row, kind)]
        if prefer_final_files:
            rows = prefer_final(rows)
        targets, refused = [], []
        for row in rows:
            try:
                targets.append(_target(row, template, unpack))
            except IrispyPlusDownloadError as error:
                refused.append((str(row["url"]), error))
        if text_files:
            scripts = write_scripts(targets, targets[0].directory if targets else template_root(template))
            results = parfive.Results()
            for script in scripts:
                results.append(path=str(script), url="")
            _add_refused(results, refused)
            return results
        check_folder(template_root(template))
        results = fetch_targets(
            targets,
            max_conn=max_conn,
            max_splits=max_splits,
            progress=progress if progress is not None else (settings.progress if settings else True),
            overwrite=overwrite if overwrite is not None else bool(settings and settings.overwrite),
            retries=retries,
        )
        _add_refused(results, refused)
        return results

    @classmethod
    def _can_handle_query(cls, *query: Attr) -> bool:
        supported = {a.Time, a.Instrument, a.Level, a.Wavelength}
        ours = {getattr(iris_attrs, name) for name in iris_attrs.__all__}
        types = {type(attr) for attr in query}
        if not types or not types <= supported | ours:
            return False
        for attr in query:
            if isinstance(attr, a.Instrument) and attr.value.upper() != "IRIS":
                return False
            if isinstance(attr, a.Level) and str(attr.value) != "2":
                return False
        return a.Instrument in types or bool(types & ours)

    @classmethod
    def _attrs_module(cls):
        return "iris", "irispy_plus.net.attrs"

    @classmethod
    def register_values(cls) -> dict[type[Attr], list[tuple[str, str]]]:
        """
        The attribute values this client answers to, for Fido's registry.

        Returns
        -------
        dict
            Each sunpy attribute class with its ``(value, description)`` pairs.
        """
        return {
            a.Instrument: [("IRIS", "Interface Region Imaging Spectrograph (HEK Coverage Registry)")],
            a.Level: [("2", "IRIS Level 2: calibrated spectrograph rasters and slit-jaw images")],
            iris_attrs.Target: list(_TARGETS),
            iris_attrs.FileKind: [
                ("raster", "Spectrograph raster files (raster.tar.gz)"),
                ("sji", "Slit-jaw image series, one band per file"),
                ("sji_deconvolved", "Deconvolved slit-jaw image series"),
                ("sdo", "Co-aligned SDO cubes (SDO.tar.gz)"),
            ],
            iris_attrs.SpectralWindows: [(name, f"Spectral window {name}") for name in HCR_WINDOWS],
            iris_attrs.HasData: [("True", "Final Level 2 data exist")],
        }


def _wanted(row, kind):
    if kind is None:
        return True
    kinds = [kind] if isinstance(kind, str) else list(kind)
    unknown = [k for k in kinds if k not in _KIND_CHOICES]
    if unknown:
        msg = f"kind must be one or several of {sorted(_KIND_CHOICES)}, not {unknown}."
        raise IrispyPlusDownloadError(msg)
    return any(row["File Kind"] in _KIND_CHOICES[k] for k in kinds)


_FIELDS = frozenset(
    {"file"} | {re.sub(f"[{re.escape(string.punctuation)} ]", "_", name).lower() for name in COLUMNS}
)


def _setting(settings, name):
    return getattr(settings, name) if settings is not None else 5


def _template(path):
    if path is None:
        return str(Path(sunpy_config.get("downloads", "download_dir")) / "{file}")
    path = str(path)
    return path if "{file}" in path else str(Path(path) / "{file}")


def check_template(path: str | os.PathLike[str] | None) -> str:
    """
    The path template of ``path`` (a folder, or a template), checked before any download.

    Parameters
    ----------
    path : str or path-like or None
        What the user gave as ``path``; None for sunpy's download folder.

    Returns
    -------
    str
        The template, ending in ``{file}`` when ``path`` is a folder.

    Raises
    ------
    IrispyPlusDownloadError
        If it has an unknown field (``{oops}``), attribute or index access, or an unmatched
        brace.

    Examples
    --------
    >>> from irispy_plus.net.client import check_template
    >>> check_template("/data/iris/{obsid}")
    '/data/iris/{obsid}/{file}'
    """
    template = _template(path)
    unknown = sorted(set(template_fields(template)) - _FIELDS)
    if unknown:
        msg = (
            f"The path template {template!r} uses {', '.join('{' + f + '}' for f in unknown)}, which "
            f"is not a column of the results; use any of {', '.join('{' + f + '}' for f in sorted(_FIELDS))}."
        )
        raise IrispyPlusDownloadError(msg)
    return template


def check_destination(
    path: str | os.PathLike[str] | None = None, *, max_conn: int = 5, retries: int | None = None
) -> Path:
    """
    Check, before anything is searched, where `IRISHCRClient.fetch` would write and how.

    The checks ``fetch`` makes of its ``path``, ``max_conn`` and ``retries`` before any
    download, made up front (the ``irispy-plus fetch`` command makes them before it
    searches): the path template has known fields only, the counts are whole numbers, and
    the folder the template starts with can be made and written in.

    Parameters
    ----------
    path : str or path-like, optional
        A folder or a path template, as for `IRISHCRClient.fetch`; sunpy's download
        folder by default.
    max_conn : int, optional
        Parallel downloads, at least 1.
    retries : int, optional
        Further attempts after a transient failure, at least 0.

    Returns
    -------
    pathlib.Path
        The folder the files go under (made if it did not exist).

    Raises
    ------
    IrispyPlusDownloadError
        If the template has an unknown or malformed field, a count is not a whole number
        or too small, or the folder is a file or cannot be made or written in.

    Examples
    --------
    >>> import tempfile
    >>> from irispy_plus.net import check_destination
    >>> folder = tempfile.mkdtemp()
    >>> check_destination(folder + "/{obsid}", max_conn=2).as_posix() == folder
    True
    >>> check_destination(folder, retries=-1)
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusDownloadError: retries must be a whole number of at least 0, ...
    """
    check_count("max_conn", max_conn, 1)
    if retries is not None:
        check_count("retries", retries, 0)
    return check_folder(template_root(check_template(path)))


def _target(row, template, unpack):
    url = str(row["url"])
    filename = check_url(url)
    folder = safe_component(str(row["Observation"]), "Observation", source=url)
    values = dict(row.response_block_map)
    values["file"] = folder if unpack else filename
    filled = fill_template(template, values, _FIELDS)
    return FileTarget(
        url=url,
        directory=filled.parent,
        folder=filled.name if unpack else folder,
        unpack=unpack,
        root=template_root(template),
    )


class _Refused:
    """The file-name hook of a refused row: a retry through ``Fido.fetch`` fails the same way."""

    def __init__(self, error):
        self.error = error

    def __call__(self, response, url):
        raise self.error


def _add_refused(results, refused):
    for url, error in refused:
        FAILURES.warning("%s", error)
        results.add_error(_Refused(error), url, error)


def _one_of(name, value, other_name, other, default):
    """The value of a keyword given in two spellings; an error if both are given and differ."""
    if value is not None and other is not None and value != other:
        msg = f"get_fits got {name}={value!r} and {other_name}={other!r}, which disagree; give one."
        raise IrispyPlusDownloadError(msg)
    return next((v for v in (value, other) if v is not None), default)


def _kind_of(kind, raster_only, sji_only):
    """``kind`` from the tutorial's ``raster_only`` / ``sji_only`` keywords."""
    if raster_only and sji_only:
        msg = (
            "get_fits got raster_only=True and sji_only=True; give one, or neither for all files "
            "(in irispy-plus: kind='raster' or kind='sji')."
        )
        raise IrispyPlusDownloadError(msg)
    wanted = "raster" if raster_only else "sji" if sji_only else None
    if wanted is None:
        return kind
    if kind is not None and kind != wanted:
        msg = f"get_fits got kind={kind!r} and {wanted}_only=True, which disagree; give kind={wanted!r}."
        raise IrispyPlusDownloadError(msg)
    return wanted


def get_fits(
    query_text: str,
    path: str | os.PathLike[str] | None = None,
    *,
    kind: str | Sequence[str] | None = None,
    unpack: bool | None = None,
    text_files: bool = False,
    raster_only: bool = False,
    sji_only: bool = False,
    output_dir: str | os.PathLike[str] | None = None,
    decompress: bool | None = None,
    **fetch_kwargs,
) -> parfive.Results:
    """
    Find and fetch the files of a pasted IRIS search URL: the tutorial's ``hcr2fits.get_fits``.

    The keywords of iris_lmsalpy's ``get_fits`` work as they do there: ``raster_only=True``
    fetches only the raster tarball, ``sji_only=True`` only the slit-jaw files,
    ``output_dir`` is where the files go and ``decompress=False`` keeps them compressed.
    Their irispy-plus spellings are ``kind``, ``path`` and ``unpack``.

    Parameters
    ----------
    query_text : str
        The query URL of the IRIS search tool ("Export Python"), pasted whole.
    path : str or path-like, optional
        Directory or path template (see `IRISHCRClient.fetch`); the current folder by
        default.
    kind : str or sequence of str, optional
        ``"raster"``, ``"sji"``, ... (all kinds by default).
    unpack : bool, optional
        Unpack the files (default).
    text_files : bool, optional
        Write editable download and unpack scripts instead of downloading.
    raster_only, sji_only : bool, optional
        iris_lmsalpy's spellings of ``kind="raster"`` and ``kind="sji"``.
    output_dir : str or path-like, optional
        iris_lmsalpy's spelling of ``path``.
    decompress : bool, optional
        iris_lmsalpy's spelling of ``unpack``.
    **fetch_kwargs
        Passed to `IRISHCRClient.fetch` (``progress``, ``max_conn``, ``retries``...); an
        unknown keyword is an error.

    Returns
    -------
    parfive.Results
        The paths of the files (or of the two scripts).

    Raises
    ------
    IrispyPlusSearchError
        If the URL is not a query of the HCR or the search fails.
    IrispyPlusDownloadError
        If two spellings of one keyword disagree, both ``raster_only`` and ``sji_only`` are
        given, or a keyword is unknown.

    Examples
    --------
    >>> from irispy_plus.net import get_fits
    >>> files = get_fits("https://www.lmsal.com/hek/hcr?cmd=search-events3&outputformat=json"
    ...                  "&startTime=2021-09-05T00:00&stopTime=2021-09-05T06:00&obsDesc=sit",
    ...                  raster_only=True, output_dir="iris_data")  # doctest: +SKIP
    """
    if not isinstance(query_text, str) or "startTime" not in query_text:
        msg = f"{query_text!r} is not an HCR query URL; paste the whole 'Export Python' link."
        raise IrispyPlusSearchError(msg)
    kind = _kind_of(kind, raster_only, sji_only)
    path = _one_of("path", path, "output_dir", output_dir, ".")
    unpack = _one_of("unpack", unpack, "decompress", decompress, True)
    client = IRISHCRClient()
    check_template(path)
    if "retries" in fetch_kwargs and fetch_kwargs["retries"] is not None:
        check_count("retries", fetch_kwargs["retries"], 0)
    results = client.search_url(query_text)
    return client.fetch(results, path=path, kind=kind, unpack=unpack, text_files=text_files, **fetch_kwargs)


def load_results(filename: str | os.PathLike[str]) -> IRISHCRResponseTable:
    """
    Load search results saved by `~irispy_plus.net.save_results`, ready for ``Fido.fetch``.

    Parameters
    ----------
    filename : path-like
        An ``.ecsv`` or ``.asdf`` file.

    Returns
    -------
    IRISHCRResponseTable
        The results, with ``meta["hcr_query"]`` and the HCR client attached.

    Raises
    ------
    IrispyPlusFileError
        If the file cannot be read as saved results.

    See Also
    --------
    irispy_plus.net.save_results : Save search results.

    Examples
    --------
    Search a loopback stand-in for the HCR (so that the example runs offline), save the
    results in a temporary folder, and load them back with their query:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sunpy.net import Fido, attrs as a
    >>> from irispy_plus.net import IRISHCRClient, conf, load_results
    >>> from irispy_plus.testing.hcr_events import make_event
    >>> from irispy_plus.testing.hcr_server import HCRTestServer
    >>> event = make_event("20210905_001833_3620258102", "2021-09-05T05:07:36")
    >>> with HCRTestServer([event]) as server, conf.set_temp("hcr_url", server.hcr_url):
    ...     results = IRISHCRClient().search(a.Time("2021-09-05", "2021-09-06"), a.iris.FileKind("raster"))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     loaded = load_results(results.save(Path(folder) / "results.ecsv"))
    >>> type(loaded).__name__, len(loaded)
    ('IRISHCRResponseTable', 1)
    >>> loaded["filename"].tolist()
    ['iris_l2_20210905_001833_3620258102_raster.tar.gz']
    >>> loaded.meta["hcr_query"][0]["params"]
    {'startTime': '2021-09-05T00:00:00', 'stopTime': '2021-09-06T00:00:00'}
    >>> files = Fido.fetch(loaded, path="~/iris/{file}")  # doctest: +SKIP
    """
    plain, query = read_saved_results(filename)
    table = IRISHCRResponseTable(plain, client=IRISHCRClient())
    table.meta["hcr_query"] = query
    return table
