"""
Paths to the non-sample data files shipped with irispy-plus.
"""

from pathlib import Path

__all__ = ["CALIBRATION_DIR", "OBSID_TABLE_DIR"]

CALIBRATION_DIR = Path(__file__).parent / "calibration"
OBSID_TABLE_DIR = Path(__file__).parent / "obsid"
