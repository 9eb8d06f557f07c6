"""
Display scaling stays off the Level 2 fill and its smear: histo_opt, the viewers'
default ranges and their colour bars, on the real sample files.
"""

import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.utils.config import conf
from irispy_plus.visualization import ClipLevels, histo_opt, quick_look, sji_quick_look


def _signal(values):
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values) & (values > conf.fill_threshold)]


def test_histo_opt_on_a_real_2023_slit_jaw_frame():
    frame = fits.getdata(sample.SJI_1400)[0].astype(np.float64)  # fill and smear included
    assert frame.min() < -200  # the smear reaches below the fill value itself
    levels = histo_opt(frame)
    signal = _signal(frame)
    # The low level sits in the data, at about the 0.1% point of the non-fill pixels.
    assert levels.low > conf.fill_threshold
    assert 0 < np.mean(signal < levels.low) <= 2e-3
    assert 0 < np.mean(signal > levels.high) <= 2e-3
    # Fill is only left out on request of the caller's data: with no threshold the old
    # behaviour (fill sets the low end) is still there for non-DN images.
    assert histo_opt(frame, fill_threshold=None).low < -199


def test_histo_opt_masked_arrays_and_all_fill():
    image = np.ma.masked_array(np.arange(100.0), mask=np.arange(100) < 50)
    assert histo_opt(image, cutoff=0).low >= 50
    # An image of fill only is still scaled (by its own values).
    only_fill = np.full(10, -200.0)
    assert histo_opt(only_fill) == ClipLevels(-200.0, -199.0)


def test_histo_opt_tutorial_forms(capsys):
    image = fits.getdata(sample.SJI_1400)[0]
    vmin, vmax = histo_opt(image)  # ITN 45's form
    assert (vmin, vmax) == tuple(histo_opt(image))
    assert vmin < vmax
    levels = histo_opt(image, verbose=True)
    out = capsys.readouterr().out
    assert "histo_opt" in out
    assert f"{levels.low:.6g}" in out
    assert f"{levels.high:.6g}" in out
    assert "fill threshold" in out


def test_raster_quick_look_default_ranges_are_off_fill(sns):
    viewer = quick_look(sns, window="Si IV 1403")
    for name, image in viewer.images.items():
        low, high = image.get_clim()
        assert low > conf.fill_threshold, name
        assert high > low
    # The colour bars show the same range.
    for colorbar_axes in viewer.figure.axes:
        if colorbar_axes.get_label() == "<colorbar>":
            assert min(colorbar_axes.get_ylim()) > conf.fill_threshold


def test_sji_quick_look_default_range_is_off_fill():
    viewer = sji_quick_look(read_cube(sample.SJI_1400))
    low, high = viewer.image.get_clim()
    assert high > low > conf.fill_threshold
    frame = fits.getdata(sample.SJI_1400)[viewer.index if hasattr(viewer, "index") else 0]
    assert low >= np.quantile(_signal(frame), 1e-3) - 1


def test_qt_movie_default_levels_are_off_fill():
    pytest.importorskip("pyqtgraph")
    pytest.importorskip("PyQt6")
    from irispy_plus.visualization import sji_view

    viewer = sji_view(read_cube(sample.SJI_1400))
    try:
        assert viewer.levels.low > conf.fill_threshold
    finally:
        viewer.widget.close()


def test_images_without_fill_keep_their_low_values():
    # A velocity map (km/s) with strong blue shifts holds no fill: nothing is left out.
    rng = np.random.default_rng(3)
    velocity = rng.normal(0, 40, 20_000)
    assert (velocity <= conf.fill_threshold).mean() > 0.05
    assert histo_opt(velocity) == histo_opt(velocity, fill_threshold=None)
    # The same map with fill pixels: the fill and the smear go, the map's range stays.
    with_fill = np.concatenate([velocity, np.full(500, -200.0), np.linspace(-199, -60, 50)])
    assert histo_opt(with_fill).low > conf.fill_threshold
