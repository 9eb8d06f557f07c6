import astropy.units as u
import numpy as np
import pytest
from astropy.nddata import StdDevUncertainty

from irispy_plus.calibration import (
    CALIBRATED_UNITS,
    SLIT_WIDTH,
    IrispyPlusCalibrationError,
    effective_area,
    inverse_radiometric_calibration,
    radiometric_calibration,
    slit_jaw_factor,
)
from irispy_plus.cubes import IRISRasterSequence, IRISSJICube, IRISSpectrogramCube, RasterCollection

PER_ANGSTROM = CALIBRATED_UNITS[0]


def _world(cube, pixels):
    return np.array(cube.wcs.low_level_wcs.pixel_to_world_values(*pixels))


@pytest.fixture(scope="module")
def c_ii(sns_rasters):
    return sns_rasters.cube("C II 1336")


@pytest.fixture(scope="module")
def c_ii_calibrated(c_ii):
    return radiometric_calibration(c_ii)


def test_raster_cube_calibrated_lazily_with_coordinates_kept(c_ii, c_ii_calibrated):
    new = c_ii_calibrated
    assert isinstance(new, IRISSpectrogramCube)
    assert new.unit == PER_ANGSTROM
    assert hasattr(new.data, "dask")
    assert hasattr(new.uncertainty.array, "dask")
    assert new.shape == c_ii.shape
    pixels = (np.array([0, 5, 17]), np.array([0, 20, 39]), np.array([0, 90, 186]))
    np.testing.assert_array_equal(_world(new, pixels), _world(c_ii, pixels))
    np.testing.assert_array_equal(new.spectral_axis, c_ii.spectral_axis)
    np.testing.assert_array_equal(new.time.isot, c_ii.time.isot)
    np.testing.assert_array_equal(new.axis_world_coords("em.wl")[0], c_ii.axis_world_coords("em.wl")[0])
    np.testing.assert_array_equal(np.asarray(new.mask), np.asarray(c_ii.mask))
    assert new.meta.detector == "FUV"


def test_one_raster_pixel_by_hand(c_ii, c_ii_calibrated):
    step, slit, k = 100, 20, 7
    dn = float(np.asarray(c_ii.data[step, slit, k]))
    wavelength = c_ii.spectral_axis[k].to(u.AA)
    time = c_ii.time[step]
    exposure = c_ii.exposure_time[step].to_value(u.s)
    area = effective_area(wavelength, time, "FUV").to_value(u.cm**2)
    # The sample keeps every 10th pixel: its WCS pixel along the slit is 1.6635" and its
    # wavelength step 0.2596 A, which the calibration uses as the pixel size.
    solid_angle = 0.33 * 1.6635 / 206264.80624709636**2
    dispersion = 0.2596000023190000
    energy = 6.62607015e-27 * 2.99792458e18 / wavelength.value
    by_hand = dn * 4 / exposure * energy / (area * solid_angle * dispersion)
    value = float(np.asarray(c_ii_calibrated.data[step, slit, k]))
    assert value == pytest.approx(by_hand, rel=1e-5)  # float32 data
    sigma = float(np.asarray(c_ii_calibrated.uncertainty.array[step, slit, k]))
    original_sigma = float(np.asarray(c_ii.uncertainty.array[step, slit, k]))
    assert sigma == pytest.approx(original_sigma * by_hand / dn, rel=1e-5)


def test_inverse_goes_back_to_dn(c_ii, c_ii_calibrated):
    back = inverse_radiometric_calibration(c_ii_calibrated)
    assert back.unit == c_ii.unit
    np.testing.assert_allclose(np.asarray(back.data), np.asarray(c_ii.data), rtol=1e-5, atol=1e-3)
    assert isinstance(back.uncertainty, StdDevUncertainty)
    np.testing.assert_allclose(
        np.asarray(back.uncertainty.array), np.asarray(c_ii.uncertainty.array), rtol=1e-5, atol=1e-3
    )


def test_every_unit_on_a_cube(c_ii, c_ii_calibrated):
    reference = np.asarray(c_ii_calibrated.data[:3])
    wavelength = c_ii.spectral_axis.to(u.AA)
    for unit in CALIBRATED_UNITS[1:4]:
        other = np.asarray(radiometric_calibration(c_ii[:3], unit=unit).data)
        expected = (reference * PER_ANGSTROM).to_value(unit, equivalencies=u.spectral_density(wavelength))
        np.testing.assert_allclose(other, expected, rtol=1e-5)
    photons = np.asarray(radiometric_calibration(c_ii[:3], unit=u.ph / u.s).data)
    exposure = c_ii.exposure_time[:3].to_value(u.s)[:, None, None]
    np.testing.assert_allclose(photons, np.asarray(c_ii.data[:3]) * 4 / exposure, rtol=1e-6)


def test_sliced_cubes(c_ii, c_ii_calibrated):
    full = np.asarray(c_ii_calibrated.data)
    np.testing.assert_allclose(np.asarray(radiometric_calibration(c_ii[3]).data), full[3], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(radiometric_calibration(c_ii[:, 5]).data), full[:, 5], rtol=1e-6)
    with pytest.raises(IrispyPlusCalibrationError, match="wavelength axis"):
        radiometric_calibration(c_ii[:, :, 4])


def test_refuses_calibrated_data_and_bad_units(c_ii, c_ii_calibrated):
    with pytest.raises(IrispyPlusCalibrationError, match="not in FUV DN"):
        radiometric_calibration(c_ii_calibrated)
    with pytest.raises(IrispyPlusCalibrationError, match="unit=K"):
        radiometric_calibration(c_ii, unit=u.K)
    with pytest.raises(IrispyPlusCalibrationError, match="Cannot calibrate a ndarray"):
        radiometric_calibration(np.zeros(3))


def test_slit_jaw_cube(sns_sji):
    new = radiometric_calibration(sns_sji)
    assert isinstance(new, IRISSJICube)
    assert hasattr(new.data, "dask")
    pixels = (np.array([0, 10]), np.array([0, 30]), np.array([0, 61]))
    np.testing.assert_array_equal(_world(new, pixels), _world(sns_sji, pixels))
    frame = 10
    factor = slit_jaw_factor(
        sns_sji.time[frame],
        "SJI_1400",
        exposure_time=sns_sji.exposure_time[frame],
        solid_angle=(1.6635 * u.arcsec) ** 2,
    )
    expected = np.asarray(sns_sji.data[frame]) * factor.value
    np.testing.assert_allclose(np.asarray(new.data[frame]), expected, rtol=1e-5)
    # Data already in DN/s give the same radiance.
    per_second = radiometric_calibration(sns_sji.apply_exposure_time_correction())
    np.testing.assert_allclose(np.asarray(per_second.data), np.asarray(new.data), rtol=1e-5)
    back = inverse_radiometric_calibration(new)
    np.testing.assert_allclose(np.asarray(back.data), np.asarray(sns_sji.data), rtol=1e-5, atol=1e-3)


def test_collections_and_sequences(sns_rasters):
    from irispy_plus import read_files
    from irispy_plus.data import sample

    calibrated = radiometric_calibration(sns_rasters, unit=u.ph / u.s)
    assert isinstance(calibrated, RasterCollection)
    assert list(calibrated) == list(sns_rasters)
    assert all(calibrated.cube(key).unit == u.ph / u.s for key in calibrated.windows)
    sequence = read_files(sample.RASTER_SERIES, windows="Si IV 1403")["Si IV 1403"]
    new = radiometric_calibration(sequence)
    assert isinstance(new, IRISRasterSequence)
    assert len(new.data) == len(sequence.data)
    assert all(cube.unit == PER_ANGSTROM for cube in new.data)
    first = radiometric_calibration(sequence.data[0])
    np.testing.assert_array_equal(np.asarray(new.data[0].data), np.asarray(first.data))


def test_solid_angle_and_dispersion_overrides(c_ii, c_ii_calibrated):
    # The sample keeps every 10th pixel; giving the native pixel size scales by 100.
    native = radiometric_calibration(
        c_ii[:2], solid_angle=SLIT_WIDTH * 0.16635 * u.arcsec, dispersion=0.02596 * u.AA
    )
    np.testing.assert_allclose(np.asarray(native.data), np.asarray(c_ii_calibrated.data[:2]) * 100, rtol=1e-5)
