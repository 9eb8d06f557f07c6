"""
``irispy-plus view``: play a slit-jaw file in the fast pyqtgraph movie viewer.
"""

import contextlib

__all__ = ["add_parser", "run_view", "stop_on_interrupt"]


def add_parser(subparsers):
    """
    Add the ``view`` sub-command.
    """
    parser = subparsers.add_parser(
        "view",
        help="play a slit-jaw file as a movie (needs the qt extra)",
        description=(
            "Play an IRIS slit-jaw file in a pyqtgraph window, reading one frame at a time. "
            "Keys: space play/pause, left/right step, -/+ speed, u/i/o/p contrast, q quit. "
            "Ctrl-C in the terminal closes it."
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
    parser.set_defaults(func=run_view)


@contextlib.contextmanager
def stop_on_interrupt(app):
    """
    Quit the Qt event loop of ``app`` on Ctrl-C (SIGINT), then raise `KeyboardInterrupt`.

    Qt's event loop runs in C++, so Python's own SIGINT handler would only run, and raise,
    when the loop ends. Here the signal also writes a byte to a socket (Python's
    ``signal.set_wakeup_fd``) that the loop watches: the loop wakes up at once, runs the
    Python handler, which asks the application to quit. No polling timer is needed.
    """
    import signal
    import socket

    from pyqtgraph.Qt import QtCore

    interrupted = []

    def on_sigint(signum, frame):
        interrupted.append(signum)
        app.quit()

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QtCore.QSocketNotifier(reader.fileno(), QtCore.QSocketNotifier.Type.Read)
    # The notifier's slot is Python code: calling it lets the interpreter run on_sigint.
    notifier.activated.connect(lambda *_: reader.recv(64))
    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        notifier.setEnabled(False)
        reader.close()
        writer.close()
    if interrupted:
        raise KeyboardInterrupt


def run_view(args):
    """
    Run ``irispy-plus view`` until the window closes, or Ctrl-C.
    """
    from irispy_plus.cli._common import read_slit_jaw
    from irispy_plus.visualization.qt_movie import sji_view

    viewer = sji_view(read_slit_jaw(args.file, "the movie"), gamma=args.gamma, cutoff=args.cutoff)
    print(f"Playing {args.file}: {viewer.n_frames} frames. Press space to play, q to quit.", flush=True)
    with stop_on_interrupt(viewer.app):
        viewer.exec()
    return 0
