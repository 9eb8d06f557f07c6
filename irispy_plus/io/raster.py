"""
Build cubes from IRIS Level 2 spectrograph ("raster") files.
"""

import astropy.units as u
import numpy as np
from astropy.time import Time
from sunpy.coordinates import get_earth

from irispy_plus._lazy import lazy_window
from irispy_plus.cubes import IRISRasterSequence, IRISSpectrogramCube, RasterCollection
from irispy_plus.io._common import build_meta, mid_exposure_times, pc_per_exposure
from irispy_plus.io._nuv_times import nuv_mid_exposure_seconds
from irispy_plus.io.wcs import IRISRasterWCS
from irispy_plus.units import dn_unit, photon_uncertainty
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError

__all__ = ["build_raster_collection", "select_windows", "single_file_collection"]


def select_windows(layout, windows):
    """
    The windows of a file that ``windows`` asks for.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The file.
    windows : str, list of str, astropy.units.Quantity or None
        A label (``"Si IV 1403"``), a list of labels, ``"all"`` or None for all, or a
        wavelength inside the wanted window.

    Returns
    -------
    list of irispy_plus.io.WindowInfo

    Raises
    ------
    IrispyPlusError
        If a label is not in the file, or no window holds the wavelength.
    """
    available = layout.windows
    if windows is None or (isinstance(windows, str) and windows.lower() == "all"):
        return available
    if isinstance(windows, u.Quantity):
        chosen = [info for info in available if info.contains(windows)]
        if not chosen:
            ranges = ", ".join(
                f"{i.label} ({i.wavelength_min:.2f}-{i.wavelength_max:.2f})" for i in available
            )
            msg = f"No window of {layout.name} holds {windows}. Its windows: {ranges}."
            raise IrispyPlusError(msg)
        return chosen
    labels = [windows] if isinstance(windows, str) else list(windows)
    by_label = {info.label.lower(): info for info in available}
    missing = [label for label in labels if str(label).lower() not in by_label]
    if missing:
        msg = (
            f"{layout.name} has no window {', '.join(map(repr, missing))}. "
            f"Its windows are: {', '.join(repr(info.label) for info in available)}."
        )
        raise IrispyPlusError(msg)
    return [by_label[str(label).lower()] for label in labels]


def _exposure_mid_times(layout, detector, exposure_times, nuv_cache):
    """
    The middle of each exposure of a window: STARTOBS + TIME + EXPTIMEF / 2 for FUV; for
    NUV the exposures' own times (see `irispy_plus.io._nuv_times`), worked out once per
    file.
    """
    if detector != "NUV":
        return mid_exposure_times(layout, exposure_times)
    if layout.name not in nuv_cache:
        nuv_cache[layout.name] = layout.start_time + nuv_mid_exposure_seconds(layout) * u.s
    return nuv_cache[layout.name]


def _window_cube(layout, info, obstime, observer, uncertainty, *, nuv_cache):
    header = layout.headers[info.index]
    detector = "FUV" if info.band.startswith("FUV") else "NUV"
    unit = dn_unit(detector)
    aux = layout.aux_table
    exposure_column = "EXPTIMEF" if detector == "FUV" else "EXPTIMEN"
    if exposure_column in aux.colnames:
        exposure_times = aux[exposure_column].data
    else:
        exposure_times = np.full(len(aux), float(layout.primary_header.get("EXPTIME", np.nan)))
    wcs = IRISRasterWCS(
        wavelength_crval=header["CRVAL1"],
        wavelength_cdelt=header["CDELT1"],
        wavelength_crpix=header["CRPIX1"],
        xcen=aux["XCENIX"].data,
        ycen=aux["YCENIX"].data,
        pc=pc_per_exposure(layout, header, ("PC3_3IX", "PC3_2IX", "PC2_3IX", "PC2_2IX")),
        slit_crpix=header["CRPIX2"],
        slit_cdelt=header["CDELT2"],
        step_cdelt=header["CDELT3"],
        obstime=obstime,
        observer=observer,
        array_shape=info.shape,
    )
    data, mask, sources = lazy_window(layout, info.index)
    sit_and_stare = float(header["CDELT3"]) == 0
    meta = build_meta(
        layout,
        info.index,
        {
            "detector": detector,
            "band": info.band,
            "spectral_window": info.label,
            "wavelength_range": (info.wavelength_min.to_value(u.AA), info.wavelength_max.to_value(u.AA)),
        },
        info.shape[0],
    )
    cube = IRISSpectrogramCube(
        data,
        wcs,
        mask=mask,
        unit=unit,
        meta=meta,
        uncertainty=photon_uncertainty(data, unit) if uncertainty else None,
        instrument_axes=("sit-and-stare" if sit_and_stare else "raster scan", "slit", "spectral"),
    )
    cube.attach_lazy_sources(sources, photon_uncertainty=uncertainty)
    times = _exposure_mid_times(layout, detector, exposure_times, nuv_cache)
    cube.extra_coords.add("time", 0, times, physical_types="time")
    cube.extra_coords.add("exposure time", 0, exposure_times * u.s, physical_types="obs.exposure")
    return cube


def build_raster_collection(
    layouts: list, windows: str | list[str] | u.Quantity | None = None, uncertainty: bool = False
) -> RasterCollection:
    """
    Build a `RasterCollection` from the raster files of one observation.

    Parameters
    ----------
    layouts : list of irispy_plus.io.Level2File
        Raster files of one observation (one or several repeats).
    windows : str, list of str, astropy.units.Quantity or None
        Which windows to read; see `select_windows`.
    uncertainty : bool
        Whether to attach photon and read-noise uncertainties.

    Returns
    -------
    RasterCollection
        Each window an `IRISRasterSequence` with one cube per file, in time order (a
        sequence of one for one file); no aligned axes.

    Raises
    ------
    IrispyPlusFileError
        If the files belong to different observations.
    """
    observations = {(layout.primary_header["OBSID"], layout.primary_header["STARTOBS"]) for layout in layouts}
    if len(observations) > 1:
        listed = "; ".join(f"OBSID {obsid} starting {start}" for obsid, start in sorted(observations))
        msg = (
            f"read_files was given raster files of {len(observations)} observations ({listed}). "
            "Read each observation with its own call to read_files."
        )
        raise IrispyPlusFileError(msg)
    layouts = sorted(layouts, key=lambda layout: (layout.aux_table["TIME"][0], layout.name))
    infos_per_file = [select_windows(layout, windows) for layout in layouts]
    # One frame for the whole observation, so the repeats' coordinates combine: Earth at
    # the time of the first exposure of the first file.
    obstime = Time(layouts[0].primary_header["DATE_OBS"], scale="utc")
    observer = get_earth(obstime)
    cubes: dict[str, list[IRISSpectrogramCube]] = {}
    nuv_cache: dict[str, object] = {}
    for layout, infos in zip(layouts, infos_per_file, strict=True):
        for info in infos:
            cubes.setdefault(info.label, []).append(
                _window_cube(layout, info, obstime, observer, uncertainty, nuv_cache=nuv_cache)
            )
    sequences = [(label, IRISRasterSequence(cube_list, common_axis=0)) for label, cube_list in cubes.items()]
    return RasterCollection(sequences, aligned_axes=None)


def single_file_collection(collection: RasterCollection) -> RasterCollection:
    """
    The windows of one raster file as cubes rather than sequences of one: the result of
    the deprecated default of `irispy_plus.read_files` for one raster file.

    Parameters
    ----------
    collection : RasterCollection
        The windows of one raster file, each an `IRISRasterSequence` of one cube.

    Returns
    -------
    RasterCollection
        Each window an `IRISSpectrogramCube`; the exposure and slit axes aligned when
        every window has the same number of both.
    """
    values = {label: sequence.data[0] for label, sequence in collection.items()}
    shapes = {cube.shape[:2] for cube in values.values()}
    aligned = (0, 1) if len(shapes) == 1 else None
    return RasterCollection(list(values.items()), aligned_axes=aligned)
