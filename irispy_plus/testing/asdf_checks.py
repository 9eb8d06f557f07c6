"""
Helpers for the tests of irispy_plus.asdf: comparisons of saved and loaded objects, and
objects whose writing fails or stalls part way, registered through a real (test-only)
ASDF extension.

Examples
--------
>>> import io
>>> import asdf
>>> from irispy_plus.testing.asdf_checks import Exploding, failing_extension
>>> with failing_extension():
...     asdf.AsdfFile({"x": Exploding()}).write_to(io.BytesIO())
Traceback (most recent call last):
...
RuntimeError: Exploding: writing failed part way (on purpose, for a test).
"""

import contextlib
import sys
import time

import numpy as np

__all__ = [
    "PIXELS",
    "Exploding",
    "Stalling",
    "assert_same_cube",
    "assert_same_meta",
    "assert_same_time",
    "assert_same_world",
    "failing_extension",
]

_TAG = "asdf://irispy-plus.org/tags/testing/failing-1.0.0"


class Exploding:
    """
    An object whose conversion to ASDF raises `RuntimeError`.
    """


class Stalling:
    """
    An object whose conversion to ASDF prints ``stalling`` and sleeps ``seconds``.
    """

    def __init__(self, seconds=60.0):
        self.seconds = seconds


class _FailingConverter:
    tags = (_TAG,)
    types = (Exploding, Stalling)

    def to_yaml_tree(self, obj, tag, ctx):
        if isinstance(obj, Stalling):
            print("stalling", flush=True)  # noqa: T201 - the signal a parent process waits for
            sys.stdout.flush()
            time.sleep(obj.seconds)
            return {}
        msg = "Exploding: writing failed part way (on purpose, for a test)."
        raise RuntimeError(msg)

    def from_yaml_tree(self, node, tag, ctx):  # pragma: no cover - never written
        return node


class _FailingExtension:
    extension_uri = "asdf://irispy-plus.org/extensions/testing/failing-1.0.0"
    tags = (_TAG,)
    converters = (_FailingConverter(),)


@contextlib.contextmanager
def failing_extension():
    """
    Register, for the duration, the extension that writes `Exploding` and `Stalling`.
    """
    import asdf

    with asdf.config_context() as config:
        config.add_extension(_FailingExtension())
        yield


PIXELS = [(0, 0, 0), (3, 7, 2), (10.5, 20.25, 1.75), (28, 39, 5)]


def assert_same_world(wcs1, wcs2, pixels=PIXELS):
    """
    The two WCS give the same world coordinates at several pixels (and back)."""
    for pixel in pixels:
        world1 = wcs1.pixel_to_world_values(*pixel)
        world2 = wcs2.pixel_to_world_values(*pixel)
        np.testing.assert_allclose(world1, world2, rtol=0, atol=1e-9)
        np.testing.assert_allclose(wcs2.world_to_pixel_values(*world2), wcs1.world_to_pixel_values(*world1))
    assert wcs1.world_axis_physical_types == wcs2.world_axis_physical_types
    assert wcs1.world_axis_units == wcs2.world_axis_units
    assert wcs1.array_shape == wcs2.array_shape


def assert_same_meta(meta1, meta2):
    """Every entry, in order, and the axes of axis-aware entries."""
    assert list(meta1.keys()) == list(meta2.keys())
    for key, value in meta1.items():
        other = meta2[key]
        if hasattr(value, "colnames"):
            assert value.colnames == other.colnames
            for name in value.colnames:
                if hasattr(value[name], "isot"):
                    assert np.all(value[name].isot == other[name].isot)
                else:
                    np.testing.assert_array_equal(np.asarray(value[name]), np.asarray(other[name]))
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other)
        elif isinstance(value, float) and np.isnan(value):
            assert np.isnan(other)
        elif isinstance(value, np.generic):
            # numpy scalars come back as the Python number of the same value.
            assert value == other, key
            assert np.asarray(other).dtype.kind == value.dtype.kind, key
        else:
            assert value == other, key
            assert type(value) is type(other), key
    assert meta1.axes.keys() == meta2.axes.keys()
    for key, axes in meta1.axes.items():
        np.testing.assert_array_equal(axes, meta2.axes[key])
    np.testing.assert_array_equal(meta1.data_shape, meta2.data_shape)
    assert type(meta1) is type(meta2)


def assert_same_cube(cube1, cube2):
    """Data, mask, uncertainty, unit, WCS, extra and global coordinates and metadata."""
    assert type(cube1) is type(cube2)
    np.testing.assert_array_equal(np.asarray(cube1.data), np.asarray(cube2.data))
    assert np.asarray(cube1.data).dtype == np.asarray(cube2.data).dtype
    np.testing.assert_array_equal(np.asarray(cube1.mask), np.asarray(cube2.mask))
    assert cube1.unit == cube2.unit
    assert cube1.unit.to_string() == cube2.unit.to_string()
    if cube1.uncertainty is None:
        assert cube2.uncertainty is None
    else:
        assert type(cube1.uncertainty) is type(cube2.uncertainty)
        assert cube1.uncertainty.unit == cube2.uncertainty.unit
        np.testing.assert_allclose(np.asarray(cube1.uncertainty.array), np.asarray(cube2.uncertainty.array))
    assert type(cube1.wcs.low_level_wcs) is type(cube2.wcs.low_level_wcs)
    ndim = cube1.data.ndim
    pixels = [pixel[:ndim] for pixel in PIXELS] if ndim < 3 else PIXELS
    assert_same_world(cube1.wcs.low_level_wcs, cube2.wcs.low_level_wcs, pixels)
    assert cube1.extra_coords.keys() == cube2.extra_coords.keys()
    assert cube1.extra_coords.mapping == cube2.extra_coords.mapping
    if not cube1.extra_coords.is_empty:
        wcs1, wcs2 = cube1.extra_coords.wcs, cube2.extra_coords.wcs
        assert wcs1.world_axis_physical_types == wcs2.world_axis_physical_types
        for index in (0, 1, cube1.data.shape[0] - 1):
            pixel = [index] * wcs1.pixel_n_dim
            np.testing.assert_allclose(wcs1.pixel_to_world_values(*pixel), wcs2.pixel_to_world_values(*pixel))
    assert set(cube1.global_coords.keys()) == set(cube2.global_coords.keys())
    for name in cube1.global_coords:
        value1, value2 = cube1.global_coords[name], cube2.global_coords[name]
        assert str(value1) == str(value2)
    assert_same_meta(cube1.meta, cube2.meta)


def assert_same_time(time1, time2):
    """
    The two astropy Times are equal to the nanosecond.
    """
    assert time1.shape == time2.shape
    assert time1.scale == time2.scale
    assert np.all(np.abs((time1 - time2).to_value("s")) < 1e-9)
