import astropy.units as u
import numpy as np
import pytest

from irispy_plus.calibration import (
    IrispyPlusCalibrationError,
    apply_wavelength_shift,
    line_position,
    orbital_wavelength_shift,
    wavelength_shifts,
)


def _gaussian_spectra(centres, step, depth):
    wavelength = np.arange(2798.0, 2801.0, step) * u.AA
    x = wavelength.value
    spectra = 1 + depth * np.exp(-0.5 * ((x[None, :] - np.asarray(centres)[:, None]) / 0.06) ** 2)
    return wavelength, spectra


@pytest.mark.parametrize("depth", [-0.6, 0.8])  # absorption and emission
def test_line_position_at_the_real_nuv_sampling(depth):
    centres = 2799.474 + np.linspace(-0.05, 0.05, 7)
    wavelength, spectra = _gaussian_spectra(centres, 0.02546, depth)
    found = line_position(wavelength, spectra, 2799.474 * u.AA, half_width=0.2 * u.AA)
    # A parabola through three samples of a 0.14 A wide line: better than 1/10 pixel.
    np.testing.assert_allclose(found.to_value(u.AA), centres, atol=0.0025)


def test_line_position_handles_nan_and_edges():
    wavelength, spectra = _gaussian_spectra([2799.474, 2799.474], 0.02546, -0.5)
    spectra[1] = np.nan
    found = line_position(wavelength, spectra, 2799.474 * u.AA, absorption=True)
    assert np.isfinite(found[0])
    assert np.isnan(found[1])
    with pytest.raises(IrispyPlusCalibrationError, match="Only 1 samples"):
        line_position(wavelength, spectra, 2799.474 * u.AA, half_width=0.01 * u.AA)


def test_orbital_shift():
    shift = orbital_wavelength_shift(1400 * u.AA, [-7, 0, 7] * u.km / u.s)
    np.testing.assert_allclose(shift.to_value(u.AA), [-1400 * 7 / 299792.458, 0, 1400 * 7 / 299792.458])


@pytest.fixture(scope="module")
def mg_ii(sns_rasters):
    return sns_rasters.cube("Mg II k 2796")


def test_wavelength_shifts_of_the_sample(mg_ii):
    table = wavelength_shifts(mg_ii, half_width=1 * u.AA)
    assert table.meta["reference_line"] == "Ni I 2799.474"
    assert len(table) == mg_ii.shape[0]
    velocity = mg_ii.meta.observer_radial_velocity
    np.testing.assert_allclose(
        table["orbital_shift"].to_value(u.AA), (2799.474 * u.AA * velocity / (299792458 * u.m / u.s)).value
    )
    assert np.all(np.isfinite(table["shift"]))
    np.testing.assert_allclose(table["shift"] - table["orbital_shift"], table["absolute_shift"])
    # Without a reference line only the orbital part remains.
    orbital_only = wavelength_shifts(mg_ii, reference_line=None)
    assert np.all(orbital_only["absolute_shift"] == 0)
    assert np.all(np.isnan(orbital_only["line_position"]))


def test_no_reference_line_in_window(sns_rasters):
    with pytest.raises(IrispyPlusCalibrationError, match="reference_line="):
        wavelength_shifts(sns_rasters.cube("Fe XII 1349"))


def test_apply_wavelength_shift_moves_only_the_spectral_coordinate(mg_ii):
    # Equal shifts per exposure (or one) move only the coordinate.
    shifts = np.full(mg_ii.shape[0], 0.02) * u.AA
    new = apply_wavelength_shift(mg_ii, shifts)
    np.testing.assert_allclose((mg_ii.spectral_axis - new.spectral_axis).to_value(u.AA), 0.02, atol=1e-9)
    before = mg_ii.wcs.low_level_wcs.pixel_to_world_values(3, 4, 5)
    after = new.wcs.low_level_wcs.pixel_to_world_values(3, 4, 5)
    assert after[0] == pytest.approx(before[0] - 0.02)
    assert after[1:] == before[1:]
    assert new.wcs.low_level_wcs.world_to_pixel_values(*after)[0] == pytest.approx(3)
    again = apply_wavelength_shift(new, 0.01 * u.AA)
    np.testing.assert_allclose((mg_ii.spectral_axis - again.spectral_axis).to_value(u.AA), 0.03, atol=1e-9)
    assert new.data is mg_ii.data
    np.testing.assert_allclose(again.meta["WAVELENGTH_SHIFT"].to_value(u.AA), 0.03)


def test_apply_wavelength_shift_refuses_the_wrong_number_of_shifts(mg_ii):
    with pytest.raises(IrispyPlusCalibrationError, match="2 shifts for Mg II k 2796, which has 187"):
        apply_wavelength_shift(mg_ii, [0.01, 0.03] * u.AA)
