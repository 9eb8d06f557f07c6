"""Mg II k and h features: known synthetic profiles, flags, cubes, dask, errors."""

import astropy.units as u
import dask.array as da
import numpy as np
import pytest
from ndcube import NDCube

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample
from irispy_plus.diagnostics import QualityFlag, mg_features
from irispy_plus.diagnostics._mg_arrays import MGII_H_REST, MGII_K_REST
from irispy_plus.diagnostics.synthetic import mg_model, mg_profile, mg_spectra, true_features
from irispy_plus.utils import IrispyPlusDiagnosticError

C_KMS = 299792.458


def _check(maps, line, truth, dv, di, statistic=np.nanmedian):
    for feature in ("3", "2v", "2r"):
        velocity = maps[f"{line}{feature}_velocity"].data
        intensity = maps[f"{line}{feature}_intensity"].data
        v_true, i_true = truth[feature]
        assert abs(statistic(velocity) - v_true) < dv, (line, feature)
        assert abs(statistic(intensity) / i_true - 1) < di, (line, feature)


def test_noise_free_profile_gives_the_true_core_and_peaks():
    wave, profile = mg_profile()
    maps = mg_features(profile, wave)
    for line in "kh":
        truth = true_features(line)
        _check(maps, line, truth, dv=0.35, di=0.01, statistic=float)
        assert int(maps[f"{line}_flags"].data) == 0
        assert float(maps[f"{line}_separation"].data) == pytest.approx(
            truth["2r"][0] - truth["2v"][0], abs=0.5
        )
        i_v, i_r = truth["2v"][1], truth["2r"][1]
        assert float(maps[f"{line}_asymmetry"].data) == pytest.approx((i_v - i_r) / (i_v + i_r), abs=0.005)
    assert maps["k3_velocity"].unit == u.km / u.s


@pytest.mark.parametrize("snr", [20, 100])
def test_noisy_profiles_within_half_a_km_per_s_and_two_percent(snr):
    wave, spectra = mg_spectra(400, snr, seed=snr)
    maps = mg_features(spectra.reshape(20, 20, -1), wave)
    assert maps["k3_velocity"].data.shape == (20, 20)
    for line in "kh":
        _check(maps, line, true_features(line), dv=0.5, di=0.02)
        regular = np.mean(maps[f"{line}_flags"].data == 0)
        assert regular > (0.75 if snr == 20 else 0.99)


def test_velocities_follow_a_shifted_line():
    shift = 7.5
    wave, profile = mg_profile(k={"centre": shift, "core": 2.0 + shift})
    maps = mg_features(profile, wave)
    truth = true_features("k", k={"centre": shift, "core": 2.0 + shift})
    assert truth["3"][0] == pytest.approx(2.35 + shift, abs=0.1)
    _check(maps, "k", truth, dv=0.35, di=0.01, statistic=float)


def test_single_peaked_profile_has_a_core_and_no_peaks():
    wave, profile = mg_profile(k={"depth": 0.0, "centre": 4.0})
    maps = mg_features(profile, wave)
    flags = QualityFlag(int(maps["k_flags"].data))
    assert flags == QualityFlag.SINGLE_PEAK
    assert float(maps["k3_velocity"].data) == pytest.approx(4.0, abs=0.3)
    assert np.isnan(maps["k2v_velocity"].data)
    assert np.isnan(maps["k2r_intensity"].data)
    assert maps["k2v_velocity"].mask
    assert not maps["k3_velocity"].mask
    assert int(maps["h_flags"].data) == 0


def test_flat_profile_has_no_peak_and_no_values():
    wave = 2794.0 + 0.02546 * np.arange(480)
    maps = mg_features(np.full(wave.shape, 50.0), wave)
    for line in "kh":
        assert QualityFlag(int(maps[f"{line}_flags"].data)) & QualityFlag.NO_PEAK
        assert np.isnan(maps[f"{line}3_velocity"].data)
        assert maps[f"{line}3_velocity"].mask


def test_fill_nan_and_masked_pixels_are_flagged_fill():
    wave, profile = mg_profile()
    spectra = np.tile(profile, (4, 1))
    at_k = int(np.argmin(np.abs(wave - MGII_K_REST)))
    spectra[0, at_k] = -200.0  # Level 2 fill
    spectra[1, at_k + 3] = np.nan
    mask = np.zeros(spectra.shape, bool)
    mask[2, at_k - 2] = True
    far = int(np.argmin(np.abs(wave - 2800.5)))
    spectra[3, far] = np.nan  # outside both lines: no effect
    maps = mg_features(spectra, wave, mask=mask)
    flags = maps["k_flags"].data
    assert list(flags[:3]) == [QualityFlag.FILL] * 3
    assert flags[3] == 0
    assert np.all(np.isnan(maps["k3_velocity"].data[:3]))
    assert np.all(maps["h_flags"].data == 0)


def test_core_at_the_edge_of_vrange_is_flagged():
    wave, profile = mg_profile(k={"depth": 0.0, "centre": 38.5})
    maps = mg_features(profile, wave)
    assert QualityFlag(int(maps["k_flags"].data)) & QualityFlag.CORE_AT_EDGE
    wide = mg_features(profile, wave, vrange=(-60, 60) * u.km / u.s)
    assert not QualityFlag(int(wide["k_flags"].data)) & QualityFlag.CORE_AT_EDGE


def test_noisy_spectra_are_flagged():
    wave, spectra = mg_spectra(50, 3, seed=3)
    maps = mg_features(spectra, wave)
    # At S/N 3 some samples fall below the Level 2 fill threshold and count as fill.
    unreliable = QualityFlag.NOISY | QualityFlag.FILL
    assert np.mean(maps["k_flags"].data & unreliable > 0) > 0.9
    wave, spectra = mg_spectra(50, 100, seed=3)
    assert not np.any(mg_features(spectra, wave)["k_flags"].data & QualityFlag.NOISY)


def _band_mean(rest, vrange=(-40, 40)):
    v = np.linspace(*vrange, 200_001)
    return np.mean(mg_model(rest * (1 + v / C_KMS)))


def test_kh_ratio_and_triplet_emission():
    wave, profile = mg_profile()
    maps = mg_features(profile, wave)
    expected = _band_mean(MGII_K_REST) / _band_mean(MGII_H_REST)
    assert float(maps["kh_ratio"].data) == pytest.approx(expected, rel=2e-3)
    assert abs(float(maps["triplet_emission"].data)) < 0.02
    _, emission = mg_profile(triplet=30.0)
    _, absorption = mg_profile(triplet=-10.0)
    index = mg_features(np.stack([emission, absorption]), wave)["triplet_emission"].data
    assert index[0] > 0.3
    assert index[1] < -0.1


def test_only_k_in_the_window_gives_nan_h_maps():
    wave = 2794.5 + 0.02546 * np.arange(140)
    maps = mg_features(mg_model(wave), wave)
    assert int(maps["k_flags"].data) == 0
    assert int(maps["h_flags"].data) == QualityFlag.NO_DATA
    assert np.isnan(maps["h3_velocity"].data)
    assert np.isnan(maps["kh_ratio"].data)
    assert np.isnan(maps["triplet_emission"].data)


def test_dask_input_gives_the_numpy_result():
    wave, spectra = mg_spectra(60, 50, seed=5)
    eager = mg_features(spectra.reshape(6, 10, -1), wave)
    lazy = mg_features(da.from_array(spectra.reshape(6, 10, -1), chunks=(2, 5, 100)), wave)
    for key, cube in eager.items():
        # Equal but for the last bits (BLAS sums in an order that depends on the batch).
        np.testing.assert_allclose(cube.data, lazy[key].data, rtol=1e-10, atol=1e-10, err_msg=key)


def test_quantity_input_keeps_its_unit():
    wave, profile = mg_profile()
    maps = mg_features(profile * u.ct, wave * u.AA)
    assert maps["k2v_intensity"].unit == u.ct
    assert maps["kh_ratio"].unit == u.dimensionless_unscaled


def test_cube_maps_keep_the_celestial_and_time_coordinates():
    cube = read_cube(sample.RASTER, "Mg II k 2796")
    maps = mg_features(cube)
    reference = cube[..., 0]
    for key in ("k3_velocity", "kh_ratio", "k_flags"):
        result = maps[key]
        assert result.data.shape == cube.data.shape[:-1]
        assert result.wcs.world_axis_physical_types == reference.wcs.world_axis_physical_types
        got = result.axis_world_coords_values(wcs=result.wcs)
        want = reference.axis_world_coords_values(wcs=reference.wcs)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
        assert set(result.extra_coords.keys()) == set(reference.extra_coords.keys())
    assert maps["k_flags"].meta["bits"]["SINGLE_PEAK"] == QualityFlag.SINGLE_PEAK
    # The sample keeps one pixel in ten along wavelength: too coarse for the features.
    assert np.mean(maps["k_flags"].data & (QualityFlag.NO_PEAK | QualityFlag.NOISY) > 0) > 0.5


def test_sequence_gives_one_dict_per_raster():
    sequence = read_files(sample.RASTER_SERIES[:2], windows="Mg II k 2796")["Mg II k 2796"]
    result = mg_features(sequence)
    assert isinstance(result, list)
    assert len(result) == 2
    assert result[1]["k3_velocity"].data.shape == sequence.data[1].data.shape[:-1]


def test_ndcube_with_a_plain_wcs():
    from astropy.wcs import WCS

    wave, spectra = mg_spectra(6, 100, seed=2)
    wcs = WCS(naxis=3)
    wcs.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    wcs.wcs.cunit = ["Angstrom", "deg", "deg"]
    wcs.wcs.crval = [wave[0], 0, 0]
    wcs.wcs.cdelt = [wave[1] - wave[0], 1e-4, 1e-4]
    wcs.wcs.crpix = [1, 1, 1]
    maps = mg_features(NDCube(spectra.reshape(2, 3, -1), wcs=wcs, unit=u.DN))
    assert maps["k3_velocity"].data.shape == (2, 3)
    assert set(maps["k3_velocity"].wcs.world_axis_physical_types) == {
        "custom:pos.helioprojective.lat",
        "custom:pos.helioprojective.lon",
    }
    assert np.all(maps["k_flags"].data == 0)


def test_array_without_wavelength_is_refused():
    with pytest.raises(IrispyPlusDiagnosticError, match="wavelength is needed"):
        mg_features(np.ones((3, 100)))


def test_window_without_mg_ii_is_refused():
    wave = 1400.0 + 0.026 * np.arange(100)
    with pytest.raises(IrispyPlusDiagnosticError, match="cover neither Mg II k"):
        mg_features(np.ones(100), wave)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"vrange": (10, 40) * u.km / u.s}, "vrange"),
        ({"vrange": (-40, 40) * u.AA}, "km"),
        ({"n_points": 5}, "n_points"),
        ({"tension": -1.0}, "tension"),
        ({"noise_limit": 0.0}, "noise_limit"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    wave, profile = mg_profile()
    with pytest.raises((IrispyPlusDiagnosticError, u.UnitsError), match=match):
        mg_features(profile, wave, **kwargs)


def test_wavelengths_that_do_not_match_the_data_are_refused():
    wave, profile = mg_profile()
    with pytest.raises(IrispyPlusDiagnosticError, match="pixels"):
        mg_features(profile[:-5], wave)
    with pytest.raises(IrispyPlusDiagnosticError, match="increasing"):
        mg_features(profile, wave[::-1])


def test_local_cluster_computes_block_by_block():
    distributed = pytest.importorskip("distributed")
    wave, spectra = mg_spectra(48, 50, seed=7)
    eager = mg_features(spectra.reshape(6, 8, -1), wave)
    lazy_data = da.from_array(spectra.reshape(6, 8, -1), chunks=(2, 8, -1))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
    ):
        lazy = mg_features(lazy_data, wave)
    # The features ran on the workers, one task per block.
    names = [task["key"][0] if isinstance(task["key"], tuple) else task["key"] for task in tasks.data]
    assert sum(name.startswith("block-") for name in names) == 3
    for key, cube in eager.items():
        np.testing.assert_array_equal(cube.data, lazy[key].data, err_msg=key)


def test_integer_counts_and_all_fill_spectra():
    wave, profile = mg_profile()
    spectra = np.stack([np.round(profile), np.full(profile.shape, -200.0)]).astype(np.int16)
    maps = mg_features(spectra, wave)
    assert int(maps["k_flags"].data[0]) == 0
    assert float(maps["k3_velocity"].data[0]) == pytest.approx(true_features("k")["3"][0], abs=0.5)
    assert maps["k_flags"].data[1] == QualityFlag.FILL
    assert np.all(np.isnan([maps[key].data[1] for key in maps if not key.endswith("flags")]))


@pytest.mark.parametrize("snr", [None, 100])
def test_wing_minima_k1_and_h1(snr):
    options = {"start": 2793.0, "stop": 2806.5, "wing": 150.0}
    if snr is None:
        wave, spectra = mg_profile(**options)
    else:
        wave, spectra = mg_spectra(200, snr, seed=11, **options)
    maps = mg_features(spectra, wave, wing_range=(-120, 120) * u.km / u.s)
    for line in "kh":
        truth = true_features(line, vrange=(-120, 120), wing=150.0)
        # The wing minima are broad: their positions are less sharp than the peaks'.
        for feature in ("1v", "1r"):
            velocity = np.nanmedian(maps[f"{line}{feature}_velocity"].data)
            intensity = np.nanmedian(maps[f"{line}{feature}_intensity"].data)
            assert velocity == pytest.approx(truth[feature][0], abs=1.0), (line, feature)
            assert intensity == pytest.approx(truth[feature][1], rel=0.01), (line, feature)
        assert np.nanmedian(maps[f"{line}2v_velocity"].data) == pytest.approx(truth["2v"][0], abs=0.5)


def test_wing_minima_absent_where_the_wing_keeps_falling():
    wave, profile = mg_profile(start=2793.0, stop=2806.5)  # no rising wing: no k1
    maps = mg_features(profile, wave, wing_range=(-120, 120) * u.km / u.s)
    assert np.isnan(maps["k1v_velocity"].data)
    assert np.isnan(maps["k1r_intensity"].data)
    assert "k1v_velocity" not in mg_features(profile, wave)
    with pytest.raises(IrispyPlusDiagnosticError, match="wing_range"):
        mg_features(profile, wave, wing_range=(-30, 120) * u.km / u.s)
