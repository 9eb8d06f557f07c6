"""
Round trips of the IRIS cubes, sequences, collections and their parts.
"""

import re

import asdf
import astropy.units as u
import numpy as np
import pytest
from astropy.nddata import StdDevUncertainty

from irispy_plus import read_files
from irispy_plus.asdf import load, save
from irispy_plus.cubes import (
    IRISObservation,
    IRISRasterSequence,
    IRISSJICube,
    IRISSpectrogramCube,
    RasterCollection,
    SJICollection,
)
from irispy_plus.data import sample
from irispy_plus.testing.asdf_checks import (
    assert_same_cube,
    assert_same_meta,
    assert_same_time,
    assert_same_world,
)
from irispy_plus.units import DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV
from irispy_plus.utils.exceptions import IrispyPlusError


def _round_trip(tmp_path, obj, name="object"):
    return load(save(obj, tmp_path / name))


def test_wcs_round_trip(tmp_path, si_iv, sji):
    path = tmp_path / "wcs.asdf"
    asdf.AsdfFile({"raster": si_iv.wcs.low_level_wcs, "sji": sji.wcs.low_level_wcs}).write_to(path)
    with asdf.open(path) as loaded:
        raster, frames = loaded["raster"], loaded["sji"]
        assert_same_world(si_iv.wcs.low_level_wcs, raster)
        assert_same_world(sji.wcs.low_level_wcs, frames, [(0, 0, 0), (12.5, 40, 0.5), (177, 108, 1)])
        np.testing.assert_array_equal(raster.pointing[0], si_iv.wcs.low_level_wcs.pointing[0])
        np.testing.assert_array_equal(raster.pc_per_exposure, si_iv.wcs.low_level_wcs.pc_per_exposure)
        assert raster.wavelength_reference == si_iv.wcs.low_level_wcs.wavelength_reference
        assert raster.obstime == si_iv.wcs.low_level_wcs.obstime
        np.testing.assert_array_equal(frames.frame_time, sji.wcs.low_level_wcs.frame_time)
        assert frames.time_reference == sji.wcs.low_level_wcs.time_reference
        # The high-level calls agree too: coordinates and times at several pixels.
        for pixel in [(0, 0, 0), (5, 30, 1)]:
            world1, world2 = sji.wcs.pixel_to_world(*pixel), frames.pixel_to_world(*pixel)
            assert world1[0].separation(world2[0]) < 1e-9 * u.arcsec
            assert abs((world1[1] - world2[1]).to_value(u.s)) < 1e-6


def test_meta_round_trip(tmp_path, si_iv):
    path = tmp_path / "meta.asdf"
    asdf.AsdfFile({"meta": si_iv.meta}).write_to(path)
    with asdf.open(path) as loaded:
        meta = loaded["meta"]
        assert_same_meta(si_iv.meta, meta)
        assert meta.detector == "FUV"
        assert meta.spectral_window == "Si IV 1403"
        assert meta.date_start == si_iv.meta.date_start
        np.testing.assert_array_equal(meta.observer_radial_velocity, si_iv.meta.observer_radial_velocity)
        assert len(meta.aux) == si_iv.data.shape[0]


def test_spectrogram_cube_round_trip(tmp_path, si_iv):
    loaded = _round_trip(tmp_path, si_iv)
    assert isinstance(loaded, IRISSpectrogramCube)
    assert_same_cube(si_iv, loaded)
    assert loaded.unit is DN_FUV
    assert loaded.unit.to(u.ph) == 4
    assert isinstance(loaded.uncertainty, StdDevUncertainty)
    assert_same_time(loaded.time, si_iv.time)
    np.testing.assert_array_equal(loaded.exposure_time, si_iv.exposure_time)
    np.testing.assert_array_equal(loaded.spectral_axis, si_iv.spectral_axis)
    assert loaded.spectral_window == "Si IV 1403"
    np.testing.assert_array_equal(loaded.aux["XCENIX"], si_iv.aux["XCENIX"])
    for pixel in [(0, 0, 0), (3, 7, 2), (10, 39, 28)]:
        expected = si_iv.wcs.array_index_to_world(*pixel)
        got = loaded.wcs.array_index_to_world(*pixel)
        assert got[0] == expected[0]
        assert got[1].separation(expected[1]) < 1e-9 * u.arcsec


def test_nuv_and_sji_units_survive(tmp_path, sns_raster, sji):
    loaded = _round_trip(tmp_path, sns_raster.cube("Mg II k 2796")[:2])
    assert loaded.unit is DN_NUV
    assert _round_trip(tmp_path, sji, "sji").unit is DN_SJI_FUV
    per_second = sji.apply_exposure_time_correction()
    loaded = _round_trip(tmp_path, per_second, "per_second")
    assert loaded.unit == DN_SJI_FUV / u.s
    np.testing.assert_allclose(np.asarray(loaded.data), np.asarray(per_second.data))
    assert DN_SJI_NUV.to(u.ph) == 18


@pytest.mark.parametrize(
    "item",
    [
        (slice(3, 9), slice(5, 20)),
        (slice(None), slice(None), slice(4, 20)),
        (0,),
        (slice(2, 5), 10),
    ],
    ids=["steps-and-slit", "wavelengths", "one-exposure", "one-slit-pixel"],
)
def test_sliced_cube_round_trip(tmp_path, si_iv, item):
    sliced = si_iv[item]
    loaded = _round_trip(tmp_path, sliced)
    assert_same_cube(sliced, loaded)
    assert loaded.shape == sliced.shape


def test_sliced_exposure_keeps_dropped_coordinates(tmp_path, si_iv):
    sliced = si_iv[4]
    loaded = _round_trip(tmp_path, sliced)
    assert set(loaded.global_coords) == {"time", "exposure time"}
    assert_same_time(loaded.global_coords["time"], si_iv.time[4])
    assert loaded.meta["exposure index"] == 4


def test_user_global_coordinate_round_trip(tmp_path, si_iv):
    si_iv.global_coords.add("distance", "pos.distance", 1.5 * u.AU)
    si_iv.global_coords.add("dn", "phot.count", 3 * DN_FUV)
    loaded = _round_trip(tmp_path, si_iv)
    assert loaded.global_coords["distance"] == 1.5 * u.AU
    assert loaded.global_coords["dn"].unit is DN_FUV


def test_sji_cube_round_trip(tmp_path, sji):
    loaded = _round_trip(tmp_path, sji)
    assert isinstance(loaded, IRISSJICube)
    assert_same_cube(sji, loaded)
    assert_same_time(loaded.time, sji.time)
    np.testing.assert_array_equal(loaded.exposure_time, sji.exposure_time)
    assert loaded.band == "SJI_1400"


def test_loaded_data_stay_in_the_file(tmp_path, si_iv):
    loaded = _round_trip(tmp_path, si_iv)
    assert loaded.is_lazy
    # The dask arrays read a read-only view of the memory-mapped file: nothing was
    # copied into memory when loading.
    sources = [value for value in loaded.data.dask.values() if hasattr(value, "_array")]
    assert len(sources) == 1
    view = sources[0]._array
    assert not view.flags.owndata
    assert not view.flags.writeable
    sliced = loaded[2:4, 5:9]
    np.testing.assert_array_equal(np.asarray(sliced.data), np.asarray(si_iv[2:4, 5:9].data))
    in_memory = loaded.load()
    assert not in_memory.is_lazy


def test_in_memory_cube_round_trip(tmp_path, si_iv):
    si_iv.load()
    loaded = _round_trip(tmp_path, si_iv)
    assert_same_cube(si_iv, loaded)


def test_raster_sequence_round_trip(tmp_path):
    rasters = read_files(sample.RASTER_SERIES, windows=["Si IV 1403", "Mg II k 2796"])
    loaded = _round_trip(tmp_path, rasters)
    assert isinstance(loaded, RasterCollection)
    assert list(loaded) == list(rasters)
    assert loaded.aligned_axes == rasters.aligned_axes
    for label in rasters:
        sequence, other = rasters[label], loaded[label]
        assert isinstance(other, IRISRasterSequence)
        assert other._common_axis == sequence._common_axis
        assert len(other.data) == len(sequence.data)
        for cube1, cube2 in zip(sequence.data, other.data, strict=True):
            assert_same_cube(cube1, cube2)
    assert loaded["Si IV 1403"].index_as_cube[9:11].shape == rasters["Si IV 1403"].index_as_cube[9:11].shape


def test_raster_collection_round_trip(tmp_path, sns_raster):
    loaded = _round_trip(tmp_path, sns_raster)
    assert list(loaded) == list(sns_raster)
    assert loaded.aligned_axes == sns_raster.aligned_axes
    for label in sns_raster:
        assert_same_cube(sns_raster.cube(label), loaded.cube(label))
    assert str(loaded) == str(sns_raster)


def test_observation_round_trip(tmp_path):
    observation = read_files(sample.SNS_DIR, windows=["Si IV 1403"], as_observation=True)
    loaded = _round_trip(tmp_path, observation)
    assert isinstance(loaded, IRISObservation)
    assert sorted(loaded) == sorted(observation)
    assert_same_cube(observation.cube("Si IV 1403"), loaded.cube("Si IV 1403"))
    for band in ("SJI_1330", "SJI_2832"):
        assert_same_cube(observation[band], loaded[band])
    sji = loaded.sji
    assert isinstance(sji, SJICollection)


def test_sji_collection_round_trip(tmp_path):
    collection = read_files([sample.SNS_SJI_1400, sample.SNS_SJI_2796])
    loaded = _round_trip(tmp_path, collection)
    assert isinstance(loaded, SJICollection)
    assert list(loaded) == list(collection)
    for key in collection:
        assert_same_cube(collection[key], loaded[key])


def test_only_poi_saves_the_points_of_a_viewer(tmp_path, sji):
    # iris_lmsalpy's form: the points marked in the viewer, not the cube.
    from irispy_plus.testing.viewer_events import press
    from irispy_plus.visualization import PointOfInterest, sji_quick_look

    viewer = sji_quick_look(sji)
    press(viewer, "a")
    press(viewer, "right")
    press(viewer, "a")
    path = save(viewer, out_dir=tmp_path, only_poi=True)
    assert path.name == f"poi_SJI_1400_{viewer.points[0].time.strftime('%Y%m%dT%H%M%S')}.asdf"
    loaded = load(path)
    assert [type(point) for point in loaded] == [PointOfInterest, PointOfInterest]
    assert [point.pixel["frame"] for point in loaded] == [0, 1]
    np.testing.assert_array_equal(loaded[1].frame, viewer.points[1].frame)
    assert_same_time(loaded[1].time, viewer.points[1].time)


def test_only_poi_saves_the_points_attached_to_a_cube(tmp_path, si_iv, sji):
    from irispy_plus.testing.viewer_events import press
    from irispy_plus.visualization import sji_quick_look

    viewer = sji_quick_look(sji)
    press(viewer, "a")
    sji.meta["points_of_interest"] = list(viewer.points)
    path = save(sji, out_dir=tmp_path, only_poi=True)
    assert path.stat().st_size < 200_000  # the points, not the cube
    (point,) = load(path)
    assert point.label == viewer.points[0].label
    np.testing.assert_array_equal(point.frame, viewer.points[0].frame)
    # A cube with no points is an error that says what to do; nothing is written.
    with pytest.raises(IrispyPlusError, match=r"holds none\. Mark points in a quick-look viewer"):
        save(si_iv, out_dir=tmp_path / "none", only_poi=True)
    assert not (tmp_path / "none").exists()


def test_cube_saved_after_slicing_it(tmp_path, si_iv):
    sliced = si_iv[3:9, 5:20]
    loaded_original, loaded_slice = _round_trip(tmp_path, [si_iv, sliced])
    assert_same_cube(si_iv, loaded_original)
    assert_same_cube(sliced, loaded_slice)


def test_tables_shared_by_windows_are_written_once(tmp_path):
    # The windows of one raster file share its auxiliary and file-name tables.
    collection = read_files(
        sample.RASTER, windows=["Si IV 1403", "C II 1336", "Mg II k 2796"], as_observation=True
    )
    first, *others = (collection.cube(key).meta for key in collection)
    assert all(meta["aux table"] is first["aux table"] for meta in others)
    path = save(collection, tmp_path / "windows")
    text = path.read_bytes()
    tree = text[: text.index(b"\xd3BLK")]
    # Written once (with an anchor), then referred to.
    assert len(re.findall(rb"aux table: &id\d+ !<", tree)) == 1
    assert len(re.findall(rb"aux table: \*id\d+\n", tree)) == 2
    loaded = load(path)
    tables = [loaded.cube(key).meta["aux table"] for key in loaded]
    assert all(table is tables[0] for table in tables)
    for key in collection:
        assert_same_meta(collection.cube(key).meta, loaded.cube(key).meta)
