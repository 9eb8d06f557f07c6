"""
Line fitting at whole-observation scale.

`fit_lines` fits sums of Gaussians and/or Lorentzians on a constant or linear background
to every spectrum of a cube or array at once (a batched Levenberg-Marquardt solver with
analytic Jacobians), in memory or chunk by chunk with dask. `fit_siiv`, `fit_mgii` and
`fit_gen` are the IRIS tutorial's entry points; `moments` is the fast first look. Results
are `FitResult` objects holding parameter, uncertainty, chi-square and flag maps with the
input's coordinates, and derived intensity, Doppler velocity, width and non-thermal
velocity maps.
"""

from irispy_plus.fitting._fit import fit_lines
from irispy_plus.fitting._flags import FitFlag, QualityFlag
from irispy_plus.fitting._guess import auto_guess, default_limits
from irispy_plus.fitting._models import LineModel
from irispy_plus.fitting._moment_maps import moments
from irispy_plus.fitting._presets import (
    MGII_H,
    MGII_K,
    MGII_TRIPLET,
    SIIV_1394,
    SIIV_1403,
    SpectrumFit,
    fit_gen,
    fit_mgii,
    fit_siiv,
)
from irispy_plus.fitting._result import FitResult
from irispy_plus.utils.exceptions import IrispyPlusFitError

__all__ = [
    "MGII_H",
    "MGII_K",
    "MGII_TRIPLET",
    "SIIV_1394",
    "SIIV_1403",
    "FitFlag",
    "FitResult",
    "IrispyPlusFitError",
    "LineModel",
    "QualityFlag",
    "SpectrumFit",
    "auto_guess",
    "default_limits",
    "fit_gen",
    "fit_lines",
    "fit_mgii",
    "fit_siiv",
    "moments",
]
