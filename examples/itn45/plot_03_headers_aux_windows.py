"""
3. Headers, auxiliary data and windows
======================================

ITN 45's ``info_fits``, ``show_lines``, ``only_header`` and ``only_data`` look inside a
file. `irispy_plus.io.Level2File` opens a Level 2 file without reading its data, and every
cube carries its header (``cube.meta``) and its auxiliary table (``cube.aux``).
"""

import matplotlib.pyplot as plt

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.io import Level2File, file_summary, windows_table

# %%
# What is in a file
# -----------------
print(file_summary(sample.SNS_RASTER))

# %%
# The spectral windows, as a table (ITN 45's ``show_lines``):
layout = Level2File(sample.SNS_RASTER)
print(windows_table(layout))

# %%
# Headers
# -------
# The primary header and each window's extension header, as astropy headers; negative
# extensions count from the end, as in the tutorial.
print(layout.primary_header["OBSID"], layout.primary_header["OBS_DESC"])
print(repr(layout.header(5))[:400])

# %%
# The same from a cube: typed properties over the header, and every keyword in
# ``meta.original_meta``.
cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
print(cube.meta.obsid, cube.meta.detector, cube.meta.spectral_window)
print(cube.meta.date_start.isot, cube.meta.date_end.isot)
print(cube.meta.original_meta["STEPT_AV"])

# %%
# The auxiliary table
# -------------------
# One row per exposure and one named column per auxiliary keyword: the time, the pointing
# (``XCENIX``, ``YCENIX``), the slit position on the slit-jaws, the spacecraft velocity
# (``OBS_VRIX``)...
aux = cube.aux
print(aux.colnames[:12])

# %%
# The pointing of each exposure of this sit-and-stare, against time (the orbit's
# jitter and the solar rotation tracking):
time = (cube.time - cube.time[0]).to("min")
fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 5))
top.plot(time, aux["XCENIX"], ".-")
top.set_ylabel("XCENIX (arcsec)")
bottom.plot(time, aux["YCENIX"], ".-")
bottom.set_ylabel("YCENIX (arcsec)")
bottom.set_xlabel(f"Time from {cube.time[0].isot[:19]} (min)")
plt.show()
