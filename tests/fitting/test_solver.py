"""The batched solver on synthetic spectra at the real IRIS sampling."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import OptimizeWarning, curve_fit

from irispy_plus.fitting import FitFlag, IrispyPlusFitError, LineModel, fit_lines
from irispy_plus.testing.spectra import FUV_STEP, NUV_STEP, synthetic_spectra

REST = 1402.77
X_FUV = REST + FUV_STEP * np.arange(-25, 26)


def gaussian(x, c, a, m, s):
    return c + a * np.exp(-0.5 * ((x - m) / s) ** 2)


def random_gaussians(n, seed=1, amp=(20, 400)):
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [
            rng.uniform(1, 5, n),
            rng.uniform(*amp, n),
            REST + rng.uniform(-0.09, 0.09, n),
            rng.uniform(0.04, 0.08, n),
        ]
    )


def test_recovery_within_stated_errors():
    """Pull distribution: (fit - truth) / error is close to standard normal."""
    truth = random_gaussians(3000)
    data, sigma = synthetic_spectra(truth, X_FUV, seed=2)
    result = fit_lines(data, X_FUV, uncertainty=sigma)
    assert result.converged.all()
    pulls = (result.values - truth) / result.errors
    for i, name in enumerate(result.parameter_names):
        assert abs(np.mean(pulls[:, i])) < 0.1, name
        assert 0.9 < np.std(pulls[:, i]) < 1.1, name
    # Reduced chi-square is about 1 with correct uncertainties.
    assert np.median(result.chi2) == pytest.approx(1.0, abs=0.05)


def test_agrees_with_curve_fit():
    truth = random_gaussians(60, seed=3)
    data, _ = synthetic_spectra(truth, X_FUV, seed=4)
    result = fit_lines(data, X_FUV, ftol=1e-10, xtol=1e-10, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        for i in range(len(truth)):
            popt, pcov = curve_fit(gaussian, X_FUV, data[i], p0=truth[i])
            # curve_fit itself stops at a relative tolerance of 1.5e-8.
            np.testing.assert_allclose(result.values[i], popt, rtol=2e-5, atol=1e-4)
            np.testing.assert_allclose(result.errors[i], np.sqrt(np.diag(pcov)), rtol=1e-3)


def two_gaussians(x, c, a1, m1, s1, a2, m2, s2):
    return gaussian(x, c, a1, m1, s1) + gaussian(x, 0.0, a2, m2, s2)


@pytest.mark.parametrize("n_lines", [2, 3])
def test_several_components_agree_with_curve_fit(n_lines):
    """Seven and ten parameters: the unrolled solver's largest problems, against curve_fit."""
    rng = np.random.default_rng(20)
    n = 30
    truth = [rng.uniform(1, 5, n)]
    for offset in (-0.25, 0.0, 0.3)[:n_lines]:
        truth += [
            rng.uniform(100, 400, n),
            REST + offset + rng.uniform(-0.02, 0.02, n),
            rng.uniform(0.04, 0.07, n),
        ]
    truth = np.column_stack(truth)
    x = REST + FUV_STEP * np.arange(-30, 31)
    model = LineModel(["gaussian"] * n_lines)
    data = synthetic_spectra(truth, x, model=model, seed=21)[0]
    result = fit_lines(
        data, x, components=["gaussian"] * n_lines, init_vals=truth, ftol=1e-10, xtol=1e-10, dtype=np.float64
    )
    assert result.converged.all()

    def profile(xx, *p):
        return model.evaluate(xx, np.asarray(p))

    for i in range(n):
        # With its default tolerances, curve_fit stops short of these optima.
        popt, pcov = curve_fit(profile, x, data[i], p0=truth[i], ftol=1e-14, xtol=1e-14, gtol=1e-14)
        np.testing.assert_allclose(result.values[i], popt, rtol=2e-5, atol=1e-4)
        np.testing.assert_allclose(result.errors[i], np.sqrt(np.diag(pcov)), rtol=1e-3)


def test_lorentzian_and_linear_background():
    model = LineModel(["lorentzian"], "linear", reference=REST)
    truth = np.array([[8.0, 2.0, 200.0, REST + 0.05, 0.04]] * 200)
    data, sigma = synthetic_spectra(truth, X_FUV, model=model, seed=5)
    result = fit_lines(data, X_FUV, components=["lorentzian"], background="linear", uncertainty=sigma)
    assert result.parameter_names == ["c", "slope", "amp1", "mu1", "gamma1"]
    assert result.model.reference == pytest.approx(REST, abs=0.01)
    pulls = (result.values - truth) / result.errors
    assert np.all(np.abs(np.mean(pulls, axis=0)) < 0.3)


def test_bounds_respected():
    truth = random_gaussians(50, seed=6)
    data, _ = synthetic_spectra(truth, X_FUV, seed=7)
    limits = [[-np.inf, 0, REST - 0.02, 0.005], [np.inf, np.inf, REST + 0.02, 0.05]]
    result = fit_lines(data, X_FUV, limits=limits)
    mu, sigma = result.values[:, 2], result.values[:, 3]
    assert np.all((mu >= REST - 0.02) & (mu <= REST + 0.02))
    assert np.all(sigma <= 0.05)
    outside = np.abs(truth[:, 2] - REST) > 0.03
    assert np.all(result.flags[outside] & FitFlag.AT_BOUND)
    # NaN in limits means the default for that parameter.
    partial = fit_lines(data, X_FUV, limits=[[np.nan] * 4, [np.nan, np.nan, np.nan, 0.05]])
    assert np.all(partial.values[:, 3] <= 0.05)


def test_ties_and_fixed():
    """Two Si IV-like components with a fixed separation, a ratio and a common width."""
    model = LineModel(["gaussian", "gaussian"])
    n = 300
    rng = np.random.default_rng(8)
    amp = rng.uniform(100, 300, n)
    mu = REST + rng.uniform(-0.05, 0.05, n)
    truth = np.column_stack(
        [np.full(n, 2.0), amp, mu, np.full(n, 0.05), 0.5 * amp, mu + 0.3, np.full(n, 0.05)]
    )
    x = REST + FUV_STEP * np.arange(-20, 40)
    data, sigma = synthetic_spectra(truth, x, model=model, seed=9)
    ties = {"mu2": "mu1 + 0.3", "amp2": "0.5 * amp1", "sigma2": ("sigma1", 1.0, 0.0)}
    init = [2.0, 150.0, REST, 0.06, 75.0, REST + 0.3, 0.06]
    result = fit_lines(data, x, components=["gaussian"] * 2, ties=ties, init_vals=init, uncertainty=sigma)
    v = result.values
    np.testing.assert_allclose(v[:, 5], v[:, 2] + 0.3, atol=1e-12)
    np.testing.assert_allclose(v[:, 4], 0.5 * v[:, 1], rtol=1e-12)
    np.testing.assert_allclose(v[:, 6], v[:, 3], rtol=1e-12)
    # A tied parameter's uncertainty follows its source.
    np.testing.assert_allclose(result.errors[:, 4], 0.5 * result.errors[:, 1], rtol=1e-9)
    pulls = (v[:, 2] - truth[:, 2]) / result.errors[:, 2]
    assert 0.85 < np.std(pulls) < 1.15
    fixed = fit_lines(data, x, components=["gaussian"] * 2, ties=ties, fixed=["c"], init_vals=init)
    assert np.all(fixed.values[:, 0] == 2.0)
    assert np.all(fixed.errors[:, 0] == 0.0)


def test_tie_errors():
    x = X_FUV
    data = np.ones((2, x.size))
    with pytest.raises(IrispyPlusFitError, match="not of the form"):
        fit_lines(data, x, ties={"mu1": "mu2 ** 2"})
    with pytest.raises(IrispyPlusFitError, match="not a parameter"):
        fit_lines(data, x, ties={"mu1": "mu9 + 1"})
    with pytest.raises(IrispyPlusFitError, match="itself tied"):
        fit_lines(data, x, components=["gaussian"] * 3, ties={"mu2": "mu1", "mu3": "mu2"})
    with pytest.raises(IrispyPlusFitError, match="init_vals"):
        fit_lines(data, x, init_vals=[1, 2, 3])
    with pytest.raises(IrispyPlusFitError, match="limits"):
        fit_lines(data, x, limits=[[0, 0], [1, 1]])
    with pytest.raises(IrispyPlusFitError, match="wavelength"):
        fit_lines(data, x[:-1])
    with pytest.raises(IrispyPlusFitError, match="non-finite"):
        fit_lines(data, np.where(np.arange(x.size) == 3, np.nan, x))
    with pytest.raises(IrispyPlusFitError, match="increasing"):
        fit_lines(data, x[::-1])
    with pytest.raises(IrispyPlusFitError, match="component"):
        LineModel(["voigt"])


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("dtype", np.int32),
        ("n_threads", 0),
        ("chunk_size", -5),
        ("max_iter", 2.5),
        ("ftol", 0.0),
        ("xtol", np.nan),
    ],
)
def test_solver_settings_checked(option, value):
    with pytest.raises(IrispyPlusFitError, match=f"{option}="):
        fit_lines(np.ones((2, X_FUV.size)), X_FUV, **{option: value})


def test_masked_pixels_ignored():
    truth = random_gaussians(20, seed=10)
    data, sigma = synthetic_spectra(truth, X_FUV, seed=11)
    mask = np.zeros(data.shape, dtype=bool)
    mask[:, 30:34] = True
    spoiled = data.copy()
    spoiled[mask] = 1e6
    tight = {"ftol": 1e-13, "xtol": 1e-13, "init_vals": truth[0], "dtype": np.float64}
    masked = fit_lines(spoiled, X_FUV, mask=mask, uncertainty=sigma, **tight)
    keep = ~mask[0]
    direct = fit_lines(data[:, keep], X_FUV[keep], uncertainty=sigma[:, keep], **tight)
    np.testing.assert_allclose(masked.values, direct.values, rtol=1e-9)
    np.testing.assert_allclose(masked.errors, direct.errors, rtol=1e-7)


def test_unfittable_spectra_are_flagged():
    truth = random_gaussians(6, seed=12)
    data, _ = synthetic_spectra(truth, X_FUV, seed=13)
    data[1] = np.nan  # nothing valid
    data[2] = 0.0  # no signal
    data[3, :-3] = np.nan  # too few pixels
    mask = np.zeros(data.shape, dtype=bool)
    mask[4] = True  # all masked
    result = fit_lines(data, X_FUV, mask=mask)
    assert list(result.converged) == [True, False, False, False, False, True]
    assert result.flags[1] & FitFlag.NO_DATA
    assert result.flags[2] & FitFlag.NO_SIGNAL
    assert result.flags[3] & FitFlag.NO_DATA
    assert result.flags[4] & FitFlag.NO_DATA
    assert np.all(np.isnan(result.values[1:5]))
    empty = fit_lines(np.full((2, 3, X_FUV.size), np.nan), X_FUV)
    assert empty.shape == (2, 3)
    assert not empty.converged.any()
    assert fit_lines(np.zeros((0, X_FUV.size)), X_FUV).values.shape == (0, 4)


def test_independent_of_chunking_and_threads():
    truth = random_gaussians(500, seed=14)
    data, _ = synthetic_spectra(truth, X_FUV, seed=15)
    a = fit_lines(data.reshape(20, 25, -1), X_FUV)
    b = fit_lines(data, X_FUV, chunk_size=37, n_threads=2)
    # Every spectrum is its own problem: batches change nothing, to the last bit.
    np.testing.assert_array_equal(a.values.reshape(500, -1), b.values)
    np.testing.assert_array_equal(a.errors.reshape(500, -1), b.errors)
    np.testing.assert_array_equal(a.flags.reshape(500), b.flags)
    np.testing.assert_array_equal(a.n_iterations.reshape(500), b.n_iterations)
    # A spectrum fitted alone, too, or as the only fittable one of two.
    alone = fit_lines(data[123], X_FUV)
    np.testing.assert_array_equal(alone.values, b.values[123])
    np.testing.assert_array_equal(alone.errors, b.errors[123])
    for pair in (np.stack([data[123], np.zeros(X_FUV.size)]), np.stack([np.zeros(X_FUV.size), data[123]])):
        fitted = fit_lines(pair, X_FUV)
        np.testing.assert_array_equal(fitted.values[np.any(pair != 0, axis=1)][0], b.values[123])
        assert fitted.flags[np.all(pair == 0, axis=1)][0] & FitFlag.NO_SIGNAL


def test_ten_parameters_independent_of_batches():
    """
    Three components on one line (a hard fit, with many rejected steps): ten free
    parameters, the most the unrolled solver takes, are as independent of batching as four.
    """
    truth = random_gaussians(300, seed=22, amp=(5, 400))
    data = synthetic_spectra(truth, X_FUV, seed=23)[0]
    whole = fit_lines(data, X_FUV, components=["gaussian"] * 3, chunk_size=len(data), n_threads=1)
    batched = fit_lines(data, X_FUV, components=["gaussian"] * 3, chunk_size=24, n_threads=2)
    assert np.mean(whole.n_iterations) > 10
    np.testing.assert_array_equal(whole.values, batched.values)
    np.testing.assert_array_equal(whole.n_iterations, batched.n_iterations)


def test_stragglers_resume_bit_for_bit():
    """
    Slow spectra pause and finish with those of other batches, some of which have masked
    pixels and some not; ties are in force. Nothing changes, to the last bit.
    """
    truth = random_gaussians(400, seed=16, amp=(5, 400))
    truth = np.column_stack([truth, truth[:, 1] * 0.3, truth[:, 2] + 0.05, truth[:, 3]])
    model = LineModel(["gaussian", "gaussian"])
    data = synthetic_spectra(truth, X_FUV, seed=17, model=model)[0]
    data[:150:7, 10:13] = np.nan  # masked pixels in the first batches only
    options = {"components": ["gaussian"] * 2, "ties": {"mu2": "mu1 + 0.05", "sigma2": "sigma1"}}
    whole = fit_lines(data, X_FUV, chunk_size=len(data), n_threads=1, **options)
    batched = fit_lines(data, X_FUV, chunk_size=40, n_threads=2, **options)
    assert np.ptp(whole.n_iterations) > 3  # there are stragglers
    np.testing.assert_array_equal(whole.values, batched.values)
    np.testing.assert_array_equal(whole.errors, batched.errors)
    np.testing.assert_array_equal(whole.n_iterations, batched.n_iterations)
    np.testing.assert_array_equal(whole.flags, batched.flags)


def test_degenerate_components_flagged_singular():
    """Two identical components: their split is undetermined, which the flags say."""
    truth = random_gaussians(5, seed=18)
    data = synthetic_spectra(truth, X_FUV, seed=19)[0]
    start = np.column_stack([truth, truth[:, 1:]])
    start[:, [1, 4]] *= 0.5
    result = fit_lines(data, X_FUV, components=["gaussian"] * 2, init_vals=start)
    assert np.all(result.flags & FitFlag.SINGULAR)
    # The background is determined; how the line splits in two is not: no error for it.
    assert np.all(np.isfinite(result.errors[:, 0]))
    assert np.all(np.isnan(result.errors[:, [1, 4]]))
    # The background is determined; how the line splits into two is not (no error).
    assert np.all(np.isfinite(result.errors[:, 0]))
    assert np.all(np.isnan(result.errors[:, [1, 4]]))
    # A regular fit is not flagged.
    assert not np.any(fit_lines(data, X_FUV).flags & FitFlag.SINGULAR)


def test_mg_ii_five_gaussians_at_nuv_sampling():
    from irispy_plus.fitting import fit_mgii

    x = 2795.0 + NUV_STEP * np.arange(400)
    model = LineModel(["gaussian"] * 5)
    base = [
        20.0,
        400,
        2796.35,
        0.15,
        -200,
        2796.35,
        0.05,
        300,
        2803.53,
        0.15,
        -150,
        2803.53,
        0.05,
        40,
        2798.79,
        0.06,
    ]
    truth = np.tile(base, (100, 1))
    data, sigma = synthetic_spectra(truth, x, model=model, photons_per_dn=18, seed=16)
    result = fit_mgii(data, x, five=True, uncertainty=sigma, plot=False)
    assert result.converged.mean() > 0.95
    ok = result.converged
    pulls = (result.values[ok] - truth[ok]) / result.errors[ok]
    assert np.all(np.abs(np.median(pulls, axis=0)) < 0.5)


def test_an_error_stops_the_queued_batches():
    """An error (or Ctrl-C) in one batch does not wait for the fit's other batches."""
    from irispy_plus.fitting._constraints import Constraints
    from irispy_plus.fitting._solver import solve

    truth = random_gaussians(2000, seed=24)
    data = synthetic_spectra(truth, X_FUV, seed=25)[0]
    calls = []

    def progress(count):
        calls.append(count)
        raise RuntimeError("stop")

    model = LineModel()
    with pytest.raises(RuntimeError, match="stop"):
        solve(
            model, X_FUV - REST, data, None, truth - [0, 0, REST, 0],
            lower=np.full(4, -np.inf), upper=np.full(4, np.inf),
            constraints=Constraints(model.parameter_names), chunk_size=20, n_threads=2, progress=progress,
        )  # fmt: skip
    assert len(calls) < 10  # of 100 batches


@settings(max_examples=12, deadline=None, database=None)
@given(chunk_size=st.integers(4, 150), n_threads=st.sampled_from([1, 2]), seed=st.integers(0, 2**16))
def test_any_batching_gives_the_same_bits(chunk_size, n_threads, seed):
    """Whatever the batches and threads, and wherever pixels are missing."""
    rng = np.random.default_rng(seed)
    data = _BATCHING_DATA.copy()
    data[rng.random(data.shape) < 0.01] = np.nan
    whole = fit_lines(data, X_FUV, chunk_size=len(data), n_threads=1)
    batched = fit_lines(data, X_FUV, chunk_size=chunk_size, n_threads=n_threads)
    np.testing.assert_array_equal(whole.values, batched.values)
    np.testing.assert_array_equal(whole.errors, batched.errors)
    np.testing.assert_array_equal(whole.flags, batched.flags)


_BATCHING_DATA = synthetic_spectra(random_gaussians(300, seed=26, amp=(3, 400)), X_FUV, seed=27)[0]
