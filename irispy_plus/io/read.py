"""
`read_files` and `read_cube`: the entry points that turn IRIS Level 2 files into cubes.
"""

import os
import warnings
from collections.abc import Iterable
from typing import TypeAlias

import astropy.units as u

from irispy_plus.cubes import (
    IRISObservation,
    IRISSJICube,
    IRISSpectrogramCube,
    RasterCollection,
    SJICollection,
)
from irispy_plus.io._sources import open_sources
from irispy_plus.io.raster import build_raster_collection, single_file_collection
from irispy_plus.io.sji import build_sji_collection
from irispy_plus.utils.exceptions import IrispyPlusDeprecationWarning, IrispyPlusError, IrispyPlusUsageError

__all__ = ["read_cube", "read_files"]

#: What ``filenames`` may be.
FileSources: TypeAlias = str | os.PathLike | Iterable[str | os.PathLike]
#: What ``windows`` may be.
WindowSelection: TypeAlias = str | list[str] | u.Quantity | None


def read_files(
    filenames: FileSources,
    windows: WindowSelection = None,
    uncertainty: bool = False,
    *,
    as_observation: bool | None = None,
) -> IRISObservation | RasterCollection | SJICollection | IRISSJICube:
    """
    Read IRIS Level 2 raster and slit-jaw files into cubes with full world coordinates.

    Data are not read until used: they stay on disk (memory-mapped), scaled and masked
    only when sliced or computed. Compressed files (``.fits.gz``, ``*_raster.tar.gz``)
    are read in memory without unpacking to disk.

    Parameters
    ----------
    filenames : str, pathlib.Path or iterable of them
        Files, folders (all IRIS Level 2 files in them and their sub-folders), glob
        patterns, ``.fits.gz``
        files or ``*_raster.tar.gz`` archives.
    windows : str, list of str, astropy.units.Quantity, optional
        For raster files, which spectral windows to read: a label (``"Si IV 1403"``), a
        list of labels, ``"all"`` (the default), or a wavelength inside the window.
    uncertainty : bool, optional
        Attach the 1-sigma uncertainty from photon and read noise (lazily computed).
    as_observation : bool, optional
        True: return an `~irispy_plus.cubes.IRISObservation` whatever the files are
        (the rule below; it becomes the default in the next release). False: the
        result of earlier releases, without a warning (for this release only). Not
        given: the result of earlier releases, with an
        `~irispy_plus.utils.IrispyPlusDeprecationWarning` when it differs from the
        new one.

    Returns
    -------
    IRISObservation
        With ``as_observation=True``, always an `~irispy_plus.cubes.IRISObservation`:
        a flat mapping from label to data. Each raster window is under its label
        (``"Si IV 1403"``) and is always an `~irispy_plus.cubes.IRISRasterSequence`,
        one cube per raster file in time order (a sequence of one for one file). Each
        slit-jaw band is under its band (``"SJI_1400"``) and is an
        `~irispy_plus.cubes.IRISSJICube`. Raster files alone give the subclass
        `~irispy_plus.cubes.RasterCollection`, slit-jaw files alone the subclass
        `~irispy_plus.cubes.SJICollection`. ``obs.raster`` and ``obs.sji`` give the two
        parts, ``obs.cube(label)`` one cube; `read_cube` reads one cube directly.

        The old result (``as_observation`` not given, or False) differs in three cases,
        which warn when ``as_observation`` is not given: one slit-jaw file gave the
        `~irispy_plus.cubes.IRISSJICube` itself; one raster file gave a
        `~irispy_plus.cubes.RasterCollection` of `~irispy_plus.cubes.IRISSpectrogramCube`
        (not sequences of one); raster and slit-jaw files together put the raster
        windows under a nested ``"raster"`` key. Several slit-jaw files, or several
        raster files alone, give the same result both ways, without a warning.

    Raises
    ------
    IrispyPlusFileError
        A file does not exist, is not a regular file, or is not IRIS Level 2; its
        subclasses say more: `~irispy_plus.utils.IrispyPlusDamagedFileError` (cut short,
        failed CRC), `~irispy_plus.utils.IrispyPlusHeaderError` (a keyword or table
        missing or unusable), `~irispy_plus.utils.IrispyPlusLimitError` (a compressed file
        too large for the memory or the configured limits).
    IrispyPlusError
        ``windows`` is not a label, a list of labels or a wavelength, or a window asked
        for is not in the files.
    IrispyPlusUsageError
        ``as_observation`` is not True, False or None.

    Warns
    -----
    IrispyPlusDeprecationWarning
        ``as_observation`` was not given and the old result differs from the new one.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> obs = read_files(sample.RASTER_SERIES, windows=["Si IV 1403", "Mg II k 2796"], as_observation=True)
    >>> type(obs["Si IV 1403"]).__name__, len(obs["Si IV 1403"].data)
    ('IRISRasterSequence', 3)
    >>> list(read_files(sample.SNS_RASTER, windows=1403.5 * u.AA, as_observation=True))
    ['Si IV 1403']
    >>> read_files(sample.SJI_1400, as_observation=True).cube().shape
    (2, 109, 178)
    """
    _check_windows(windows)
    _check_as_observation(as_observation)
    observation, n_raster_files = _read_observation(filenames, windows, uncertainty)
    if as_observation:
        return observation
    old, change = _old_result(observation, n_raster_files)
    if as_observation is None and change:
        warnings.warn(
            f"Today read_files gives {change}. From the next release it returns an IRISObservation "
            "for every input, with each raster window an IRISRasterSequence (one cube per file) and "
            "each slit-jaw band an IRISSJICube under its own label. Pass as_observation=True to get "
            "that now, use irispy_plus.read_cube(files, window) for one cube, or pass "
            "as_observation=False to keep today's result silently for this release.",
            IrispyPlusDeprecationWarning,
            stacklevel=2,
        )
    return old


def read_cube(
    filenames: FileSources, window: str | u.Quantity | None = None, uncertainty: bool = False
) -> IRISSpectrogramCube | IRISSJICube:
    """
    Read one cube: a spectral window of one raster file, or one slit-jaw series.

    The same as ``read_files(filenames, as_observation=True).cube(window)``, but reads
    only the raster window asked for.

    Parameters
    ----------
    filenames : str, pathlib.Path or iterable of them
        As for `read_files`.
    window : str or astropy.units.Quantity, optional
        The raster window (``"Si IV 1403"``, or a wavelength inside it) or slit-jaw band
        (``"SJI_1400"``); may be left out when the files hold only one.
    uncertainty : bool, optional
        Attach the 1-sigma uncertainty from photon and read noise (lazily computed).

    Returns
    -------
    IRISSpectrogramCube or IRISSJICube

    Raises
    ------
    IrispyPlusError
        No window is given and the files hold several, the window is not in the files
        (the message lists those that are), or the window covers several raster files
        (use `read_files` and index the `~irispy_plus.cubes.IRISRasterSequence`).
    IrispyPlusFileError
        A file cannot be read; see `read_files`.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> read_cube(sample.RASTER, "Si IV 1403").shape
    (8, 109, 29)
    >>> read_cube(sample.SJI_1400).shape
    (2, 109, 178)
    """
    _check_windows(window)
    if window is not None and not isinstance(window, str | u.Quantity):
        msg = (
            f"read_cube reads one window; window={window!r} is not a label or a wavelength. "
            "Use read_files for several."
        )
        raise IrispyPlusError(msg)
    if isinstance(window, str) and window.lower() == "all":
        msg = 'read_cube reads one window; window="all" asks for every one. Use read_files for several.'
        raise IrispyPlusError(msg)
    layouts = open_sources(filenames)
    rasters, slit_jaws = _split(layouts)
    bands = {layout.windows[0].label.lower() for layout in slit_jaws}
    raster_window = None
    if window is not None and rasters:
        is_band = isinstance(window, str) and window.lower() in bands
        if not is_band:
            raster_window, slit_jaws = window, []
    observation = _build_observation(rasters, slit_jaws, raster_window, uncertainty)
    label = window if isinstance(window, str) else None
    return observation.cube(label)


def _split(layouts):
    rasters = [layout for layout in layouts if layout.kind == "raster"]
    slit_jaws = [layout for layout in layouts if layout.kind == "sji"]
    return rasters, slit_jaws


def _read_observation(filenames, windows, uncertainty):
    """The new result of `read_files`, and how many raster files went into it."""
    rasters, slit_jaws = _split(open_sources(filenames))
    if windows is not None and not rasters:
        msg = "windows= selects spectral windows of raster files, but only slit-jaw files were given."
        raise IrispyPlusError(msg)
    return _build_observation(rasters, slit_jaws, windows, uncertainty), len(rasters)


def _build_observation(rasters, slit_jaws, windows, uncertainty):
    raster = build_raster_collection(rasters, windows=windows, uncertainty=uncertainty) if rasters else None
    sji = build_sji_collection(slit_jaws, uncertainty=uncertainty) if slit_jaws else None
    if sji is None:
        return raster
    if raster is None:
        return sji
    return IRISObservation([*raster.items(), *sji.items()], aligned_axes=None)


def _old_result(observation, n_raster_files):
    """
    What `read_files` returned before ``as_observation`` (``observation`` itself where
    that is the same), and how it differs from ``observation`` (empty if it does not).
    """
    raster = observation.raster
    sji = observation.sji
    if raster is None:
        if len(sji) == 1:
            return sji.cube(), "the IRISSJICube itself for one slit-jaw file"
        return sji, ""
    old_raster = single_file_collection(raster) if n_raster_files == 1 else raster
    if sji is None:
        if n_raster_files == 1:
            return old_raster, "the windows of one raster file as IRISSpectrogramCube, not sequences of one"
        return raster, ""
    nested = IRISObservation([("raster", old_raster), *sji.items()], aligned_axes=None)
    return nested, 'the raster windows of raster and slit-jaw files under a nested "raster" key'


def _check_as_observation(as_observation):
    if as_observation is None or isinstance(as_observation, bool):
        return
    msg = (
        f"as_observation={as_observation!r} ({type(as_observation).__name__}) is not True, False "
        "or None; pass as_observation=True for an IRISObservation."
    )
    raise IrispyPlusUsageError(msg)


def _check_windows(windows):
    """Refuse a ``windows`` argument that cannot select windows, before any file is read."""
    hint = 'Give a label ("Si IV 1403"), a list of labels, "all", or a wavelength (1403 * u.AA).'
    if windows is None or isinstance(windows, str):
        return
    if isinstance(windows, u.Quantity):
        if not windows.isscalar or windows.unit.physical_type not in ("length", "frequency", "energy"):
            msg = f"windows={windows!r} is not one wavelength. {hint}"
            raise IrispyPlusError(msg)
        return
    if isinstance(windows, bytes | bytearray) or not hasattr(windows, "__iter__"):
        msg = f"windows={windows!r} ({type(windows).__name__}) cannot select windows. {hint}"
        raise IrispyPlusError(msg)
    labels = list(windows)
    if not labels:
        msg = f"windows={windows!r} selects no window. {hint}"
        raise IrispyPlusError(msg)
    wrong = [label for label in labels if not isinstance(label, str)]
    if wrong:
        msg = f"windows= holds {wrong[0]!r}, not a window label. {hint}"
        raise IrispyPlusError(msg)
