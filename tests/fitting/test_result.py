"""FitResult: maps, derived quantities, profiles, moments."""

import astropy.units as u
import numpy as np
import pytest
from ndcube import NDCube

from irispy_plus.fitting import FitFlag, FitResult, IrispyPlusFitError, fit_lines, fit_siiv, moments
from irispy_plus.physics import FWHM_PER_SIGMA, nonthermal_velocity
from irispy_plus.testing.spectra import FUV_STEP, synthetic_spectra

REST = 1402.77
C = 299792.458
X = REST + FUV_STEP * np.arange(-30, 31)


@pytest.fixture(scope="module")
def result():
    truth = np.tile([2.0, 200.0, REST * (1 + 10 / C), 0.06], (12, 1))
    data, sigma = synthetic_spectra(truth, X, seed=1)
    data = data.reshape(3, 4, -1)
    data[0, 0] = np.nan
    return fit_siiv(data * u.ct, X * u.AA, uncertainty=sigma.reshape(3, 4, -1) * u.ct)


def test_maps(result):
    assert result.shape == (3, 4)
    mu = result["mu1"]
    assert isinstance(mu, NDCube)
    assert mu.unit == u.AA
    assert mu.data.shape == (3, 4)
    assert mu.mask[0, 0]
    assert not mu.mask[1, 1]
    assert result["amp1"].unit == u.ct
    assert set(result.parameters) == {"c", "amp1", "mu1", "sigma1"}
    assert set(result.uncertainties) == set(result.parameters)
    np.testing.assert_array_equal(result.uncertainty("mu1").data, result.errors[..., 2])
    np.testing.assert_array_equal(result.parameter("mu1").uncertainty.array, result.errors[..., 2])
    assert result.chi2_cube.data.shape == (3, 4)
    assert result.flags_cube.data[0, 0] & FitFlag.NO_DATA
    assert result.flags_cube.meta["bits"]["NO_DATA"] == 2
    assert "converged" in repr(result)
    with pytest.raises(IrispyPlusFitError, match="not a fitted parameter"):
        result["nope"]


def test_derived_maps(result):
    v = result.doppler_velocity()
    assert v.unit == u.km / u.s
    ok = result.converged
    assert np.all(np.abs(v.data[ok] - 10) < 5 * v.uncertainty.array[ok])
    np.testing.assert_allclose(v.data[ok], (result.values[ok, 2] - REST) / REST * C, rtol=1e-9)
    intensity = result.intensity()
    assert intensity.unit == u.ct * u.AA
    np.testing.assert_allclose(
        intensity.data[ok], result.values[ok, 1] * result.values[ok, 3] * np.sqrt(2 * np.pi)
    )
    fwhm = result.line_width(fwhm=True)
    np.testing.assert_allclose(fwhm.data[ok], FWHM_PER_SIGMA * result.values[ok, 3])
    width_v = result.line_width(velocity=True)
    assert width_v.unit == u.km / u.s
    vnt = result.nonthermal_velocity()
    expected = nonthermal_velocity(result.values[..., 3] * u.AA, "Si IV", REST * u.AA)
    np.testing.assert_allclose(vnt.data, expected.value)
    shifted = result.doppler_velocity(rest_wavelength=REST * (1 + 10 / C))
    np.testing.assert_allclose(shifted.data[ok], v.data[ok] - 10, atol=1e-3)
    zero = result.doppler_velocity(reference=10 * u.km / u.s)
    np.testing.assert_allclose(zero.data, v.data - 10)
    with pytest.raises(IrispyPlusFitError, match="observer"):
        result.doppler_velocity(observer=True)


def test_profile_and_serialisable_state(result):
    profile = result.profile()
    assert profile.data.shape == (3, 4, result.wavelength.size)
    assert profile.unit == u.ct
    components = result.profile(components=[1])
    np.testing.assert_allclose(
        profile.data - components.data, result.values[..., :1] * np.ones(result.wavelength.size)
    )
    state = result.to_dict()
    copy = FitResult(**state)
    np.testing.assert_array_equal(copy.values, result.values)
    assert copy.model == result.model
    assert copy.parameter_names == result.parameter_names


def test_no_rest_wavelength():
    data, _ = synthetic_spectra(np.tile([2.0, 100.0, REST, 0.05], (2, 1)), X)
    plain = fit_lines(data, X)
    with pytest.raises(IrispyPlusFitError, match="rest wavelength"):
        plain.doppler_velocity()
    with pytest.raises(IrispyPlusFitError, match="ion"):
        plain.nonthermal_velocity(rest_wavelength=REST)
    assert plain.doppler_velocity(rest_wavelength=REST * u.AA).unit == u.km / u.s


def test_moments_match_truth():
    truth = np.tile([0.0, 300.0, REST * (1 + 5 / C), 0.05], (50, 1))
    data, _ = synthetic_spectra(truth, X, seed=3, photons_per_dn=1000)
    maps = moments(data, X, rest_wavelength=REST, wl_range=[REST - 0.3, REST + 0.3])
    assert set(maps) >= {"intensity", "centroid", "width", "velocity", "peak", "background"}
    np.testing.assert_allclose(np.median(maps["velocity"].data), 5, atol=0.5)
    np.testing.assert_allclose(np.median(maps["width"].data), 0.05, rtol=0.1)
    np.testing.assert_allclose(np.median(maps["intensity"].data), 300 * 0.05 * np.sqrt(2 * np.pi), rtol=0.05)
    empty = moments(np.full((2, X.size), np.nan), X)
    assert np.all(empty["centroid"].mask)
