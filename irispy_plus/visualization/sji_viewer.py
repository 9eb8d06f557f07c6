"""
The slit-jaw quick-look viewer: one frame with a time bar below.

`sji_quick_look` opens it on an `~irispy_plus.cubes.IRISSJICube`; frames are read one at
a time as they are shown.
"""

import math
from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization._axes import world_ticks
from irispy_plus.visualization._scaling import ClipLevels, histo_opt
from irispy_plus.visualization._settings import apply_start, settings_for
from irispy_plus.visualization._sji_data import SJIFrames
from irispy_plus.visualization._viewer import Viewer, step_levels
from irispy_plus.visualization.colormaps import iris_colormap
from irispy_plus.visualization.poi import PointOfInterest

__all__ = ["SLIT_WIDTHS", "SJIQuickLook", "SJIQuickLookSettings", "sji_quick_look"]

#: Line width of the slit line for each setting of ``slit``.
SLIT_WIDTHS = {"off": 0.0, "thin": 0.8, "thick": 3.0}

HELP = """\
Slit-jaw quick look: hover over or drag along the time bar to move in time.
  space      start/stop the movie (over the time bar's visible range: zoom into it to loop)
  - / +      slower / faster
  left/right previous / next frame
  v / V      thin / thick slit line on or off
  H          reset zoom, time range and contrast
  u / i      lower / raise the low contrast limit
  o / p      lower / raise the high contrast limit
  a          add a point of interest
  e / r / t  erase the current point of interest / return to the previous / go to the next
  ? or /     this help
  q          quit"""


@dataclass
class SJIQuickLookSettings:
    """
    The start state of the slit-jaw viewer, kept up to date by it.

    Attributes
    ----------
    frame : int or None
        The frame shown.
    clip : list or None
        ``[low, high]``, set by the contrast keys (histogram optimised while None).
    limits : dict
        ``"frame"`` -> ``[x0, x1, y0, y1]`` and ``"time"`` -> ``[first, last]`` (pixels).
    cmap : str or None
        Colour map name; the band's IRIS map by default.
    gamma, cutoff : float
        For `histo_opt` and the display.
    figsize : tuple
        Figure size in inches.
    slit : str
        ``"off"``, ``"thin"`` or ``"thick"``.
    interval : float
        Milliseconds between movie frames.

    Examples
    --------
    Start the viewer in a given state (any of these can also be given to
    `sji_quick_look` as keywords):

    >>> import matplotlib.pyplot as plt
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import SJIQuickLookSettings, sji_quick_look
    >>> settings = SJIQuickLookSettings(frame=3, slit="thick", cmap="gray")
    >>> viewer = sji_quick_look(read_cube(sample.SNS_SJI_1400), settings=settings)
    >>> viewer.settings is settings, viewer.frame_index, viewer.image.get_cmap().name
    (True, 3, 'gray')
    >>> viewer.quit()
    >>> plt.close("all")
    """

    frame: int | None = None
    clip: list | None = None
    limits: dict = field(default_factory=dict)
    cmap: str | None = None
    gamma: float = 1.0
    cutoff: float = 1e-3
    figsize: tuple = (7.0, 7.5)
    slit: str = "off"
    interval: float = 100.0


class SJIQuickLook(Viewer):
    """
    The slit-jaw viewer; see `sji_quick_look`.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSJICube
        The slit-jaw series, (time, y, x).
    settings : SJIQuickLookSettings, optional
        The start state; by default the one kept for ``cube``.
    **start
        Settings to change first (the fields of `SJIQuickLookSettings`).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The viewer's figure.
    axes : dict
        ``"frame"`` and ``"time"`` axes.
    image : matplotlib.image.AxesImage
        The frame shown.
    frame_index : int
        The index of the frame shown.
    points : list of PointOfInterest
        The points of interest added (``a``).
    settings : SJIQuickLookSettings
        The state kept between calls.

    Examples
    --------
    `sji_quick_look` makes one; its methods are what the keys and the pointer do:

    >>> import matplotlib.pyplot as plt
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import sji_quick_look
    >>> viewer = sji_quick_look(read_cube(sample.SNS_SJI_1400))
    >>> type(viewer).__name__, sorted(viewer.axes)
    ('SJIQuickLook', ['frame', 'time'])
    >>> viewer.show_frame(7)
    >>> viewer.frame_index, viewer.image.get_array().shape
    (7, (40, 37))
    >>> viewer.snapshot().kind
    'sji'
    >>> viewer.quit()
    >>> plt.close("all")
    """

    help_text = HELP

    def __init__(self, cube, settings=None, **start):
        self.settings = settings_for(cube, SJIQuickLookSettings) if settings is None else settings
        apply_start(self.settings, start, "sji_quick_look")
        if self.settings.slit not in SLIT_WIDTHS:
            msg = f"slit must be one of {list(SLIT_WIDTHS)}, got {self.settings.slit!r}."
            raise IrispyPlusError(msg)
        self.frames = SJIFrames(cube)
        super().__init__(self.settings.figsize, self.settings.interval)
        frame = self.settings.frame
        self.frame_index = 0 if frame is None else min(max(int(frame), 0), self.frames.n_frames - 1)
        self.pointer = (self.frames.nx // 2, self.frames.ny // 2)
        self._slits = self.frames.slit_pixels()
        self._build()
        self.keys = self._key_map()
        self._connections += [
            self.canvas.mpl_connect("motion_notify_event", self._on_move),
            self.canvas.mpl_connect("button_press_event", self._on_move),
        ]
        self.redraw()

    def _build(self):
        frames, settings = self.frames, self.settings
        grid = self.figure.add_gridspec(2, 1, height_ratios=[12, 1], hspace=0.35)
        self.axes = {"frame": self.figure.add_subplot(grid[0]), "time": self.figure.add_subplot(grid[1])}
        image = frames.frame(self.frame_index)
        levels = self._levels(image)
        self.image = self.axes["frame"].imshow(
            image,
            origin="lower",
            interpolation="nearest",
            cmap=settings.cmap or iris_colormap(frames.band),
            norm=levels.norm(),
        )
        world_ticks(
            self.axes["frame"].xaxis, frames.x_axis(self.frame_index), "Helioprojective longitude [arcsec]"
        )
        world_ticks(
            self.axes["frame"].yaxis, frames.y_axis(self.frame_index), "Helioprojective latitude [arcsec]"
        )
        self.slit_line = self.axes["frame"].axvline(0, color="white", alpha=0.8)
        time_ax = self.axes["time"]
        time_ax.vlines(np.arange(frames.n_frames), 0, 1, color="0.6", lw=0.5)
        time_ax.set_yticks([])
        time_ax.set_ylim(0, 1)
        world_ticks(time_ax.xaxis, frames.seconds, f"Time [s] after {frames.times[0].isot[:19]}")
        self.time_marker = time_ax.axvline(self.frame_index, color="C3", lw=2)
        self.animate(self.image, self.slit_line, self.time_marker, self.axes["frame"].title)
        self._apply_limits()
        self._update_artists()

    def _key_map(self):
        keys = {
            " ": lambda e: self.toggle_animation("time"),
            "-": lambda e: self.change_speed(False),
            "+": lambda e: self.change_speed(True),
            "=": lambda e: self.change_speed(True),
            "left": lambda e: self.show_frame(self.frame_index - 1),
            "right": lambda e: self.show_frame(self.frame_index + 1),
            "v": lambda e: self.toggle_slit("thin"),
            "V": lambda e: self.toggle_slit("thick"),
            "H": lambda e: self.reset(),
            "a": lambda e: self.add_poi(),
            "e": lambda e: self.erase_poi(),
            "r": lambda e: self.goto_poi(-1),
            "t": lambda e: self.goto_poi(1),
            "?": self.show_help,
            "/": self.show_help,
            "q": self.quit,
        }
        for name in "uiop":
            keys[name] = lambda e, k=name: self.contrast(k)
        return keys

    def _levels(self, image):
        clip = self.settings.clip
        if clip is None:
            return histo_opt(image, self.settings.cutoff, self.settings.gamma)
        return ClipLevels(clip[0], clip[1], self.settings.gamma)

    def _full_limits(self):
        return {
            "frame": [-0.5, self.frames.nx - 0.5, -0.5, self.frames.ny - 0.5],
            "time": [-0.5, self.frames.n_frames - 0.5],
        }

    def _apply_limits(self):
        limits = {**self._full_limits(), **self.settings.limits}
        self.axes["frame"].set_xlim(limits["frame"][:2])
        self.axes["frame"].set_ylim(limits["frame"][2:])
        self.axes["time"].set_xlim(limits["time"])

    def _title(self):
        frames, index = self.frames, self.frame_index
        x, y = self.pointer
        lon, lat = frames.world(index, x, y)
        return (
            f"{frames.band} {frames.times[index].isot[:22]} ({index + 1}/{frames.n_frames})\n"
            f'x {lon:.1f}", y {lat:.1f}" (pixel {x}, {y})'
        )

    def _update_artists(self):
        slit_x = self._slits[self.frame_index, 0]
        width = SLIT_WIDTHS[self.settings.slit]
        self.slit_line.set_visible(width > 0 and np.isfinite(slit_x))
        if np.isfinite(slit_x):
            self.slit_line.set_xdata([slit_x, slit_x])
        self.slit_line.set_linewidth(width)
        self.time_marker.set_xdata([self.frame_index, self.frame_index])
        self.axes["frame"].set_title(self._title(), fontsize="medium")

    # Moving ----------------------------------------------------------------------------
    def show_frame(self, index):
        """
        Show frame ``index`` (clipped to the cube): reads that one frame.
        """
        index = min(max(int(index), 0), self.frames.n_frames - 1)
        if index != self.frame_index:
            self.frame_index = index
            self.image.set_data(self.frames.frame(index))
        self._update_artists()
        self.refresh()

    def _on_move(self, event):
        if event.inaxes is None or event.xdata is None or self.toolbar_busy():
            return
        if event.inaxes is self.axes["time"]:
            self.show_frame(round(event.xdata))
        elif event.inaxes is self.axes["frame"]:
            x = min(max(round(event.xdata), 0), self.frames.nx - 1)
            y = min(max(round(event.ydata), 0), self.frames.ny - 1)
            self.pointer = (x, y)
            self._update_artists()
            self.refresh()

    def time_range(self):
        """
        The frames the movie loops over: those inside the time bar's visible range.
        """
        low, high = self.axes["time"].get_xlim()
        first = max(math.ceil(min(low, high)), 0)
        last = min(math.floor(max(low, high)), self.frames.n_frames - 1)
        return (first, last) if first <= last else (0, self.frames.n_frames - 1)

    def _animation_step(self, panel):
        first, last = self.time_range()
        following = self.frame_index + 1
        self.show_frame(following if first <= following <= last else first)

    # Keys ------------------------------------------------------------------------------
    def toggle_slit(self, width):
        """
        Show the slit line with ``width`` (``"thin"`` or ``"thick"``), or hide it if it
        already shows with that width.
        """
        self.settings.slit = "off" if self.settings.slit == width else width
        self._update_artists()
        self.refresh()

    def contrast(self, key):
        """
        Step a contrast limit (``u``, ``i``, ``o``, ``p``).
        """
        low, high = step_levels(self.image.get_clim(), key)
        self.settings.clip = [low, high]
        self.image.set_norm(ClipLevels(low, high, self.settings.gamma).norm())
        self.refresh()

    def reset(self):
        """
        Show the whole frame and time range with histogram-optimised contrast.
        """
        self.settings.clip = None
        self.settings.limits = {}
        self.image.set_norm(self._levels(self.frames.frame(self.frame_index)).norm())
        self._apply_limits()
        self.redraw()

    def build_figure(self, filename=None, **options):
        """
        Draw what the viewer shows into a new figure, and write it to ``filename``.

        See `irispy_plus.visualization.build_figure` for the options.
        """
        from irispy_plus.visualization.figures import build_figure

        return build_figure(self, filename=filename, **options)

    # Points of interest ------------------------------------------------------------------
    def snapshot(self):
        """
        What the viewer shows, as a point of interest.

        Returns
        -------
        PointOfInterest
        """
        frames, index = self.frames, self.frame_index
        x, y = self.pointer
        lon, lat = frames.world(index, x, y)
        frame_ax = self.axes["frame"]
        return PointOfInterest(
            kind="sji",
            window=frames.band,
            pixel={"frame": int(index), "x": int(x), "y": int(y)},
            world={"Tx": lon * u.arcsec, "Ty": lat * u.arcsec},
            time=frames.times[index],
            axes={"x": frames.x_axis(index) * u.arcsec, "y": frames.y_axis(index) * u.arcsec},
            frame=frames.frame(index).copy(),
            unit=str(frames.unit),
            display={
                "cmap": self.image.get_cmap().name,
                "gamma": float(self.settings.gamma),
                "clip": {"frame": [float(v) for v in self.image.get_clim()]},
                "limits": {"frame": [float(v) for v in (*frame_ax.get_xlim(), *frame_ax.get_ylim())]},
                "titles": {"frame": self._title()},
                "labels": {
                    "x": "Helioprojective longitude [arcsec]",
                    "y": "Helioprojective latitude [arcsec]",
                },
                "slit_pixel": [float(v) for v in self._slits[index]],
                "slit_width": SLIT_WIDTHS[self.settings.slit] or SLIT_WIDTHS["thin"],
                "figsize": list(self.settings.figsize),
            },
            label=frames.band,
        )

    def add_poi(self):
        """
        Keep what is shown as a point of interest.
        """
        self._keep_poi(self.snapshot())

    def goto_poi(self, delta):
        """
        Show the previous (-1, ``r``) or next (+1, ``t``) point of interest as it was.
        """
        poi = self._step_poi(delta)
        if poi is None:
            return
        self.pointer = (poi.pixel["x"], poi.pixel["y"])
        self.settings.clip = list(poi.display["clip"]["frame"])
        self.image.set_norm(self._levels(poi.frame).norm())
        self.settings.limits["frame"] = list(poi.display["limits"]["frame"])
        self._apply_limits()
        self.show_frame(poi.pixel["frame"])
        self.redraw()

    def _after_key(self):
        settings = self.settings
        settings.frame = int(self.frame_index)
        frame_ax, time_ax = self.axes["frame"], self.axes["time"]
        settings.limits = {
            "frame": [float(v) for v in (*frame_ax.get_xlim(), *frame_ax.get_ylim())],
            "time": [float(v) for v in time_ax.get_xlim()],
        }
        settings.interval = self.interval


def sji_quick_look(cube, settings: SJIQuickLookSettings | None = None, **start) -> SJIQuickLook:
    """
    Look through a slit-jaw series: the frame, with a time bar to move in time.

    Hover over or drag along the time bar to change frame; zoom into it (toolbar) to
    loop the movie over part of the series. Press ``?`` for the keys. Frames are read
    from the file one at a time; the start state is kept per cube between calls.

    Parameters
    ----------
    cube : IRISSJICube
        The slit-jaw series.
    settings : SJIQuickLookSettings, optional
        The start state to use (and update); the one kept for ``cube`` by default.
    **start
        Settings to change before starting, e.g. ``frame=10``, ``slit="thin"``,
        ``gamma=0.5``, ``cmap="gray"``.

    Returns
    -------
    SJIQuickLook
        The viewer; in a script, call ``matplotlib.pyplot.show()`` to interact.

    Raises
    ------
    IrispyPlusError
        If the cube is not (time, y, x) or a setting is unknown.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import sji_quick_look
    >>> viewer = sji_quick_look(read_cube(sample.SNS_SJI_1400), slit="thin")
    >>> viewer.show_frame(5)
    >>> viewer.frame_index, viewer.image.get_array().shape
    (5, (40, 37))
    >>> viewer.quit()
    """
    return SJIQuickLook(cube, settings=settings, **start)
