"""
Red-blue asymmetry
==================

`irispy_plus.diagnostics.red_blue_asymmetry` measures, for each velocity offset, the
mean intensity in a band that far to the red of the line centre minus that in the same
band to the blue, divided by the peak (De Pontieu et al. 2009; Tian et al. 2011). A faint
flow shows as an asymmetry peaking at its velocity.
"""

import matplotlib.pyplot as plt
import numpy as np

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.diagnostics import red_blue_asymmetry
from irispy_plus.visualization import plot_map

# %%
# A profile with a faint downflow
# -------------------------------
# Si IV 1402.77 with a component 10 % as bright, moving away at 80 km/s:
x = 1401.5 + 0.02596 * np.arange(100)
main = 100 * np.exp(-0.5 * ((x - 1402.77) / 0.05) ** 2)
downflow = 10 * np.exp(-0.5 * ((x - 1402.77 * (1 + 80 / 299792.458)) / 0.07) ** 2)
rb, flags = red_blue_asymmetry(main + downflow + 2, wavelength=x)
offsets = rb.meta["offsets"]
print("strongest at", offsets[np.argmax(rb.data)])

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(x, main + downflow + 2, "k", drawstyle="steps-mid")
left.set_xlabel("Wavelength (Å)")
left.set_ylabel("Intensity")
right.plot(offsets, rb.data, "k.-")
right.set_xlabel(f"Offset from the line centre ({offsets.unit})")
right.set_ylabel("Red-blue asymmetry")

# %%
# A map over a raster
# -------------------
# On the sample's Si IV window (one wavelength pixel in ten, 55 km/s per pixel: a
# demonstration only), with the centre measured within the line. The result's last axis
# is the offset; one offset is a map on world axes.
si = read_cube(sample.RASTER, "Si IV 1403")
rb, flags = red_blue_asymmetry(si, wl_range=(1402.3, 1403.3))
print(rb.data.shape, rb.axis_world_coords()[0][10])
ax = plot_map(rb[..., 10])
plt.show()
