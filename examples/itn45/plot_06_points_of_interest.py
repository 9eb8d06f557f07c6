"""
6. Points of interest, saved and loaded
=======================================

In ITN 45, ``a`` in the quick-look viewer keeps a point of interest (POI): what the
viewer showed there. ``ei.save(iris_raster, only_poi=True)`` keeps them in a file and
``ei.show_poi`` shows one again. irispy-plus does the same, in ASDF files (never pickle),
with `irispy_plus.save` and `irispy_plus.load`.
"""

import tempfile

import matplotlib.pyplot as plt

import irispy_plus
from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.visualization import show_poi

# %%
# Two points, as the ``a`` key adds them
# --------------------------------------
cube = read_cube(sample.RASTER, "Si IV 1403")
viewer = cube.quick_look()
viewer.move(step=2, slit=60, wave=14)
viewer.add_poi()
viewer.move(step=6, slit=56, wave=14)
viewer.add_poi()
for poi in viewer.points:
    print(poi.label, poi.pixel, poi.world["Tx"].round(1), poi.world["Ty"].round(1), poi.time.isot)
# sphinx_gallery_defer_figures

# %%
# Saved and loaded
# ----------------
# ``only_poi=True`` keeps the points alone, in a file named after the source file with the
# tutorial's ``poi_`` prefix. Here it goes to a temporary folder; give your own
# (``out_dir=``) or none (the current folder).
folder = tempfile.TemporaryDirectory()
path = irispy_plus.save(viewer, only_poi=True, out_dir=folder.name)
viewer.quit()
print(path.name)
points = irispy_plus.load(path)
print(len(points), points[0].label, points[0].spectrum.shape)

# %%
# Shown again
# -----------
# `~irispy_plus.visualization.show_poi` draws a loaded point as the viewer showed it; the
# panels can be chosen.
fig = show_poi(points[1], colorbar=True)
fig = show_poi(points[0], panels=["xy_map"], colorbar=True)
plt.show()
folder.cleanup()
