"""
The pyqtgraph movie viewer: a real Qt widget (offscreen), real key and mouse clicks.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from irispy_plus import read_cube
from irispy_plus.cli import main
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization import ClipLevels, sji_files, sji_view

pytest.importorskip("pyqtgraph")
pytest.importorskip("PyQt6")


@pytest.fixture
def movie(sji):
    viewer = sji_view(sji, gamma=0.7, cutoff=0.01)
    yield viewer
    viewer.widget.close()


def _bytes(cube, index, levels):
    return levels.to_bytes(np.asarray(cube.data[index], dtype=np.float32))


def test_binding_is_pyqt6(movie):
    from pyqtgraph.Qt import QT_LIB

    assert QT_LIB == "PyQt6"


def test_keys_step_play_and_contrast(movie, sji):
    from pyqtgraph.Qt import QtCore, QtTest

    keys = QtCore.Qt.Key
    assert sji.is_lazy
    QtTest.QTest.keyClick(movie.widget, keys.Key_Right)
    QtTest.QTest.keyClick(movie.widget, keys.Key_Right)
    QtTest.QTest.keyClick(movie.widget, keys.Key_Left)
    assert movie.frame_index == 1
    np.testing.assert_array_equal(movie.image.image, _bytes(sji, 1, movie.levels))
    assert movie.slider.value() == 1
    low, high = movie.levels[:2]
    QtTest.QTest.keyClick(movie.widget, keys.Key_I)
    QtTest.QTest.keyClick(movie.widget, keys.Key_P)
    assert movie.levels.low > low
    assert movie.levels.high > high
    assert movie.levels.gamma == 0.7
    np.testing.assert_array_equal(movie.image.image, _bytes(sji, 1, movie.levels))
    QtTest.QTest.keyClick(movie.widget, keys.Key_Plus)
    assert movie.fps == 40
    QtTest.QTest.keyClick(movie.widget, keys.Key_Space)
    assert movie.playing
    assert movie.timer.interval() == 25
    for _ in range(3):
        movie.timer.timeout.emit()
    assert movie.frame_index == 4
    QtTest.QTest.mouseClick(movie.play_button, QtCore.Qt.MouseButton.LeftButton)
    assert not movie.playing
    assert sji.is_lazy  # frames were read one by one, the cube stayed on disk


def test_slider_and_repaint(movie, sji):
    movie.widget.resize(400, 400)
    movie.slider.setValue(30)
    assert movie.frame_index == 30
    assert "2021-09-05T" in movie.label.text()
    movie.widget.repaint()
    picture = movie.graphics.grab().toImage()
    assert picture.width() > 100
    colours = {
        picture.pixel(x, y) for x in range(0, picture.width(), 17) for y in range(0, picture.height(), 17)
    }
    assert len(colours) > 5  # a frame was painted, not a blank widget


def test_color_table_holds_gamma(movie):
    movie.set_gamma(0.5)
    table = movie.image.lut
    assert table.shape == (256, 3)
    # Mid-grey input goes to the colour map at sqrt(0.5) with gamma 0.5.
    expected = np.round(movie._cmap(0.5**0.5)[:3] * np.array(255.0))
    np.testing.assert_allclose(table[128], expected, atol=2)


def test_sji_files_and_errors(tmp_path):
    assert [path.name for path in sji_files(sample.SNS_DIR)] == sorted(
        path.name for path in sample.SNS_DIR.glob("*SJI*")
    )
    with pytest.raises(IrispyPlusError, match="not a directory"):
        sji_files(tmp_path / "missing")
    with pytest.raises(IrispyPlusError, match=r"not a file: pass irispy_plus.read_cube"):
        sji_view(sample.SNS_SJI_1400)
    with pytest.raises(IrispyPlusError, match=r"this is not one: IRISSpectrogramCube"):
        sji_view(read_cube(sample.SNS_RASTER, "Si IV 1403"))


def test_cli_view_runs_until_the_window_closes(capsys):
    import pyqtgraph as pg
    from pyqtgraph.Qt import QtCore

    app = pg.mkQApp()
    QtCore.QTimer.singleShot(200, app.closeAllWindows)
    assert main(["view", str(sample.SJI_1400), "-g", "0.5", "-c", "0.01"]) == 0
    assert "2 frames" in capsys.readouterr().out


def test_clip_levels_type(movie):
    assert isinstance(movie.levels, ClipLevels)


def test_int16_frames_go_through_the_byte_table(tmp_path):
    from irispy_plus.testing.files import write_int16_copy

    cube = read_cube(write_int16_copy(sample.SNS_SJI_1400, tmp_path / sample.SNS_SJI_1400.name))
    viewer = sji_view(cube)
    try:
        for index in (0, 7, 40):
            expected = viewer.levels.to_bytes(cube.read_data(index, mask=False))
            np.testing.assert_array_equal(viewer._frame_bytes(index), expected)
        viewer.set_levels(viewer.levels.low + 5, viewer.levels.high - 5)
        expected = viewer.levels.to_bytes(cube.read_data(3, mask=False))
        np.testing.assert_array_equal(viewer._frame_bytes(3), expected)
    finally:
        viewer.widget.close()
