"""
Figures: show_poi, build_figure (compared with stored reference images) and the slit-jaw
frame with a raster's field.
"""

from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization import (
    RasterQuickLookSettings,
    SJIQuickLookSettings,
    build_figure,
    quick_look,
    show_poi,
    sji_quick_look,
    sji_with_raster,
)
from irispy_plus.visualization._sji_data import SJIFrames
from irispy_plus.visualization.figures import raster_outline

REFERENCE = Path(__file__).parent / "data"


def _compare(path, reference):
    """
    Compare a rendered PNG with a stored one: same size, pixels close on average.
    """
    image, expected = mpimg.imread(path), mpimg.imread(reference)
    assert image.shape == expected.shape
    assert np.abs(image - expected).mean() < 0.01


def _raster_viewer(sns):
    viewer = quick_look(sns, settings=RasterQuickLookSettings(figsize=(9, 3.5)), window="Si IV 1403")
    viewer.move(step=60, slit=25, wave=12)
    viewer.axes["slit_spectra"].set_xlim(5, 20)
    viewer.images["xy_map"].set_clim(0, 300)
    return viewer


def test_build_figure_raster_png_matches_reference(sns, tmp_path):
    viewer = _raster_viewer(sns)
    figure = build_figure(viewer, tmp_path / "raster.png", dpi=40)
    axes = figure.axes
    assert axes[0].images[0].get_clim() == (0, 300)
    assert axes[1].get_xlim() == (5, 20)  # the colour bars come after the panels
    _compare(tmp_path / "raster.png", REFERENCE / "raster_figure.png")


def test_build_figure_sji_png_and_pdf(sji, tmp_path):
    viewer = sji_quick_look(sji, settings=SJIQuickLookSettings(slit="thin", figsize=(4, 4)))
    viewer.show_frame(7)
    viewer.build_figure(tmp_path / "sji.png", dpi=40)
    _compare(tmp_path / "sji.png", REFERENCE / "sji_figure.png")
    viewer.build_figure(tmp_path / "sji.pdf")
    assert (tmp_path / "sji.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(IrispyPlusError, match=r"\.pdf or \.png"):
        build_figure(viewer, tmp_path / "sji.jpg")


def test_show_poi_options(sns):
    viewer = _raster_viewer(sns)
    viewer.add_poi()
    poi = viewer.points[0]
    figure = show_poi(poi, panels=["spectrum"], slit=False)
    assert len(figure.axes) == 1
    np.testing.assert_array_equal(figure.axes[0].lines[0].get_ydata(), poi.spectrum)
    figure = show_poi(poi, panels=["xy_map", "slit_spectra"], colorbar=True)
    assert len(figure.axes) == 4
    np.testing.assert_array_equal(figure.axes[0].images[0].get_array(), poi.xy_map)
    with pytest.raises(IrispyPlusError, match="Unknown panel"):
        show_poi(poi, panels=["movie"])


def test_raster_slit_lands_on_the_slit_jaw_slit(sns, sji):
    raster = sns.cube("Si IV 1403")
    figure = sji_with_raster(sji, raster, step=100)
    frame = figure.irispy_frame
    offsets = np.abs((sji.time - raster.time[100]).to_value("s"))
    assert frame == int(np.argmin(offsets))
    _, slit = raster_outline(raster, sji, 100, frame)
    expected_x = SJIFrames(sji).slit_pixels()[frame, 0]
    assert np.all(np.abs(slit[:, 0] - expected_x) < 0.5)
    with pytest.raises(IrispyPlusError, match="outside the raster"):
        sji_with_raster(sji, raster, step=500)


def test_raster_field_on_a_raster_slit_jaw():
    raster = read_cube(sample.RASTER, "Si IV 1403")
    sji = read_cube(sample.SJI_1400)
    field, slit = raster_outline(raster, sji, 3, 0)
    # The field is a closed outline 8 steps wide and as long as the slit.
    assert field.shape == (2 * (8 + 109), 2)
    assert np.ptp(slit[:, 1]) > 50
