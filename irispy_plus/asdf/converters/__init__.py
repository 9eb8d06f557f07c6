"""
The ASDF converters of irispy-plus, one per tagged type.

Each converter imports the classes it builds when it is used, so that ASDF can list
the extension without importing the cube classes, sunpy.net or dask.
"""

from irispy_plus.asdf.converters._collections import (
    IRISObservationConverter,
    IRISRasterSequenceConverter,
    RasterCollectionConverter,
    SJICollectionConverter,
)
from irispy_plus.asdf.converters._cubes import IRISSJICubeConverter, IRISSpectrogramCubeConverter
from irispy_plus.asdf.converters._fitting import FitResultConverter
from irispy_plus.asdf.converters._maps import DerivedMapConverter
from irispy_plus.asdf.converters._meta import IRISMetaConverter
from irispy_plus.asdf.converters._poi import PointOfInterestConverter
from irispy_plus.asdf.converters._search import QueryResponseTableConverter, UnifiedResponseConverter
from irispy_plus.asdf.converters._units import IRISQuantityConverter, IRISUnitConverter
from irispy_plus.asdf.converters._wcs import IRISRasterWCSConverter, IRISSJIWCSConverter

__all__ = [
    "CONVERTERS",
    "DerivedMapConverter",
    "FitResultConverter",
    "IRISMetaConverter",
    "IRISObservationConverter",
    "IRISQuantityConverter",
    "IRISRasterSequenceConverter",
    "IRISRasterWCSConverter",
    "IRISSJICubeConverter",
    "IRISSJIWCSConverter",
    "IRISSpectrogramCubeConverter",
    "IRISUnitConverter",
    "PointOfInterestConverter",
    "QueryResponseTableConverter",
    "RasterCollectionConverter",
    "SJICollectionConverter",
    "UnifiedResponseConverter",
]

#: One instance of every converter, as given to the extensions.
CONVERTERS = [
    IRISRasterWCSConverter(),
    IRISSJIWCSConverter(),
    IRISMetaConverter(),
    IRISSpectrogramCubeConverter(),
    IRISSJICubeConverter(),
    IRISRasterSequenceConverter(),
    RasterCollectionConverter(),
    SJICollectionConverter(),
    IRISObservationConverter(),
    IRISUnitConverter(),
    IRISQuantityConverter(),
    QueryResponseTableConverter(),
    UnifiedResponseConverter(),
    FitResultConverter(),
    DerivedMapConverter(),
    PointOfInterestConverter(),
]
