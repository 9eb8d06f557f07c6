"""
Build cubes from IRIS Level 2 slit-jaw files.
"""

import astropy.units as u
import numpy as np
from sunpy.coordinates import get_earth

from irispy_plus._keywords import Keywords
from irispy_plus._lazy import lazy_window
from irispy_plus.cubes import IRISSJICube, SJICollection
from irispy_plus.io._common import build_meta, pc_per_exposure
from irispy_plus.io.wcs import IRISSJIWCS
from irispy_plus.units import dn_unit, photon_uncertainty

__all__ = ["build_sji_collection", "build_sji_cube"]


def build_sji_cube(layout, uncertainty=False):
    """
    Build an `IRISSJICube` from one slit-jaw file.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The slit-jaw file.
    uncertainty : bool
        Whether to attach photon and read-noise uncertainties.

    Returns
    -------
    IRISSJICube

    Raises
    ------
    IrispyPlusHeaderError
        If a keyword the cube needs is not a number.
    """
    header = layout.primary_header
    keywords = Keywords(header, layout.name, "primary header")
    (info,) = layout.windows
    aux = layout.aux_table
    if "EXPTIMES" in aux.colnames:
        exposure_times = aux["EXPTIMES"].data
    else:
        exposure_times = np.full(len(aux), keywords.number("EXPTIME", np.nan))
    obstime = layout.date_obs
    wcs = IRISSJIWCS(
        xcen=aux["XCENIX"].data,
        ycen=aux["YCENIX"].data,
        pc=pc_per_exposure(layout, header, ("PC1_1IX", "PC1_2IX", "PC2_1IX", "PC2_2IX")),
        crpix=(keywords.number("CRPIX1"), keywords.number("CRPIX2")),
        cdelt=(keywords.number("CDELT1"), keywords.number("CDELT2")),
        frame_time=aux["TIME"].data + exposure_times / 2,
        time_reference=layout.start_time,
        obstime=obstime,
        observer=get_earth(obstime),
        array_shape=info.shape,
    )
    unit = dn_unit(info.label)
    data, mask, sources = lazy_window(layout, 0)
    meta = build_meta(
        layout, 0, {"detector": info.label, "band": info.label, "spectral_window": info.label}, info.shape[0]
    )
    cube = IRISSJICube(
        data,
        wcs,
        mask=mask,
        unit=unit,
        meta=meta,
        uncertainty=photon_uncertainty(data, unit) if uncertainty else None,
    )
    cube.extra_coords.add("exposure time", 0, exposure_times * u.s, physical_types="obs.exposure")
    cube.attach_lazy_sources(sources, photon_uncertainty=uncertainty)
    return cube


def build_sji_collection(layouts, uncertainty=False):
    """
    Build an `SJICollection` keyed by band from several slit-jaw files.

    Two files of the same band (say, the plain and deconvolved 2796) are keyed
    ``"SJI_2796"`` and ``"SJI_2796 (2)"``.
    """
    cubes = {}
    for layout in layouts:
        cube = build_sji_cube(layout, uncertainty=uncertainty)
        key, number = cube.band, 2
        while key in cubes:
            key, number = f"{cube.band} ({number})", number + 1
        cubes[key] = cube
    return SJICollection(list(cubes.items()), aligned_axes=None)
