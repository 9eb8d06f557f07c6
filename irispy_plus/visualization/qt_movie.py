"""
A fast slit-jaw movie viewer on pyqtgraph (the ``qt`` extra).

Frames are read from the (lazy) cube one per paint, scaled to bytes between the clip
levels and shown through a 256-colour lookup table that holds the IRIS colour map and
the gamma, so a file larger than memory plays at hundreds of frames per second.

The Qt binding is pinned to PyQt6: pyqtgraph 0.14 with PySide6 crashed offscreen after
a few hundred repaints, PyQt6 did not.
"""

import os
from pathlib import Path
from typing import Any

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.logger import log
from irispy_plus.utils.optional import import_optional
from irispy_plus.visualization._scaling import ClipLevels, histo_opt
from irispy_plus.visualization._viewer import step_levels
from irispy_plus.visualization.colormaps import iris_colormap

__all__ = ["SJIMovieViewer", "sji_files", "sji_view"]

_MIN_FPS, _MAX_FPS = 1, 1000


def import_pyqtgraph():
    """
    Import pyqtgraph on the PyQt6 binding.

    Returns
    -------
    module
        pyqtgraph.

    Raises
    ------
    IrispyPlusError
        If pyqtgraph or PyQt6 is not installed.
    """
    os.environ["PYQTGRAPH_QT_LIB"] = "PyQt6"
    import_optional("PyQt6", "qt")
    return import_optional("pyqtgraph", "qt")


def sji_files(directory) -> list:
    """
    The slit-jaw files in a directory, sorted by name.

    Parameters
    ----------
    directory : str or path-like
        Where to look.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    IrispyPlusError
        If ``directory`` is not a directory.

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import sji_files
    >>> [path.name[-18:] for path in sji_files(sample.SNS_DIR)]
    ['SJI_1330_t000.fits', 'SJI_1400_t000.fits', 'SJI_2796_t000.fits', 'SJI_2832_t000.fits']
    """
    directory = Path(directory)
    if not directory.is_dir():
        msg = f"{directory} is not a directory: give the folder that holds the IRIS slit-jaw files."
        raise IrispyPlusError(msg)
    return sorted(path for path in directory.iterdir() if "_SJI_" in path.name and ".fits" in path.name)


def _color_table(cmap, gamma):
    positions = (np.arange(256) / 255.0) ** gamma
    return np.round(cmap(positions)[:, :3] * 255).astype(np.uint8)


class SJIMovieViewer:
    """
    The pyqtgraph slit-jaw movie viewer; see `sji_view`.

    Keys: space play/pause, left/right step, ``-``/``+`` slower/faster, ``u``/``i``
    lower/raise the low clip level, ``o``/``p`` the high one, ``q`` close.

    Attributes
    ----------
    widget : QWidget
        The window.
    image : pyqtgraph.ImageItem
        The frame shown (uint8 through the colour table).
    frame_index : int
    levels : ClipLevels
    fps : float
        Playing speed, frames per second.
    playing : bool
    """

    def __init__(self, cube, gamma: float = 1.0, cutoff: float = 1e-3, fps: float = 20.0):
        pg = import_pyqtgraph()
        from pyqtgraph.Qt import QtCore, QtWidgets

        if cube.data.ndim != 3:
            msg = "The movie viewer needs a (time, y, x) slit-jaw cube."
            raise IrispyPlusError(msg)
        self.app = pg.mkQApp("irispy-plus")
        self.cube = cube
        self.n_frames, self.ny, self.nx = cube.data.shape
        self.times = cube.time
        self.frame_index = 0
        self.fps = float(fps)
        self.playing = False
        self._work = np.empty((self.ny, self.nx), np.float32)
        self._byte_table = None
        first = self._read(0)
        self.levels = histo_opt(first, cutoff, gamma)
        self._cmap = iris_colormap(cube.meta.detector)

        viewer = self

        class _Window(QtWidgets.QWidget):
            def keyPressEvent(self, event):
                if not viewer.key(event.key(), event.text()):
                    super().keyPressEvent(event)

            def closeEvent(self, event):
                viewer.pause()
                super().closeEvent(event)

        self.widget = _Window()
        self.widget.setWindowTitle(f"{cube.meta.detector} {Path(cube.meta.filename or '').name}")
        self.widget.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        layout = QtWidgets.QVBoxLayout(self.widget)
        self.graphics = pg.GraphicsLayoutWidget()
        self.view = self.graphics.addViewBox(lockAspect=True, enableMenu=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        layout.addWidget(self.graphics)
        controls = QtWidgets.QHBoxLayout()
        self.play_button = QtWidgets.QPushButton("Play")
        self.play_button.clicked.connect(self.toggle)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, self.n_frames - 1)
        self.slider.valueChanged.connect(self.show_frame)
        self.speed = QtWidgets.QSpinBox()
        self.speed.setRange(_MIN_FPS, _MAX_FPS)
        self.speed.setSuffix(" fps")
        self.speed.setValue(int(self.fps))
        self.speed.valueChanged.connect(self.set_fps)
        self.label = QtWidgets.QLabel()
        for control in (self.play_button, self.slider, self.speed):
            control.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            controls.addWidget(control)
        controls.addWidget(self.label)
        layout.addLayout(controls)
        self.timer = QtCore.QTimer()
        self.timer.timeout.connect(self.step)
        self.set_gamma(gamma)
        self.show_frame(0, force=True)
        self.view.autoRange(padding=0)

    def _read(self, index):
        if hasattr(self.cube, "read_data"):
            return self.cube.read_data(index, mask=False)
        frame = self.cube.data[index]
        if hasattr(frame, "compute"):
            frame = frame.compute(scheduler="synchronous")
        return np.asarray(frame)

    def _frame_bytes(self, index):
        """
        Frame ``index`` as display bytes. Files of int16 (the archive's) go through a
        lookup table of all 65536 stored values: one pass, no float image.
        """
        raw = self.cube.read_raw(index) if hasattr(self.cube, "read_raw") else None
        if raw is None:
            return self.levels.to_bytes(self._read(index), out=self._work)
        values, bscale, bzero = raw
        key = (self.levels.low, self.levels.high, bscale, bzero)
        if self._byte_table is None or self._byte_table[0] != key:
            stored = np.arange(-32768, 32768, dtype=np.float32) * np.float32(bscale) + np.float32(bzero)
            self._byte_table = (key, self.levels.to_bytes(stored))
        # int16 -> 0..65535 by flipping the sign bit: the table's index of each value.
        return np.take(self._byte_table[1], values.view(np.uint16) ^ np.uint16(0x8000))

    def show_frame(self, index, force=False):
        """
        Read frame ``index`` from the cube and show it.
        """
        index = int(index) % self.n_frames
        if index == self.frame_index and not force:
            return
        self.frame_index = index
        self.image.setImage(self._frame_bytes(index), autoLevels=False, levels=(0, 255))
        self.label.setText(f"{index + 1}/{self.n_frames} {self.times[index].isot[:22]}")
        if self.slider.value() != index:
            self.slider.blockSignals(True)
            self.slider.setValue(index)
            self.slider.blockSignals(False)

    def step(self, delta=1):
        """
        Show the frame ``delta`` frames on (wrapping around).
        """
        self.show_frame(self.frame_index + delta)

    def play(self):
        """
        Start playing.
        """
        self.playing = True
        self.play_button.setText("Pause")
        self.timer.start(max(round(1000.0 / self.fps), 1))

    def pause(self):
        """
        Stop playing.
        """
        self.playing = False
        self.play_button.setText("Play")
        self.timer.stop()

    def toggle(self):
        """
        Play or pause.
        """
        self.pause() if self.playing else self.play()

    def set_fps(self, fps):
        """
        Set the playing speed in frames per second.
        """
        self.fps = float(min(max(fps, _MIN_FPS), _MAX_FPS))
        if self.speed.value() != int(self.fps):
            self.speed.setValue(int(self.fps))
        if self.playing:
            self.timer.setInterval(max(round(1000.0 / self.fps), 1))

    def set_levels(self, low, high):
        """
        Set the clip levels and redraw.
        """
        self.levels = ClipLevels(float(low), float(high), self.levels.gamma)
        self.show_frame(self.frame_index, force=True)

    def set_gamma(self, gamma):
        """
        Set the display gamma (the colour table changes, not the frames).
        """
        self.levels = ClipLevels(self.levels.low, self.levels.high, float(gamma))
        self.image.setLookupTable(_color_table(self._cmap, self.levels.gamma))

    def key(self, key, text=""):
        """
        Act on a key press (Qt key code and its text); returns whether it was used.
        """
        from pyqtgraph.Qt import QtCore

        keys = QtCore.Qt.Key
        if key == keys.Key_Space:
            self.toggle()
        elif key == keys.Key_Left:
            self.step(-1)
        elif key == keys.Key_Right:
            self.step(1)
        elif text in ("+", "="):
            self.set_fps(self.fps * 2)
        elif text == "-":
            self.set_fps(self.fps / 2)
        elif text in ("u", "i", "o", "p"):
            self.set_levels(*step_levels(self.levels[:2], text))
        elif text == "q":
            self.widget.close()
        else:
            return False
        return True

    def show(self):
        """
        Show the window.
        """
        self.widget.resize(900, 800)
        self.widget.show()
        return self

    def exec(self):
        """
        Run the Qt event loop until the window closes (for scripts).
        """
        return self.app.exec()


def sji_view(cube: Any, gamma: float = 1.0, cutoff: float = 1e-3, fps: float = 20.0) -> SJIMovieViewer:
    """
    Play a slit-jaw cube as a movie in a pyqtgraph window.

    A lazily read cube is read one frame per paint, so files larger than memory play.
    From IPython, run ``%gui qt`` first; in a script, call ``.exec()`` on the result.
    The viewer takes cubes, not paths: read a file with `irispy_plus.read_cube`, or
    play it from a shell with ``irispy-plus view FILE``.

    Parameters
    ----------
    cube : IRISSJICube
        The slit-jaw series, e.g. ``irispy_plus.read_cube(path)``.
    gamma : float, optional
        Display gamma.
    cutoff : float, optional
        Fraction of pixels clipped at each end (see `histo_opt`).
    fps : float, optional
        Playing speed.

    Returns
    -------
    SJIMovieViewer
        The viewer, shown.

    Raises
    ------
    IrispyPlusError
        If ``cube`` is a path or not a slit-jaw series, or pyqtgraph/PyQt6 is not
        installed.

    Examples
    --------
    >>> import os
    >>> os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # doctest: +ELLIPSIS
    '...'
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import sji_view
    >>> viewer = sji_view(read_cube(sample.SNS_SJI_1400), gamma=0.7)
    >>> viewer.step(); viewer.frame_index
    1
    >>> viewer.widget.close()
    True
    """
    if isinstance(cube, str | os.PathLike):
        msg = (
            f"sji_view plays a slit-jaw cube, not a file: pass irispy_plus.read_cube({str(cube)!r}), "
            "or play the file from a shell with irispy-plus view FILE."
        )
        raise IrispyPlusError(msg)
    if not hasattr(cube, "band"):
        msg = f"sji_view plays IRIS slit-jaw (SJI) cubes; this is not one: {type(cube).__name__}."
        raise IrispyPlusError(msg)
    log.debug("Playing %s, %s frames", getattr(cube.meta, "filename", None), cube.data.shape[0])
    return SJIMovieViewer(cube, gamma=gamma, cutoff=cutoff, fps=fps).show()
