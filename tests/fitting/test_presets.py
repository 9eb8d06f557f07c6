"""The tutorial's entry points: fit_siiv, fit_mgii, fit_gen."""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import pytest

from irispy_plus.fitting import (
    SIIV_1394,
    SIIV_1403,
    FitResult,
    IrispyPlusFitError,
    LineModel,
    SpectrumFit,
    fit_gen,
    fit_mgii,
    fit_siiv,
)
from irispy_plus.testing.spectra import FUV_STEP, NUV_STEP, synthetic_spectra

X_SI = 1392.0 + FUV_STEP * np.arange(500)  # covers both Si IV lines


def si_iv(n=1, seed=0, rest=SIIV_1403, **kw):
    truth = np.tile([3.0, 150.0, rest + 0.03, 0.06], (n, 1))
    data, sigma = synthetic_spectra(truth, X_SI, seed=seed, **kw)
    return truth, data, sigma


def test_fit_siiv_single_spectrum_returns_tutorial_tuple():
    truth, data, _ = si_iv()
    fit = fit_siiv(data[0], X_SI, plot=False)
    assert isinstance(fit, SpectrumFit)
    profile, components, best_vals, errors = fit
    assert profile.shape == fit.wavelength.shape == fit.data.shape
    assert len(components) == 1
    assert fit.wavelength[0] == pytest.approx(SIIV_1403 - 1.0, abs=FUV_STEP)
    assert np.all(errors > 0)
    assert np.all(np.abs(best_vals - truth[0]) < 5 * errors)
    assert fit.converged
    assert fit.result.meta["rest_wavelength"] == SIIV_1403 * u.AA
    assert "mu1=" in repr(fit)


def test_fit_siiv_plots():
    _, data, _ = si_iv()
    fit = fit_siiv(data[0] * u.ct, X_SI * u.AA, plot=True)
    try:
        assert fit.figure is not None
        axes = fit.figure.axes[0]
        assert len(axes.lines) == 3  # data, fit, one component
        assert axes.get_xlabel() == "Wavelength [Å]"
    finally:
        plt.close("all")


@pytest.mark.parametrize(
    ("switches", "n_comp", "width_name"),
    [
        ({}, 1, "sigma1"),
        ({"two": True}, 2, "sigma2"),
        ({"three": True}, 3, "sigma3"),
        ({"lorentz": True}, 1, "gamma1"),
    ],
)
def test_fit_siiv_switches(switches, n_comp, width_name):
    _, data, _ = si_iv(n=4, seed=1)
    result = fit_siiv(data, X_SI, **switches)
    assert isinstance(result, FitResult)
    assert result.model.n_components == n_comp
    assert result.parameter_names[-1] == width_name
    assert result.converged.all()


def test_fit_siiv_line_choice_and_init():
    truth, data, _ = si_iv(rest=SIIV_1394, seed=2)
    x = X_SI[X_SI < 1398]
    fit = fit_siiv(data[0][: x.size], x, plot=False)
    assert fit.result.meta["rest_wavelength"] == SIIV_1394 * u.AA
    fit_1394 = fit_siiv(data[0], X_SI, line=1394, plot=False, init_vals=[3, 100, SIIV_1394, 0.05])
    assert np.all(np.abs(fit_1394.best_vals - truth[0]) < 5 * fit_1394.errors)
    limited = fit_siiv(
        data[0],
        X_SI,
        line=1394,
        plot=False,
        limits=[[0, 0, SIIV_1394 - 0.01, 0.01], [10, 1000, SIIV_1394 + 0.01, 0.5]],
    )
    assert limited.best_vals[2] <= SIIV_1394 + 0.01 + 1e-12


def test_fit_mgii_seven_four_five():
    x = 2795.0 + NUV_STEP * np.arange(400)
    model = LineModel(["gaussian"] * 7)
    k, h = 2796.35, 2803.53
    base = [20.0, 300, k - 0.15, 0.08, -60, k, 0.05, 250, k + 0.15, 0.08]
    base += [240, h - 0.13, 0.08, -50, h, 0.05, 200, h + 0.13, 0.08, 40, 2798.79, 0.06]
    data, sigma = synthetic_spectra(np.tile(base, (30, 1)), x, model=model, photons_per_dn=18, seed=3)
    seven = fit_mgii(data, x, uncertainty=sigma)
    assert seven.model.n_components == 7
    assert seven.converged.mean() > 0.9
    ok = seven.converged
    pulls = (seven.values[ok] - base) / seven.errors[ok]
    assert np.all(np.abs(np.median(pulls, axis=0)) < 0.5)
    assert np.median(seven.chi2[ok]) == pytest.approx(1, abs=0.1)
    single = fit_mgii(data[0], x, plot=False)
    assert len(single.components) == 7
    assert fit_mgii(data[:2], x, four=True).model.n_components == 4
    five = fit_mgii(data[:2], x, five=True)
    assert five.model.n_components == 5
    assert five.meta["rest_wavelength"].size == 5


def test_fit_gen():
    truth, data, _ = si_iv(n=3, seed=4)
    init = [3, 100, SIIV_1403, 0.05]
    fit = fit_gen(data[0], X_SI, init_vals=init, wl_range=[1402, 1403.5], plot=False)
    assert np.all(np.abs(fit.best_vals - truth[0]) < 5 * fit.errors)
    two = fit_gen(data, X_SI, rest_wavelength=[SIIV_1394, SIIV_1403])
    assert two.model.n_components == 2
    np.testing.assert_allclose(two.values[:, 5], SIIV_1403 + 0.03, atol=0.01)
    assert fit_gen(data, X_SI, n_components=2, wl_range=[1402, 1403.5]).model.n_components == 2
    with pytest.raises(IrispyPlusFitError, match="c then 3 per component"):
        fit_gen(data[0], X_SI, init_vals=[1, 2, 3], plot=False)
    with pytest.raises(IrispyPlusFitError, match="fewer than 3 pixels"):
        fit_gen(data[0], X_SI, wl_range=[1402.0, 1402.01], plot=False)
