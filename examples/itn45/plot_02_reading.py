"""
2. Reading rasters and slit-jaws
================================

ITN 45 reads a file with ``extract_irisL2data.load``. irispy-plus has two calls:

* `irispy_plus.read_cube` for one cube: a spectral window of a raster file, or a
  slit-jaw file;
* `irispy_plus.read_files` with ``as_observation=True`` for everything at once: an
  `~irispy_plus.cubes.IRISObservation`, a mapping from label to data, with each raster
  window an `~irispy_plus.cubes.IRISRasterSequence` (one element per raster file) and each
  slit-jaw band an `~irispy_plus.cubes.IRISSJICube`.

Nothing is read from disk until it is used.
"""

import matplotlib.pyplot as plt

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample
from irispy_plus.visualization import plot_map

# %%
# One spectral window, and one slit-jaw
# -------------------------------------
# The axes are those of the file: (raster step, position along the slit, wavelength) for
# a raster window, (time, y, x) for a slit-jaw.
raster = read_cube(sample.RASTER, "Si IV 1403")
sji = read_cube(sample.SJI_1400)
print(raster)
print(sji)

# %%
# A whole observation
# -------------------
# Raster and slit-jaw files of one observation (here the sit-and-stare sample, a folder)
# give one mapping; ``obs.raster`` holds the spectral windows and ``obs.sji`` the
# slit-jaws.
obs = read_files(sample.SNS_DIR, as_observation=True)
print(list(obs))
print(list(obs.raster))
print(list(obs.sji))

# %%
# Several raster repeats of one observation give a sequence, in time order:
series = read_files(sample.RASTER_SERIES, as_observation=True)["Si IV 1403"]
print(len(series.data), [cube.shape for cube in series.data])

# %%
# A spectroheliogram and a slit-jaw frame
# ---------------------------------------
# Slicing one wavelength gives a 2-D image with world coordinates; `plot_map` draws it
# with Solar-X along x and a colour bar.
ax = plot_map(raster[:, :, 14])
ax = plot_map(sji[0])
plt.show()
