"""
Dust specks and spikes injected into real IRIS data: found, and filled or replaced.
"""

import numpy as np
import pytest
from scipy import ndimage

from irispy_plus import read_cube
from irispy_plus.cleaning import find_dust, remove_dust, remove_spikes
from irispy_plus.cleaning._inpaint import inpaint
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusMapError


def _valid(cube):
    data = np.asarray(cube.data, dtype=float)
    return np.isfinite(data) & ~np.asarray(cube.mask, dtype=bool) & (data > -199)


def _series_on_the_detector(sji, frames, seed):
    """
    A series made from one real frame as the detector sees it while the Sun moves over
    it: the frame shifted by up to 3 pixels each time, with photon and read noise.
    """
    rng = np.random.default_rng(seed)
    frame = np.asarray(sji.data[0], dtype=float)
    valid = _valid(sji)[0]
    base = np.where(valid, frame, 0.0)
    series = []
    for _ in range(frames):
        offset = rng.uniform(-3, 3, size=2)
        moved = ndimage.shift(base, offset, order=1, mode="constant", cval=0.0)
        inside = ndimage.shift(valid.astype(float), offset, order=1, mode="constant", cval=0.0) > 0.999
        noise = rng.normal(size=moved.shape) * np.sqrt(np.clip(moved, 0, None) / 18 + 1.2**2)
        series.append(np.where(inside, moved + noise, -200.0))
    return np.array(series)


def _with_specks(series, count, seed):
    """Dark specks (radius 1-2 px, 30-60 % transmission) at fixed detector pixels."""
    rng = np.random.default_rng(seed)
    data = series.copy()
    valid = (data > -199).all(axis=0)
    inner = ndimage.binary_erosion(valid, iterations=4)
    specks = np.zeros(valid.shape, dtype=bool)
    rows, columns = np.nonzero(inner)
    y, x = np.mgrid[: valid.shape[0], : valid.shape[1]]
    for index in rng.choice(len(rows), size=count, replace=False):
        disc = np.hypot(y - rows[index], x - columns[index]) <= rng.uniform(0.8, 2.2)
        if (ndimage.binary_dilation(specks, iterations=3) & disc).any():
            continue  # keep the specks apart, as on the detector
        specks |= disc
        data[:, disc] *= rng.uniform(0.3, 0.6)
    return data, specks, valid


@pytest.mark.parametrize("path", [sample.SNS_SJI_2796, sample.SNS_SJI_2832], ids=["2796", "2832"])
def test_dust_is_found_and_filled(path):
    sji = read_cube(path)
    clean = _series_on_the_detector(sji, frames=20, seed=1)
    dirty, specks, valid = _with_specks(clean, count=15, seed=2)
    assert specks.sum() > 40
    found = find_dust(dirty)
    recall = (found & specks).sum() / specks.sum()
    clean_pixels = valid & ~specks
    false_positive_rate = (found & clean_pixels).sum() / clean_pixels.sum()
    assert recall >= 0.95, recall
    assert false_positive_rate <= 0.01, false_positive_rate

    dirty = dirty.astype(np.float32)
    cleaned, filled = remove_dust(dirty)
    assert filled.shape == dirty.shape
    assert np.array_equal(filled[0], found & (dirty[0] > -199))
    result = np.asarray(cleaned.data, dtype=float)
    ring = ndimage.binary_dilation(specks, iterations=3) & ~ndimage.binary_dilation(specks) & valid
    for frame in range(0, len(clean), 5):
        local_noise = np.std(clean[frame][ring])
        error = np.abs(result[frame][specks] - clean[frame][specks])
        assert np.median(error) < local_noise
    untouched = ~filled
    np.testing.assert_array_equal(result[untouched], dirty[untouched])
    assert not np.array_equal(result[filled], dirty[filled])


def test_dust_removal_gives_a_new_cube():
    sji = read_cube(sample.SNS_SJI_2796)
    cleaned, filled = remove_dust(sji)
    assert type(cleaned) is type(sji)
    assert cleaned.wcs.pixel_to_world(3, 4, 5)[0] == sji.wcs.pixel_to_world(3, 4, 5)[0]
    changed = np.asarray(cleaned.data) != np.asarray(sji.data)
    assert not (changed & ~filled).any()


def test_a_moving_sun_is_not_dust():
    sji = read_cube(sample.SNS_SJI_2796)
    clean = _series_on_the_detector(sji, frames=20, seed=4)
    found = find_dust(clean)
    assert found.sum() <= 0.01 * (clean > -199).all(axis=0).sum()


def test_dust_needs_images():
    with pytest.raises(IrispyPlusMapError, match="slit-jaw cube"):
        remove_dust(read_cube(sample.SNS_RASTER, "Si IV 1403")[0, 0])


def test_inpainting_a_plane_is_exact():
    y, x = np.mgrid[:20, :30]
    plane = 0.5 * x - 1.5 * y + 10
    holes = np.zeros(plane.shape, bool)
    holes[5:9, 10:13] = True
    np.testing.assert_allclose(inpaint(np.where(holes, -1e3, plane), holes), plane, atol=1e-2)
    nothing_around = np.full(plane.shape, np.nan)
    assert np.isnan(inpaint(nothing_around, holes)[holes]).all()


def _with_spikes(cube, count, seed):
    rng = np.random.default_rng(seed)
    data = np.array(cube.data, dtype=float)
    valid = _valid(cube)
    candidates = np.flatnonzero(valid)
    where = rng.choice(candidates, size=count, replace=False)
    spikes = np.zeros(data.shape, dtype=bool)
    spikes.flat[where] = True
    data.flat[where] += rng.uniform(80, 600, size=count)  # cosmic-ray hits, DN
    return cube._new_instance(data=data.astype(np.float32)), spikes


@pytest.mark.parametrize("window", ["Si IV 1403", "C II 1336", "Mg II k 2796"])
def test_spikes_are_found_and_replaced(window):
    cube = read_cube(sample.SNS_RASTER, window).load()
    dirty, injected = _with_spikes(cube, count=200, seed=11)
    cleaned, found = remove_spikes(dirty)
    recall = (found & injected).sum() / injected.sum()
    clean_pixels = _valid(cube) & ~injected
    false_positive_rate = (found & clean_pixels).sum() / clean_pixels.sum()
    assert recall >= 0.95, recall
    assert false_positive_rate <= 0.01, false_positive_rate
    truth = np.asarray(cube.data, dtype=float)
    replaced = np.asarray(cleaned.data, dtype=float)
    before = np.abs(np.asarray(dirty.data, dtype=float) - truth)[injected & found]
    after = np.abs(replaced - truth)[injected & found]
    assert np.median(after) < 0.1 * np.median(before)


def test_spikes_can_be_masked_instead():
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403").load()
    dirty, injected = _with_spikes(cube, count=50, seed=2)
    masked, found = remove_spikes(dirty, replace=False)
    assert (found & injected).sum() >= 0.95 * injected.sum()
    assert np.asarray(masked.mask)[found].all()
    np.testing.assert_array_equal(np.asarray(masked.data), np.asarray(dirty.data))


def test_spikes_need_spectrograph_data():
    with pytest.raises(IrispyPlusMapError, match="exposure, slit, wavelength"):
        remove_spikes(read_cube(sample.SJI_1400)[0])
