"""
``irispy-plus movie``: write a slit-jaw file to an MP4 or GIF movie.
"""

__all__ = ["add_parser", "run_movie"]


def add_parser(subparsers):
    """
    Add the ``movie`` sub-command.
    """
    parser = subparsers.add_parser(
        "movie",
        help="write a slit-jaw file to an MP4 (needs ffmpeg) or GIF movie",
        description=(
            "Write an IRIS slit-jaw file to a movie on world axes, with time stamps, the slit "
            "and a colour scale that leaves fill out. MP4 needs ffmpeg; GIF needs nothing more."
        ),
    )
    parser.add_argument("file", help="a slit-jaw (SJI) Level 2 file")
    parser.add_argument("-o", "--out", required=True, help="the movie to write: NAME.mp4 or NAME.gif")
    parser.add_argument("--fps", type=_positive_float, default=10.0, help="frames per second (default 10)")
    parser.add_argument(
        "--cutoff",
        type=float,
        default=1e-3,
        help="fraction clipped at each end of the colour scale (default 0.001)",
    )
    parser.add_argument("--no-slit", action="store_true", help="do not draw the slit")
    parser.set_defaults(func=run_movie)


def _positive_float(text):
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def run_movie(args):
    """
    Run ``irispy-plus movie``.
    """
    from irispy_plus.cli._common import read_slit_jaw
    from irispy_plus.visualization.movie import write_movie

    sji = read_slit_jaw(args.file, "a movie")
    written = write_movie(sji, args.out, fps=args.fps, cutoff=args.cutoff, slit=not args.no_slit)
    print(f"Wrote {written} ({sji.data.shape[0]} frames).")
    return 0
