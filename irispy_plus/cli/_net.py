"""
The ``irispy-plus search`` and ``irispy-plus fetch`` sub-commands: find IRIS files in the
HEK Coverage Registry and download them.
"""

import logging
import sys
from pathlib import Path

__all__ = ["add_parser"]

_USAGE = 2
_INTERRUPTED = 130


def _add_query_arguments(parser):
    query = parser.add_argument_group("what to look for")
    query.add_argument("--start", help="start of the time range (e.g. 2021-09-05T00:00)")
    query.add_argument("--end", help="end of the time range")
    query.add_argument("--url", help="a query URL of the IRIS search tool ('Export Python'), pasted whole")
    query.add_argument("--obsid", nargs="+", help="one or several OBSIDs")
    query.add_argument("--description", help="text in the observation description")
    query.add_argument("--target", help="target code: AR, QS, CH, FS, PR, ...")
    query.add_argument("--noaa", type=int, help="NOAA active-region number")
    for axis in ("x", "y"):
        query.add_argument(f"--{axis}-min", type=float, help=f"lowest {axis.upper()} of the pointing, arcsec")
        query.add_argument(
            f"--{axis}-max", type=float, help=f"highest {axis.upper()} of the pointing, arcsec"
        )
    query.add_argument("--min-steps", type=int, help="fewest raster steps")
    query.add_argument("--max-steps", type=int, help="most raster steps")
    query.add_argument("--windows", nargs="+", help="spectral windows that must be present")
    query.add_argument("--has-data", action="store_true", help="only observations with final data")
    query.add_argument("--hide-limb-scans", action="store_true", help="leave out most limb scans")
    query.add_argument(
        "--kind",
        nargs="+",
        choices=("raster", "sji", "sji_deconvolved", "sdo"),
        help="only these kinds of file",
    )


def _query(args):
    """The search attributes given by the command-line arguments."""
    from sunpy.net import attrs as a

    from irispy_plus.net import attrs as iris

    query = []
    if args.url:
        query.append(iris.QueryURL(args.url))
    else:
        query += [a.Time(args.start, args.end), a.Instrument.iris]
    if args.start and args.end and args.url:
        query.append(a.Time(args.start, args.end))
    optional = [
        (args.obsid, lambda: iris.OBSID(*args.obsid)),
        (args.description, lambda: iris.Description(args.description)),
        (args.target, lambda: iris.Target(args.target.upper())),
        (args.noaa, lambda: iris.NOAANumber(args.noaa)),
        (
            args.x_min is not None or args.x_max is not None,
            lambda: iris.XCen(_arcsec(args.x_min), _arcsec(args.x_max)),
        ),
        (
            args.y_min is not None or args.y_max is not None,
            lambda: iris.YCen(_arcsec(args.y_min), _arcsec(args.y_max)),
        ),
        (
            args.min_steps is not None or args.max_steps is not None,
            lambda: iris.RasterSteps(args.min_steps, args.max_steps),
        ),
        (args.windows, lambda: iris.SpectralWindows(*args.windows)),
        (args.has_data, lambda: iris.HasData(True)),
        (args.hide_limb_scans, lambda: iris.HideLimbScans(True)),
        (args.kind, lambda: iris.FileKind(*args.kind)),
    ]
    query += [make() for given, make in optional if given]
    return query


def _arcsec(value):
    import astropy.units as u

    return None if value is None else value * u.arcsec


def _results(args):
    from irispy_plus.net import IRISHCRClient, load_results

    if getattr(args, "results", None):
        return load_results(args.results)
    return IRISHCRClient().search(*_query(args))


class _UsageError(Exception):
    """A command-line argument that cannot be used (exit status 2)."""


def _time_argument(name, value):
    from sunpy.time import parse_time

    try:
        return parse_time(value)
    except (ValueError, TypeError) as error:
        msg = f"{name} {value!r} is not a time; write it as YYYY-MM-DDTHH:MM (e.g. 2021-09-05T00:00)"
        raise _UsageError(msg) from error


def _check_query(args):
    """Check the time range and the query arguments before anything is asked of the HCR."""
    if getattr(args, "results", None):
        if not Path(args.results).is_file():
            msg = f"--results {args.results!r} is not a file of saved results"
            raise _UsageError(msg)
        return
    if not args.url and not (args.start and args.end):
        msg = "give --start and --end, or --url"
        raise _UsageError(msg)
    if bool(args.start) != bool(args.end):
        msg = "give both --start and --end"
        raise _UsageError(msg)
    if args.start and args.end:
        start = _time_argument("--start", args.start)
        end = _time_argument("--end", args.end)
        if end < start:
            msg = f"--end {args.end} is before --start {args.start}; swap them"
            raise _UsageError(msg)


def _check_save(save):
    """Check that ``--save`` names an .ecsv or .asdf file in a folder that can be written."""
    from irispy_plus.net import check_folder
    from irispy_plus.utils.exceptions import IrispyPlusDownloadError

    path = Path(save).expanduser()
    if path.suffix.lower() not in (".ecsv", ".asdf"):
        msg = f"--save {save!r} must end in .ecsv or .asdf"
        raise _UsageError(msg)
    if path.is_dir():
        msg = f"--save {save!r} is a folder; give a file name"
        raise _UsageError(msg)
    try:
        check_folder(path.parent)
    except IrispyPlusDownloadError as error:
        raise _UsageError(f"--save: {error}") from error


def _check_fetch(args):
    """Check the counts and the folder of ``fetch`` before anything is searched or fetched."""
    from irispy_plus.net import check_destination
    from irispy_plus.utils.exceptions import IrispyPlusDownloadError

    for flag, value, minimum in (("--max-conn", args.max_conn, 1), ("--retries", args.retries, 0)):
        if value is not None and value < minimum:
            msg = f"{flag} must be a whole number of at least {minimum}, not {value!r}."
            raise _UsageError(msg)
    try:
        check_destination(args.dir)
    except IrispyPlusDownloadError as error:
        raise _UsageError(str(error)) from error


def _fail(command, message):
    print(f"irispy-plus {command}: error: {message}", file=sys.stderr)


def _run_search(args):
    try:
        _check_query(args)
        if args.save:
            _check_save(args.save)
    except _UsageError as error:
        _fail("search", error)
        return _USAGE
    try:
        table = _results(args)
    except KeyboardInterrupt:
        _fail("search", "interrupted")
        return _INTERRUPTED
    shown = [name for name in table.colnames if name not in table.hide_keys or (args.urls and name == "url")]
    if len(table):
        print("\n".join(table[shown].pformat(max_lines=-1, max_width=-1, show_dtype=False)))
    observations = len(set(table["OBSID"])) if len(table) else 0
    print(f"{len(table)} files of {observations} observations")
    if args.save:
        table.save(args.save)
        print(f"saved to {args.save}")
    return 0


def _run_fetch(args):
    from irispy_plus.net import IRISHCRClient

    failures = logging.getLogger("irispy_plus.net.failures")

    try:
        _check_fetch(args)
        _check_query(args)
    except _UsageError as error:
        _fail("fetch", error)
        return _USAGE
    # Each failure is printed below, once; the library's log line of it would repeat it.
    failures.disabled = True
    try:
        table = _results(args)
        files = IRISHCRClient().fetch(
            table,
            path=args.dir,
            kind=args.kind if args.results else None,
            unpack=not args.no_unpack,
            text_files=args.text_files,
            progress=not args.no_progress,
            max_conn=args.max_conn,
            retries=args.retries,
        )
    except KeyboardInterrupt:
        _fail("fetch", "interrupted; partial downloads and temporary files were removed")
        return _INTERRUPTED
    finally:
        failures.disabled = False
    for path in files:
        print(path)
    for failure in files.errors:
        _fail("fetch", failure.exception)
    return 1 if files.errors else 0


def add_parser(subparsers):
    """
    Add the ``search`` and ``fetch`` sub-commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``irispy-plus`` command.
    """
    search = subparsers.add_parser(
        "search",
        help="find IRIS Level 2 files in the HEK Coverage Registry",
        description="Search the HEK Coverage Registry and print one row per downloadable file.",
    )
    _add_query_arguments(search)
    search.add_argument("--urls", action="store_true", help="show the download URLs")
    search.add_argument("--save", help="save the results to an .ecsv or .asdf file")
    search.set_defaults(func=_run_search)

    fetch = subparsers.add_parser(
        "fetch",
        help="download (and unpack) IRIS Level 2 files",
        description="Search as `irispy-plus search` does (or load saved results) and download the files.",
    )
    _add_query_arguments(fetch)
    fetch.add_argument("--results", help="fetch the files of results saved by `search --save`")
    fetch.add_argument("--dir", required=True, help="directory (or path template with {file}) for the files")
    fetch.add_argument("--no-unpack", action="store_true", help="keep the .fits.gz and .tar.gz files")
    fetch.add_argument(
        "--text-files", action="store_true", help="write download and unpack scripts instead of downloading"
    )
    fetch.add_argument("--max-conn", type=int, default=5, help="parallel downloads (default 5)")
    fetch.add_argument("--retries", type=int, help="further attempts after a transient failure")
    fetch.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    fetch.set_defaults(func=_run_fetch)
