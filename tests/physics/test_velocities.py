import astropy.units as u
import numpy as np
import pytest

from irispy_plus.physics import (
    IrispyPlusVelocityError,
    doppler_velocity,
    reference_offset,
    velocity_to_wavelength,
)

C = 299792.458


def test_doppler_sign_and_value():
    v = doppler_velocity([1402.77, 1402.87, 1402.67] * u.AA, 1402.77 * u.AA)
    np.testing.assert_allclose(v.to_value(u.km / u.s), [0, 0.1 / 1402.77 * C, -0.1 / 1402.77 * C])
    back = velocity_to_wavelength(v, 1402.77 * u.AA)
    np.testing.assert_allclose(back.value, [1402.77, 1402.87, 1402.67])


def test_observer_and_reference_corrections():
    centroids = np.full((3, 4), 1402.77) * u.AA
    orv = [1.0, -2.0, 0.5] * u.km / u.s
    v = doppler_velocity(centroids, 1402.77 * u.AA, observer_radial_velocity=orv)
    np.testing.assert_allclose(v.value, -np.array([1.0, -2.0, 0.5])[:, None] * np.ones((3, 4)))
    # Along another axis.
    v2 = doppler_velocity(centroids.T, 1402.77 * u.AA, observer_radial_velocity=orv, exposure_axis=1)
    np.testing.assert_allclose(v2.value, v.value.T)
    ref_velocity = [[1.0, 2.0, 3.0], [0.0, 0.0, 1.0], [5.0, 5.0, 5.0]] * u.km / u.s
    offset = reference_offset(ref_velocity)
    np.testing.assert_allclose(offset.value, [2.0, 0.0, 5.0])
    v3 = doppler_velocity(centroids, 1402.77 * u.AA, reference=offset)
    np.testing.assert_allclose(v3.value[:, 0], [-2.0, 0.0, -5.0])
    with pytest.raises(IrispyPlusVelocityError, match="per-exposure"):
        doppler_velocity(centroids, 1402.77 * u.AA, observer_radial_velocity=[1, 2] * u.km / u.s)


def test_units_checked():
    with pytest.raises(u.UnitsError):
        doppler_velocity(1402.77 * u.s, 1402.77 * u.AA)
