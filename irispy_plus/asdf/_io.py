"""
Keep irispy-plus objects in ASDF files: `save` and `load` for cubes, collections, fit
results, points of interest and search results, `save_vars` and `load_vars` for
variables (the IRIS tutorial's ``saveall``).

ASDF is an open, versioned format: YAML for the structure and binary blocks for the
arrays. Unlike the tutorial's joblib (pickle) files, loading one never runs code from
the file, and files written by one version of irispy-plus load in the next. Loading
checks the file first (`irispy_plus.asdf._reading`): block checksums, bounded YAML
aliases, no self-references.

Writes are atomic (`irispy_plus.asdf._atomic`): a crash, an interrupted write or a full
disk never leaves a damaged file under the final name nor destroys the old one.
"""

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from irispy_plus.asdf._atomic import atomic_write
from irispy_plus.asdf._naming import is_viewer, may_write, points_of_interest, target_path
from irispy_plus.asdf._reading import read_tree
from irispy_plus.asdf.converters._arrays import SPILL_DIR
from irispy_plus.asdf.converters._prepare import prepare, sharing
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusUsageError
from irispy_plus.utils.logger import log

__all__ = ["load", "load_vars", "save", "save_vars"]

#: Key of the saved object in the tree of a file written by `save`.
OBJECT_KEY = "irispy_plus_object"
#: Key of the variables in the tree of a file written by `save_vars`.
VARIABLES_KEY = "irispy_plus_variables"


@contextlib.contextmanager
def _spilling_beside(path):
    """
    Large lazy arrays are computed into temporary files in ``path``'s folder meanwhile;
    the tables and times met more than once are written once.
    """
    token = SPILL_DIR.set(str(Path(path).parent))
    try:
        with sharing():
            yield
    finally:
        SPILL_DIR.reset(token)


def _write_tree(path, tree):
    import asdf

    def write(fileobj):
        try:
            asdf.AsdfFile(tree).write_to(fileobj, all_array_compression=None)
        except IrispyPlusError:
            raise
        except (TypeError, ValueError, asdf.exceptions.AsdfSerializationError) as error:
            msg = f"Could not save to {path}: {error}. Nothing was written."
            raise IrispyPlusError(msg) from error
        except RecursionError:
            msg = f"Could not save to {path}: what was given nests too deeply. Nothing was written."
            raise IrispyPlusError(msg) from None

    return atomic_write(path, write)


def save(
    obj: Any,
    filename: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    only_poi: bool = False,
    force: bool = False,
) -> Path | None:
    """
    Save an irispy-plus object to an ASDF file.

    Cubes (`~irispy_plus.cubes.IRISSpectrogramCube`, `~irispy_plus.cubes.IRISSJICube`),
    sequences and collections of them, observations, fit results, points of interest
    (a quick-look viewer is saved as the list of its points), search results, and lists
    or dicts of these can be saved. Lazily read data are computed while writing; arrays
    over 256 MiB block by block into a temporary file beside the output, so a cube of
    any size is saved without holding it in memory. The write is atomic: a failure part
    way leaves any existing file untouched.

    Parameters
    ----------
    obj : object
        What to save.
    filename : str or pathlib.Path, optional
        The file name; ``.asdf`` is appended when missing. By default the name of the
        IRIS file ``obj`` comes from, with the FITS suffixes removed and the prefix
        ``roi_`` (raster of interest), ``soi_`` (slit-jaw of interest) or ``poi_``
        (``only_poi=True``); points of interest that do not name their file are saved
        as ``poi_<window>_<time>.asdf``.
    out_dir : str or pathlib.Path, optional
        The folder for a relative ``filename``; the current folder by default.
    only_poi : bool, optional
        Save only the points of interest (the IRIS tutorial's form): those of a
        quick-look viewer, or those attached to the cubes of ``obj`` (a list of
        `~irispy_plus.visualization.PointOfInterest` under their metadata key
        ``"points_of_interest"``). `load` gives back the list of points.
    force : bool, optional
        Overwrite an existing file without asking. Otherwise, at a terminal or in a
        notebook the user is asked; with no one to ask, an existing file is an error.

    Returns
    -------
    pathlib.Path or None
        The file written; None if the user chose not to overwrite an existing file.

    Raises
    ------
    IrispyPlusFileError
        If the file exists and may not be overwritten, or cannot be written.
    IrispyPlusError
        If no filename was given and ``obj`` does not come from an IRIS file, the file
        name cannot be a file's, ``obj`` holds something ASDF cannot write (or holds
        itself), or ``only_poi`` is set and ``obj`` holds no points of interest.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.asdf import load, save
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SJI_1400)[:, 20:40, 30:60]
    >>> path = save(cube, out_dir=tmp_path)
    >>> path.name
    'soi_iris_l2_20230408_110821_3880012095_SJI_1400_t000.asdf'
    >>> load(path).shape
    (2, 20, 30)
    """
    if only_poi:
        points = points_of_interest(obj)
        # Named after the cubes' file; a viewer's points after their window and time.
        path = target_path(points if is_viewer(obj) else obj, filename, out_dir, only_poi=True)
        obj = points
    else:
        if is_viewer(obj):
            obj = list(obj.points)
        path = target_path(obj, filename, out_dir, only_poi=False)
    if not may_write(path, force):
        return None
    with _spilling_beside(path):
        _write_tree(path, {OBJECT_KEY: prepare(obj)})
    log.info("Saved %s to %s", type(obj).__name__, path)
    return path


def load(file: str | os.PathLike[str]) -> Any:
    """
    Load an object saved with `save`.

    The arrays of cubes stay in the file (memory-mapped, wrapped in dask arrays) until
    used. Nothing in the file is ever run: files that hold Python-object tags, tags of
    unknown classes, or pickles are refused. The file is checked first: its YAML tree
    for aliases that would expand it without bound and for nodes that contain
    themselves, and every binary block against its checksum (which reads the file once).

    Parameters
    ----------
    file : str or pathlib.Path
        An ASDF file written by `save`.

    Returns
    -------
    object
        The saved object.

    Raises
    ------
    IrispyPlusFileError
        If the file does not exist, is not an ASDF file (a pickle or joblib file, for
        instance), is damaged (a block that does not match its checksum), would take
        unbounded work (YAML aliases, a tree that contains itself, deep nesting, a huge
        compressed block), does not match its schemas, holds tags no installed package
        reads, or was not written by `save`.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.asdf import load, save
    >>> from irispy_plus.data import sample
    >>> raster = read_cube(sample.RASTER, "Si IV 1403")[:2]
    >>> loaded = load(save(raster, out_dir=tmp_path))
    >>> loaded.shape, loaded.unit
    ((2, 109, 29), Unit("DN_IRIS_FUV"))
    """
    return read_tree(file, OBJECT_KEY, VARIABLES_KEY, "save_vars")


def _describe(value):
    import astropy.units as u
    from astropy.table import Table
    from astropy.time import Time

    if isinstance(value, u.Quantity):
        shape = f" {value.shape}" if value.shape else ""
        return f"Quantity{shape} [{value.unit}]"
    if isinstance(value, Time):
        return f"Time {value.shape}" if value.shape else f"Time {value.isot}"
    if isinstance(value, Table):
        return f"{type(value).__name__} ({len(value)} rows, {len(value.colnames)} columns)"
    if isinstance(value, np.ndarray):
        return f"array {value.shape} {value.dtype}"
    if isinstance(value, list | tuple | dict):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def save_vars(
    filename: str | os.PathLike[str],
    *values: Any,
    varnames: Sequence[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    verbose: bool = True,
    **variables: Any,
) -> Path | None:
    """
    Save variables to an ASDF file, by name (the IRIS tutorial's ``saveall``).

    Arrays, quantities (IRIS DN units included), times, tables, numbers, strings, and
    lists and dicts of these can be saved, as can any object `save` takes. The write is
    atomic.

    Parameters
    ----------
    filename : str or pathlib.Path
        The file; ``.asdf`` is appended when missing.
    *values
        Values given without names, as in iris_lmsalpy (``save_vars(file, a, b,
        varnames=["a", "b"])``): ``varnames`` names them. Python cannot tell a value's
        name, so without ``varnames`` this is an error that shows the form by name.
    varnames : list of str, optional
        The names of ``values``, in order.
    out_dir : str or pathlib.Path, optional
        The folder for a relative ``filename``.
    force : bool, optional
        Overwrite an existing file without asking (see `save`).
    verbose : bool, optional
        Print what was written.
    **variables
        The variables, by name (the irispy-plus form: ``save_vars(file, a=a, b=b)``).
        Each name must be a Python identifier, so that
        ``globals().update(load_vars(file))`` gives them back.

    Returns
    -------
    pathlib.Path or None
        The file written; None if the user chose not to overwrite an existing file.

    Raises
    ------
    IrispyPlusUsageError
        If no variable was given, values were given without names, or a name is not an
        identifier.
    IrispyPlusError
        If a variable cannot be written to ASDF, or holds itself; or the file name
        cannot be a file's (a NUL character, too long).
    IrispyPlusFileError
        If the file exists and may not be overwritten, or cannot be written.

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from irispy_plus.asdf import load_vars, save_vars
    >>> path = save_vars(tmp_path / "work", velocity=np.arange(3) * u.km / u.s, note="quiet Sun")
    Saved 2 variables to ...work.asdf:
      velocity: Quantity (3,) [km / s]
      note: str
    >>> load_vars(path, verbose=False)["velocity"]
    <Quantity [0., 1., 2.] km / s>
    """
    variables = _named_variables(values, varnames, variables)
    path = target_path(None, filename, out_dir, only_poi=False)
    if not may_write(path, force):
        return None
    with _spilling_beside(path):
        _write_tree(path, {VARIABLES_KEY: prepare(dict(variables))})
    if verbose:
        _print_variables(f"Saved {len(variables)} variables to {path}:", variables)
    return path


def _named_variables(values, varnames, variables):
    """The variables of `save_vars` by name, checked."""
    if values:
        if varnames is None or len(varnames) != len(values):
            given = "no varnames" if varnames is None else f"{len(varnames)} varnames"
            msg = (
                f"save_vars() was given {len(values)} values without names ({given}). Name them: "
                "save_vars(filename, a=a, b=b) (the irispy-plus form), or "
                "save_vars(filename, a, b, varnames=['a', 'b'])."
            )
            raise IrispyPlusUsageError(msg)
        duplicated = sorted(set(varnames) & set(variables))
        if duplicated:
            msg = f"save_vars(): {', '.join(duplicated)} given both in varnames and by name."
            raise IrispyPlusUsageError(msg)
        variables = {**dict(zip(varnames, values, strict=True)), **variables}
    elif varnames is not None:
        msg = "save_vars(): varnames names values given without names, and none were given."
        raise IrispyPlusUsageError(msg)
    if not variables:
        msg = "save_vars() was given no variables: pass them by name, e.g. save_vars('file', a=a, b=b)."
        raise IrispyPlusUsageError(msg)
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier():
            msg = (
                f"save_vars(): the variable name {name!r} is not a Python identifier (letters, digits "
                "and _, not starting with a digit); load_vars could not give it back as a variable."
            )
            raise IrispyPlusUsageError(msg)
    return variables


def load_vars(filename: str | os.PathLike[str], *, verbose: bool = True, copy: bool = True) -> dict[str, Any]:
    """
    Load the variables saved with `save_vars`.

    Parameters
    ----------
    filename : str or pathlib.Path
        The file written by `save_vars`.
    verbose : bool, optional
        Print what was read.
    copy : bool, optional
        Read arrays into memory, so they can be changed; with False they stay in the
        file, memory-mapped and read-only.

    Returns
    -------
    dict
        The variables by name. ``globals().update(load_vars(...))`` puts them back.

    Raises
    ------
    IrispyPlusFileError
        As `load`.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.asdf import load_vars, save_vars
    >>> path = save_vars(tmp_path / "maps.asdf", intensity=np.ones((2, 3)), verbose=False)
    >>> variables = load_vars(path)
    Read 1 variables from ...maps.asdf:
      intensity: array (2, 3) float64
    """
    variables = read_tree(filename, VARIABLES_KEY, OBJECT_KEY, "save")
    if copy:
        variables = _copied(variables)
    if verbose:
        _print_variables(f"Read {len(variables)} variables from {Path(filename).expanduser()}:", variables)
    return variables


def _copied(value):
    if isinstance(value, np.ndarray) and not value.flags.writeable:
        return value.copy()
    if type(value) is dict:
        return {key: _copied(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_copied(item) for item in value)
    return value


def _print_variables(title, variables):
    # save_vars and load_vars are the tutorial's interactive tools: printing is their job.
    print(title)  # noqa: T201
    for name, value in variables.items():
        print(f"  {name}: {_describe(value)}")  # noqa: T201
