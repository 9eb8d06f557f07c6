"""
histo_opt clip levels and the colour maps.
"""

import matplotlib as mpl
import numpy as np
import pytest

from irispy_plus.visualization import ClipLevels, histo_opt, iris_colormap


def test_levels_cut_the_requested_fraction():
    rng = np.random.default_rng(1)
    image = rng.normal(100, 10, 200_000)
    levels = histo_opt(image, cutoff=0.01)
    assert np.mean(image < levels.low) == pytest.approx(0.01, abs=0.002)
    assert np.mean(image > levels.high) == pytest.approx(0.01, abs=0.002)


def test_low_level_is_at_least_the_second_bin():
    # A third of the pixels hold the fill value: the low level must skip that first bin.
    image = np.concatenate([np.full(5000, -200.0), np.linspace(0, 1000, 10_000)])
    levels = histo_opt(image, cutoff=1e-3)
    second_bin = -200 + (1000 + 200) / 10_000
    assert levels.low >= second_bin
    assert levels.high == pytest.approx(999, abs=1)


def test_nan_ignored_and_degenerate_images():
    assert histo_opt(np.array([np.nan, np.inf])) == ClipLevels(0.0, 1.0, 1.0)
    flat = histo_opt(np.full((3, 3), 5.0), gamma=0.5)
    assert flat == ClipLevels(5.0, 6.0, 0.5)
    image = np.arange(100.0)
    image[::7] = np.nan
    assert np.isfinite(histo_opt(image)).all()


@pytest.mark.parametrize(("cutoff", "gamma"), [(-0.1, 1), (0.5, 1), (0.01, 0)])
def test_bad_parameters(cutoff, gamma):
    with pytest.raises(ValueError, match=r"cutoff|gamma"):
        histo_opt(np.arange(10.0), cutoff=cutoff, gamma=gamma)


def test_clip_levels_to_bytes_and_norm():
    levels = ClipLevels(10.0, 20.0, 0.5)
    image = np.array([[0.0, 10.0, 15.0, 20.0, 30.0, np.nan]], dtype=np.float32)
    assert levels.to_bytes(image).tolist() == [[0, 0, 127, 255, 255, 0]]
    table = levels.gamma_table()
    assert table[0] == 0
    assert table[255] == 255
    assert table[64] == round(255 * (64 / 255) ** 0.5)
    norm = levels.norm()
    assert isinstance(norm, mpl.colors.PowerNorm)
    assert norm(15.0) == pytest.approx(0.5**0.5)
    assert type(ClipLevels(0, 1).norm()) is mpl.colors.Normalize


@pytest.mark.parametrize(
    ("band", "name"),
    [
        ("SJI_1330", "irissji1330"),
        ("1400", "irissji1400"),
        ("SJI_2796", "irissji2796"),
        ("SJI_2832", "irissji2832"),
        ("FUV1", "irissjiFUV"),
        ("NUV", "irissjiNUV"),
        ("other", "gray"),
    ],
)
def test_colormaps_registered(band, name):
    assert iris_colormap(band).name == name
    assert name in mpl.colormaps
