"""
The tutorial's (ITN 45) call forms of the fitting presets: the tutorial's result, or an
error that says what to do.
"""

import numpy as np
import pytest

from irispy_plus.fitting import IrispyPlusFitError, fit_gen, fit_lines, fit_siiv

WAVE = 1401.5 + 0.02596 * np.arange(100)
SPECTRUM = 5 + 80 * np.exp(-0.5 * ((WAVE - 1402.8) / 0.07) ** 2)


def test_a_single_spectrum_fit_indexes_like_the_tuple_it_unpacks_to():
    fit = fit_siiv(SPECTRUM, WAVE, plot=False)
    profile, components, best_vals, errors = fit
    assert len(fit) == 4
    np.testing.assert_array_equal(fit[2], best_vals)
    np.testing.assert_array_equal(fit[-1], errors)
    np.testing.assert_array_equal(fit[0], profile)
    assert fit[1] is components
    assert fit[2].round(3).tolist() == [5.0, 80.0, 1402.8, 0.07]
    assert len(fit[:2]) == 2
    # The tutorial's own form, in one line.
    assert fit_siiv(SPECTRUM, WAVE, plot=False)[2][2] == pytest.approx(1402.8, abs=1e-4)


def test_a_single_spectrum_fit_refuses_other_indices_clearly():
    fit = fit_siiv(SPECTRUM, WAVE, plot=False)
    with pytest.raises(IndexError, match="out of range of the tutorial's tuple"):
        fit[4]
    with pytest.raises(IrispyPlusFitError, match=r"fit.best_vals\[fit.names.index\('mu1'\)\]"):
        fit["mu1"]
    with pytest.raises(IrispyPlusFitError, match="int or a slice"):
        fit[1.5]


def test_fit_gen_on_too_few_points_says_so():
    # wl_range selects 4 pixels for 4 free parameters: no fit is possible.
    with pytest.raises(IrispyPlusFitError, match=r"holds 4 wavelength points.*at least 5 points"):
        fit_gen(SPECTRUM, WAVE, wl_range=[1402.75, 1402.83], plot=False)
    # The same for many spectra at once (the command line's path), not NaN maps.
    with pytest.raises(IrispyPlusFitError, match="4 free parameters"):
        fit_gen(np.tile(SPECTRUM, (3, 1)), WAVE, wl_range=[1402.75, 1402.83], plot=False)
    # Fixing a parameter frees a point: 4 points for 3 free parameters fit.
    result = fit_lines(
        np.tile(SPECTRUM, (2, 1)), WAVE, wl_range=[1402.75, 1402.83], fixed={"c": 5.0}, progress=False
    )
    assert result.converged.all()
    assert result.values[0, 2] == pytest.approx(1402.8, abs=5e-3)
