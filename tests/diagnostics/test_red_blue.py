"""Red-blue asymmetry: known secondary components, flags, cubes, dask, errors."""

import astropy.units as u
import dask.array as da
import numpy as np
import pytest

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.diagnostics import QualityFlag, red_blue_asymmetry
from irispy_plus.utils import IrispyPlusDiagnosticError

C_KMS = 299792.458
REST = 1402.77
X = 1400.8 + 0.02596 * np.arange(150)


def line(velocity=0.0, amplitude=100.0, width_kms=10.0, x=X):
    centre = REST * (1 + velocity / C_KMS)
    sigma = REST * width_kms / C_KMS
    return amplitude * np.exp(-0.5 * ((x - centre) / sigma) ** 2)


@pytest.mark.parametrize("centre", ["fit", REST * u.AA])
def test_downflow_component_peaks_at_its_velocity(centre):
    spectra = np.stack([5 + line() + line(v, 12.0, 15.0) for v in (60.0, 80.0, 100.0)])
    rb, flags = red_blue_asymmetry(spectra, centre=centre, wavelength=X)
    offsets = rb.meta["offsets"].to_value(u.km / u.s)
    assert rb.data.shape == (3, offsets.size)
    np.testing.assert_allclose(offsets[np.argmax(rb.data, axis=1)], [60, 80, 100], atol=5)
    assert np.all(rb.data.max(axis=1) > 0.05)
    assert np.all(flags.data == 0)


def test_upflow_gives_a_negative_asymmetry():
    spectrum = 5 + line() + line(-70.0, 12.0, 15.0)
    rb, _ = red_blue_asymmetry(spectrum, centre=REST * u.AA, wavelength=X)
    offsets = rb.meta["offsets"].to_value(u.km / u.s)
    assert offsets[np.argmin(rb.data)] == pytest.approx(70, abs=5)
    assert rb.data.min() < -0.05


def test_symmetric_line_has_no_asymmetry_and_fit_follows_a_shift():
    shifted = 5 + line(15.0)
    rb_rest, _ = red_blue_asymmetry(5 + line(), centre=REST * u.AA, wavelength=X)
    # Not exactly 0: the pixels are not symmetric about the centre.
    assert np.nanmax(np.abs(rb_rest.data)) < 2e-3
    rb_fit, _ = red_blue_asymmetry(shifted, centre="fit", wavelength=X)
    assert np.nanmax(np.abs(rb_fit.data)) < 3e-3
    rb_fixed, _ = red_blue_asymmetry(shifted, centre=REST * u.AA, wavelength=X)
    assert np.nanmax(rb_fixed.data) > 0.3
    for centre in ("moments", "peak"):
        rb, _ = red_blue_asymmetry(shifted, centre=centre, wavelength=X)
        assert np.nanmax(np.abs(rb.data)) < 0.05


def test_band_means_match_an_independent_integration():
    spectrum = 5 + line() + line(50.0, 20.0, 12.0)
    offsets = [10.0, 35.0, 62.5] * u.km / u.s
    rb, _ = red_blue_asymmetry(spectrum, offsets, 17 * u.km / u.s, REST * u.AA, wavelength=X)
    fine = np.linspace(X[0], X[-1], 2_000_001)
    interpolated = np.interp(fine, X, spectrum)

    def band(v):
        lo, hi = REST * (1 + (v - 8.5) / C_KMS), REST * (1 + (v + 8.5) / C_KMS)
        inside = (fine >= lo) & (fine <= hi)
        return interpolated[inside].mean()

    expected = [(band(v) - band(-v)) / spectrum.max() for v in (10.0, 35.0, 62.5)]
    np.testing.assert_allclose(rb.data, expected, rtol=1e-4, atol=1e-6)


def test_bands_outside_the_window_fill_and_no_signal_are_flagged():
    spectra = np.stack([5 + line()] * 4)
    spectra[1, 75] = np.nan  # in the line core: every band near the centre
    spectra[2] = 0.0
    offsets = [0, 20, 400] * u.km / u.s  # 400 km/s leaves the window
    rb, flags = red_blue_asymmetry(spectra, offsets, centre=REST * u.AA, wavelength=X)
    assert np.all(np.isnan(rb.data[:, 2]))
    assert np.all(flags.data & QualityFlag.NO_DATA)
    assert flags.data[1] & QualityFlag.FILL
    assert np.isnan(rb.data[1, 0])
    assert flags.data[2] & QualityFlag.NO_SIGNAL
    assert np.all(np.isnan(rb.data[2]))
    assert np.isfinite(rb.data[0, 1])
    assert rb.mask[0, 2]
    assert not rb.mask[0, 1]
    _, fit_flags = red_blue_asymmetry(spectra[2:3], centre="fit", wavelength=X)
    assert fit_flags.data[0] & QualityFlag.CENTRE_FAILED


def test_dask_input_gives_the_numpy_result():
    rng = np.random.default_rng(0)
    spectra = 5 + line() + line(60.0, 10.0, 15.0) + rng.normal(0, 1, (12, X.size))
    eager, eager_flags = red_blue_asymmetry(spectra.reshape(3, 4, -1), centre="moments", wavelength=X)
    lazy, lazy_flags = red_blue_asymmetry(
        da.from_array(spectra.reshape(3, 4, -1), chunks=(1, 2, 50)), centre="moments", wavelength=X
    )
    np.testing.assert_array_equal(eager.data, lazy.data)
    np.testing.assert_array_equal(eager_flags.data, lazy_flags.data)


def test_cube_keeps_coordinates_and_adds_an_offset_axis():
    cube = read_cube(sample.RASTER, "Si IV 1403")
    rb, flags = red_blue_asymmetry(cube, width=25 * u.km / u.s, wl_range=(1402.3, 1403.3))
    assert rb.data.shape == (*cube.data.shape[:-1], 31)
    assert flags.data.shape == cube.data.shape[:-1]
    offsets = rb[0, 0].axis_world_coords()[0]
    np.testing.assert_allclose(offsets.to_value(u.km / u.s), np.arange(0, 151, 5))
    world = rb.axis_world_coords()
    np.testing.assert_allclose(world[0].to_value(u.km / u.s), np.arange(0, 151, 5))
    assert rb[..., 3].axis_world_coords()[0].shape == cube.data.shape[:-1]
    reference = cube[..., 0]
    np.testing.assert_array_equal(
        flags.axis_world_coords_values()[0], reference.axis_world_coords_values()[0]
    )
    assert set(rb.extra_coords.keys()) == set(reference.extra_coords.keys())
    assert rb.meta["width"] == 25 * u.km / u.s


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"offsets": [-5, 5] * u.km / u.s}, "offsets"),
        ({"offsets": [10, 5] * u.km / u.s}, "increasing"),
        ({"width": 0 * u.km / u.s}, "width"),
        ({"centre": "middle"}, "centre"),
        ({"centre": 1500 * u.AA}, "inside the window"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(IrispyPlusDiagnosticError, match=match):
        red_blue_asymmetry(line(), wavelength=X, **kwargs)


def test_array_without_wavelength_and_wrong_units_are_refused():
    with pytest.raises(IrispyPlusDiagnosticError, match="wavelength is needed"):
        red_blue_asymmetry(line())
    with pytest.raises(u.UnitsError, match="width"):
        red_blue_asymmetry(line(), width=20 * u.AA, wavelength=X)


def test_uneven_offsets_are_a_tabulated_axis():
    from irispy_plus.diagnostics._axis_wcs import TabularAxisWCS

    offsets = [0, 10, 40, 100] * u.km / u.s
    rb, _ = red_blue_asymmetry(np.stack([5 + line()] * 2), offsets, centre="peak", wavelength=X)
    np.testing.assert_allclose(rb.axis_world_coords()[0].to_value(u.km / u.s), [0, 10, 40, 100])
    axis = TabularAxisWCS(offsets, "custom:offset")
    np.testing.assert_allclose(axis.pixel_to_world_values(np.array([[0.5, 3.5]])), [[5, 130]])
    np.testing.assert_allclose(axis.world_to_pixel_values(np.array([25.0, -10.0])), [1.5, -1.0])
    with pytest.raises(ValueError, match="one value per pixel"):
        TabularAxisWCS([[1, 2]] * u.km / u.s, "custom:offset")
