"""
Looking at IRIS data: quick-look viewers, points of interest, figures and colour maps.

- `quick_look`: the raster viewer (XY map, slit spectra, spectrum, linked).
- `sji_quick_look`: the slit-jaw viewer (image and time bar).
- `sji_view`, `sji_files`: the fast pyqtgraph movie viewer (the ``qt`` extra).
- `PointOfInterest`, `show_poi`: what a viewer showed at one point, shown again.
- `build_figure`, `sji_with_raster`: figures for files.
- `plot_map`: a 2-D map of a raster or a fit on world axes (what ``map.plot()`` draws);
  `save_map` draws one into a file.
- `histo_opt`, `iris_colormap`: contrast and colour maps.
"""

from irispy_plus.visualization._maps import plot_map, save_map
from irispy_plus.visualization._scaling import ClipLevels, histo_opt
from irispy_plus.visualization.colormaps import IRIS_COLORMAPS, iris_colormap
from irispy_plus.visualization.figures import build_figure, sji_with_raster
from irispy_plus.visualization.poi import PointOfInterest, show_poi
from irispy_plus.visualization.qt_movie import sji_files, sji_view
from irispy_plus.visualization.raster_viewer import RasterQuickLook, RasterQuickLookSettings, quick_look
from irispy_plus.visualization.sji_viewer import SJIQuickLook, SJIQuickLookSettings, sji_quick_look

__all__ = [
    "IRIS_COLORMAPS",
    "ClipLevels",
    "PointOfInterest",
    "RasterQuickLook",
    "RasterQuickLookSettings",
    "SJIQuickLook",
    "SJIQuickLookSettings",
    "build_figure",
    "histo_opt",
    "iris_colormap",
    "plot_map",
    "quick_look",
    "save_map",
    "show_poi",
    "sji_files",
    "sji_quick_look",
    "sji_view",
    "sji_with_raster",
]
