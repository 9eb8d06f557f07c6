"""
Status bits of fitted spectra and quality bits of every derived map: defined and
documented in `irispy_plus.utils.quality`, imported here for the fitting code.
"""

from irispy_plus.utils.quality import FAILED, FitFlag, QualityFlag, flag_bits

__all__ = ["FAILED", "FitFlag", "QualityFlag", "flag_bits"]
