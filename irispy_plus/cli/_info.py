"""
``irispy-plus info``: what an IRIS Level 2 file holds.
"""

__all__ = ["add_parser", "run_info"]


def add_parser(subparsers):
    """
    Add the ``info`` sub-command.
    """
    parser = subparsers.add_parser(
        "info",
        help="describe an IRIS Level 2 file: observation and windows",
        description="Describe an IRIS Level 2 file; optionally print a header or the auxiliary table.",
    )
    parser.add_argument("file", help="a raster or slit-jaw file")
    parser.add_argument(
        "--header",
        type=int,
        metavar="EXT",
        help="print the header of extension EXT (negative counts from the end)",
    )
    parser.add_argument("--aux", action="store_true", help="print the auxiliary (per-exposure) table")
    parser.set_defaults(func=run_info)


def run_info(args):
    """
    Run ``irispy-plus info``.
    """
    from irispy_plus.io import Level2File, file_summary
    from irispy_plus.io._sources import open_sources

    print(file_summary(args.file))
    if args.header is not None or args.aux:
        layout: Level2File = open_sources(args.file)[0]
        if args.header is not None:
            print(repr(layout.header(args.header)))
        if args.aux:
            layout.aux_table.pprint(max_lines=-1, max_width=-1)
    return 0
