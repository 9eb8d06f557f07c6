"""
Radiometric and wavelength calibration of IRIS data.

- Effective areas: `effective_area` and `iris_response` reproduce SolarSoft's
  ``iris_get_response`` for any date and response version (`response_versions`), with
  the time-dependent throughput of `fit_iris_xput`.
- DN to physical units: `radiometric_calibration` (and its inverse) for cubes,
  sequences and collections; `calibrate_spectrum` for one spectrum as SolarSoft's
  ``iris_calib_spectrum``; the factors `spectrograph_factor`, `slit_jaw_factor` and
  `photons_per_dn` underneath, in any of `CALIBRATED_UNITS`.
- Wavelength: `wavelength_drift` measures each exposure's shift from the photospheric
  `REFERENCE_LINES` and fits the orbital drift (SolarSoft's ``iris_prep_wavecorr_l2``);
  `correct_wavelengths` applies it; `wavelength_shifts` (orbital Doppler shift plus an
  absolute offset from a reference line), `apply_wavelength_shift` (one shift or one per
  exposure), and the array-level `orbital_wavelength_shift` and `line_position`.
- PSF: `deconvolve_psf` removes the spectrograph PSF along the slit (Richardson-Lucy
  with the PSFs of Courrier et al. 2018, `spectrograph_psf`, chosen by `psf_name`).
"""

from irispy_plus.calibration._cube import inverse_radiometric_calibration, radiometric_calibration
from irispy_plus.calibration._psf import PSF_NAMES, deconvolve_psf, psf_name, spectrograph_psf
from irispy_plus.calibration._radiometry import (
    CALIBRATED_UNITS,
    SLIT_WIDTH,
    SPECTROGRAPH_PIXEL_SIZE,
    calibrate_spectrum,
    photons_per_dn,
    slit_jaw_factor,
    spectrograph_factor,
)
from irispy_plus.calibration._response import (
    DETECTORS,
    IRISResponse,
    effective_area,
    iris_response,
    response_versions,
)
from irispy_plus.calibration._wavecorr import (
    ORBITAL_PERIOD,
    REFERENCE_LINES,
    correct_wavelengths,
    wavelength_drift,
)
from irispy_plus.calibration._wavelength import (
    apply_wavelength_shift,
    line_position,
    orbital_wavelength_shift,
    wavelength_shifts,
)
from irispy_plus.calibration._xput import fit_iris_xput
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError

__all__ = [
    "CALIBRATED_UNITS",
    "DETECTORS",
    "ORBITAL_PERIOD",
    "PSF_NAMES",
    "REFERENCE_LINES",
    "SLIT_WIDTH",
    "SPECTROGRAPH_PIXEL_SIZE",
    "IRISResponse",
    "IrispyPlusCalibrationError",
    "apply_wavelength_shift",
    "calibrate_spectrum",
    "correct_wavelengths",
    "deconvolve_psf",
    "effective_area",
    "fit_iris_xput",
    "inverse_radiometric_calibration",
    "iris_response",
    "line_position",
    "orbital_wavelength_shift",
    "photons_per_dn",
    "psf_name",
    "radiometric_calibration",
    "response_versions",
    "slit_jaw_factor",
    "spectrograph_factor",
    "spectrograph_psf",
    "wavelength_drift",
    "wavelength_shifts",
]
