"""
Mg II k and h features
======================

`irispy_plus.diagnostics.mg_features` finds the core (k3, h3) and the emission peaks
(k2v, k2r, h2v, h2r) of every Mg II profile at once, as SolarSoft's
``iris_get_mg_features_lev2`` does (Pereira et al. 2013), and returns maps with the
input's coordinates and a flag map.
"""

import matplotlib.pyplot as plt
import numpy as np

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.diagnostics import QualityFlag, mg_features
from irispy_plus.diagnostics.synthetic import mg_spectra
from irispy_plus.visualization import plot_map

# %%
# On profiles at the full IRIS sampling
# -------------------------------------
# `irispy_plus.diagnostics.synthetic` makes Mg II profiles with known features; here one
# at a signal-to-noise ratio of 50.
wave, noisy = mg_spectra(1, 50, seed=4)
features = mg_features(noisy, wave)
for name in ("k2v", "k3", "k2r"):
    print(name, f"{features[name + '_velocity'].data[0]:+.1f} km/s")
print("k peak separation", features["k_separation"].data[0].round(1), features["k_separation"].unit)

velocity = 299792.458 * (wave - 2796.352) / 2796.352
near = np.abs(velocity) < 60
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(velocity[near], noisy[0, near], drawstyle="steps-mid", color="k", lw=1)
for name in ("k2v", "k3", "k2r"):
    ax.plot(features[name + "_velocity"].data, features[name + "_intensity"].data, "o", label=name)
ax.set_xlabel("Doppler velocity from Mg II k 2796.35 (km/s)")
ax.set_ylabel("Intensity")
ax.legend()

# %%
# On a raster
# -----------
# The sample keeps one wavelength pixel in ten (27 km/s per pixel), too coarse for the
# k2 peaks: the flags say so, and the k3 map still shows the line core's intensity on
# world axes.
cube = read_cube(sample.RASTER, "Mg II k 2796")
maps = mg_features(cube)
flags = maps["k_flags"].data
print("single-peaked:", np.mean(flags & QualityFlag.SINGLE_PEAK > 0).round(2))
ax = plot_map(maps["k3_intensity"])
plt.show()
