"""
Level 2 fill smeared by the warping (-199.99, -217, -150 ...) is masked in raster and
slit-jaw reads, lazy and loaded, float and int16 files, by the ``fill_threshold`` item.
"""

import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.testing.files import write_int16_copy
from irispy_plus.utils.config import conf


def _expected_mask(values, threshold):
    # Independent of the reader: fill and its smear, NaN, and saturation (+inf).
    values = np.asarray(values, dtype=np.float64)
    return ~(values > threshold) | np.isposinf(values)


def test_default_threshold_masks_the_smeared_fill_of_the_sit_and_stare():
    raw = fits.getdata(sample.SNS_RASTER, 5)  # Si IV 1403
    # The file holds smeared fill that is not exactly -200: the values.
    smeared = (raw < -199) & (raw != -200)
    assert smeared.sum() > 100
    assert ((raw > -199) & (raw <= -50)).sum() > 5
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    for state in ("lazy", "loaded"):
        data, mask = np.asarray(cube.data), np.asarray(cube.mask)
        assert not (data[~mask] <= conf.fill_threshold).any(), state
        np.testing.assert_array_equal(mask, _expected_mask(raw, conf.fill_threshold))
        # Nothing above the threshold is lost.
        assert not mask[(raw > conf.fill_threshold) & np.isfinite(raw)].any()
        cube.load()
    assert not cube.is_lazy


SLIT_JAWS = [sample.SJI_1400, sample.SNS_SJI_2796, sample.SJI_2832]


@pytest.mark.parametrize("path", SLIT_JAWS, ids=lambda p: p.name)
def test_slit_jaw_reads_mask_the_smear(path):
    raw = fits.getdata(path)
    cube = read_cube(path)
    expected = _expected_mask(raw, conf.fill_threshold)
    np.testing.assert_array_equal(np.asarray(cube.mask), expected)
    frame, mask = cube.read_data(0)
    np.testing.assert_array_equal(mask, expected[0])
    assert frame[~mask].min() > conf.fill_threshold
    cube.load()
    np.testing.assert_array_equal(cube.mask, expected)
    np.testing.assert_array_equal(cube.read_data(0)[1], expected[0])


def test_threshold_is_the_config_item_when_the_file_is_read():
    raw = fits.getdata(sample.SJI_1400)
    with conf.set_temp("fill_threshold", -199.0):
        strict = read_cube(sample.SJI_1400)
    loose = read_cube(sample.SJI_1400)
    # Each cube keeps the threshold it was read with, also when computed later.
    np.testing.assert_array_equal(np.asarray(strict.mask), _expected_mask(raw, -199.0))
    np.testing.assert_array_equal(np.asarray(loose.mask), _expected_mask(raw, conf.fill_threshold))
    assert np.asarray(strict.mask).sum() < np.asarray(loose.mask).sum()


@pytest.mark.parametrize("threshold", [-50.0, -199.0, -100.25])
def test_int16_files_mask_by_scaled_value(tmp_path, threshold):
    path = write_int16_copy(sample.SJI_1400, tmp_path / sample.SJI_1400.name)
    with fits.open(path, mode="update", do_not_scale_image_data=True) as hdulist:
        raw = hdulist[0].data
        raw[0, 5, 5] = 32767  # saturated
        raw[0, 5, 6] = 32766  # one step below: signal
        raw[0, 5, 7] = -32768  # fill
        hdulist.flush()
    scaled = fits.getdata(path).astype(np.float64)  # astropy's own scaling
    with conf.set_temp("fill_threshold", threshold):
        cube = read_cube(path)
    expected = (scaled <= threshold) | (scaled == 32767 * 0.25 + 7992)
    mask = np.asarray(cube.mask)
    np.testing.assert_array_equal(mask, expected)
    assert mask[0, 5, 5]
    assert not mask[0, 5, 6]
    assert mask[0, 5, 7]
    np.testing.assert_array_equal(cube.read_data(0)[1], expected[0])


def test_nan_and_infinity_in_float_files(tmp_path):
    path = tmp_path / sample.SJI_1400.name
    with fits.open(sample.SJI_1400) as hdulist:
        hdulist[0].data[1, 3, 3] = np.nan
        hdulist[0].data[1, 3, 4] = np.inf
        hdulist[0].data[1, 3, 5] = -np.inf
        hdulist[0].data[1, 3, 6] = conf.fill_threshold
        hdulist[0].data[1, 3, 7] = np.nextafter(np.float32(conf.fill_threshold), np.float32(0))
        hdulist.writeto(path)
    mask = np.asarray(read_cube(path).mask)[1, 3, 3:8]
    assert mask.tolist() == [True, True, True, True, False]
