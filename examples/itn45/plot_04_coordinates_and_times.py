"""
4. Coordinates and times
========================

ITN 45 builds the axes of a map from ``SPXSCL``, ``POS_X`` and ``date_time_acq_ok``.
irispy-plus cubes carry full world coordinates instead: every raster step, sit-and-stare
exposure and slit-jaw frame has its own pointing and rotation (from the auxiliary table),
and its own time (the middle of the exposure).
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
from astropy.coordinates import SkyCoord

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample
from irispy_plus.visualization import sji_with_raster

# %%
# World coordinates of pixels
# ---------------------------
# ``axis_world_coords`` gives the coordinates of every pixel: the wavelengths of the
# spectral axis, and a `~astropy.coordinates.SkyCoord` for each (step, slit) position.
# ``wcs.pixel_to_world`` gives those of one pixel (pixel indices in the WCS's order,
# the reverse of the array's).
raster = read_cube(sample.RASTER, "Si IV 1403")
wavelength, celestial = raster.axis_world_coords()
print(wavelength[:3].to(u.AA))
print(celestial.shape, celestial[0, 0])
print(raster.wcs.pixel_to_world(14, 54, 4))

# %%
# The other way, the pixel nearest a point on the Sun:
point = SkyCoord(490 * u.arcsec, 300 * u.arcsec, frame=celestial.frame)
step, slit = np.unravel_index(np.argmin(celestial.separation(point)), celestial.shape)
print(step, slit, celestial[step, slit])

# %%
# Times and exposure times
# ------------------------
# ``cube.time`` is the middle of each exposure; ``cube.exposure_time`` is per exposure
# (the automatic exposure control shortens some during flares).
print(raster.time[:3].isot)
print(raster.exposure_time[:3])

# %%
# Slit-jaw and raster on one sky
# ------------------------------
# With coordinates on both, a slit-jaw frame and a raster window of one observation
# overlay directly: `irispy_plus.visualization.sji_with_raster` draws the slit-jaw frame
# nearest in time to a raster step, the slit and the raster's field of view.
obs = read_files(sample.SNS_DIR, as_observation=True)
sji = obs["SJI_1400"]
sns = obs.cube("Si IV 1403")
fig = sji_with_raster(sji, sns, step=90, figure=plt.figure(figsize=(7, 6)))
ax = fig.axes[0]
fig.colorbar(ax.images[0], ax=ax, label=str(sji.unit))
plt.show()
