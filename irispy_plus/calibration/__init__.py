"""
Radiometric and wavelength calibration of IRIS data.

- `effective_area` and `iris_response`: the IRIS effective areas for any date and
  response version, reproducing SolarSoft's ``iris_get_response`` (with the
  time-dependent throughput of `fit_iris_xput`).
"""

from irispy_plus.calibration._response import (
    DETECTORS,
    IRISResponse,
    IrispyPlusCalibrationError,
    effective_area,
    iris_response,
    response_versions,
)
from irispy_plus.calibration._xput import fit_iris_xput

__all__ = [
    "DETECTORS",
    "IRISResponse",
    "IrispyPlusCalibrationError",
    "effective_area",
    "fit_iris_xput",
    "iris_response",
    "response_versions",
]
