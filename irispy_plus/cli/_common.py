"""
What several sub-commands share: checking an output folder or file, splitting what was
read, choosing a window.

Like every module of `irispy_plus.cli`, this one imports nothing heavy at module level.
"""

import os
import tempfile
from pathlib import Path

from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError

__all__ = [
    "choose_window",
    "output_file",
    "output_folder",
    "read_slit_jaw",
    "save_raster_map",
    "split_observation",
]


def _check_writable(folder, option, given):
    """
    Write (and remove) a temporary file in ``folder``.

    It is the only test that holds on every file system, for every user (root included)
    and under /proc or /sys.
    """
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        msg = (
            f"{option} {given}: cannot write in {folder} ({error.strerror or error}); "
            "choose a folder you can write to."
        )
        raise IrispyPlusFileError(msg) from None


def output_folder(path, option="--out"):
    """
    The folder given by the option ``option``, created if need be and checked to be
    writable, before any work is done.

    Parameters
    ----------
    path : str or os.PathLike
        The folder.
    option : str, optional
        The option that gave it, for the messages.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    IrispyPlusFileError
        If ``path`` is a file, cannot be created (inside /proc, a read-only folder, ...)
        or cannot be written.
    """
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        msg = f"{option} {path}: this is a file, not a folder; give a folder."
        raise IrispyPlusFileError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        msg = (
            f"{option} {path}: cannot create the folder ({error.strerror or error}); "
            "choose a folder you can write to."
        )
        raise IrispyPlusFileError(msg) from None
    _check_writable(folder, option, path)
    return folder


def output_file(path, option="--save"):
    """
    The file given by the option ``option``, checked before any work is done: not a
    folder, in a folder that exists and can be written.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    option : str, optional
        The option that gave it, for the messages.

    Returns
    -------
    pathlib.Path
        The file.

    Raises
    ------
    IrispyPlusFileError
        If ``path`` is a folder or not a regular file, or its folder does not exist or
        cannot be written.
    """
    file = Path(path).expanduser()
    if file.is_dir():
        msg = f"{option} {path}: this is a folder; give a file name."
        raise IrispyPlusFileError(msg)
    if file.exists() and not file.is_file():
        msg = f"{option} {path}: this is not a regular file; give the name of a file."
        raise IrispyPlusFileError(msg)
    folder = file.parent if str(file.parent) else Path(os.curdir)
    if not folder.is_dir():
        msg = f"{option} {path}: the folder {folder} does not exist; create it first."
        raise IrispyPlusFileError(msg)
    _check_writable(folder, option, path)
    return file


def split_observation(observation):
    """
    The rasters (a `~irispy_plus.cubes.RasterCollection` or None) and the list of
    slit-jaw cubes of an `~irispy_plus.cubes.IRISObservation`, as
    ``read_files(..., as_observation=True)`` gives it.
    """
    sji = observation.sji
    return observation.raster, list(sji.values()) if sji is not None else []


def read_slit_jaw(path, purpose):
    """
    The slit-jaw cube of the file ``path``, for a command that shows one (the viewers
    take cubes; this is where a path becomes one).

    Parameters
    ----------
    path : str or path-like
        The file given on the command line.
    purpose : str
        What the command makes, for the error, e.g. ``"a movie"``.

    Raises
    ------
    IrispyPlusError
        If the file holds no slit-jaw series, or several.
    """
    from irispy_plus.io import read_files

    observation = read_files(path, as_observation=True)
    if len(observation.bands) != 1 or observation.windows:
        msg = f"{path} is not a slit-jaw file; {purpose} is made of slit-jaw frames."
        raise IrispyPlusError(msg)
    return observation.cube()


def choose_window(rasters, requested, preferred):
    """
    The window ``requested`` (an error naming the windows if it is not there), or the
    first of ``preferred`` that is there, or the first window.
    """
    if requested is not None:
        if requested not in rasters:
            msg = f"No window {requested!r}; the windows are {', '.join(map(repr, rasters))}."
            raise IrispyPlusError(msg)
        return requested
    return next((label for label in preferred if label in rasters), next(iter(rasters)))


def save_raster_map(image_cube, values, path, *, title, cmap, limits, label):
    """
    Draw ``values``, a map of a raster, on the world axes of ``image_cube`` (Solar-X
    along x), with a colour bar ``label``; write it to ``path`` and return the figure.
    The drawing is `irispy_plus.visualization.plot_map`'s, the one ``map.plot()`` uses.
    """
    from irispy_plus.visualization import save_map

    return save_map(image_cube, path, values=values, title=title, cmap=cmap, limits=limits, label=label)
