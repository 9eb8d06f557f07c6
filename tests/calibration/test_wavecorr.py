import warnings

import astropy.units as u
import dask.array as da
import numpy as np
import pytest
from astropy.time import Time

from irispy_plus.calibration import (
    ORBITAL_PERIOD,
    IrispyPlusCalibrationError,
    apply_wavelength_shift,
    correct_wavelengths,
    wavelength_drift,
    wavelength_shifts,
)
from irispy_plus.calibration._resample import _cubic_weights
from irispy_plus.cubes import RasterCollection
from irispy_plus.testing.spectra import synthetic_raster
from irispy_plus.utils import IrispyPlusUserWarning

NUV = [2799.0, 0.02546] * u.AA
FUV = [1354.0, 0.02596] * u.AA
NUV_LINES = [(2799.474, 0.5, 0.05), (2801.902, 0.3, 0.06), (2805.346, 0.4, 0.05)]
FUV_LINES = [(1355.598, 3.0, 0.03)]


def _drift(seconds, amplitude=0.02, phase=0.7, offset=0.01):
    return amplitude * np.sin(2 * np.pi * seconds / ORBITAL_PERIOD.to_value(u.s) + phase) + offset


def _cube(rng, seconds, drift, grid, lines, *, absorption, n_pixels, detector, window, continuum=100.0):
    x = grid[0].value + grid[1].value * np.arange(n_pixels)
    profile = np.full((seconds.size, x.size), continuum)
    for centre, depth, sigma in lines:
        gauss = np.exp(-0.5 * ((x[None] - (centre + drift[:, None])) / sigma) ** 2)
        profile = profile * (1 - depth * gauss) if absorption else profile + continuum * depth * gauss
    data = profile[:, None, :] * rng.uniform(0.8, 1.2, (1, 8, 1))
    data = data + rng.normal(0, np.sqrt(data / 18 + 1.5**2))
    times = Time("2021-09-05T00:00:00") + seconds * u.s
    return synthetic_raster(data.astype(np.float32), grid, detector=detector, window=window, times=times)


@pytest.fixture(scope="module")
def two_orbits():
    """NUV and FUV windows over two orbits with a known sinusoidal drift."""
    rng = np.random.default_rng(3)
    seconds = np.arange(150) * 80.0
    nuv_drift, fuv_drift = _drift(seconds), _drift(seconds, 0.012, -1.0, -0.005)
    nuv = _cube(
        rng,
        seconds,
        nuv_drift,
        NUV,
        NUV_LINES,
        absorption=True,
        n_pixels=280,
        detector="NUV",
        window="Mg II k 2796",
    )
    fuv = _cube(
        rng,
        seconds,
        fuv_drift,
        FUV,
        FUV_LINES,
        absorption=False,
        n_pixels=90,
        detector="FUV",
        window="O I 1356",
    )
    collection = RasterCollection([("Mg II k 2796", nuv), ("O I 1356", fuv)], aligned_axes=(0, 1))
    return collection, nuv_drift, fuv_drift


def test_sinusoidal_drift_recovered(two_orbits):
    collection, nuv_drift, fuv_drift = two_orbits
    table = wavelength_drift(collection)
    assert len(table) == 150
    for label in ("Ni I 2799.474", "Mn I 2801.902", "Fe I 2805.346", "O I 1355.598"):
        assert np.all(np.isfinite(table[label]))
    # Each line's per-exposure shift: the true drift within the noise (a few mÅ).
    np.testing.assert_allclose(table["Ni I 2799.474"].to_value(u.AA), nuv_drift, atol=3e-3)
    np.testing.assert_allclose(table["O I 1355.598"].to_value(u.AA), fuv_drift, atol=3e-3)
    # The fitted drift: within 1 mÅ (1/25 of a pixel) at every exposure.
    np.testing.assert_allclose(table["drift_NUV"].to_value(u.AA), nuv_drift, atol=1e-3)
    np.testing.assert_allclose(table["drift_FUV"].to_value(u.AA), fuv_drift, atol=1e-3)
    assert table.meta["drift_NUV"]["line"] == "Ni I 2799.474"
    assert table.meta["drift_FUV"]["model"].startswith("sine of period 5856 s")
    assert table.meta["windows"]["O I 1355.598"] == "O I 1356"


def test_correct_wavelengths_resamples_each_exposure(two_orbits):
    collection, nuv_drift, _ = two_orbits
    table = wavelength_drift(collection)
    corrected = correct_wavelengths(collection, table)
    cube = corrected["Mg II k 2796"]
    applied = cube.meta["WAVELENGTH_SHIFT"].to_value(u.AA)
    np.testing.assert_allclose(applied, table["drift_NUV"].to_value(u.AA))
    # The mean went into the coordinate...
    before = u.Quantity(collection["Mg II k 2796"].spectral_axis, u.AA)
    after = u.Quantity(cube.spectral_axis, u.AA)
    np.testing.assert_allclose((before - after).to_value(u.AA), applied.mean(), atol=1e-9)
    # ...and each exposure was resampled: the Ni I line now sits at its rest wavelength.
    again = wavelength_drift(cube, lines=["Ni I"])
    np.testing.assert_allclose(again["Ni I 2799.474"].to_value(u.AA), 0, atol=3e-3)
    assert np.nanstd(again["Ni I 2799.474"].to_value(u.AA)) < 0.25 * np.std(nuv_drift)


def test_resampling_interpolates_mask_and_uncertainty_eager_and_lazy():
    rng = np.random.default_rng(0)
    n_exp, n_wave = 4, 60
    x = np.arange(n_wave)
    # A quadratic in pixel: cubic convolution reproduces it exactly.
    data = np.stack([0.5 * x**2 + i for i in range(n_exp)])[:, None, :].repeat(3, axis=1).astype(float)
    sigma = rng.uniform(1, 2, data.shape)
    mask = np.zeros(data.shape, bool)
    mask[1, 0, 30] = True
    cube = synthetic_raster(data, [2799.0, 0.025] * u.AA, mask=mask, uncertainty=sigma)
    shifts = np.array([0.0, 0.01, -0.005, 0.02]) * u.AA
    new = apply_wavelength_shift(cube, shifts)
    pixel = ((shifts - shifts.mean()) / (0.025 * u.AA)).decompose().value
    inner = slice(3, n_wave - 3)
    for i in range(n_exp):
        expected = 0.5 * (x + pixel[i]) ** 2 + i
        good = ~new.mask[i, 2]
        np.testing.assert_allclose(
            new.data[i, 2, inner][good[inner]], expected[inner][good[inner]], rtol=1e-9
        )
    # The masked pixel spreads to the samples that used it, and nowhere else.
    spread = np.flatnonzero(new.mask[1, 0])
    assert 30 in spread
    assert set(spread[(spread > 2) & (spread < n_wave - 3)]) <= {28, 29, 30, 31, 32}
    assert not new.mask[1, 1, 3:-3].any()
    # Uncertainty: the square root of the weights squared times the variances.
    base = np.floor(pixel[2])
    weights = _cubic_weights(np.array(pixel[2] - base))
    j = 20
    taps = j + int(base) + np.arange(-1, 3)
    expected_sigma = np.sqrt(np.sum(weights**2 * sigma[2, 0, taps] ** 2))
    assert new.uncertainty.array[2, 0, j] == pytest.approx(expected_sigma, rel=1e-9)
    # Lazy data stay lazy and give the same values.
    lazy = synthetic_raster(
        da.from_array(data, chunks=(2, 3, 20)),
        [2799.0, 0.025] * u.AA,
        mask=da.from_array(mask, chunks=(2, 3, 20)),
        uncertainty=da.from_array(sigma, chunks=(2, 3, 20)),
    )
    lazy_new = apply_wavelength_shift(lazy, shifts)
    assert isinstance(lazy_new.data, da.Array)
    np.testing.assert_array_equal(np.asarray(lazy_new.mask), new.mask)
    np.testing.assert_allclose(np.asarray(lazy_new.data)[~new.mask], new.data[~new.mask])
    np.testing.assert_allclose(np.asarray(lazy_new.uncertainty.array), new.uncertainty.array)


def test_short_observation_gets_a_constant_drift():
    rng = np.random.default_rng(1)
    seconds = np.arange(40) * 20.0
    cube = _cube(
        rng,
        seconds,
        _drift(seconds),
        NUV,
        NUV_LINES,
        absorption=True,
        n_pixels=280,
        detector="NUV",
        window="Mg",
    )
    with pytest.warns(IrispyPlusUserWarning, match="less than a quarter orbit"):
        table = wavelength_drift(cube)
    assert np.ptp(table["drift_NUV"].to_value(u.AA)) == 0
    assert table["drift_NUV"][0].to_value(u.AA) == pytest.approx(np.mean(_drift(seconds)), abs=2e-3)


def test_faint_or_absent_reference_lines_are_named():
    rng = np.random.default_rng(2)
    seconds = np.arange(30) * 400.0
    faint = _cube(
        rng,
        seconds,
        _drift(seconds),
        NUV,
        [],
        absorption=True,
        n_pixels=280,
        detector="NUV",
        window="Mg II k 2796",
    )
    with pytest.warns(IrispyPlusUserWarning, match="'Mg II k 2796'") as caught:
        table = wavelength_drift(faint)
    assert any("too faint in every exposure" in str(w.message) for w in caught)
    assert "drift_NUV" not in table.colnames
    with pytest.raises(IrispyPlusCalibrationError, match="no drift_NUV column for window 'Mg II k 2796'"):
        correct_wavelengths(faint, table)
    elsewhere = _cube(
        rng,
        seconds,
        _drift(seconds),
        [2810.0, 0.02546] * u.AA,
        [],
        absorption=True,
        n_pixels=100,
        detector="NUV",
        window="2814",
    )
    with pytest.raises(IrispyPlusCalibrationError, match="No window \\('2814'\\) covers a reference line"):
        wavelength_drift(elsewhere)


def test_real_sample_never_gives_silent_nan(sns_rasters):
    # The sample keeps every 10th wavelength pixel: the reference lines cannot be fitted,
    # which must be said, with the window's name.
    with pytest.warns(IrispyPlusUserWarning) as caught:
        table = wavelength_drift(sns_rasters)
    messages = " ".join(str(w.message) for w in caught)
    assert "'Mg II k 2796'" in messages
    assert "'O I 1356'" in messages
    assert not any(name.startswith("drift_") for name in table.colnames)
    with pytest.raises(IrispyPlusCalibrationError, match="not finite at exposure"):
        apply_wavelength_shift(sns_rasters.cube("Mg II k 2796"), table["Ni I 2799.474"])


def test_absolute_shift_of_an_unmeasurable_line_raises(sns_rasters):
    from irispy_plus import read_cube
    from irispy_plus.data import sample

    # On this file the slit-averaged O I profile has its peak next to a fill column in
    # every exposure; the absolute shift used to be NaN without a word.
    cube = read_cube(sample.RASTER, "O I 1356")
    with pytest.raises(IrispyPlusCalibrationError, match="not located in any exposure of O I 1356"):
        wavelength_shifts(cube, half_width=1 * u.AA)
    # Where only some exposures fail, the others give the shift, with a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.warns(IrispyPlusUserWarning, match=r"not located in 1\d of 187 exposures of O I 1356"):
            table = wavelength_shifts(sns_rasters.cube("O I 1356"), half_width=1 * u.AA)
    assert np.all(np.isfinite(table["shift"]))
