"""
9. Calibration to physical units
================================

IRIS Level 2 data are in DN. `irispy_plus.calibration.radiometric_calibration` converts
raster and slit-jaw cubes to radiance (erg cm-2 s-1 sr-1 Å-1 by default, or any unit
of ``CALIBRATED_UNITS``) with each exposure's own date and exposure time, from the
effective areas of SolarSoft's ``iris_get_response``. Lazy cubes stay lazy.
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np

from irispy_plus import read_cube
from irispy_plus.calibration import CALIBRATED_UNITS, effective_area, radiometric_calibration
from irispy_plus.data import sample
from irispy_plus.visualization import plot_map

# %%
# The effective areas
# -------------------
# For any date and response version: here the FUV and NUV spectrographs on the day the
# sample sit-and-stare was taken.
cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
date = cube.meta.date_start
fuv = np.linspace(133, 141, 400) * u.nm
nuv = np.linspace(278, 284, 400) * u.nm
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
left.plot(fuv.to(u.AA), effective_area(fuv, date, "FUV"))
right.plot(nuv.to(u.AA), effective_area(nuv, date, "NUV"))
left.set_ylabel(f"Effective area on {date.isot[:10]} (cm$^2$)")
for ax in (left, right):
    ax.set_xlabel("Wavelength (Å)")

# %%
# A raster window in radiance
# ---------------------------
calibrated = radiometric_calibration(cube)
print(cube.unit, "->", calibrated.unit)
print(calibrated.is_lazy)
print([str(unit) for unit in CALIBRATED_UNITS])

# %%
# The Si IV 1402.77 line core on world axes, in radiance:
index = int(np.argmin(np.abs(calibrated.spectral_axis - 1402.77 * u.AA)))
ax = plot_map(calibrated[:, :, index])

# %%
# A slit-jaw, in photons per second
# ---------------------------------
sji = radiometric_calibration(read_cube(sample.SNS_SJI_1400), u.ph / u.s)
print(sji.unit)
ax = plot_map(sji[10])
plt.show()
