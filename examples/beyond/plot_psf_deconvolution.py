"""
PSF deconvolution along the slit
================================

The IRIS spectrograph's point spread function spreads light along the slit.
`irispy_plus.calibration.deconvolve_psf` removes it with Richardson-Lucy iterations,
with the PSFs measured by Courrier et al. (2018), for every exposure and wavelength of a
window at once. Lazy cubes stay lazy.
"""

import matplotlib.pyplot as plt
import numpy as np

from irispy_plus import read_cube, read_files
from irispy_plus.calibration import PSF_NAMES, deconvolve_psf, psf_name, spectrograph_psf
from irispy_plus.data import sample
from irispy_plus.visualization import plot_map

# %%
# The PSFs
# --------
# One per detector region; `~irispy_plus.calibration.psf_name` picks it for a window.
cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
print(PSF_NAMES, psf_name(cube))
fig, ax = plt.subplots(figsize=(6, 4))
for name in PSF_NAMES:
    psf = spectrograph_psf(name)
    pixels = np.arange(psf.size) - psf.size // 2
    ax.semilogy(pixels * 0.1663, psf, label=name)
ax.set_xlabel("Distance along the slit (arcsec)")
ax.set_ylabel("PSF (unsummed pixels)")
ax.set_xlim(-8, 8)
ax.legend()

# %%
# A window, deconvolved
# ---------------------
# The sample keeps one slit pixel in ten, so the PSF binned to its pixels is nearly a
# single pixel: the sample shows the calls, full files show the effect.
sharp = deconvolve_psf(cube)
print(sharp.meta["PSF_DECONVOLVED"], sharp.meta["PSF_ITERATIONS"], sharp.meta["PSF_SUMMING"])
print(type(sharp.data).__name__)

# %%
# Every window of an observation in one call:
windows = deconvolve_psf(read_files(sample.SNS_RASTER, as_observation=True).raster, iterations=5)
for label, sequence in windows.items():
    print(label, type(sequence).__name__, sequence.data[0].meta["PSF_DECONVOLVED"])

# %%
# The line core before and after, on world axes:
for image in (cube[:, :, 14], sharp[:, :, 14]):
    plot_map(image)
plt.show()
