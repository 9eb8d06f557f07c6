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

    The file is opened (and, if compressed, checked to its end) once; a damaged file ends
    in the `~irispy_plus.utils.IrispyPlusFileError` that the command prints on one line.
    """
    from irispy_plus.io import open_sources
    from irispy_plus.io.summary import describe_layout

    layout = open_sources(args.file)[0]
    header = layout.header(args.header) if args.header is not None else None
    aux = layout.aux_table if args.aux else None
    print(describe_layout(layout))
    if header is not None:
        print(repr(header))
    if aux is not None:
        aux.pprint(max_lines=-1, max_width=-1)
    return 0
