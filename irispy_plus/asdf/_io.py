"""
Keep irispy-plus objects in ASDF files: `save` and `load` for cubes, collections, fit
results, points of interest and search results, `save_vars` and `load_vars` for
variables (the IRIS tutorial's ``saveall``).

ASDF is an open, versioned format: YAML for the structure and binary blocks for the
arrays. Unlike the tutorial's joblib (pickle) files, loading one never runs code from
the file, and files written by one version of irispy-plus load in the next.

Writes are atomic: the file is written under a temporary name in the same folder,
flushed to disk, then renamed over the final name, so a crash, an interrupted write or a
full disk never leaves a damaged file under the final name nor destroys the old one.
"""

import contextlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

import asdf
import numpy as np

from irispy_plus.asdf.converters._arrays import DROP_DATA, SPILL_DIR
from irispy_plus.asdf.converters._prepare import prepare
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError
from irispy_plus.utils.logger import log

__all__ = ["load", "load_vars", "save", "save_vars"]

#: Key of the saved object in the tree of a file written by `save`.
OBJECT_KEY = "irispy_plus_object"
#: Key of the variables in the tree of a file written by `save_vars`.
VARIABLES_KEY = "irispy_plus_variables"

_FITS_SUFFIXES = (".gz", ".fits", ".fts", ".fit", ".tar", ".asdf")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".jbl", ".joblib", ".npy", ".npz")


# --- file names and the overwrite rule -----------------------------------------------
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


def _is_viewer(obj):
    """
    A quick-look viewer: saved as its points of interest.
    """
    points = getattr(obj, "points", None)
    return isinstance(points, list) and not isinstance(obj, list | tuple | dict)


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


def _target_path(obj, filename, out_dir, only_poi):
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


def _may_write(path, force):
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


# --- atomic writing ------------------------------------------------------------------
def _file_mode(path):
    """
    The permissions for the new file: those of the file it replaces, else the default
    for new files (0666 less the umask).
    """
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def _spilling_beside(path):
    """Large lazy arrays are computed into temporary files in ``path``'s folder meanwhile."""
    token = SPILL_DIR.set(str(Path(path).parent))
    try:
        yield
    finally:
        SPILL_DIR.reset(token)


def _fsync_directory(directory):
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _open_anonymous(directory):
    """
    A file without a name in ``directory`` (Linux ``O_TMPFILE``), or None where the
    system or file system has none. Killed part way, such a write leaves nothing behind.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(directory, flag | os.O_RDWR, 0o600)
    except OSError:
        return None


def atomic_write(path, write):
    """
    Write a file atomically: ``write(fileobj)`` fills a temporary file in the same
    folder, which is flushed to disk and then renamed to ``path``.

    If anything fails part way (an error, a full disk, an interrupt), ``path`` keeps its
    old content (or still does not exist) and the temporary file is removed. On Linux
    the temporary file has no name until it is complete, so even a killed process
    leaves nothing behind.

    Parameters
    ----------
    path : pathlib.Path
        The final file name.
    write : callable
        Called with a binary file object open for writing.

    Raises
    ------
    IrispyPlusFileError
        If the folder does not exist or the file cannot be written.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        msg = f"Cannot save {path.name}: the folder {directory} does not exist. Create it first."
        raise IrispyPlusFileError(msg)
    mode = _file_mode(path)
    fd = _open_anonymous(directory)
    temporary = None
    try:
        if fd is None:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
            temporary = Path(name)
        with os.fdopen(fd, "w+b") as fileobj:
            fd = None
            write(fileobj)
            fileobj.flush()
            os.fchmod(fileobj.fileno(), mode)
            os.fsync(fileobj.fileno())
            if temporary is None:
                temporary = _link_anonymous(fileobj.fileno(), directory, path.name)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        msg = f"Could not write {path}: {error}. Any previous file of that name is unchanged."
        raise IrispyPlusFileError(msg) from error
    finally:
        if fd is not None:
            os.close(fd)
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    _fsync_directory(directory)
    return path


def _link_anonymous(fd, directory, name):
    """
    Give the anonymous file ``fd`` a unique temporary name in ``directory``.
    """
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        for _ in range(100):
            candidate = f".{name}.{os.urandom(6).hex()}.tmp"
            try:
                # Giving the directory descriptors makes Python call linkat() with
                # AT_SYMLINK_FOLLOW, which links the file itself, not the /proc entry.
                os.link(
                    f"/proc/self/fd/{fd}",
                    candidate,
                    src_dir_fd=directory_fd,
                    dst_dir_fd=directory_fd,
                    follow_symlinks=True,
                )
            except FileExistsError:
                continue
            return Path(directory) / candidate
    finally:
        os.close(directory_fd)
    msg = f"Could not find a free temporary name for {name} in {directory}."
    raise FileExistsError(msg)


def _write_tree(path, tree):
    def write(fileobj):
        try:
            asdf.AsdfFile(tree).write_to(fileobj, all_array_compression=None)
        except (TypeError, ValueError, asdf.exceptions.AsdfSerializationError) as error:
            if isinstance(error, IrispyPlusError):
                raise
            msg = f"Could not save to {path}: {error}. Nothing was written."
            raise IrispyPlusError(msg) from error

    return atomic_write(path, write)


# --- reading safely ------------------------------------------------------------------
def _refuse_non_asdf(path):
    """
    Check that ``path`` is an ASDF file before asdf reads it; refuse pickles plainly.
    """
    if not path.is_file():
        msg = f"{path} does not exist or is not a file."
        raise IrispyPlusFileError(msg)
    with path.open("rb") as fileobj:
        head = fileobj.read(5)
    if head == b"#ASDF":
        return
    if head[:1] == b"\x80" or path.suffix.lower() in _PICKLE_SUFFIXES or path.name.endswith(".jbl.gz"):
        msg = (
            f"{path} looks like a pickle or joblib file. irispy-plus never loads those: loading a "
            "pickle runs code stored in the file. If you trust its author, load it with joblib or "
            "pickle yourself and save the objects again with irispy_plus.asdf.save or save_vars."
        )
        raise IrispyPlusFileError(msg)
    msg = f"{path} is not an ASDF file (it does not start with '#ASDF'); load() reads only ASDF files."
    raise IrispyPlusFileError(msg)


def _materialize(value):
    """
    Arrays of a loaded tree as numpy arrays (memory-mapped, not copied), so that they
    outlive the closed file.
    """
    from asdf.tags.core import NDArrayType

    if isinstance(value, NDArrayType):
        return np.asarray(value)
    if type(value) is dict:
        return {key: _materialize(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_materialize(item) for item in value)
    return value


def _read_tree(path, key, other_key, other_function):
    """
    Open ``path`` and return ``tree[key]``, converting every failure into an
    `IrispyPlusFileError` that says what is wrong.
    """
    import yaml
    from asdf.exceptions import AsdfConversionWarning, ValidationError

    path = Path(path).expanduser()
    _refuse_non_asdf(path)
    try:
        with warnings.catch_warnings():
            # A tag no installed extension knows (a Python-object tag, or a class of some
            # other package) would otherwise become a plain dict; refuse the file instead.
            warnings.simplefilter("error", AsdfConversionWarning)
            with asdf.config_context() as config:
                config.validate_on_read = True
                with asdf.open(path, memmap=True, lazy_load=True) as asdf_file:
                    tree = asdf_file.tree
                    if key not in tree:
                        hint = (
                            f"it was written by {other_function}; read it with that function's pair"
                            if other_key in tree
                            else "it was not written by irispy-plus"
                        )
                        msg = f"{path} holds no {key.split('_')[-1]} to load: {hint}."
                        raise IrispyPlusFileError(msg)
                    return _materialize(tree[key])
    except AsdfConversionWarning as warning:
        text = str(warning)
        if "is not recognized" in text:
            tag = text.split(" is not recognized", maxsplit=1)[0]
            msg = (
                f"{path} holds an object tagged {tag}, which no installed package reads, so the file "
                "was not loaded. Python-object tags (tag:yaml.org,2002:python/...) are never run; "
                "other tags need the package that wrote them."
            )
        else:
            msg = f"{path} could not be read: {text.removeprefix('A node failed to convert with: ')}"
        raise IrispyPlusFileError(msg) from None
    except ValidationError as error:
        msg = f"{path} does not match its schema, so it was not loaded: {error.message}."
        raise IrispyPlusFileError(msg) from None
    except (yaml.YAMLError, ValueError, KeyError) as error:
        if isinstance(error, IrispyPlusError):
            raise
        msg = f"{path} is a damaged or unsupported ASDF file: {error}"
        raise IrispyPlusFileError(msg) from error


# --- the public interface ------------------------------------------------------------
def save(obj, filename=None, out_dir=None, only_poi=False, force=False):
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
        Keep the structure (metadata, coordinates, points of interest) but drop the
        data, mask and uncertainty of cubes: a small file. Loaded back, such cubes have
        the original shape, NaN data and a full mask.
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
        If no filename was given and ``obj`` does not come from an IRIS file, or
        ``obj`` holds something ASDF cannot write.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.asdf import load, save
    >>> from irispy_plus.data import sample
    >>> cube = read_files(sample.SJI_1400)[:, 20:40, 30:60]
    >>> path = save(cube, out_dir=tmp_path)
    >>> path.name
    'soi_iris_l2_20230408_110821_3880012095_SJI_1400_t000.asdf'
    >>> load(path).shape
    (2, 20, 30)
    """
    if _is_viewer(obj):
        obj = list(obj.points)
    path = _target_path(obj, filename, out_dir, only_poi)
    if not _may_write(path, force):
        return None
    token = DROP_DATA.set(bool(only_poi))
    try:
        with _spilling_beside(path):
            _write_tree(path, {OBJECT_KEY: prepare(obj)})
    finally:
        DROP_DATA.reset(token)
    log.info("Saved %s to %s", type(obj).__name__, path)
    return path


def load(file):
    """
    Load an object saved with `save`.

    The arrays of cubes stay in the file (memory-mapped, wrapped in dask arrays) until
    used. Nothing in the file is ever run: files that hold Python-object tags, tags of
    unknown classes, or pickles are refused.

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
        instance), does not match its schemas, holds tags no installed package reads, or
        was not written by `save`.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.asdf import load, save
    >>> from irispy_plus.data import sample
    >>> raster = read_files(sample.RASTER, windows="Si IV 1403")["Si IV 1403"][:2]
    >>> loaded = load(save(raster, out_dir=tmp_path))
    >>> loaded.shape, loaded.unit
    ((2, 109, 29), Unit("DN_IRIS_FUV"))
    """
    return _read_tree(file, OBJECT_KEY, VARIABLES_KEY, "save_vars")


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


def save_vars(filename, *, out_dir=None, force=False, verbose=True, **variables):
    """
    Save variables to an ASDF file, by name (the IRIS tutorial's ``saveall``).

    Arrays, quantities (IRIS DN units included), times, tables, numbers, strings, and
    lists and dicts of these can be saved, as can any object `save` takes. The write is
    atomic.

    Parameters
    ----------
    filename : str or pathlib.Path
        The file; ``.asdf`` is appended when missing.
    out_dir : str or pathlib.Path, optional
        The folder for a relative ``filename``.
    force : bool, optional
        Overwrite an existing file without asking (see `save`).
    verbose : bool, optional
        Print what was written.
    **variables
        The variables, by name.

    Returns
    -------
    pathlib.Path or None
        The file written; None if the user chose not to overwrite an existing file.

    Raises
    ------
    IrispyPlusError
        If no variable was given, or one cannot be written to ASDF.
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
    if not variables:
        msg = "save_vars() was given no variables: pass them by name, e.g. save_vars('file', a=a, b=b)."
        raise IrispyPlusError(msg)
    path = _target_path(None, filename, out_dir, only_poi=False)
    if not _may_write(path, force):
        return None
    with _spilling_beside(path):
        _write_tree(path, {VARIABLES_KEY: prepare(dict(variables))})
    if verbose:
        _print_variables(f"Saved {len(variables)} variables to {path}:", variables)
    return path


def load_vars(filename, *, verbose=True, copy=True):
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
    variables = _read_tree(filename, VARIABLES_KEY, OBJECT_KEY, "save")
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
