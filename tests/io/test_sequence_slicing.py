"""
Slicing a raster sequence across its repeats: lazy and loaded give the same cube, and
both agree with numpy indexing of the repeats' data put end to end.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irispy_plus import read_files
from irispy_plus.cubes import IRISRasterSequence
from irispy_plus.data import sample
from irispy_plus.utils import IrispyPlusError, IrispyPlusIndexError

WINDOW = "Si IV 1403"


@pytest.fixture(scope="module")
def lazy():
    return read_files(sample.RASTER_SERIES, windows=WINDOW)[WINDOW]


@pytest.fixture(scope="module")
def loaded():
    return read_files(sample.RASTER_SERIES, windows=WINDOW)[WINDOW].load()


@pytest.fixture(scope="module")
def end_to_end(loaded):
    # The reference: the repeats' arrays concatenated along the exposure axis.
    data = np.concatenate([np.asarray(cube.data) for cube in loaded.data])
    mask = np.concatenate([np.asarray(cube.mask) for cube in loaded.data])
    times = np.concatenate([cube.time.mjd for cube in loaded.data])
    return data, mask, times


def _cubes(result):
    return list(result.data) if isinstance(result, IRISRasterSequence) else [result]


def _joined(result, attribute):
    arrays = [np.asarray(getattr(cube, attribute)) for cube in _cubes(result)]
    if isinstance(result, IRISRasterSequence):
        return np.concatenate(arrays)
    return arrays[0]


def _corner_world(cube):
    ndim = len(cube.shape)
    if 0 in cube.shape:
        return []
    first = cube.wcs.low_level_wcs.array_index_to_world_values(*([0] * ndim))
    last = cube.wcs.low_level_wcs.array_index_to_world_values(*[n - 1 for n in cube.shape])
    return np.concatenate([np.ravel(first), np.ravel(last)])


def _assert_same(lazy_result, loaded_result):
    assert type(lazy_result) is type(loaded_result)
    lazy_cubes, loaded_cubes = _cubes(lazy_result), _cubes(loaded_result)
    assert [c.shape for c in lazy_cubes] == [c.shape for c in loaded_cubes]
    for lazy_cube, loaded_cube in zip(lazy_cubes, loaded_cubes, strict=True):
        assert lazy_cube.is_lazy
        assert not loaded_cube.is_lazy
        np.testing.assert_array_equal(np.asarray(lazy_cube.data), loaded_cube.data)
        np.testing.assert_array_equal(np.asarray(lazy_cube.mask), loaded_cube.mask)
        np.testing.assert_allclose(_corner_world(lazy_cube), _corner_world(loaded_cube))
        assert lazy_cube.unit == loaded_cube.unit


ITEMS = [
    np.s_[2:10],  # the issue's example: across the first repeat boundary (8 steps each)
    np.s_[7:9],
    np.s_[0:24],
    np.s_[8:16],  # exactly the second repeat
    np.s_[5:19],  # through a whole repeat into a third
    np.s_[-5:],
    np.s_[-10:-3],
    np.s_[:3],
    np.s_[20:100],  # stop past the end
    np.s_[5:3],  # empty
    np.s_[3],
    np.s_[8],
    np.s_[-1],
    np.s_[-24],
    np.s_[6:10, 50:60],
    np.s_[6:10, 5],
    np.s_[6:10, :, 3:7],
    np.s_[6:10, ..., 4],
    np.s_[..., 4],
    np.s_[15, 20:30, 2],
    [slice(2, 10), slice(None), slice(None)],
]


@pytest.mark.parametrize("item", ITEMS, ids=repr)
def test_lazy_and_loaded_slices_agree(lazy, loaded, end_to_end, item):
    lazy_result = lazy.index_as_cube[item]
    loaded_result = loaded.index_as_cube[item]
    _assert_same(lazy_result, loaded_result)
    data, mask, _ = end_to_end
    key = tuple(item) if isinstance(item, list) else item
    np.testing.assert_array_equal(_joined(lazy_result, "data"), data[key])
    np.testing.assert_array_equal(_joined(lazy_result, "mask"), mask[key])


def test_issue_example_crosses_the_repeat_boundary(lazy, end_to_end):
    result = lazy.index_as_cube[2:10]
    assert [cube.shape for cube in result.data] == [(6, 109, 29), (2, 109, 29)]
    # Each exposure keeps its own time: the slice's times are the 3rd to 10th exposures'.
    times = np.concatenate([cube.time.mjd for cube in result.data])
    np.testing.assert_allclose(times, end_to_end[2][2:10], rtol=0, atol=1e-9)


@pytest.mark.parametrize("item", [np.s_[2:10:2], np.s_[::-1], np.s_[::3, 4]], ids=repr)
def test_steps_are_refused_the_same_way(lazy, loaded, item):
    for sequence in (lazy, loaded):
        with pytest.raises(IrispyPlusIndexError, match="step of 1"):
            sequence.index_as_cube[item]


@pytest.mark.parametrize(
    ("item", "match"),
    [(24, "out of range"), (-25, "out of range"), ((1, 2, 3, 4), "too many"), ([[1, 2]], "integers, slices")],
    ids=repr,
)
def test_bad_indices_are_named(lazy, item, match):
    with pytest.raises(IrispyPlusError, match=match):
        lazy.index_as_cube[item]


def test_a_lazy_cube_takes_a_list_of_slices(lazy):
    cube = lazy.data[0]
    sliced = cube[[slice(2, 5), slice(None), slice(1, 4)]]
    assert sliced.is_lazy
    np.testing.assert_array_equal(np.asarray(sliced.data), np.asarray(cube.data)[2:5, :, 1:4])


@settings(max_examples=40, deadline=None)
@given(
    start=st.none() | st.integers(-30, 30),
    stop=st.none() | st.integers(-30, 30),
    slit=st.none() | st.integers(-109, 108),
)
def test_random_slices_match_numpy(lazy, loaded, end_to_end, start, stop, slit):
    item = (slice(start, stop), slice(None) if slit is None else slit)
    lazy_result = lazy.index_as_cube[item]
    _assert_same(lazy_result, loaded.index_as_cube[item])
    expected = end_to_end[0][item]
    got = _joined(lazy_result, "data")
    if expected.shape[0] == 0:
        assert got.size == 0
    else:
        np.testing.assert_array_equal(got, expected)
