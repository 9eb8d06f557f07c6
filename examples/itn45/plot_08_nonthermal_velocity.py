"""
8. Non-thermal velocity
=======================

A line is wider than its thermal and instrumental widths when unresolved motions
broaden it: the non-thermal velocity. ITN 45 computes it with ``iris_vnt``;
`irispy_plus.physics.iris_vnt` keeps that call, and a fit gives the whole map with
``result.nonthermal_velocity()``.
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.fitting import fit_siiv
from irispy_plus.physics import INSTRUMENTAL_FWHM, formation_temperature, iris_vnt
from irispy_plus.visualization import plot_map

# %%
# The tutorial's call
# -------------------
# The ion, the rest wavelength, the observed FWHM (Å) and the instrumental FWHM of the
# channel; ``verbose=True`` prints what was used.
print(INSTRUMENTAL_FWHM)
print(formation_temperature("Si", "iv"))
v_nt = iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=INSTRUMENTAL_FWHM["FUV long"], verbose=True)
print(f"{float(v_nt):.2f} km/s")

# %%
# How it grows with the observed width:
fwhm = np.linspace(0.05, 0.3, 50) * u.AA
curve = iris_vnt("Si", "iv", 1402.77, fwhm, inst_wid=INSTRUMENTAL_FWHM["FUV long"])
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(fwhm, curve)
ax.set_xlabel("Observed FWHM of Si IV 1402.77 (Å)")
ax.set_ylabel("Non-thermal velocity (km/s)")

# %%
# A map from a fit
# ----------------
# Fitting the whole window and asking the result: each pixel's width, less the thermal
# width at the ion's formation temperature and the instrumental width. A width is only as
# good as the line is bright: in faint spectra the fitted width is noise, and gives
# non-thermal velocities of hundreds of km/s. ``min_snr=5`` masks the spectra whose
# line amplitude is below five times its uncertainty (and flags them ``NOISY``).
cube = read_cube(sample.RASTER, "Si IV 1403")
result = fit_siiv(cube, plot=False)
every = result.nonthermal_velocity()
vnt = result.nonthermal_velocity(min_snr=5)
print(f"every fit: 99th percentile {np.nanpercentile(every.data[~every.mask], 99):.0f} km/s")
kept = vnt.data[~vnt.mask]
print(f"S/N >= 5 ({kept.size} spectra): median {np.median(kept):.1f} km/s,", end=" ")
print(f"99th percentile {np.percentile(kept, 99):.0f} km/s")
ax = plot_map(vnt)
plt.show()
