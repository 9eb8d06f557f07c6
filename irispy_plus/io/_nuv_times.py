"""
The mid-exposure times of the NUV spectrograph, which are not those of the FUV.

The FUV and NUV cameras of IRIS are read by different electronics and do not expose at
the same moments; the auxiliary TIME column gives one start per exposure for both. The
level 1 NUV file name of each exposure, in the file-name table of a Level 2 raster file
(``iris20210905_00183775_nuv.fits``), carries that exposure's own mid-time to 0.01 s; on
real data it differs from TIME + EXPTIMEN / 2 by about 0.07 s.
"""

import re

import astropy.units as u
import numpy as np
from astropy.time import Time

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.logger import log

__all__ = ["nuv_mid_exposure_seconds"]

_NUV_NAME = re.compile(r"iris(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(\d{2})_nuv", re.IGNORECASE)


def nuv_mid_exposure_seconds(layout):
    """
    The middle of each NUV exposure, in seconds after STARTOBS.

    From the level 1 NUV file names when the file-name table names a file for every
    exposure with light (EXPTIMEN > 0) and every such time lies within half a cadence of
    TIME + EXPTIMEN / 2; otherwise TIME + EXPTIMEN / 2 for all (with a debug log line
    saying why). Exposures with EXPTIMEN = 0 keep their TIME.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        A raster file.

    Returns
    -------
    numpy.ndarray
        One value per exposure.
    """
    aux = layout.aux_table
    start = np.asarray(aux["TIME"], dtype=float)
    exposure = np.asarray(aux["EXPTIMEN"], dtype=float) if "EXPTIMEN" in aux.colnames else None
    if exposure is None:
        exposure = np.full(len(start), float(layout.primary_header.get("EXPTIME", 0.0)))
    exposed = exposure > 0
    nominal = np.where(exposed, start + exposure / 2, start)
    from_names, reason = _from_file_names(layout, exposed)
    if from_names is None:
        log.debug("%s: NUV times are TIME + EXPTIMEN/2: %s.", layout.name, reason)
        return nominal
    cadence = _cadence(start, exposure)
    worst = float(np.max(np.abs(from_names - nominal)[exposed], initial=0.0))
    if not worst <= cadence / 2:
        log.debug(
            "%s: NUV times are TIME + EXPTIMEN/2: the level 1 file names are up to %.3g s "
            "from them, more than half the cadence (%.3g s).",
            layout.name,
            worst,
            cadence,
        )
        return nominal
    return np.where(exposed, from_names, start)


def _from_file_names(layout, exposed):
    """
    The seconds after STARTOBS that the NUV file names give (NaN where an exposure has
    no light), or ``(None, reason)``.
    """
    names, reason = _nuv_names(layout, len(exposed))
    if names is None:
        return None, reason
    stamps = []
    for row, (name, has_light) in enumerate(zip(names, exposed, strict=True)):
        match = _NUV_NAME.search(str(name))
        if match is None and has_light:
            return None, f"row {row} of the file-name table names no NUV file ({str(name).strip()!r})"
        if match is None:
            stamps.append(None)
            continue
        year, month, day, hour, minute, second, hundredths = match.groups()
        stamps.append(f"{year}-{month}-{day}T{hour}:{minute}:{second}.{hundredths}")
    seconds = np.full(len(exposed), np.nan)
    named = [stamp is not None for stamp in stamps]
    if any(named):
        try:
            times = Time([stamp for stamp in stamps if stamp is not None], format="isot", scale="utc")
        except ValueError as error:
            return None, f"a NUV file name holds no valid time ({error})"
        seconds[named] = (times - layout.start_time).to_value(u.s)
    return seconds, ""


def _nuv_names(layout, n_exposures):
    """
    The column of level 1 NUV file names, one per exposure, or ``(None, reason)``.
    """
    try:
        table = layout.filename_table
    except IrispyPlusError as error:
        return None, f"the file-name table cannot be read ({error})"
    if table is None or not len(table.colnames):
        return None, "the file has no file-name table"
    column = "FILEN" if "FILEN" in table.colnames else None
    if column is None:
        column = next((name for name in table.colnames if _names_nuv_files(table[name])), None)
    if column is None:
        return None, "the file-name table has no NUV file names"
    if len(table) != n_exposures:
        return None, f"the file-name table has {len(table)} rows for {n_exposures} exposures"
    return table[column], ""


def _names_nuv_files(column):
    return len(column) > 0 and _NUV_NAME.search(str(column[0])) is not None


def _cadence(start, exposure):
    """
    The typical time between exposures (the median step of TIME), or the exposure time
    for a single exposure.
    """
    if len(start) > 1:
        steps = np.diff(start)
        steps = steps[steps > 0]
        if steps.size:
            return float(np.median(steps))
    return float(np.max(exposure, initial=0.0))
