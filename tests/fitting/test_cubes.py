"""End to end on the bundled sample cubes, in memory, with dask and on a LocalCluster."""

import astropy.units as u
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
import pytest

from irispy_plus import read_files
from irispy_plus.data import sample
from irispy_plus.fitting import FitResult, fit_lines, fit_mgii, fit_siiv, moments
from irispy_plus.fitting import _run as fitting_run
from irispy_plus.testing.spectra import FUV_STEP, synthetic_spectra


@pytest.fixture(scope="module")
def sns():
    return read_files(sample.SNS_RASTER, as_observation=True)


@pytest.fixture(scope="module")
def raster():
    return read_files(sample.RASTER, as_observation=True)


def test_sit_and_stare_si_iv(sns):
    cube = sns.cube("Si IV 1403")
    result = fit_siiv(cube)
    assert isinstance(result, FitResult)
    assert result.shape == cube.data.shape[:-1]
    assert result.meta["window"] == "Si IV 1403"
    assert result.unit == cube.unit
    velocity = result.doppler_velocity()
    types = velocity.wcs.world_axis_physical_types
    assert any("helioprojective.lon" in t for t in types)
    assert any("helioprojective.lat" in t for t in types)
    assert "time" in velocity.extra_coords.keys()  # noqa: SIM118 - ExtraCoords is not a dict
    # The maps' world coordinates are the cube's without the spectral axis.
    sky = velocity.wcs.array_index_to_world(3, 5)
    expected = next(c for c in cube.wcs.array_index_to_world(3, 5, 0) if hasattr(c, "separation"))
    assert sky.separation(expected) < 1e-6 * u.arcsec
    # Observer correction: OBS_VRIX per exposure (axis 0) is subtracted.
    orv = cube.meta.observer_radial_velocity.to_value(u.km / u.s)
    corrected = result.doppler_velocity(observer=True)
    ok = result.converged
    np.testing.assert_allclose(
        (velocity.data - corrected.data)[ok], np.broadcast_to(orv[:, None], ok.shape)[ok]
    )
    assert result.converged.any()
    # Masked (fill) pixels never make it into a fit.
    masked_everywhere = np.asarray(cube.mask)[..., 0].all()
    assert not masked_everywhere


def test_raster_maps_plot_on_wcs_axes(raster):
    cube = raster.cube("Si IV 1403")
    result = fit_siiv(cube, wl_range=[1401.5, 1404.0])
    intensity = result.intensity()
    assert intensity.data.shape == cube.data.shape[:-1]
    assert "time" in intensity.extra_coords.keys()  # noqa: SIM118 - ExtraCoords is not a dict
    try:
        axes = intensity.plot()
        assert axes.__class__.__name__ == "WCSAxes"
    finally:
        plt.close("all")
    maps = moments(cube, rest_wavelength=1402.77, wl_range=[1401.5, 1404.0])
    assert maps["velocity"].wcs.world_axis_physical_types == intensity.wcs.world_axis_physical_types
    profile = result.profile()
    assert profile.data.shape[:-1] == result.shape
    assert "em.wl" in profile.wcs.world_axis_physical_types


def test_mg_ii_window(sns):
    cube = sns.cube("Mg II k 2796")[:10]
    result = fit_mgii(cube, four=True)
    assert result.shape == (10, cube.data.shape[1])
    assert result.meta["window"] == "Mg II k 2796"


def test_dask_cube_matches_in_memory(sns):
    cube = sns.cube("Si IV 1403")
    lazy = fit_siiv(cube)
    eager = fit_siiv(np.asarray(cube.data), cube.spectral_axis, mask=np.asarray(cube.mask))
    np.testing.assert_array_equal(lazy.values, eager.values)
    np.testing.assert_array_equal(lazy.flags, eager.flags)


def _synthetic_cube(n0=24, n1=30):
    rng = np.random.default_rng(5)
    x = 1402.77 + FUV_STEP * np.arange(-25, 26)
    n = n0 * n1
    truth = np.column_stack(
        [
            rng.uniform(1, 4, n),
            rng.uniform(20, 300, n),
            1402.77 + rng.uniform(-0.08, 0.08, n),
            rng.uniform(0.04, 0.07, n),
        ]
    )
    data, sigma = synthetic_spectra(truth, x, seed=6)
    data[::7] = np.nan
    return x, data.reshape(n0, n1, -1), sigma.reshape(n0, n1, -1)


@pytest.mark.parametrize("processes", [False, True])
def test_local_cluster_gives_in_memory_answer(processes, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(fitting_run, "_BLOCK_SPECTRA", 150)  # several blocks of this small cube
    x, data, sigma = _synthetic_cube()
    eager = fit_lines(data, x, uncertainty=sigma, rest_wavelength=1402.77)
    lazy_data = da.from_array(data, chunks=(7, 11, -1))
    lazy_sigma = da.from_array(sigma, chunks=(5, 30, -1))
    with (
        distributed.LocalCluster(
            n_workers=1 if processes else 2,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",  # a free port: never clash with another cluster
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
    ):
        lazy = fit_lines(lazy_data, x, uncertainty=lazy_sigma, rest_wavelength=1402.77, progress=False)
    # The work ran on the cluster's workers, block by block.
    fitted_blocks = [task for task in tasks.data if "fit_block" in str(task["key"])]
    assert len(fitted_blocks) > 1
    # Each spectrum is computed exactly as in memory, whatever the chunks.
    np.testing.assert_array_equal(lazy.values, eager.values)
    np.testing.assert_array_equal(lazy.errors, eager.errors)
    np.testing.assert_array_equal(lazy.chi2, eager.chi2)
    np.testing.assert_array_equal(lazy.flags, eager.flags)
    assert not lazy.converged.reshape(-1)[::7].any()


def test_raster_sequence_gives_one_result_per_raster():
    sequence = read_files(sample.RASTER_SERIES)["Si IV 1403"]
    results = fit_siiv(sequence, wl_range=[1401.5, 1404.0])
    assert len(results) == len(sequence.data)
    assert all(isinstance(result, FitResult) for result in results)
    assert results[1].shape == sequence.data[1].data.shape[:-1]


def test_progress_bars(capsys):
    x, data, _ = _synthetic_cube(4, 5)
    fit_lines(data, x, progress=True, chunk_size=7)
    err = capsys.readouterr().err
    assert "spectra" in err
    assert "20/20" in err  # every spectrum counted once, stragglers included
    fit_lines(da.from_array(data, chunks=(2, 5, -1)), x, progress=True)
    assert "Completed" in capsys.readouterr().out


def test_per_spectrum_initial_values_and_limits_with_dask():
    x, data, _ = _synthetic_cube(6, 8)
    init = np.broadcast_to([2.0, 100.0, 1402.77, 0.05], (6, 8, 4)).copy()
    limits = np.broadcast_to(
        np.array([[0.0, 0.0, 1402.6, 0.01], [10.0, 1000.0, 1402.9, 0.2]])[:, None, None, :], (2, 6, 8, 4)
    ).copy()
    limits[1, :3, :, 0] = 1.5  # a tighter background bound for the first rows
    eager = fit_lines(data, x, init_vals=init, limits=limits)
    lazy = fit_lines(da.from_array(data, chunks=(4, 3, -1)), x, init_vals=init, limits=limits)
    np.testing.assert_array_equal(lazy.values, eager.values)
    fitted = eager.values[:3, :, 0]
    assert np.all(fitted[np.isfinite(fitted)] <= 1.5)
