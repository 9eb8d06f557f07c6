"""
Round trips of fit results, points of interest, search results and variables.
"""

import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.table import QTable, Table
from astropy.time import Time

from irispy_plus import read_cube
from irispy_plus.asdf import load, load_vars, save, save_vars
from irispy_plus.data import sample
from irispy_plus.fitting import FitResult, fit_siiv
from irispy_plus.testing.asdf_checks import assert_same_time, assert_same_world
from irispy_plus.units import DN_FUV, DN_SJI_NUV
from irispy_plus.visualization import PointOfInterest

EVENTS = Path(__file__).parent.parent / "data" / "search-events3_example.json"


def test_fit_of_sliced_sample_cube_round_trip(tmp_path):
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")[:6, 10:20]
    result = fit_siiv(cube, plot=False)
    loaded = load(save(result, tmp_path / "fit"))
    assert isinstance(loaded, FitResult)
    assert loaded.model == result.model
    for name in ("values", "errors", "chi2", "flags", "n_iterations"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(result, name))
        assert getattr(loaded, name).dtype == getattr(result, name).dtype
    np.testing.assert_array_equal(loaded.wavelength, result.wavelength)
    assert loaded.unit is DN_FUV
    assert loaded.meta.keys() == result.meta.keys()
    assert loaded.meta["rest_wavelength"] == result.meta["rest_wavelength"]
    np.testing.assert_array_equal(
        loaded.meta["observer_radial_velocity"], result.meta["observer_radial_velocity"]
    )
    assert loaded.meta["constraints"] == result.meta["constraints"]
    assert_same_world(result.wcs.low_level_wcs, loaded.wcs, [(0, 0), (3.5, 2), (9, 5)])
    assert_same_world(result.profile_wcs.low_level_wcs, loaded.profile_wcs)
    velocity, other = result.doppler_velocity(observer=True), loaded.doppler_velocity(observer=True)
    np.testing.assert_array_equal(velocity.data, other.data)
    np.testing.assert_array_equal(velocity.uncertainty.array, other.uncertainty.array)
    assert velocity.unit == other.unit
    assert velocity.extra_coords.keys() == other.extra_coords.keys()
    extra, other_extra = velocity.extra_coords.wcs, other.extra_coords.wcs
    assert extra.world_axis_physical_types == other_extra.world_axis_physical_types
    for index in range(6):
        pixel = [index] * extra.pixel_n_dim
        world = extra.pixel_to_world_values(*pixel)
        np.testing.assert_allclose(world, other_extra.pixel_to_world_values(*pixel))
    for pixel in [(0, 0), (5, 9)]:
        position = velocity.wcs.array_index_to_world(*pixel)
        assert position.separation(other.wcs.array_index_to_world(*pixel)) < 1e-9 * u.arcsec
    np.testing.assert_array_equal(result.intensity().data, loaded.intensity().data)
    np.testing.assert_allclose(result.profile().data, loaded.profile().data)


def _poi():
    return PointOfInterest(
        kind="raster",
        window="Si IV 1403",
        pixel={"step": np.int64(3), "slit": 7, "wavelength": 12},
        world={"Tx": 1.5 * u.arcsec, "Ty": -2 * u.arcsec, "wavelength": 1402.8 * u.AA},
        time=Time("2021-09-05T00:24:50.743123456"),
        axes={"step": np.arange(4) * u.s, "slit": np.arange(5) * u.arcsec, "wavelength": np.arange(3) * u.AA},
        xy_map=np.arange(20.0).reshape(5, 4),
        slit_spectra=np.ones((5, 3), dtype=np.float32),
        spectrum=np.array([1.0, np.nan, 3.0]),
        unit="DN_IRIS_FUV",
        display={"cmap": "irissjiFUV", "gamma": 0.5, "clip": {"xy_map": [0.0, 10.0]}, "aspect": "auto"},
        label="Si IV 1403 #1",
    )


def _assert_same_poi(poi, other):
    assert type(other) is PointOfInterest
    for name in ("kind", "window", "unit", "display", "label", "pixel"):
        assert getattr(poi, name) == getattr(other, name), name
    assert all(type(value) is int for value in other.pixel.values())
    for key, value in poi.world.items():
        assert other.world[key] == value
    for key, value in poi.axes.items():
        np.testing.assert_array_equal(other.axes[key], value)
    assert_same_time(poi.time, other.time)
    for name in ("xy_map", "slit_spectra", "spectrum", "frame"):
        np.testing.assert_array_equal(getattr(poi, name), getattr(other, name))
        if getattr(poi, name) is not None:
            assert getattr(other, name).dtype == getattr(poi, name).dtype


def test_point_of_interest_round_trip(tmp_path):
    poi = _poi()
    path = save([poi, _poi()], out_dir=tmp_path)
    assert path.name == "poi_Si_IV_1403_20210905T002450.asdf"
    loaded = load(path)
    assert len(loaded) == 2
    _assert_same_poi(poi, loaded[0])


class _Viewer:
    """Stands for a quick-look viewer: what save() uses of it is its points."""

    def __init__(self, points):
        self.points = points


def test_viewer_is_saved_as_its_points(tmp_path):
    loaded = load(save(_Viewer([_poi()]), tmp_path / "view"))
    _assert_same_poi(_poi(), loaded[0])


def test_search_results_round_trip(tmp_path):
    from sunpy.net import Fido
    from sunpy.net import attrs as a
    from sunpy.net.vso import VSOClient

    from irispy_plus.net import conf
    from irispy_plus.testing.hcr_server import HCRTestServer

    events = json.loads(EVENTS.read_text())["Events"]
    registry = Fido.registry[VSOClient]
    Fido.registry[VSOClient] = lambda *args: False  # offline, the VSO cannot be built
    try:
        with (
            HCRTestServer(events) as server,
            conf.set_temp("timeout", 2.0),
            pytest.MonkeyPatch.context() as env,
        ):
            env.setenv("IRISPY_PLUS_HCR_URL", server.hcr_url)
            env.setenv("IRISPY_PLUS_ARCHIVE_URL", server.url)
            results = Fido.search(a.Time("2013-07-01", "2025-01-01"), a.Instrument.iris)
    finally:
        Fido.registry[VSOClient] = registry
    loaded = load(save(results, tmp_path / "search"))
    assert type(loaded) is type(results)
    assert len(loaded) == len(results)
    table, other = results[0], loaded[0]
    assert type(other) is type(table)
    assert type(other.client) is type(table.client)
    assert other.colnames == table.colnames
    assert len(other) == len(table) > 0
    for name in table.colnames:
        column, copy = table[name], other[name]
        assert type(column) is type(copy), name
        if isinstance(column, Time):
            assert_same_time(column, copy)
        else:
            np.testing.assert_array_equal(np.asarray(column), np.asarray(copy))
            assert getattr(column, "unit", None) == getattr(copy, "unit", None)
    assert str(other) == str(table)
    assert other.meta["hcr_query"] == table.meta["hcr_query"]
    single = load(save(table, tmp_path / "table"))
    assert type(single) is type(table)


def test_query_table_with_object_column_round_trip(tmp_path):
    from sunpy.net.base_client import QueryResponseTable

    values = np.empty(3, dtype=object)
    values[:] = ["a", None, {"k": [1, 2]}]
    table = QueryResponseTable(
        {
            "Start Time": Time(["2021-01-01", "2021-01-02", "2021-01-03"]),
            "Size": [1, 2, 3] * u.Mbyte,
            "x": values,
        }
    )
    table.hide_keys = ["x"]
    loaded = load(save(table, tmp_path / "table"))
    assert list(loaded["x"]) == list(values)
    assert loaded.hide_keys == ["x"]
    np.testing.assert_array_equal(loaded["Size"], table["Size"])


def test_variables_round_trip(tmp_path, capsys):
    variables = {
        "array": np.arange(12.0).reshape(3, 4),
        "counts": np.arange(3) * DN_SJI_NUV,
        "rate": 2.5 * DN_FUV / u.s,
        "speed": np.array([1.0, 2.0]) * u.km / u.s,
        "when": Time(["2021-09-05T00:18:37.810123456", "2021-09-05T00:20:11.2"]),
        "table": QTable({"a": [1, 2] * u.s, "t": Time(["2021-01-01T00:00:00.123456789", "2022-01-01"])}),
        "plain": Table({"b": ["x", "y"]}),
        "nested": {"list": [1, 2.5, "three", np.ones(2)], "unit": DN_FUV, "none": None},
        "lazy": __import__("dask.array").array.ones((2, 2)),
    }
    path = save_vars(tmp_path / "vars", **variables)
    printed = capsys.readouterr().out
    assert f"Saved {len(variables)} variables to {path}" in printed
    assert "counts: Quantity (3,) [DN_IRIS_SJI_NUV]" in printed
    loaded = load_vars(path)
    printed = capsys.readouterr().out
    assert f"Read {len(variables)} variables from {path}" in printed
    assert list(loaded) == sorted(variables) or set(loaded) == set(variables)
    np.testing.assert_array_equal(loaded["array"], variables["array"])
    loaded["array"][0, 0] = -1  # copied into memory: writable
    assert loaded["counts"].unit is DN_SJI_NUV
    assert loaded["rate"].unit == DN_FUV / u.s
    assert loaded["rate"] == variables["rate"]
    np.testing.assert_array_equal(loaded["speed"], variables["speed"])
    assert_same_time(loaded["when"], variables["when"])
    np.testing.assert_array_equal(loaded["table"]["a"], variables["table"]["a"])
    assert_same_time(loaded["table"]["t"], variables["table"]["t"])
    assert list(loaded["plain"]["b"]) == ["x", "y"]
    assert loaded["nested"]["list"][:3] == [1, 2.5, "three"]
    np.testing.assert_array_equal(loaded["nested"]["list"][3], np.ones(2))
    assert loaded["nested"]["unit"] is DN_FUV
    assert loaded["nested"]["none"] is None
    np.testing.assert_array_equal(loaded["lazy"], np.ones((2, 2)))
    in_file = load_vars(path, verbose=False, copy=False)
    assert not in_file["array"].flags.writeable


def test_variables_with_a_cube(tmp_path):
    cube = read_cube(sample.SJI_1400)[:, :10, :10]
    loaded = load_vars(save_vars(tmp_path / "cube", cube=cube, verbose=False), verbose=False)
    np.testing.assert_array_equal(np.asarray(loaded["cube"].data), np.asarray(cube.data))
