import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from irispy_plus.calibration import (
    DETECTORS,
    IrispyPlusCalibrationError,
    effective_area,
    fit_iris_xput,
    iris_response,
    response_versions,
)
from irispy_plus.calibration._idl import interpol_spline_weights
from irispy_plus.calibration._response import _read_response_file

SG_NAMES = ("FUV", "NUV")
SJI_NAMES = ("SJI_1330", "SJI_1400", "SJI_2796", "SJI_2832")


def _largest_relative_difference(ours, reference):
    above = reference > 0.01 * reference.max()
    return np.max(np.abs(ours[above] / reference[above] - 1))


@pytest.fixture(scope="module")
def ours(idl_response):
    return iris_response(idl_response["DATE_OBS"].decode())


def test_version_and_grid_match_solarsoft(ours, idl_response):
    assert ours.version == int(idl_response["VERSION"])
    np.testing.assert_array_equal(ours.wavelength.to_value(u.nm), idl_response["LAMBDA"])


@pytest.mark.parametrize(("index", "name"), list(enumerate(SG_NAMES)))
def test_spectrograph_areas_match_solarsoft(ours, idl_response, index, name):
    reference = idl_response["AREA_SG"][index]
    area = ours.area(name).to_value(u.cm**2)
    # Measured: 7.9e-8 (FUV) and 1.2e-7 (NUV), i.e. SolarSoft's single precision.
    assert _largest_relative_difference(area, reference) < 1e-6
    np.testing.assert_array_equal(area > 0, reference > 0)


@pytest.mark.parametrize(("index", "name"), list(enumerate(SJI_NAMES)))
def test_slit_jaw_areas_match_solarsoft(ours, idl_response, index, name):
    reference = idl_response["AREA_SJI"][index]
    area = ours.area(name).to_value(u.cm**2)
    # Measured: 1.7e-7 to 5.6e-7.
    assert _largest_relative_difference(area, reference) < 2e-6
    np.testing.assert_array_equal(area > 0, reference > 0)


def test_nuv_needs_idl_local_spline(idl_response):
    # One natural spline through all six NUV reference points misses SolarSoft by ~7e-4;
    # IDL's interpol(/spline) splines the four points around each wavelength.
    from scipy.interpolate import CubicSpline

    response = _read_response_file(response_versions()[9])
    date = idl_response["DATE_OBS"].decode()
    knots = np.array([fit_iris_xput(date, response.time_nuv, c) for c in response.coeffs_nuv])
    grid = response.wavelength.astype(float)
    inside = idl_response["AREA_SG"][1] > 0
    reference = idl_response["AREA_SG"][1][inside]
    local = interpol_spline_weights(response.wavelength_nuv, grid[inside]) @ knots
    global_ = CubicSpline(response.wavelength_nuv, knots, bc_type="natural")(grid[inside])
    assert np.max(np.abs(local / reference - 1)) < 1e-6
    assert np.max(np.abs(global_ / reference - 1)) > 1e-4


@pytest.mark.parametrize("detector", DETECTORS)
def test_effective_area_on_the_grid_is_the_response(ours, detector):
    area = effective_area(ours.wavelength, ours.time, detector)
    np.testing.assert_allclose(area.to_value(u.cm**2), ours.area(detector).to_value(u.cm**2), rtol=1e-12)


def test_effective_area_interpolates_between_grid_points(ours):
    grid = ours.wavelength.to_value(u.nm)
    area = ours.area("FUV").to_value(u.cm**2)
    i = np.argmax(grid >= 134.0)
    middle = (grid[i] + grid[i + 1]) / 2 * u.nm
    value = effective_area(middle, ours.time, "FUV").to_value(u.cm**2)
    assert value == pytest.approx((area[i] + area[i + 1]) / 2, rel=1e-12)


def test_effective_area_shapes_and_time_dependence():
    times = Time(["2014-01-01", "2018-01-01", "2024-01-01"])
    wavelength = [2796.35, 2803.53] * u.AA
    area = effective_area(wavelength, times, "NUV")
    assert area.shape == (3, 2)
    assert area.unit == u.cm**2
    # The NUV throughput has fallen since 2014.
    assert np.all(area[0] > area[2])
    scalar = effective_area(2796.35 * u.AA, "2024-01-01", "NUV")
    assert scalar.shape == ()
    assert scalar.value == pytest.approx(area[2, 0].value)


def test_effective_area_zero_outside_the_windows():
    area = effective_area([1300, 1370, 2000, 2900] * u.AA, "2020-01-01", "FUV")
    np.testing.assert_array_equal(area.value, 0)
    assert effective_area(1300 * u.AA, "2020-01-01", "NUV").value == 0


def test_versions_shipped_and_chosen():
    assert sorted(response_versions()) == [4, 9]
    latest = effective_area(1402.77 * u.AA, "2016-06-01", "FUV")
    v9 = effective_area(1402.77 * u.AA, "2016-06-01", "FUV", version="009")
    v4 = effective_area(1402.77 * u.AA, "2016-06-01", "FUV", version=4)
    assert latest == v9
    assert v4 != v9
    assert iris_response("2016-06-01", version=4).version == 4


def test_si_iv_flat_and_c_ii_sloped():
    # Version 9 replaces the Si IV part by its mean (ITN 26); the C II part keeps its slope.
    area = effective_area([1390, 1394, 1403, 1334, 1336] * u.AA, "2020-01-01", "FUV").value
    np.testing.assert_allclose(area[1:3], area[0], rtol=1e-12)
    assert abs(area[4] / area[3] - 1) > 0.01


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"detector": "SJI_1600"}, "detector='SJI_1600'"),
        ({"detector": "FUV", "version": 7}, "version=7"),
        ({"detector": "FUV", "version": "latest"}, "version='latest'"),
    ],
)
def test_errors_name_the_parameter(kwargs, match):
    with pytest.raises(IrispyPlusCalibrationError, match=match):
        effective_area(1400 * u.AA, "2020-01-01", **kwargs)


def test_fit_iris_xput_matches_solarsoft(idl_xput):
    inputs, output = idl_xput
    tt = inputs["tt"][0]
    time = Time(int(tt["MJD"]), format="mjd", scale="utc") + int(tt["TIME"]) * u.ms
    for j in range(3):
        value = fit_iris_xput(time, inputs["cftime"], inputs["coeffs_fuv"][j])
        assert value == pytest.approx(output["rr"][j, 0], rel=1e-7)


@pytest.mark.parametrize(
    ("coeff_index", "expected"),
    [(0, 0.23529011), (1, 0.25203046), (2, 0.25265095), (3, 0.253833)],
)
def test_fit_iris_xput_inside_an_early_decay(coeff_index, expected):
    # Version 4 NUV on 2013-09-03, inside the first interval where the exponential decay
    # still matters (reference values quoted in the irispy test-suite); checks Julian
    # years and anytim seconds.
    response = _read_response_file(response_versions()[4])
    value = fit_iris_xput("2013-09-03", response.time_nuv, response.coeffs_nuv[coeff_index])
    assert value == pytest.approx(expected, rel=1e-6)


def test_fit_iris_xput_blends_across_a_gap():
    year = 365.25 * 86400
    intervals = np.array([[0, 1], [3, 4]]) * year
    coefficients = [[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]
    # Half-way across the gap: weight 0.5 ** 1.5 on the next interval.
    time = Time("1979-01-01") + 2 * 365.25 * u.day
    weight = 0.5**1.5
    assert fit_iris_xput(time, intervals, coefficients) == pytest.approx((1 - weight) * 1 + weight * 2)
    # Inside the first interval the exponential runs from its start.
    decaying = [[1.0, 1.0, -2.0], [2.0, 0.0, 0.0]]
    half_year = Time("1979-01-01") + 0.5 * 365.25 * u.day
    assert fit_iris_xput(half_year, intervals, decaying) == pytest.approx(1 + np.exp(-1.0))
    # Array times keep their shape; beyond the last interval the last model holds.
    many = Time("1979-01-01") + np.array([[0.5, 3.5], [10, 20]]) * 365.25 * u.day
    assert fit_iris_xput(many, intervals, coefficients).shape == (2, 2)
    assert fit_iris_xput(many, intervals, coefficients)[1, 1] == pytest.approx(2.0)


def test_fit_iris_xput_rejects_mismatched_tables():
    with pytest.raises(ValueError, match="interval_times must have shape"):
        fit_iris_xput("2020-01-01", [[0, 1]], [[1, 0, 0], [1, 0, 0]])
