"""
7. Si IV and Mg II fits
=======================

ITN 45 fits spectra with ``fit_iris.fit_siiv``, ``fit_mgii`` and ``fit_gen``: one
spectrum at a time, with ``init_vals`` (``c, amp1, mu1, sigma1, ...``), ``limits`` and
``wl_range``. `irispy_plus.fitting` keeps those calls and conventions; given a cube
instead of one spectrum, they fit every spectrum at once and return a
`~irispy_plus.fitting.FitResult` whose maps keep the cube's coordinates.
"""

import matplotlib.pyplot as plt
import numpy as np

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.diagnostics.synthetic import mg_profile
from irispy_plus.fitting import fit_mgii, fit_siiv
from irispy_plus.visualization import plot_map

# %%
# One Si IV spectrum
# ------------------
# As in the tutorial: the spectrum, its wavelengths, a plot of the fit. The result
# unpacks to the tutorial's four values.
cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
wave = cube.spectral_axis.to_value("AA")
spectrum = np.nanmean(cube.data[60:80, 15:25], axis=(0, 1))  # a small box, for signal
fit, components, best_vals, errors = fit_siiv(spectrum, wave, plot=True)
print(np.round(best_vals, 3))

# %%
# A whole window
# --------------
# Given the cube, ``fit_siiv`` fits its 7,480 spectra at once. The maps are cubes with the
# raster's world coordinates (here time along the slit for a sit-and-stare).
result = fit_siiv(cube, plot=False)
print(result)
for image in (result.intensity(), result.doppler_velocity()):
    plot_map(image)

# %%
# Mg II k and h
# -------------
# ``fit_mgii`` fits the k and h lines and the subordinate triplet with seven Gaussians
# (or ``four``/``five``). The sample keeps one wavelength pixel in ten, too few for seven
# Gaussians, so this fits a synthetic profile at the full IRIS sampling
# (`irispy_plus.diagnostics.synthetic`).
mg_wave, mg_spectrum = mg_profile()
mg = fit_mgii(mg_spectrum, mg_wave, plot=True)
print(mg.names[:4], np.round(mg[2][:4], 3))
plt.show()
