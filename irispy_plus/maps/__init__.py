"""
IRIS images beside other instruments: sunpy Maps, reprojection and co-alignment.

- `to_map` makes a sunpy Map of any 2-D IRIS image (a slit-jaw frame, a
  spectroheliogram, a fit or moment map); `to_maps` makes a MapSequence of a slit-jaw
  cube, one Map per frame with that exposure's own pointing.
- `reproject_to` puts an IRIS image onto any Map's grid, or a Map onto an IRIS image's.
- `coalign` measures the offset between an IRIS image and a reference Map (say AIA 1600)
  by cross-correlation, and `Coalignment.apply` shifts a cube's pointing by it.
"""

from irispy_plus.maps._coalign import Coalignment, coalign
from irispy_plus.maps._convert import to_map, to_maps
from irispy_plus.maps._reproject import reproject_to

__all__ = ["Coalignment", "coalign", "reproject_to", "to_map", "to_maps"]
