"""
Read IRIS Level 2 files into cubes with full world coordinates.
"""

from irispy_plus.io._level2_file import Level2File, WindowInfo
from irispy_plus.io._sources import expand_sources, open_sources
from irispy_plus.io.read import read_cube, read_files
from irispy_plus.io.summary import file_summary, windows_table
from irispy_plus.io.wcs import IRISSJIWCS, IRISRasterWCS

__all__ = [
    "IRISSJIWCS",
    "IRISRasterWCS",
    "Level2File",
    "WindowInfo",
    "expand_sources",
    "file_summary",
    "open_sources",
    "read_cube",
    "read_files",
    "windows_table",
]
