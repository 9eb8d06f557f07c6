"""
Spectral diagnostics beyond line fitting: Mg II k and h features and red-blue asymmetry.

Every diagnostic works on a cube, a raster sequence or an array of spectra (wavelength
last, numpy or dask), treats all spectra at once, and returns maps with the input's
celestial and time coordinates plus a flag map of
`~irispy_plus.diagnostics.QualityFlag` bits (the same bits as
`~irispy_plus.fitting.FitFlag`, extended). `irispy_plus.diagnostics.synthetic` makes Mg II
profiles with known features, for trying them out.
"""

from irispy_plus.diagnostics._mg_features import mg_features
from irispy_plus.diagnostics._red_blue import red_blue_asymmetry
from irispy_plus.diagnostics._spline import tension_spline
from irispy_plus.fitting._flags import QualityFlag

__all__ = ["QualityFlag", "mg_features", "red_blue_asymmetry", "tension_spline"]
