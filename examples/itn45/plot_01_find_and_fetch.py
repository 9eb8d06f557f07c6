"""
1. Finding and fetching an observation
======================================

ITN 45 starts at the IRIS search tool and ``hcr2fits.get_fits``. With irispy-plus the
HEK Coverage Registry (HCR) is a `sunpy.net.Fido` client: ``import irispy_plus`` adds it,
and ``a.iris`` holds one search attribute per HCR filter.

This page is built offline, so the network steps are shown but only run when
``ONLINE`` is set to True; the rest of the page uses the sample observation shipped with
irispy-plus, which was fetched exactly this way.
"""

# %%
# The query
# ---------
# An OBSID and a time range find one observation; ``a.iris.FileKind`` keeps only the
# raster tarball or only the slit-jaws.
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from sunpy.net import Fido
from sunpy.net import attrs as a

import irispy_plus  # registers the HCR client with Fido
from irispy_plus.data import sample
from irispy_plus.net import IRISHCRClient
from irispy_plus.visualization import plot_map

query = (
    a.Time("2021-09-05 00:00", "2021-09-05 06:00"),
    a.Instrument.iris,
    a.iris.OBSID(3620258102),
)
print(IRISHCRClient in Fido.registry)
print(a.iris.FileKind.raster.value, a.iris.FileKind.sji.value)

# %%
# Search and fetch
# ----------------
# ``Fido.search`` returns one row per downloadable file with its observation (OBSID,
# times, pointing, field of view, cadence...). ``Fido.fetch`` downloads them in parallel,
# checks every file and unpacks it: ``raster.tar.gz`` to its ``raster_t000_rNNNNN.fits``
# files, ``.fits.gz`` to ``.fits``. A URL pasted from the search tool works too, through
# `irispy_plus.net.get_fits` (the tutorial's call) or ``a.iris.QueryURL(url)``.
ONLINE = False  # set to True to ask the HCR (the full observation is about 1 GB)
folder = Path(tempfile.mkdtemp())

if ONLINE:
    results = Fido.search(*query, a.iris.FileKind.sji)
    print(results)
    files = Fido.fetch(results, path=folder / "{file}")
else:
    # The sample: the same observation, cut down, laid out as Fido.fetch writes it.
    target = folder / "20210905_001833_3620258102"
    target.mkdir()
    files = [shutil.copy(path, target) for path in sorted(sample.SNS_DIR.glob("*.fits"))]
for name in files:
    print(Path(name).name)

# %%
# A first look at what was fetched
# --------------------------------
# The 1400 slit-jaw, read lazily from the folder, and its first frame on world axes.
sji = irispy_plus.read_cube(next(Path(name) for name in files if "SJI_1400" in str(name)))
ax = plot_map(sji[0])
plt.show()

shutil.rmtree(folder)
