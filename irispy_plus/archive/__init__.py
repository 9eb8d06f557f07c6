"""
Many observations at once: a catalogue of a folder tree of IRIS Level 2 files, queries,
browsing for machine learning, and batch work on a dask cluster.

`Archive` indexes a folder tree (reading headers only) and keeps the catalogue beside
it; `Archive.select` queries it; iterating gives `Observation` objects whose cubes are
read lazily. `spectra_on_grid`, `sample_crops`, `CropLoader` and `export_zarr` turn
observations into training sets; `Archive.map` (`run_map`) runs a function over every
observation on a `dask.distributed` cluster, surviving lost workers and restarts.
"""

from irispy_plus.archive._batch import RunReport, run_map
from irispy_plus.archive._catalogue import Archive, IndexReport
from irispy_plus.archive._jobs import FitJob
from irispy_plus.archive._loader import CropLoader, export_zarr
from irispy_plus.archive._ml import Crops, sample_crops, spectra_on_grid
from irispy_plus.archive._observation import Observation
from irispy_plus.archive._query import select_mask

__all__ = [
    "Archive",
    "CropLoader",
    "Crops",
    "FitJob",
    "IndexReport",
    "Observation",
    "RunReport",
    "export_zarr",
    "run_map",
    "sample_crops",
    "select_mask",
    "spectra_on_grid",
]
