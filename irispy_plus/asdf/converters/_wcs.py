"""
ASDF converters of the IRIS world coordinate systems of `irispy_plus.io.wcs`.

They write the constructor parameters (the per-exposure pointing arrays and the header
scalars), so that a loaded WCS is built exactly as the reader builds it.
"""

import numpy as np
from asdf.extension import Converter

from irispy_plus.asdf.converters._prepare import precise_time

__all__ = ["IRISRasterWCSConverter", "IRISSJIWCSConverter"]


def _common(wcs):
    xcen, ycen = wcs.pointing
    shape = wcs.array_shape
    return {
        "xcen": np.asarray(xcen.to_value("arcsec")),
        "ycen": np.asarray(ycen.to_value("arcsec")),
        "pc": wcs.pc_per_exposure,
        "obstime": precise_time(wcs.obstime),
        # The observer is not exposed by the WCS; its constructor parameter is kept as is.
        "observer": wcs.observer,
        "array_shape": None if shape is None else [int(n) for n in shape],
    }


def _arrays(node):
    return {key: np.asarray(node[key]) for key in ("xcen", "ycen", "pc")}


class IRISRasterWCSConverter(Converter):
    """
    ASDF converter of `irispy_plus.io.wcs.IRISRasterWCS`.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_raster_wcs-1.*",)
    types = ("irispy_plus.io.wcs.IRISRasterWCS",)

    def to_yaml_tree(self, wcs, tag, ctx):
        crval, cdelt, crpix = wcs.wavelength_reference
        node = {
            "wavelength_crval": float(crval),
            "wavelength_cdelt": float(cdelt),
            "wavelength_crpix": float(crpix),
            "slit_crpix": wcs.crpix[1],
            "slit_cdelt": wcs.cdelt[1],
            "step_cdelt": wcs.cdelt[2],
        }
        node.update(_common(wcs))
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.io.wcs import IRISRasterWCS

        return IRISRasterWCS(
            wavelength_crval=node["wavelength_crval"],
            wavelength_cdelt=node["wavelength_cdelt"],
            wavelength_crpix=node["wavelength_crpix"],
            slit_crpix=node["slit_crpix"],
            slit_cdelt=node["slit_cdelt"],
            step_cdelt=node["step_cdelt"],
            obstime=node["obstime"],
            observer=node["observer"],
            array_shape=node.get("array_shape"),
            **_arrays(node),
        )


class IRISSJIWCSConverter(Converter):
    """
    ASDF converter of `irispy_plus.io.wcs.IRISSJIWCS`.
    """

    tags = ("asdf://irispy-plus.org/tags/iris_sji_wcs-1.*",)
    types = ("irispy_plus.io.wcs.IRISSJIWCS",)

    def to_yaml_tree(self, wcs, tag, ctx):
        node = {
            "crpix": list(wcs.crpix),
            "cdelt": list(wcs.cdelt),
            "frame_time": np.asarray(wcs.frame_time.to_value("s")),
            "time_reference": precise_time(wcs.time_reference),
        }
        node.update(_common(wcs))
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from irispy_plus.io.wcs import IRISSJIWCS

        return IRISSJIWCS(
            crpix=node["crpix"],
            cdelt=node["cdelt"],
            frame_time=np.asarray(node["frame_time"]),
            time_reference=node["time_reference"],
            obstime=node["obstime"],
            observer=node["observer"],
            array_shape=node.get("array_shape"),
            **_arrays(node),
        )
