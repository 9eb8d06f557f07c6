"""
Read IRIS Level 2 files into cubes with full world coordinates.
"""

from irispy_plus.io._layout import Level2File, WindowInfo
from irispy_plus.io.read import read_cube, read_files
from irispy_plus.io.summary import file_summary, windows_table
from irispy_plus.io.wcs import IRISSJIWCS, IRISRasterWCS

__all__ = [
    "IRISSJIWCS",
    "IRISRasterWCS",
    "Level2File",
    "WindowInfo",
    "file_summary",
    "read_cube",
    "read_files",
    "windows_table",
]
