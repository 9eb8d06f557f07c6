"""
The slit-jaw viewer on the bundled sample: time bar, keys, slit line, points of interest.
"""

import numpy as np
import pytest

from irispy_plus.testing.viewer_events import pointer, press
from irispy_plus.visualization import SJIQuickLookSettings, histo_opt, sji_quick_look


@pytest.fixture
def viewer(sji):
    view = sji_quick_look(sji, settings=SJIQuickLookSettings())
    view.canvas.draw()
    return view


def _frame(cube, index):
    values = np.asarray(cube.data[index], dtype=np.float32)
    return np.where(values == -200, np.nan, values)


def test_time_bar_and_arrows(viewer, sji):
    pointer(viewer, "time", 20, 0.5)
    assert viewer.frame_index == 20
    np.testing.assert_array_equal(viewer.image.get_array(), _frame(sji, 20))
    assert viewer.time_marker.get_xdata()[0] == 20
    assert sji.time[20].isot[:19] in viewer.axes["frame"].get_title()
    press(viewer, "right")
    press(viewer, "right")
    press(viewer, "left")
    assert viewer.frame_index == 21
    pointer(viewer, "time", 3, 0.5, name="button_press_event", button=1)
    assert viewer.frame_index == 3


def test_pointer_in_frame_updates_title(viewer):
    pointer(viewer, "frame", 10, 12)
    assert viewer.pointer == (10, 12)
    assert "(pixel 10, 12)" in viewer.axes["frame"].get_title()


def test_slit_line_from_aux(viewer, sji):
    assert not viewer.slit_line.get_visible()
    press(viewer, "v")
    assert viewer.slit_line.get_visible()
    assert viewer.slit_line.get_linewidth() == 0.8
    # The sample is resampled to every 10th pixel: SLTPX1IX (1-based, full resolution)
    # scales with it.
    expected = (sji.meta.aux["SLTPX1IX"][0] - 1) / 10
    assert viewer.slit_line.get_xdata()[0] == pytest.approx(expected)
    press(viewer, "V")
    assert viewer.slit_line.get_linewidth() == 3.0
    press(viewer, "V")
    assert not viewer.slit_line.get_visible()


def test_animation_loops_over_zoomed_time_range(viewer):
    viewer.axes["time"].set_xlim(9.5, 12.5)
    assert viewer.time_range() == (10, 12)
    press(viewer, " ")
    assert viewer.animating == "time"
    frames = []
    for _ in range(5):
        viewer.tick()
        frames.append(viewer.frame_index)
    assert frames == [10, 11, 12, 10, 11]
    press(viewer, "-")
    assert viewer.interval == 200
    press(viewer, " ")
    assert viewer.animating is None


def test_contrast_reset_and_points(viewer):
    low, high = viewer.image.get_clim()
    press(viewer, "i")
    press(viewer, "o")
    assert viewer.image.get_clim()[0] > low
    assert viewer.image.get_clim()[1] < high
    viewer.axes["frame"].set_xlim(5, 20)
    press(viewer, "a")
    press(viewer, "right")
    press(viewer, "a")
    assert [poi.pixel["frame"] for poi in viewer.points] == [0, 1]
    assert viewer.points[0].display["limits"]["frame"][:2] == [5, 20]
    press(viewer, "H")
    expected = histo_opt(viewer.frames.frame(1))
    assert viewer.image.get_clim() == pytest.approx((expected.low, expected.high))
    assert viewer.axes["frame"].get_xlim() == (-0.5, 36.5)
    press(viewer, "t")  # wraps to the first point
    assert viewer.frame_index == 0
    assert viewer.axes["frame"].get_xlim() == (5, 20)
    press(viewer, "e")
    assert len(viewer.points) == 1
    assert viewer.points[0].kind == "sji"


def test_settings_survive(sji):
    first = sji_quick_look(sji, slit="thick")
    press(first, "right")
    press(first, "q")
    second = sji_quick_look(sji)
    assert second.frame_index == 1
    assert second.slit_line.get_linewidth() == 3.0
