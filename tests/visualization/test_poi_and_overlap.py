"""
A point of interest shown with fewer panels, and a slit-jaw frame with a raster of another
observation.
"""

import pytest

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusUserWarning
from irispy_plus.visualization import (
    RasterQuickLookSettings,
    build_figure,
    quick_look,
    show_poi,
    sji_with_raster,
)


@pytest.fixture
def viewer(sns):
    viewer = quick_look(sns, settings=RasterQuickLookSettings(figsize=(13, 4.8)), window="Si IV 1403")
    viewer.move(step=60, slit=25, wave=12)
    viewer.add_poi()
    yield viewer
    viewer.quit()


@pytest.fixture
def point(viewer):
    return viewer.points[0]


def test_one_panel_show_poi_is_sized_to_its_panel(viewer, point):
    assert point.display["figsize"] == [13, 4.8]
    width, height = show_poi(point, panels=["xy_map"]).get_size_inches()
    assert width < 6
    assert height == pytest.approx(4.8)
    width, _ = show_poi(point, panels=["xy_map", "spectrum"]).get_size_inches()
    assert 8 < width < 9
    width, _ = show_poi(point).get_size_inches()
    assert width == pytest.approx(13)
    # build_figure, which draws into its own figure, sizes it the same way.
    assert build_figure(viewer, panels=["spectrum"]).get_size_inches()[0] < 6
    assert build_figure(viewer).get_size_inches()[0] == pytest.approx(13)


def test_panels_given_as_a_string_are_refused_clearly(point):
    with pytest.raises(IrispyPlusError, match=r"give a list of panels, e.g. \['xy_map'\]"):
        show_poi(point, panels="xy_map")


def test_a_raster_of_another_day_on_a_slit_jaw_warns():
    raster = read_cube(sample.RASTER, "Si IV 1403")  # 2014-03-29
    sji = read_cube(sample.SJI_1400)  # 2023-04-08
    with pytest.warns(IrispyPlusUserWarning) as record:
        figure = sji_with_raster(sji, raster, step=3)
    messages = [str(w.message) for w in record]
    assert any("outside the time range of the SJI_1400 series" in m and "days away" in m for m in messages)
    assert any("lies outside SJI_1400 frame" in m for m in messages)
    assert figure.irispy_frame == 0


def test_the_same_observation_draws_without_a_warning(sns, sji):
    # filterwarnings = error: any warning would fail this test.
    figure = sji_with_raster(sji, sns.cube("Si IV 1403"), step=30)
    assert figure.irispy_frame == 10
