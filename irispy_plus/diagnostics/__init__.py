"""
Spectral diagnostics beyond line fitting: Mg II k and h features, red-blue asymmetry,
line ratios and densities.

Every diagnostic works on a cube, a raster sequence or an array of spectra (wavelength
last, numpy or dask), treats all spectra at once, and returns maps with the input's
celestial and time coordinates plus a flag map of
`~irispy_plus.diagnostics.QualityFlag` bits (the same bits as
`~irispy_plus.fitting.FitFlag`, extended); every map is a
`~irispy_plus.utils.quality.DerivedMap` that carries its own bits as ``map.flags``.
`irispy_plus.diagnostics.synthetic` makes Mg II profiles with known features, for
trying them out.
"""

from irispy_plus.diagnostics._density import chianti_ratio_curve, density_from_ratio
from irispy_plus.diagnostics._mg_features import mg_features
from irispy_plus.diagnostics._ratios import (
    RATIO_FLAGS,
    RATIOS,
    SI_IV_THIN_RATIO,
    line_intensity,
    line_ratio,
    ratio_map,
)
from irispy_plus.diagnostics._red_blue import red_blue_asymmetry
from irispy_plus.diagnostics._spline import tension_spline
from irispy_plus.utils.quality import QualityFlag

__all__ = [
    "RATIOS",
    "RATIO_FLAGS",
    "SI_IV_THIN_RATIO",
    "QualityFlag",
    "chianti_ratio_curve",
    "density_from_ratio",
    "line_intensity",
    "line_ratio",
    "mg_features",
    "ratio_map",
    "red_blue_asymmetry",
    "tension_spline",
]
