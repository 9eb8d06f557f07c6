"""
Batch work over an archive
==========================

`irispy_plus.archive.Archive` keeps a catalogue of a folder tree of Level 2 files (read
from their headers only), queries it, and runs a function over every observation on a
``dask.distributed`` cluster, keeping each result in an ASDF file. A rerun skips what
is done, and a failing observation does not stop the others.

Here the archive is the bundled sample, copied to a temporary folder in the layout
``Fido.fetch`` writes (one folder per observation), and the cluster runs on threads of
this process. On a real archive, pass a client of any cluster (or let ``map`` start a
`~dask.distributed.LocalCluster` of worker processes).
"""

import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from dask.distributed import Client, LocalCluster

import irispy_plus
from irispy_plus.archive import Archive, FitJob
from irispy_plus.data import sample
from irispy_plus.visualization import plot_map

# %%
# An archive folder
# -----------------
root = Path(tempfile.mkdtemp()) / "iris"
for path in sample.ALL_FILES:
    obs_id = "_".join(path.name.split("_")[2:5])  # YYYYMMDD_HHMMSS_OBSID
    (root / obs_id).mkdir(parents=True, exist_ok=True)
    shutil.copy(path, root / obs_id)

archive = Archive(root)
print(archive)

# %%
# Queries
# -------
# By time, OBSID, description, windows and slit-jaw bands present, field of view,
# distance from disk centre, raster steps and repeats.
with_si_iv = archive.select(windows="Si IV 1403")
print(with_si_iv.obs_ids)
print(archive.select(bands=1400, description="sit-and-stare").obs_ids)

# %%
# A function over every observation
# ---------------------------------
# `~irispy_plus.archive.FitJob` fits a line with the presets (``fit_siiv`` here) in each
# observation's raster; any picklable function of an
# `~irispy_plus.archive.Observation` works the same way.
out = root.parent / "fits"
with (
    LocalCluster(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster,
    Client(cluster) as client,
):
    report = with_si_iv.map(FitJob("Si IV 1403"), client=client, out=out, progress=False)
    again = with_si_iv.map(FitJob("Si IV 1403"), client=client, out=out, progress=False)
print(report.summary().replace(str(out), "OUT"))
print(again.summary().replace(str(out), "OUT"))

# %%
# The results are ASDF files, one per observation:
results = sorted(out.glob("*.asdf"))
print([path.name for path in results])
fit = irispy_plus.load(results[-1])
print(fit)
ax = plot_map(fit.doppler_velocity())
plt.show()
shutil.rmtree(root.parent)
