"""
The ``irispy-plus search`` and ``irispy-plus fetch`` sub-commands: find IRIS files in the
HEK Coverage Registry and download them.
"""

import sys

__all__ = ["add_parser"]


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
    from irispy_plus.utils.exceptions import IrispyPlusSearchError

    query = []
    if args.url:
        query.append(iris.QueryURL(args.url))
    elif args.start and args.end:
        query += [a.Time(args.start, args.end), a.Instrument.iris]
    else:
        msg = "give --start and --end, or --url"
        raise IrispyPlusSearchError(msg)
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


def _run_search(args):
    from irispy_plus.net._rows import HIDDEN_COLUMNS

    table = _results(args)
    shown = [name for name in table.colnames if name not in HIDDEN_COLUMNS or (args.urls and name == "url")]
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
    for path in files:
        print(path)
    for error in files.errors:
        print(f"error: {error.exception}", file=sys.stderr)
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
