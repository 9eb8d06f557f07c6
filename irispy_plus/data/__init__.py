"""
Files shipped with irispy-plus: the sample observation, calibration files, OBS tables.
"""

from irispy_plus.data import sample

__all__ = ["sample"]
