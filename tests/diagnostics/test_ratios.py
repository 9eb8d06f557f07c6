import astropy.units as u
import numpy as np
import pytest
from astropy.nddata import StdDevUncertainty
from astropy.table import QTable
from astropy.wcs import WCS
from ndcube import NDCube

from irispy_plus.cubes import RasterCollection
from irispy_plus.diagnostics import (
    RATIO_FLAGS,
    SI_IV_THIN_RATIO,
    chianti_ratio_curve,
    density_from_ratio,
    line_intensity,
    line_ratio,
    ratio_map,
)
from irispy_plus.diagnostics._ratios import _integral_weights
from irispy_plus.testing.spectra import synthetic_raster
from irispy_plus.utils import IrispyPlusAlignmentError, IrispyPlusError

FUV_STEP = 0.02596
SIGMA = 0.05  # Å, line width


def _window(rng, start, n_pixels, lines, *, n_exp=3, n_slit=400, background=5.0, window="Si IV 1403"):
    """Noisy spectra with Gaussian lines (centre, peak in DN) and their exact 1-sigma."""
    x = start + FUV_STEP * np.arange(n_pixels)
    model = np.full(x.size, background)
    for centre, peak in lines:
        model = model + peak * np.exp(-0.5 * ((x - centre) / SIGMA) ** 2)
    sigma = np.sqrt(model / 4 + 1.5**2)  # 4 photons per DN and 1.5 DN read noise
    data = model + rng.normal(0, 1, (n_exp, n_slit, x.size)) * sigma
    uncertainty = np.broadcast_to(sigma, data.shape).copy()
    cube = synthetic_raster(
        data, [start, FUV_STEP] * u.AA, detector="FUV", window=window, uncertainty=uncertainty
    )
    return cube, model, sigma


@pytest.fixture(scope="module")
def fuv():
    """Si IV 1394 and Si IV 1403 windows of one raster: O IV lines and Si IV at the thin ratio."""
    rng = np.random.default_rng(42)
    long_lines = [(1399.77, 40.0), (1401.16, 80.0), (1402.77, 300.0)]
    long, _, _ = _window(rng, 1398.6, 180, long_lines)
    short, _, _ = _window(rng, 1392.8, 80, [(1393.76, 600.0)], window="Si IV 1394")
    return RasterCollection([("Si IV 1394", short), ("Si IV 1403", long)], aligned_axes=(0, 1))


def test_moment_intensity_uncertainty_is_exact(fuv):
    cube = fuv["Si IV 1403"]
    intensity = line_intensity(cube, 1401.16 * u.AA, half_width=0.25 * u.AA)
    # By hand: the weights of a linear estimator and the pixels' variances.
    wavelength = u.Quantity(cube.spectral_axis, u.AA).value
    columns = np.flatnonzero(np.abs(wavelength - 1401.16) <= 0.25)
    weights = _integral_weights(wavelength[columns])
    sigma = cube.uncertainty.array[0, 0, columns]
    assert intensity.uncertainty.array[0, 0] == pytest.approx(
        np.sqrt(np.sum(sigma**2 * weights**2)), rel=1e-12
    )
    assert intensity.data[0, 0] == pytest.approx(cube.data[0, 0, columns] @ weights, rel=1e-12)
    # Monte Carlo: 1,200 independent noisy spectra scatter as propagated, about the truth.
    values = intensity.data.ravel()
    predicted = intensity.uncertainty.array.ravel()
    assert np.std(values) == pytest.approx(np.median(predicted), rel=0.08)
    truth = 80 * SIGMA * np.sqrt(2 * np.pi)
    assert np.mean(values) == pytest.approx(truth, rel=0.03)


def test_ratio_uncertainty_matches_monte_carlo_and_formula():
    rng = np.random.default_rng(7)
    shape = (400, 500)
    a_true, b_true, sa, sb = 100.0, 50.0, 5.0, 2.0
    draws_a = a_true + sa * rng.standard_normal(shape)
    draws_b = b_true + sb * rng.standard_normal(shape)

    def as_map(values, sigma):
        return NDCube(
            values, wcs=WCS(naxis=2), uncertainty=StdDevUncertainty(np.full(shape, sigma)), unit=u.DN
        )

    out = line_ratio(as_map(draws_a, sa), as_map(draws_b, sb))
    ratio = out["ratio"]
    assert ratio.unit == u.dimensionless_unscaled
    analytic = (a_true / b_true) * np.hypot(sa / a_true, sb / b_true)
    predicted = np.median(ratio.uncertainty.array)
    assert predicted == pytest.approx(analytic, rel=0.01)
    # The spread of 200,000 ratios of independent draws.
    assert np.std(ratio.data) == pytest.approx(predicted, rel=0.02)
    assert not out["flags"].data.any()


def test_standard_ratios_on_synthetic_windows(fuv):
    out = ratio_map(fuv, "Si IV 1393.76/1402.77", half_width=0.3 * u.AA)
    # The optically thin Si IV ratio, 600 / 300 with equal widths.
    assert np.median(out["ratio"].data) == pytest.approx(SI_IV_THIN_RATIO, rel=0.01)
    spread = np.std(out["ratio"].data)
    assert spread == pytest.approx(np.median(out["ratio"].uncertainty.array), rel=0.1)
    oiv = ratio_map(fuv, "O IV 1399.77/1401.16", half_width=0.25 * u.AA)
    assert np.median(oiv["ratio"].data) == pytest.approx(0.5, rel=0.03)
    # From fits: the same ratio, and flagged like the moments.
    fitted = ratio_map(fuv, "Si IV 1402.77/O IV 1401.16", method="fit", half_width=0.25 * u.AA)
    assert np.median(fitted["ratio"].data) == pytest.approx(300 / 80, rel=0.02)
    assert fitted["flags"].meta["bits"] == RATIO_FLAGS
    # FitResults straight from fit_lines give the same.
    from irispy_plus.fitting import fit_lines

    cube = fuv["Si IV 1403"]
    results = [fit_lines(cube, wl_range=(c - 0.25, c + 0.25)) for c in (1402.77, 1401.16)]
    direct = line_ratio(*results)
    np.testing.assert_allclose(direct["ratio"].data, fitted["ratio"].data, rtol=1e-6)


def test_flags_and_masks(fuv):
    cube = fuv["Si IV 1403"]
    mask = np.zeros(cube.shape, bool)
    mask[0, 5, 99] = True  # in the O IV 1401.16 range
    masked = cube._new_instance(mask=mask)
    a = line_intensity(masked, 1401.16 * u.AA, half_width=0.25 * u.AA)
    b = line_intensity(masked, 1399.77 * u.AA, half_width=0.25 * u.AA)
    wavelength = u.Quantity(cube.spectral_axis, u.AA).value
    assert abs(wavelength[99] - 1401.16) <= 0.25
    out = line_ratio(b, a, min_snr=1e6)
    flags = out["flags"].data
    assert flags[0, 5] & RATIO_FLAGS["FILL"]
    assert out["ratio"].mask[0, 5]
    assert np.isnan(out["ratio"].data[0, 5])
    # Every other pixel is only NOISY (min_snr is huge) and keeps its value.
    others = np.ones(flags.shape, bool)
    others[0, 5] = False
    assert np.all(flags[others] == RATIO_FLAGS["NOISY"])
    assert not out["ratio"].mask[others].any()


def test_mismatched_exposures_and_pixels_are_named(fuv):
    a = line_intensity(fuv["Si IV 1403"], 1402.77 * u.AA, half_width=0.25 * u.AA)
    b = line_intensity(fuv["Si IV 1394"], 1393.76 * u.AA, half_width=0.25 * u.AA)
    with pytest.raises(IrispyPlusAlignmentError, match="same exposures"):
        line_ratio(a[1:], b[:-1])
    with pytest.raises(IrispyPlusAlignmentError, match="same slit pixels"):
        line_ratio(a[:, 1:], b[:, :-1])
    with pytest.raises(IrispyPlusAlignmentError, match="shape"):
        line_ratio(a, b[:, :-1])


def test_density_from_a_table_a_pair_and_a_callable():
    density = np.geomspace(1e9, 1e12, 31) * u.cm**-3
    # A made-up monotonic curve, as an O IV ratio rises with density.
    ratio_curve = 0.15 + 0.25 / (1 + (1e11 / density.value) ** 0.8)
    observed = np.array([[0.2, 0.3, 0.1, 0.45]])
    sigma = np.array([[0.01, 0.01, 0.01, 0.01]])
    ratio = NDCube(observed, wcs=WCS(naxis=2), uncertainty=StdDevUncertainty(sigma))
    table = QTable({"density": density, "ratio": ratio_curve})
    out = density_from_ratio(ratio, table)
    result = out["density"]
    assert result.unit == u.cm**-3
    # Independent inversion: a fine bisection of the same (interpolated) curve.
    log_n = np.log10(density.value)
    for j in (0, 1):
        target = observed[0, j]
        lo, hi = log_n[0], log_n[-1]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if np.interp(mid, log_n, ratio_curve) < target else (lo, mid)
        assert result.data[0, j] == pytest.approx(10**mid, rel=1e-6)
        # The uncertainty: half the density interval that R +- sigma maps to.
        up, down = (10 ** np.interp(target + s, ratio_curve, log_n) for s in (0.001, -0.001))
        assert result.uncertainty.array[0, j] == pytest.approx((up - down) / 0.002 * 0.01, rel=0.02)
    # Beyond the curve's ends: flagged, masked, NaN.
    assert np.all(out["flags"].data[0, 2:] & RATIO_FLAGS["OUT_OF_RANGE"])
    assert np.all(np.isnan(result.data[0, 2:]))
    assert result.mask[0, 2:].all()
    pair = density_from_ratio(ratio, (density, ratio_curve))["density"]
    np.testing.assert_array_equal(pair.data, result.data)

    def curve(n):
        return 0.15 + 0.25 / (1 + (1e11 / n.to_value(u.cm**-3)) ** 0.8)

    called = density_from_ratio(ratio, curve, density_range=(1e9, 1e12) * u.cm**-3, n_samples=2001)
    np.testing.assert_allclose(called["density"].data[0, :2], result.data[0, :2], rtol=0.02)


def test_unusable_curves_are_refused():
    ratio = NDCube(np.array([0.3]), wcs=WCS(naxis=1), uncertainty=StdDevUncertainty([0.01]))
    density = np.array([1e9, 1e10, 1e11]) * u.cm**-3
    with pytest.raises(IrispyPlusError, match="not monotonic"):
        density_from_ratio(ratio, (density, [0.1, 0.3, 0.2]))
    with pytest.raises(IrispyPlusError, match="at least two finite"):
        density_from_ratio(ratio, (density, [0.1, np.nan, 0.2]))


def test_chianti_curve_without_a_database(tmp_path):
    # Checked before fiasco is imported (importing it imports plasmapy, which goes online).
    import importlib.util

    missing = tmp_path / "none.h5"
    expected = "No CHIANTI database" if importlib.util.find_spec("fiasco") else "irispy-plus\\[density\\]"
    with pytest.raises(IrispyPlusError, match=expected):
        chianti_ratio_curve("O IV 1399.77/1401.16", database=missing)
    with pytest.raises(IrispyPlusError, match="Unknown ratio"):
        chianti_ratio_curve("Fe XII 1349/1242")


def test_chianti_curve():
    from pathlib import Path

    database = Path.home() / ".fiasco" / "chianti_dbase.h5"
    if not database.is_file():
        pytest.skip("no CHIANTI database installed for fiasco")
    pytest.importorskip("fiasco")
    curve = chianti_ratio_curve("O IV 1399.77/1401.16", database=database)
    # The O IV ratio rises with density (Polito et al. 2016).
    assert np.all(np.diff(curve["ratio"]) > 0)


def test_intensity_needs_an_uncertainty_and_the_line(fuv):
    cube = fuv["Si IV 1403"]
    with pytest.raises(IrispyPlusError, match="uncertainty=True"):
        line_intensity(cube._new_instance(uncertainty=None), 1401.16 * u.AA)
    with pytest.raises(IrispyPlusError, match="is the line in it"):
        line_intensity(cube, 1393.76 * u.AA)
    with pytest.raises(IrispyPlusError, match="method must be"):
        line_intensity(cube, 1401.16 * u.AA, method="area")
