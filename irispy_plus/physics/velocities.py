r"""
Doppler velocities from line centroids.

The Doppler velocity is :math:`v = c\,(\lambda - \lambda_0)/\lambda_0`, positive for a
red shift (motion away from the observer). Two optional corrections:

- the observer's radial velocity relative to the Sun (``OBS_VRIX`` in Level 2 auxiliary
  data, one value per exposure, positive when IRIS moves away from the Sun), which adds
  to every line-of-sight velocity measured in that exposure and is subtracted;
- a reference line (photospheric or low-chromospheric, e.g. Ni I 2799.474 Å or O I
  1355.598 Å) whose measured velocity, averaged along the slit per exposure
  (`reference_offset`), is taken as the zero point and subtracted.
"""

import astropy.constants as const
import astropy.units as u
import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusVelocityError

__all__ = ["IrispyPlusVelocityError", "doppler_velocity", "reference_offset", "velocity_to_wavelength"]

_C = const.c.to(u.km / u.s)


def _per_exposure(values, shape, exposure_axis):
    """Broadcast a per-exposure 1D array against an array of ``shape``."""
    values = u.Quantity(values)
    if values.ndim != 1:
        return values
    axis = exposure_axis % len(shape)
    if shape[axis] != values.shape[0]:
        msg = (
            f"{values.shape[0]} per-exposure values do not match axis {axis} of length "
            f"{shape[axis]}; pass one value per exposure (step) of the cube."
        )
        raise IrispyPlusVelocityError(msg)
    new_shape = [1] * len(shape)
    new_shape[axis] = values.shape[0]
    return values.reshape(new_shape)


@u.quantity_input
def doppler_velocity(
    wavelength: u.AA,
    rest_wavelength: u.AA,
    observer_radial_velocity: u.Quantity[u.km / u.s] | None = None,
    reference: u.Quantity[u.km / u.s] | None = None,
    exposure_axis: int = 0,
) -> u.km / u.s:
    """
    Doppler velocities of line centroids.

    Parameters
    ----------
    wavelength : `~astropy.units.Quantity`
        Measured centroids, any shape.
    rest_wavelength : `~astropy.units.Quantity`
        Rest wavelength (see `irispy_plus.physics.rest_wavelength`).
    observer_radial_velocity : `~astropy.units.Quantity`, optional
        The observer's radial velocity (OBS_VRIX, ``cube.meta.observer_radial_velocity``):
        a scalar, one value per exposure (along ``exposure_axis``) or an array that
        broadcasts. Subtracted.
    reference : `~astropy.units.Quantity`, optional
        Velocity zero point measured on a reference line (see `reference_offset`), a
        scalar, one value per exposure, or an array that broadcasts. Subtracted.
    exposure_axis : int, optional
        The axis of ``wavelength`` that runs over exposures (raster steps), 0 by default.

    Returns
    -------
    `~astropy.units.Quantity`
        Velocities in km/s, positive for red shifts.

    Raises
    ------
    IrispyPlusVelocityError
        If per-exposure values do not match the length of ``exposure_axis``.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.physics import doppler_velocity
    >>> doppler_velocity(1402.8168 * u.AA, 1402.77 * u.AA).round(2)
    <Quantity 10. km / s>
    """
    velocity = (_C * (wavelength - rest_wavelength) / rest_wavelength).to(u.km / u.s)
    shape = velocity.shape
    if observer_radial_velocity is not None:
        velocity = velocity - _per_exposure(observer_radial_velocity, shape, exposure_axis)
    if reference is not None:
        velocity = velocity - _per_exposure(reference, shape, exposure_axis)
    return velocity


@u.quantity_input
def velocity_to_wavelength(velocity: u.km / u.s, rest_wavelength: u.AA) -> u.AA:
    """
    The wavelength at which a line of ``rest_wavelength`` moving at ``velocity`` is seen.

    Parameters
    ----------
    velocity : `~astropy.units.Quantity`
        Line-of-sight velocity, positive away from the observer.
    rest_wavelength : `~astropy.units.Quantity`
        Rest wavelength.

    Returns
    -------
    `~astropy.units.Quantity`
        Wavelength in Å.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.physics import velocity_to_wavelength
    >>> velocity_to_wavelength(10 * u.km / u.s, 1402.77 * u.AA).round(4)
    <Quantity 1402.8168 Angstrom>
    """
    return (rest_wavelength * (1 + velocity / _C)).to(u.AA)


@u.quantity_input
def reference_offset(velocity: u.km / u.s, axis: int = -1, rest_velocity: u.km / u.s = 0 * u.km / u.s):
    """
    The velocity zero point from a reference line: its median along the slit.

    Parameters
    ----------
    velocity : `~astropy.units.Quantity`
        Measured velocities of a reference line, e.g. shape (exposures, slit positions).
    axis : int, optional
        The axis along the slit to take the median over (the last by default).
    rest_velocity : `~astropy.units.Quantity`, optional
        The velocity the reference line is known to have (0 by default).

    Returns
    -------
    `~astropy.units.Quantity`
        One offset per exposure (NaNs ignored), to pass as ``reference=`` to
        `doppler_velocity`.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.physics import reference_offset
    >>> reference_offset([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]] * u.km / u.s)
    <Quantity [2., 0.] km / s>
    """
    return np.nanmedian(velocity.to_value(u.km / u.s), axis=axis) * (u.km / u.s) - rest_velocity
