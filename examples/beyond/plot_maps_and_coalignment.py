"""
Slit-jaws as sunpy Maps, and co-alignment with AIA
==================================================

`irispy_plus.maps.to_map` makes a `sunpy.map.Map` of a slit-jaw frame (with that
exposure's own pointing) or of any raster image, and `irispy_plus.maps.coalign`
measures the offset of an IRIS image from a reference Map such as AIA 1600 Å by
cross-correlation.

This page is built offline: the AIA image is played by a stand-in made from the
sample itself, the same slit-jaw frame moved by a known amount and resampled onto a
coarser grid (2.4 arcsec pixels: the sample keeps one slit-jaw pixel in ten, 1.66 arcsec), so the
answer is known. With a network, fetch the real AIA image as shown at the end.
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import sunpy.map
from astropy.coordinates import SkyCoord

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.maps import coalign, reproject_to, to_map, to_maps

# %%
# Slit-jaw frames as Maps
# -----------------------
sji = read_cube(sample.SNS_SJI_1400)
frames = to_maps(sji)
frame = to_map(sji[30])
print(len(frames), frame.date.isot, frame.exposure_time, frame.scale)
fig = plt.figure(figsize=(6, 5))
ax = fig.add_subplot(projection=frame)
frame.plot(axes=ax, clip_interval=(1, 99.5) * u.percent)
plt.colorbar(label="Intensity (DN)")

# %%
# An "AIA" stand-in with a known offset
# -------------------------------------
# The frame moved by (+3, -2) arcsec and put on a grid of 2.4 arcsec pixels.
moved = frame.shift_reference_coord(3 * u.arcsec, -2 * u.arcsec)
centre = SkyCoord(frame.center.Tx, frame.center.Ty, frame=frame.coordinate_frame)
header = sunpy.map.make_fitswcs_header(
    (32, 30),
    centre,
    scale=[2.4, 2.4] * u.arcsec / u.pix,
    telescope="stand-in for AIA",
    wavelength=1600 * u.AA,
)
grid = sunpy.map.Map(np.zeros((32, 30)), header)
reference = reproject_to(moved, grid, rotate=False)
print(reference.scale.axis1.to(u.arcsec / u.pix))

# %%
# Co-alignment
# ------------
# The shift found is what to add to the IRIS pointing; ``apply`` shifts a whole cube
# (a new cube; the original stays) or a Map.
found = coalign(frame, reference, rotate=False)
print(found.shift.round(2))
aligned = found.apply(sji)
shifted = to_map(aligned[30])
print((shifted.center.Tx - frame.center.Tx).round(2), (shifted.center.Ty - frame.center.Ty).round(2))

fig = plt.figure(figsize=(6, 5))
ax = fig.add_subplot(projection=reference)
reference.plot(axes=ax, clip_interval=(1, 99.5) * u.percent)
plt.colorbar(label="Intensity (DN)")
shifted.draw_extent(axes=ax, color="cyan")
ax.set_title("Stand-in reference, with the aligned IRIS field")

# %%
# With the real AIA
# -----------------
# With a network, fetch the AIA 1600 Å image nearest the frame with ``Fido``
# (``ONLINE = True``), cut out a region a little larger than the IRIS field, and
# co-align the same way.
ONLINE = False
if ONLINE:
    from sunpy.net import Fido
    from sunpy.net import attrs as a

    start = frame.date
    result = Fido.search(
        a.Time(start - 12 * u.s, start + 12 * u.s), a.Instrument.aia, a.Wavelength(1600 * u.AA)
    )
    aia = sunpy.map.Map(Fido.fetch(result[0, 0]))
    margin = 20 * u.arcsec
    corner, top = frame.bottom_left_coord, frame.top_right_coord
    cut = aia.submap(
        SkyCoord(corner.Tx - margin, corner.Ty - margin, frame=aia.coordinate_frame),
        top_right=SkyCoord(top.Tx + margin, top.Ty + margin, frame=aia.coordinate_frame),
    )
    found = coalign(frame, cut)
    print(found.shift)
plt.show()
