"""
``irispy-plus view``: play a slit-jaw file in the fast pyqtgraph movie viewer.
"""

import logging

__all__ = ["add_parser", "run_view"]


def add_parser(subparsers):
    """
    Add the ``view`` sub-command.
    """
    parser = subparsers.add_parser(
        "view",
        help="play a slit-jaw file as a movie (needs the qt extra)",
        description=(
            "Play an IRIS slit-jaw file in a pyqtgraph window, reading one frame at a time. "
            "Keys: space play/pause, left/right step, -/+ speed, u/i/o/p contrast, q quit."
        ),
    )
    parser.add_argument("file", help="a slit-jaw (SJI) Level 2 file")
    parser.add_argument("-g", "--gamma", type=float, default=1.0, help="display gamma (default 1)")
    parser.add_argument(
        "-c",
        "--cutoff",
        type=float,
        default=1e-3,
        help="fraction clipped at each end of the histogram (default 0.001)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is read")
    parser.set_defaults(func=run_view)


def run_view(args):
    """
    Run ``irispy-plus view`` until the window closes.
    """
    from irispy_plus.utils.logger import log
    from irispy_plus.visualization.qt_movie import sji_view

    if args.verbose:
        logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s: %(message)s")
        log.setLevel(logging.DEBUG)
    viewer = sji_view(args.file, gamma=args.gamma, cutoff=args.cutoff)
    print(f"Playing {args.file}: {viewer.n_frames} frames. Press space to play, q to quit.")
    viewer.exec()
    return 0
