"""
Physics of IRIS lines: the line list, ion data, Doppler and non-thermal velocities.
"""

from irispy_plus.physics.ions import formation_temperature, ion_mass, thermal_velocity
from irispy_plus.physics.lines import (
    IrispyPlusLineError,
    find_lines,
    line_list,
    lines_in_window,
    rest_wavelength,
    window_channel,
    windows,
)
from irispy_plus.physics.nonthermal import (
    FWHM_PER_SIGMA,
    INSTRUMENTAL_FWHM,
    instrumental_fwhm,
    iris_vnt,
    nonthermal_velocity,
    thermal_fwhm,
)
from irispy_plus.physics.velocities import (
    IrispyPlusVelocityError,
    doppler_velocity,
    reference_offset,
    velocity_to_wavelength,
)

__all__ = [
    "FWHM_PER_SIGMA",
    "INSTRUMENTAL_FWHM",
    "IrispyPlusLineError",
    "IrispyPlusVelocityError",
    "doppler_velocity",
    "find_lines",
    "formation_temperature",
    "instrumental_fwhm",
    "ion_mass",
    "iris_vnt",
    "line_list",
    "lines_in_window",
    "nonthermal_velocity",
    "reference_offset",
    "rest_wavelength",
    "thermal_fwhm",
    "thermal_velocity",
    "velocity_to_wavelength",
    "window_channel",
    "windows",
]
