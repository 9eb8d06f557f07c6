"""
`read_files`: the one entry point that turns IRIS Level 2 files into cubes.
"""

import astropy.units as u

from irispy_plus.cubes import IRISObservation
from irispy_plus.io._sources import open_sources
from irispy_plus.io.raster import build_raster_collection
from irispy_plus.io.sji import build_sji_collection, build_sji_cube
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["read_files"]


def read_files(filenames, windows=None, uncertainty=False):
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

    Returns
    -------
    RasterCollection or IRISSJICube or SJICollection or IRISObservation
        Raster files give a `~irispy_plus.cubes.RasterCollection` keyed by window label,
        each value an `~irispy_plus.cubes.IRISSpectrogramCube` (one file) or an
        `~irispy_plus.cubes.IRISRasterSequence` over the raster repeats in time order
        (several files of one observation). One slit-jaw file gives an
        `~irispy_plus.cubes.IRISSJICube`, several an `~irispy_plus.cubes.SJICollection`
        keyed by band. Raster and slit-jaw files together give an
        `~irispy_plus.cubes.IRISObservation` holding both.

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

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> rasters = read_files(sample.RASTER_SERIES, windows=["Si IV 1403", "Mg II k 2796"])
    >>> type(rasters["Si IV 1403"]).__name__, len(rasters["Si IV 1403"].data)
    ('IRISRasterSequence', 3)
    >>> list(read_files(sample.SNS_RASTER, windows=1403.5 * u.AA))
    ['Si IV 1403']
    >>> read_files(sample.SJI_1400).shape
    (2, 109, 178)
    """
    _check_windows(windows)
    layouts = open_sources(filenames)
    rasters = [layout for layout in layouts if layout.kind == "raster"]
    slit_jaws = [layout for layout in layouts if layout.kind == "sji"]
    if windows is not None and not rasters:
        msg = "windows= selects spectral windows of raster files, but only slit-jaw files were given."
        raise IrispyPlusError(msg)
    if rasters and not slit_jaws:
        return build_raster_collection(rasters, windows=windows, uncertainty=uncertainty)
    if len(slit_jaws) == 1 and not rasters:
        return build_sji_cube(slit_jaws[0], uncertainty=uncertainty)
    if not rasters:
        return build_sji_collection(slit_jaws, uncertainty=uncertainty)
    observation = IRISObservation(
        raster=build_raster_collection(rasters, windows=windows, uncertainty=uncertainty)
    )
    observation.update(build_sji_collection(slit_jaws, uncertainty=uncertainty).items())
    return observation


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
