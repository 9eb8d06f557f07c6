"""
Browsing for machine learning: observations' cubes, spectra on a common grid, seeded
crops with coordinates, the batch loader and the Zarr export.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.constants import c

from irispy_plus import read_cube, read_files
from irispy_plus.archive import Archive, CropLoader, export_zarr, sample_crops, spectra_on_grid
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusError

zarr = pytest.importorskip("zarr")


@pytest.fixture(scope="module")
def archive(archive_root):
    return Archive(archive_root)


@pytest.fixture(scope="module")
def si_iv():
    return read_cube(sample.RASTER, "Si IV 1403")


@pytest.fixture(scope="module")
def sji():
    return read_cube(sample.SJI_1400)


def test_observations_give_their_cubes(archive):
    for obs in archive.select(obsid=[3600000000, 3600000004]):
        raster = obs.raster("Si IV 1403")
        direct = read_cube(obs.raster_files, "Si IV 1403")
        np.testing.assert_array_equal(np.asarray(raster.data), np.asarray(direct.data))
        assert raster.meta["OBSID"] == str(obs.obsid)
        (band,) = obs.bands
        assert obs.sji(band).meta["OBSID"] == str(obs.obsid)
        assert obs.time_range.start.isot == obs.row["start"]
        assert set(obs.raster().keys()) == set(obs.windows)
    obs = archive[0]
    with pytest.raises(IrispyPlusError, match="no SJI_2796 slit-jaw file; its bands: SJI_1400"):
        obs.sji(2796)
    with pytest.raises(IrispyPlusError, match="no window 'Fe XXI 1354'"):
        obs.raster("Fe XXI 1354")


def test_observation_without_raster(fresh_root):
    for path in fresh_root.rglob("*3600000001_raster*"):
        path.unlink()
    obs = Archive(fresh_root)["20150102_010000_3600000001"]
    assert obs.windows == []
    with pytest.raises(IrispyPlusError, match="has no raster files"):
        obs.raster("Si IV 1403")


def test_spectra_on_a_wavelength_grid_match_interpolation_by_hand(si_iv):
    grid = np.linspace(1398.0, 1406.5, 60) * u.AA  # beyond the window on both sides
    spectra = spectra_on_grid(si_iv, grid)
    assert spectra.shape == (8, 109, 60)
    data, mask = si_iv.read_data()
    x = si_iv.spectral_axis.to_value(u.AA)
    outside = (grid.value < x[0]) | (grid.value > x[-1])
    assert spectra.mask[..., outside].all()
    assert np.isnan(spectra.data[..., outside]).all()
    inside = grid.value[~outside]
    right = np.searchsorted(x, inside, side="right").clip(1, len(x) - 1)
    left = right - 1
    for step, row in [(0, 60), (3, 50), (7, 100), (5, 0), (2, 108)]:
        expected = np.interp(inside, x, data[step, row])
        expected_mask = (mask[step, row, left] & (inside != x[right])) | (
            mask[step, row, right] & (inside != x[left])
        )
        np.testing.assert_array_equal(spectra.mask[step, row, ~outside], expected_mask)
        np.testing.assert_allclose(
            spectra[step, row, ~outside].compressed(), expected[~expected_mask], rtol=1e-5
        )
    assert 0 < spectra.mask[..., ~outside].mean() < 0.5


def test_velocity_grid_and_sequences(si_iv):
    rest = 1402.77 * u.AA
    velocity = np.linspace(-80, 80, 17) * u.km / u.s
    on_velocity = spectra_on_grid(si_iv, velocity, rest_wavelength=rest)
    wavelength = rest * (1 + velocity / c)
    np.testing.assert_array_equal(on_velocity.filled(-1), spectra_on_grid(si_iv, wavelength).filled(-1))
    with pytest.raises(IrispyPlusError, match="rest_wavelength"):
        spectra_on_grid(si_iv, velocity)
    with pytest.raises(u.UnitsError):
        spectra_on_grid(si_iv, velocity.value * u.s)
    sequence = read_files(sample.RASTER_SERIES, windows="Si IV 1403")["Si IV 1403"]
    stacked = spectra_on_grid(sequence, wavelength)
    assert stacked.shape == (3, 8, 109, 17)
    np.testing.assert_array_equal(stacked[0].filled(-1), on_velocity.filled(-1))


def test_crops_are_seeded_and_carry_their_coordinates(sji):
    crops = sample_crops(sji, 32 * u.arcsec, n=6, seed=7, source="x")
    assert crops.data.shape == (6, 19, 19)  # 32 arcsec / 1.6635 arcsec per pixel
    again = sample_crops(sji, (19, 19), n=6, seed=7)
    np.testing.assert_array_equal(crops.origin, again.origin)
    np.testing.assert_array_equal(crops.data, again.data)
    assert not np.array_equal(sample_crops(sji, 19, n=6, seed=8).origin, crops.origin)
    for index, (frame, row, column) in enumerate(crops.origin):
        data, mask = sji.read_data((frame, slice(row, row + 19), slice(column, column + 19)))
        np.testing.assert_array_equal(crops.data[index], data)
        np.testing.assert_array_equal(crops.mask[index], mask)
        corner, time = sji.wcs.array_index_to_world(frame, row + 3, column + 5)
        assert crops.coords["tx"][index, 3, 5] == pytest.approx(corner.Tx.to_value(u.arcsec))
        assert crops.coords["ty"][index, 3, 5] == pytest.approx(corner.Ty.to_value(u.arcsec))
        assert abs(crops.coords["time"][index] - time) < 1 * u.ms
    mostly_data = sample_crops(sji, 16, n=5, seed=0, max_masked=0.1)
    assert (mostly_data.mask.mean(axis=(1, 2)) <= 0.1).all()


def test_spectrogram_patches(si_iv):
    patches = sample_crops(si_iv, (10 * u.arcsec, 1 * u.AA), n=4, seed=3)
    assert patches.kind == "spectrogram"
    assert patches.data.shape == (4, 6, 4)  # 10 / 1.66 arcsec, 1 / 0.254 Å
    step, row, column = patches.origin[2]
    wave, point = si_iv.wcs.array_index_to_world(step, row + 1, column + 2)
    assert patches.coords["wavelength"][2, 2] == pytest.approx(wave.to_value(u.AA))
    assert patches.coords["ty"][2, 1] == pytest.approx(point.Ty.to_value(u.arcsec))
    np.testing.assert_array_equal(
        patches.data[2], si_iv.read_data((step, slice(row, row + 6), slice(column, column + 4)))[0]
    )


def test_crop_errors_are_named(sji, si_iv):
    with pytest.raises(IrispyPlusError, match="does not fit"):
        sample_crops(sji, 500, n=1)
    with pytest.raises(IrispyPlusError, match="in pixels or in Angstrom"):
        sample_crops(si_iv, (5, 3 * u.arcsec), n=1)
    with pytest.raises(IrispyPlusError, match="less than one pixel"):
        sample_crops(sji, 0.1 * u.arcsec, n=1)
    with pytest.raises(IrispyPlusError, match="at most 0% masked"):
        sample_crops(sji, (109, 178), n=1, max_masked=0.0)  # the whole frame, fill included
    with pytest.raises(IrispyPlusError, match="3-D"):
        sample_crops(sji[0], 10, n=1)


def test_loader_batches_are_reproducible_and_read_from_memory_maps(archive):
    selection = archive.select(bands=2832)
    loader = CropLoader(selection, size=24, band=2832, batch_size=5, n_batches=3, seed=11, max_masked=0.5)
    batches = list(loader)
    assert len(batches) == len(loader) == 3
    assert all(batch.data.shape == (5, 24, 24) and batch.data.dtype == np.float32 for batch in batches)
    again = list(
        CropLoader(selection, size=24, band=2832, batch_size=5, n_batches=3, seed=11, max_masked=0.5)
    )
    for one, two in zip(batches, again, strict=True):
        np.testing.assert_array_equal(one.data, two.data)
        assert one.sources == two.sources
    other_epoch = next(
        iter(CropLoader(selection, size=24, band=2832, batch_size=5, n_batches=1, seed=11, epoch=1))
    )
    assert not np.array_equal(other_epoch.origin, batches[0].origin)
    assert len(set().union(*(batch.sources for batch in batches))) > 1  # drawn across observations
    first = batches[0]
    cube = selection[first.sources[0]].sji(2832)
    assert isinstance(cube._lazy_sources[0].raw, np.memmap)
    frame, row, column = first.origin[0]
    np.testing.assert_array_equal(
        first.data[0], cube.read_data((frame, slice(row, row + 24), slice(column, column + 24)))[0]
    )
    assert (first.mask.mean(axis=(1, 2)) <= 0.5).all()


def test_loader_needs_one_target(archive):
    with pytest.raises(IrispyPlusError, match=r"band= .* or window="):
        CropLoader(archive, size=8)
    with pytest.raises(IrispyPlusError, match="No observation of the archive has SJI_1330"):
        CropLoader(archive, size=8, band=1330)


def test_zarr_export_keeps_coordinates_and_provenance(archive, tmp_path):
    loader = CropLoader(archive, size=(8, 6), window="Si IV 1403", batch_size=4, n_batches=2, seed=5)
    store = export_zarr(loader, tmp_path / "patches.zarr", provenance={"purpose": "test"})
    group = zarr.open_group(str(store), mode="r")
    batches = list(loader)
    np.testing.assert_array_equal(group["data"][:], np.concatenate([batch.data for batch in batches]))
    np.testing.assert_array_equal(group["origin"][:], np.concatenate([batch.origin for batch in batches]))
    np.testing.assert_allclose(
        group["wavelength"][:], np.concatenate([batch.coords["wavelength"] for batch in batches])
    )
    times = np.concatenate([batch.coords["time"].utc.unix for batch in batches])
    np.testing.assert_allclose(group["time_unix"][:], times)
    sources = group.attrs["sources"]
    assert [sources[i] for i in group["source"][:]] == [s for batch in batches for s in batch.sources]
    provenance = group.attrs["provenance"]
    assert (provenance["seed"], provenance["window"], provenance["purpose"]) == (5, "Si IV 1403", "test")
    assert provenance["created_by"].startswith("irispy-plus")
    assert set(sources) <= set(provenance["observations"])
    assert group["data"].attrs["unit"] == "DN_IRIS_FUV"
    assert group.attrs["kind"] == "spectrogram"
    with pytest.raises(IrispyPlusError, match="exists"):
        export_zarr(loader, store)
    with pytest.raises(IrispyPlusError, match="Crops or a CropLoader"):
        export_zarr([1, 2], tmp_path / "other.zarr")


def test_loader_draws_from_every_raster_repeat(tmp_path):
    from irispy_plus.testing.archives import make_archive

    archive = Archive(make_archive(tmp_path / "iris", n_observations=2, repeats=3, sit_and_stare_every=0))
    loader = CropLoader(archive, size=(10, 5), window="Si IV 1403", batch_size=12, n_batches=2, seed=2)
    batches = list(loader)
    exposures = np.concatenate([batch.origin[:, 0] for batch in batches])
    assert exposures.max() >= 8  # beyond the first repeat's 8 steps
    batch = batches[0]
    for index in range(len(batch)):
        exposure, row, column = batch.origin[index]
        repeat, step = divmod(int(exposure), 8)
        cube = archive[batch.sources[index]].raster("Si IV 1403").data[repeat]
        expected = cube.read_data((step, slice(row, row + 10), slice(column, column + 5)))[0]
        np.testing.assert_array_equal(batch.data[index], expected)
        assert (
            abs(batch.coords["time"][index] - cube.axis_world_coords("time", wcs=cube.extra_coords)[0][step])
            < 1 * u.ms
        )
