"""
Spectral diagnostics beyond line fitting: line ratios and densities.
"""

from irispy_plus.diagnostics._density import chianti_ratio_curve, density_from_ratio
from irispy_plus.diagnostics._ratios import (
    RATIO_FLAGS,
    RATIOS,
    SI_IV_THIN_RATIO,
    line_intensity,
    line_ratio,
    ratio_map,
)

__all__ = [
    "RATIOS",
    "RATIO_FLAGS",
    "SI_IV_THIN_RATIO",
    "chianti_ratio_curve",
    "density_from_ratio",
    "line_intensity",
    "line_ratio",
    "ratio_map",
]
