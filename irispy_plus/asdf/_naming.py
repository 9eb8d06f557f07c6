"""
How `irispy_plus.asdf.save` names its files, and when it may overwrite one.
"""

import os
import sys
from pathlib import Path

from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError
from irispy_plus.utils.logger import log

__all__ = ["POINTS_KEY", "is_viewer", "may_write", "points_of_interest", "target_path"]

#: The metadata key under which points of interest may be attached to a cube.
POINTS_KEY = "points_of_interest"

_FITS_SUFFIXES = (".gz", ".fits", ".fts", ".fit", ".tar", ".asdf")


def _source_cube(obj):
    """
    The first cube of ``obj`` (a cube, sequence, collection or observation), or None.
    """
    from ndcube import NDCollection, NDCube, NDCubeSequence

    if isinstance(obj, NDCube):
        return obj
    if isinstance(obj, NDCubeSequence):
        return obj.data[0] if obj.data else None
    if isinstance(obj, NDCollection | dict):
        for value in obj.values():
            cube = _source_cube(value)
            if cube is not None:
                return cube
    return None


def _is_point_of_interest(obj):
    items = obj if isinstance(obj, list | tuple) else [obj]
    return bool(items) and all(type(item).__name__ == "PointOfInterest" for item in items)


def is_viewer(obj):
    """
    A quick-look viewer: saved as its points of interest.
    """
    points = getattr(obj, "points", None)
    return isinstance(points, list) and not isinstance(obj, list | tuple | dict)


def _attached_points(obj):
    """The points of interest attached to ``obj`` and to the cubes it holds."""
    from ndcube import NDCollection, NDCube, NDCubeSequence

    if _is_point_of_interest(obj):
        return list(obj) if isinstance(obj, list | tuple) else [obj]
    if is_viewer(obj):
        return list(obj.points)
    found = list(getattr(obj, "points", None) or []) if not isinstance(obj, dict | list | tuple) else []
    if isinstance(obj, NDCube):
        found += list((obj.meta or {}).get(POINTS_KEY) or [])
    elif isinstance(obj, NDCubeSequence):
        for cube in obj.data:
            found += _attached_points(cube)
    elif isinstance(obj, NDCollection | dict):
        for value in obj.values():
            found += _attached_points(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            found += _attached_points(value)
    unique: list = []
    for point in found:
        if not any(point is other for other in unique):
            unique.append(point)
    return unique


def points_of_interest(obj):
    """
    The points of interest of ``obj`` (what ``save(obj, only_poi=True)`` keeps): those of
    a quick-look viewer, those given, or those attached to cubes (a list under the
    ``"points_of_interest"`` key of their metadata).

    Raises
    ------
    IrispyPlusError
        If ``obj`` holds none.
    """
    points = _attached_points(obj)
    if not points:
        msg = (
            f"save(..., only_poi=True) keeps points of interest, and this {type(obj).__name__} holds "
            "none. Mark points in a quick-look viewer (key 'a') and save the viewer: "
            "save(viewer, only_poi=True); or attach a list of PointOfInterest to a cube's "
            f"meta[{POINTS_KEY!r}]. To keep the cube itself, call save(cube)."
        )
        raise IrispyPlusError(msg)
    return points


def _check_file_name(path, given):
    """Refuse a file name the system cannot hold, before anything is written."""
    text = str(given)
    if "\0" in text:
        msg = f"The file name {text!r} holds a NUL character, which no file name can hold; choose another."
        raise IrispyPlusError(msg)
    folder = path.parent if str(path.parent) else Path(os.curdir)
    try:
        longest = os.pathconf(folder, "PC_NAME_MAX") if folder.is_dir() else 255
    except (OSError, ValueError):
        longest = 255
    # The atomic write uses a temporary name 20 bytes longer than the final one.
    if len(os.fsencode(path.name)) + 20 > longest:
        msg = (
            f"The file name {path.name[:40]}... is {len(os.fsencode(path.name))} bytes long; names in "
            f"{folder} may be at most {longest - 20} (so that it can be written atomically). "
            "Choose a shorter name."
        )
        raise IrispyPlusError(msg)


def _source_filename(obj):
    """
    The name of the IRIS file ``obj`` was made from, or None.
    """
    items = obj if isinstance(obj, list | tuple) and obj else [obj]
    for item in items:
        for attribute in ("source_file", "filename", "source"):
            value = getattr(item, attribute, None)
            if isinstance(value, str | os.PathLike) and str(value):
                return str(value)
        cube = _source_cube(item)
        if cube is not None and cube.meta is not None and cube.meta.get("filename"):
            return str(cube.meta["filename"])
    return None


def _default_prefix(obj, only_poi):
    from irispy_plus.cubes import IRISSJICube, SJICollection

    if only_poi or _is_point_of_interest(obj):
        return "poi_"
    if isinstance(obj, IRISSJICube | SJICollection):
        return "soi_"
    return "roi_"


def _stem(filename):
    name = Path(filename).name
    while name.lower().endswith(_FITS_SUFFIXES):
        name = name[: name.rindex(".")]
    return name


def _poi_name(obj):
    """
    ``poi_<window>_<time>`` for points of interest that do not name their file.
    """
    first = obj[0] if isinstance(obj, list | tuple) else obj
    window = "_".join(str(first.window).split())
    return f"poi_{window}_{first.time.strftime('%Y%m%dT%H%M%S')}"


def target_path(obj, filename, out_dir, only_poi):
    if filename is None:
        source = _source_filename(obj)
        if source is None and _is_point_of_interest(obj):
            filename = _poi_name(obj)
        elif source is None:
            msg = (
                f"save() cannot name the file for a {type(obj).__name__}: it does not come from an "
                "IRIS file. Pass filename=."
            )
            raise IrispyPlusError(msg)
        else:
            filename = _default_prefix(obj, only_poi) + _stem(source)
    path = Path(filename).expanduser()
    if path.suffix.lower() != ".asdf":
        path = path.with_name(path.name + ".asdf")
    if out_dir is not None and not path.is_absolute():
        path = Path(out_dir).expanduser() / path
    _check_file_name(path, filename)
    return path


def _someone_to_ask():
    """
    Whether ``input()`` reaches a person: a terminal, or a Jupyter kernel.
    """
    stdin = sys.stdin
    if stdin is not None and not stdin.closed and stdin.isatty():
        return True
    shell = sys.modules.get("IPython")
    get_ipython = getattr(shell, "get_ipython", None)
    return get_ipython is not None and type(get_ipython()).__name__ == "ZMQInteractiveShell"


def may_write(path, force):
    """
    Whether ``path`` may be written: it does not exist, ``force`` is set, or the user
    agrees when asked.

    Raises
    ------
    IrispyPlusFileError
        If the file exists, ``force`` is not set and there is no one to ask.
    """
    if not path.exists() or force:
        return True
    if not _someone_to_ask():
        msg = (
            f"{path} already exists and there is no one to ask whether to overwrite it (the "
            "input is not a terminal). Pass force=True to overwrite it, or choose another filename."
        )
        raise IrispyPlusFileError(msg)
    answer = input(f"{path} already exists. Overwrite it? [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        return True
    log.warning("Did not overwrite %s; nothing was saved.", path)
    return False
