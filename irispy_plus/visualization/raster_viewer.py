"""
The raster quick-look viewer: XY map, slit spectra and spectrum, linked by the pointer.

`quick_look` opens it on a `~irispy_plus.cubes.RasterCollection`, one window
(`~irispy_plus.cubes.IRISSpectrogramCube`) or a raster series
(`~irispy_plus.cubes.IRISRasterSequence`). Only what is shown is read from the files.
"""

from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization._axes import world_ticks
from irispy_plus.visualization._raster_data import windows_of
from irispy_plus.visualization._scaling import ClipLevels, histo_opt
from irispy_plus.visualization._settings import apply_start, settings_for
from irispy_plus.visualization._viewer import Viewer, step_levels
from irispy_plus.visualization.colormaps import iris_colormap
from irispy_plus.visualization.poi import RASTER_PANELS, PointOfInterest

__all__ = ["ASPECTS", "RasterQuickLook", "RasterQuickLookSettings", "quick_look"]

#: The XY-map aspect choices that ``y`` cycles through: true sky scale, fill the panel,
#: square pixels.
ASPECTS = ("world", "auto", "pixel")

HELP = """\
Raster quick look: the pointer moves the point in every panel.
  space    start/stop animation in the panel under the pointer
           (steps or time in the XY map, along the slit, along wavelength)
  - / +    slower / faster
  arrows   move the point one pixel (alt+arrow: 5 pixels)
  z / x    wavelength down / up one pixel (Z / X: 5 pixels)
  n / m    previous / next window;  N / M keeping the zoomed region
  v        fit the shared axes of the other panels to this panel's zoom
  h / H    reset this panel / all panels
  y        cycle the XY-map aspect (sky scale, fill, square pixels)
  Y        titles with acquisition number or date and time
  u / i    lower / raise the low contrast limit (spectrum: y axis)
  o / p    lower / raise the high contrast limit (spectrum: y axis)
  a / A    add a point of interest (A: in every window)
  e / r / t  erase the current point of interest / return to the previous / go to the next
  d        drop this window from the viewer
  ? or /   this help
  q        quit"""


@dataclass
class RasterQuickLookSettings:
    """
    The start state of the raster viewer; the viewer keeps it up to date, so the next
    call on the same data starts where this one ended.

    Attributes
    ----------
    window : str or None
        The window shown.
    step, slit : int or None
        The point (step counted over all raster repeats, slit pixel).
    wavelength : dict
        Window label -> wavelength pixel.
    limits : dict
        Window label -> panel -> ``[x0, x1, y0, y1]`` (pixels; data values for the
        spectrum's y axis).
    clip : dict
        Window label -> panel -> ``[low, high]``, set with the contrast keys (histogram
        optimised while unset).
    cmap : str or None
        Colour map name; the IRIS map of the detector by default.
    gamma, cutoff : float
        For `histo_opt` and the display.
    figsize : tuple
        Figure size in inches.
    aspect : str
        One of `ASPECTS`.
    title_mode : str
        ``"number"`` or ``"time"``.
    interval : float
        Milliseconds between animation frames.

    Examples
    --------
    Start the viewer in a given state (any of these can also be given to `quick_look`
    as keywords):

    >>> import matplotlib.pyplot as plt
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import RasterQuickLookSettings, quick_look
    >>> observation = read_files(sample.RASTER, as_observation=True)
    >>> settings = RasterQuickLookSettings(window="Si IV 1403", step=2, slit=30, cmap="gray")
    >>> viewer = quick_look(observation, settings=settings)
    >>> viewer.settings is settings
    True
    >>> viewer.window.label, viewer.step, viewer.slit
    ('Si IV 1403', 2, 30)
    >>> viewer.images["xy_map"].get_cmap().name
    'gray'
    >>> viewer.quit()
    >>> plt.close("all")
    """

    window: str | None = None
    step: int | None = None
    slit: int | None = None
    wavelength: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)
    clip: dict = field(default_factory=dict)
    cmap: str | None = None
    gamma: float = 1.0
    cutoff: float = 1e-3
    figsize: tuple = (13.0, 4.8)
    aspect: str = "world"
    title_mode: str = "number"
    interval: float = 200.0


class RasterQuickLook(Viewer):
    """
    The raster viewer; see `quick_look`.

    Parameters
    ----------
    data : RasterCollection, IRISSpectrogramCube or IRISRasterSequence
        What to show.
    settings : RasterQuickLookSettings, optional
        The start state; by default the one kept for ``data``.
    **start
        Settings to change first (the fields of `RasterQuickLookSettings`).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The viewer's figure.
    axes, images : dict
        Panel name (``"xy_map"``, ``"slit_spectra"``, ``"spectrum"``) -> axes, and the
        two image artists.
    windows : list
        The windows still in the viewer (``d`` drops one).
    step, slit, wave : int
        The point: step (over all repeats), slit pixel, wavelength pixel.
    points : list of PointOfInterest
        The points of interest added (``a``, ``A``).
    settings : RasterQuickLookSettings
        The state kept between calls.

    Examples
    --------
    `quick_look` makes one; its methods are what the keys and the pointer do:

    >>> import matplotlib.pyplot as plt
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import quick_look
    >>> viewer = quick_look(read_files(sample.RASTER, as_observation=True), window="Si IV 1403")
    >>> type(viewer).__name__, sorted(viewer.axes)
    ('RasterQuickLook', ['slit_spectra', 'spectrum', 'xy_map'])
    >>> viewer.move(step=2, slit=30, wave=10)
    >>> viewer.step, viewer.slit, viewer.wave
    (2, 30, 10)
    >>> viewer.images["xy_map"].get_array().shape  # slit pixels x raster steps
    (109, 8)
    >>> viewer.snapshot().pixel  # what is shown, as a point of interest
    {'step': 2, 'slit': 30, 'wavelength': 10}
    >>> viewer.quit()
    >>> plt.close("all")
    """

    help_text = HELP

    def __init__(self, data, settings=None, **start):
        self.settings = settings_for(data, RasterQuickLookSettings) if settings is None else settings
        apply_start(self.settings, start, "quick_look")
        if self.settings.aspect not in ASPECTS:
            msg = f"aspect must be one of {ASPECTS}, got {self.settings.aspect!r}."
            raise IrispyPlusError(msg)
        self.windows = windows_of(data)
        super().__init__(self.settings.figsize, self.settings.interval)
        labels = [window.label for window in self.windows]
        self.index = labels.index(self.settings.window) if self.settings.window in labels else 0
        first = self.windows[self.index]
        self.step = _clamp(self.settings.step, first.n_steps, first.n_steps // 2)
        self.slit = _clamp(self.settings.slit, first.n_slit, first.n_slit // 2)
        self.wave = 0
        self._pointer_panel = "xy_map"
        self._build()
        self.keys = self._key_map()
        self._connections.append(self.canvas.mpl_connect("motion_notify_event", self._on_move))
        self.show_window()

    # Layout ----------------------------------------------------------------------------
    def _build(self):
        fig = self.figure
        grid = fig.add_gridspec(1, 3, width_ratios=[1.2, 1, 1], wspace=0.35)
        self.axes = {panel: fig.add_subplot(grid[0, i]) for i, panel in enumerate(RASTER_PANELS)}
        empty = np.zeros((2, 2))
        self.images = {
            panel: self.axes[panel].imshow(empty, origin="lower", aspect="auto", interpolation="nearest")
            for panel in ("xy_map", "slit_spectra")
        }
        (self.spectrum_line,) = self.axes["spectrum"].plot([0, 1], [0, 0], color="k", lw=1)
        style = {"color": "white", "lw": 0.7, "alpha": 0.8}
        self.cursors = {
            "xy_step": self.axes["xy_map"].axvline(0, **style),
            "xy_slit": self.axes["xy_map"].axhline(0, **style),
            "slit_slit": self.axes["slit_spectra"].axhline(0, **style),
            "slit_wave": self.axes["slit_spectra"].axvline(0, **style),
            "spectrum_wave": self.axes["spectrum"].axvline(0, color="C3", lw=0.8),
        }
        self.animate(*self.images.values(), self.spectrum_line, *self.cursors.values())
        self.animate(*(ax.title for ax in self.axes.values()))

    def _key_map(self):
        keys = {" ": lambda e: self.toggle_animation(self._panel(e))}
        keys.update({"-": lambda e: self.change_speed(False), "+": lambda e: self.change_speed(True)})
        keys["="] = keys["+"]
        for name, (d_step, d_slit) in {
            "left": (-1, 0),
            "right": (1, 0),
            "down": (0, -1),
            "up": (0, 1),
        }.items():
            keys[name] = lambda e, a=d_step, b=d_slit: self.move(self.step + a, self.slit + b)
            keys[f"alt+{name}"] = lambda e, a=d_step, b=d_slit: self.move(
                self.step + 5 * a, self.slit + 5 * b
            )
        for name, delta in {"z": -1, "x": 1, "Z": -5, "X": 5}.items():
            keys[name] = lambda e, d=delta: self.move(wave=self.wave + d)
        for name, (delta, keep) in {
            "n": (-1, False),
            "m": (1, False),
            "N": (-1, True),
            "M": (1, True),
        }.items():
            keys[name] = lambda e, d=delta, k=keep: self.change_window(d, keep_zoom=k)
        for name in "uiop":
            keys[name] = lambda e, k=name: self.contrast(self._panel(e), k)
        keys.update(
            {
                "v": lambda e: self.share_zoom(self._panel(e)),
                "h": lambda e: self.reset(self._panel(e)),
                "H": lambda e: self.reset(),
                "y": lambda e: self.cycle_aspect(),
                "Y": lambda e: self.toggle_titles(),
                "a": lambda e: self.add_poi(),
                "A": lambda e: self.add_poi(every_window=True),
                "e": lambda e: self.erase_poi(),
                "r": lambda e: self.goto_poi(-1),
                "t": lambda e: self.goto_poi(1),
                "d": lambda e: self.drop_window(),
                "?": self.show_help,
                "/": self.show_help,
                "q": self.quit,
            }
        )
        return keys

    def _panel(self, event):
        for panel, ax in self.axes.items():
            if event is not None and event.inaxes is ax:
                return panel
        return self._pointer_panel

    @property
    def window(self):
        """
        The window shown (a `~irispy_plus.visualization._raster_data.RasterWindow`).
        """
        return self.windows[self.index]

    # Showing ---------------------------------------------------------------------------
    def show_window(self):
        """
        Show the current window from scratch: images, world axes, limits, levels.
        """
        window, settings = self.window, self.settings
        self.step = _clamp(self.step, window.n_steps, window.n_steps // 2)
        self.slit = _clamp(self.slit, window.n_slit, window.n_slit // 2)
        self.wave = _clamp(settings.wavelength.get(window.label), window.n_wave, window.n_wave // 2)
        self._part = window.locate(self.step)[0]
        cmap = settings.cmap or iris_colormap(window.detector)
        xy, slit_image = self._xy_map(), window.slit_image(self.step)
        for panel, image in (("xy_map", xy), ("slit_spectra", slit_image)):
            artist = self.images[panel]
            artist.set_data(image)
            artist.set_extent((-0.5, image.shape[1] - 0.5, -0.5, image.shape[0] - 0.5))
            artist.set_cmap(cmap)
            artist.set_norm(self._levels(panel, image).norm())
        self._set_world_axes()
        spectrum = window.spectrum(self.step, self.slit)
        self.spectrum_line.set_data(np.arange(window.n_wave), spectrum)
        self._apply_limits()
        self._apply_aspect()
        self._update_artists()
        self.redraw()

    def _xy_map(self):
        return self.window.xy_map(self._part, self.wave)

    def _levels(self, panel, image):
        clip = self.settings.clip.get(self.window.label, {}).get(panel)
        if clip is None:
            return histo_opt(image, self.settings.cutoff, self.settings.gamma)
        return ClipLevels(clip[0], clip[1], self.settings.gamma)

    def _set_world_axes(self):
        window = self.window
        step_world, step_label = window.step_axis(self._part)
        slit_world = window.slit_axis(self._part)
        world_ticks(self.axes["xy_map"].xaxis, step_world, step_label)
        world_ticks(self.axes["xy_map"].yaxis, slit_world, "Helioprojective latitude [arcsec]")
        world_ticks(self.axes["slit_spectra"].xaxis, window.wavelength, "Wavelength [Å]")
        world_ticks(self.axes["slit_spectra"].yaxis, slit_world, "Helioprojective latitude [arcsec]")
        world_ticks(self.axes["spectrum"].xaxis, window.wavelength, "Wavelength [Å]")
        self.axes["spectrum"].set_ylabel(f"Intensity [{window.unit}]")

    def full_limits(self, panel):
        """
        The limits that show all of a panel: ``[x0, x1, y0, y1]``.
        """
        window = self.window
        if panel == "xy_map":
            n_steps = len(window.part_steps(self._part))
            return [-0.5, n_steps - 0.5, -0.5, window.n_slit - 0.5]
        if panel == "slit_spectra":
            return [-0.5, window.n_wave - 0.5, -0.5, window.n_slit - 0.5]
        levels = histo_opt(window.slit_image(self.step), self.settings.cutoff)
        margin = 0.05 * (levels.high - levels.low)
        return [0.0, window.n_wave - 1.0, levels.low - margin, levels.high + margin]

    def _apply_limits(self):
        stored = self.settings.limits.get(self.window.label, {})
        for panel, ax in self.axes.items():
            limits = stored.get(panel) or self.full_limits(panel)
            ax.set_xlim(limits[0], limits[1])
            ax.set_ylim(limits[2], limits[3])

    def _apply_aspect(self):
        aspect = {"world": self.window.pixel_aspect(self._part) or "auto", "auto": "auto", "pixel": 1.0}
        self.axes["xy_map"].set_aspect(aspect[self.settings.aspect])

    def _titles(self):
        window = self.window
        lon, lat, wavelength = window.world(self.step, self.slit, self.wave)
        part, local = window.locate(self.step)
        if self.settings.title_mode == "time":
            when = window.times[self.step].isot[:22]
        else:
            repeat = f", repeat {part}" if len(window.parts) > 1 else ""
            when = f"step {local}{repeat} ({self.step + 1}/{window.n_steps})"
        return {
            "xy_map": f"{window.label}: {wavelength:.3f} Å (pixel {self.wave})",
            "slit_spectra": when,
            "spectrum": f'x {lon:.1f}", y {lat:.1f}" (step {self.step}, slit {self.slit})',
        }

    def _update_artists(self):
        _, local = self.window.locate(self.step)
        self.cursors["xy_step"].set_xdata([local, local])
        self.cursors["xy_slit"].set_ydata([self.slit, self.slit])
        self.cursors["slit_slit"].set_ydata([self.slit, self.slit])
        self.cursors["slit_wave"].set_xdata([self.wave, self.wave])
        self.cursors["spectrum_wave"].set_xdata([self.wave, self.wave])
        for panel, title in self._titles().items():
            self.axes[panel].set_title(title, fontsize="medium")

    # Moving ----------------------------------------------------------------------------
    def move(self, step=None, slit=None, wave=None):
        """
        Move the point and update the panels: reads at most one slit image and one XY map.

        Parameters
        ----------
        step, slit, wave : int, optional
            The new step (over all repeats), slit pixel and wavelength pixel; clipped to
            the window.
        """
        window = self.window
        new_step = _clamp(step, window.n_steps, self.step)
        new_slit = _clamp(slit, window.n_slit, self.slit)
        new_wave = _clamp(wave, window.n_wave, self.wave)
        new_part = window.locate(new_step)[0]
        if new_part != self._part:
            self.step, self.slit = new_step, new_slit
            self.settings.wavelength[window.label] = new_wave
            self._part = new_part
            self.show_window()
            return
        if new_wave != self.wave:
            xy = window.xy_map(self._part, new_wave)
            self.images["xy_map"].set_data(xy)
            if self.settings.clip.get(window.label, {}).get("xy_map") is None:
                self.images["xy_map"].set_norm(self._levels("xy_map", xy).norm())
        if new_step != self.step:
            self.images["slit_spectra"].set_data(window.slit_image(new_step))
        self.step, self.slit, self.wave = new_step, new_slit, new_wave
        self.spectrum_line.set_ydata(window.spectrum(self.step, self.slit))
        self._update_artists()
        self.refresh()

    def _on_move(self, event):
        if event.inaxes is None or event.xdata is None or self.toolbar_busy():
            return
        panel = self._panel(event)
        self._pointer_panel = panel
        x, y = round(event.xdata), round(event.ydata)
        if panel == "xy_map":
            self.move(step=self.window.part_steps(self._part).start + x, slit=y)
        elif panel == "slit_spectra":
            self.move(slit=y, wave=x)
        else:
            self.move(wave=x)

    def _animation_step(self, panel):
        window = self.window
        if panel == "xy_map":
            self.move(step=(self.step + 1) % window.n_steps)
        elif panel == "slit_spectra":
            self.move(slit=(self.slit + 1) % window.n_slit)
        else:
            self.move(wave=(self.wave + 1) % window.n_wave)

    # Keys ------------------------------------------------------------------------------
    def change_window(self, delta, keep_zoom=False):
        """
        Show the previous (-1) or next (+1) window, optionally keeping the zoomed region
        of the XY map and the slit.
        """
        self._store()
        old = self.settings.limits.get(self.window.label, {})
        self.index = (self.index + delta) % len(self.windows)
        if keep_zoom:
            limits = self.settings.limits.setdefault(self.window.label, {})
            limits["xy_map"] = list(old["xy_map"])
            slit = limits.get("slit_spectra") or self.full_limits("slit_spectra")
            limits["slit_spectra"] = [*slit[:2], *old["xy_map"][2:]]
        self.show_window()

    def share_zoom(self, panel):
        """
        Give the other panels the zoom of ``panel`` along the axes they share (slit
        position between the maps, wavelength between slit spectra and spectrum).
        """
        xy, slit, spectrum = (self.axes[name] for name in RASTER_PANELS)
        if panel == "xy_map":
            slit.set_ylim(xy.get_ylim())
        elif panel == "slit_spectra":
            xy.set_ylim(slit.get_ylim())
            spectrum.set_xlim(slit.get_xlim())
        else:
            slit.set_xlim(spectrum.get_xlim())
        self.redraw()

    def reset(self, panel=None):
        """
        Show all of one panel (all panels if None) with histogram-optimised levels.
        """
        panels = RASTER_PANELS if panel is None else (panel,)
        clip = self.settings.clip.get(self.window.label, {})
        limits = self.settings.limits.get(self.window.label, {})
        for name in panels:
            clip.pop(name, None)
            limits.pop(name, None)
            full = self.full_limits(name)
            self.axes[name].set_xlim(full[:2])
            self.axes[name].set_ylim(full[2:])
            if name in self.images:
                image = self.images[name].get_array()
                self.images[name].set_norm(self._levels(name, np.ma.getdata(image)).norm())
        self.redraw()

    def contrast(self, panel, key):
        """
        Step a contrast limit of ``panel`` (the y limits for the spectrum); see
        `~irispy_plus.visualization._viewer.step_levels`.
        """
        if panel == "spectrum":
            ax = self.axes["spectrum"]
            ax.set_ylim(step_levels(ax.get_ylim(), key))
            self.redraw()
            return
        image = self.images[panel]
        low, high = step_levels(image.get_clim(), key)
        self.settings.clip.setdefault(self.window.label, {})[panel] = [low, high]
        image.set_norm(ClipLevels(low, high, self.settings.gamma).norm())
        self.refresh()

    def cycle_aspect(self):
        """
        Show the XY map with the next aspect of `ASPECTS`.
        """
        self.settings.aspect = ASPECTS[(ASPECTS.index(self.settings.aspect) + 1) % len(ASPECTS)]
        self._apply_aspect()
        self.redraw()

    def toggle_titles(self):
        """
        Switch the titles between acquisition number and date and time.
        """
        self.settings.title_mode = "time" if self.settings.title_mode == "number" else "number"
        self._update_artists()
        self.refresh()

    def drop_window(self):
        """
        Remove the current window from the viewer (the data are untouched).
        """
        if len(self.windows) == 1:
            self.quit()
            return
        del self.windows[self.index]
        self.index %= len(self.windows)
        self.show_window()

    def build_figure(self, filename=None, **options):
        """
        Draw what the viewer shows into a new figure, and write it to ``filename``.

        See `irispy_plus.visualization.build_figure` for the options.
        """
        from irispy_plus.visualization.figures import build_figure

        return build_figure(self, filename=filename, **options)

    # Points of interest ------------------------------------------------------------------
    def snapshot(self, index=None):
        """
        What the viewer shows (or would show for window ``index``) as a point of interest.

        Returns
        -------
        PointOfInterest
        """
        current = index is None or index == self.index
        window = self.windows[self.index if index is None else index]
        wave = (
            self.wave
            if current
            else _clamp(self.settings.wavelength.get(window.label), window.n_wave, window.n_wave // 2)
        )
        part, local = window.locate(self.step)
        xy = window.xy_map(part, wave).copy()
        slit_image = window.slit_image(self.step).copy()
        lon, lat, wavelength = window.world(self.step, self.slit, wave)
        step_world, step_label = window.step_axis(part)
        if current:
            clip = {panel: list(self.images[panel].get_clim()) for panel in self.images}
            limits = {panel: [*ax.get_xlim(), *ax.get_ylim()] for panel, ax in self.axes.items()}
            titles = self._titles()
            cmap = self.images["xy_map"].get_cmap().name
        else:
            clip = {
                "xy_map": list(self._levels("xy_map", xy)[:2]),
                "slit_spectra": list(self._levels("slit_spectra", slit_image)[:2]),
            }
            limits = dict(self.settings.limits.get(window.label, {}))
            titles = {}
            cmap = self.settings.cmap or iris_colormap(window.detector).name
        aspect = self.axes["xy_map"].get_aspect() if current else "auto"
        return PointOfInterest(
            kind="raster",
            window=window.label,
            pixel={"step": int(self.step), "slit": int(self.slit), "wavelength": int(wave)},
            world={"Tx": lon * u.arcsec, "Ty": lat * u.arcsec, "wavelength": wavelength * u.AA},
            time=window.times[self.step],
            axes={
                "step": step_world * (u.s if window.sit_and_stare else u.arcsec),
                "slit": window.slit_axis(part) * u.arcsec,
                "wavelength": window.wavelength * u.AA,
            },
            xy_map=xy,
            slit_spectra=slit_image,
            spectrum=slit_image[self.slit].copy(),
            unit=str(window.unit),
            display={
                "cmap": cmap,
                "gamma": float(self.settings.gamma),
                "clip": clip,
                "limits": limits,
                "aspect": aspect if aspect == "auto" else float(aspect),
                "titles": titles,
                "labels": {
                    "step": step_label,
                    "slit": "Helioprojective latitude [arcsec]",
                    "wavelength": "Wavelength [Å]",
                },
                "step_in_map": int(local),
                "figsize": list(self.settings.figsize),
            },
            label=window.label,
        )

    def add_poi(self, every_window=False):
        """
        Keep what is shown as a point of interest (``every_window``: one per window).
        """
        indices = range(len(self.windows)) if every_window else [self.index]
        for index in indices:
            self._keep_poi(self.snapshot(index))

    def goto_poi(self, delta):
        """
        Show the previous (-1, ``r``) or next (+1, ``t``) point of interest as it was.
        """
        poi = self._step_poi(delta)
        if poi is None:
            return
        labels = [window.label for window in self.windows]
        if poi.window not in labels:
            return
        self._store()
        self.index = labels.index(poi.window)
        self.step, self.slit = poi.pixel["step"], poi.pixel["slit"]
        self.settings.wavelength[poi.window] = poi.pixel["wavelength"]
        self.settings.limits[poi.window] = {key: list(value) for key, value in poi.display["limits"].items()}
        self.settings.clip[poi.window] = {key: list(value) for key, value in poi.display["clip"].items()}
        self.show_window()

    # State -----------------------------------------------------------------------------
    def _store(self):
        settings = self.settings
        settings.window, settings.step, settings.slit = self.window.label, int(self.step), int(self.slit)
        settings.wavelength[self.window.label] = int(self.wave)
        settings.limits[self.window.label] = {
            panel: [float(v) for v in (*ax.get_xlim(), *ax.get_ylim())] for panel, ax in self.axes.items()
        }
        settings.interval = self.interval
        settings.figsize = tuple(float(v) for v in self.figure.get_size_inches())

    def _after_key(self):
        if self.windows:
            self._store()


def _clamp(value, size, default):
    if value is None:
        return int(default)
    return int(min(max(int(value), 0), size - 1))


def quick_look(data, settings: RasterQuickLookSettings | None = None, **start) -> RasterQuickLook:
    """
    Look through spectrograph windows: XY map, slit spectra and spectrum, linked.

    Moving the pointer over a panel moves the point in all three; the keys of the IRIS
    tutorial's viewer work (press ``?`` for the list). Only the slit spectra of the step
    under the pointer and the XY map at the wavelength shown are read from the files.
    The start state (window, point, limits, clip levels, colour map, figure size, aspect)
    is kept per data object, so calling again continues where the last call ended.

    Parameters
    ----------
    data : IRISObservation, RasterCollection, IRISSpectrogramCube or IRISRasterSequence
        What to show: every raster window of an observation or collection (``n``/``m``
        switch), or one.
    settings : RasterQuickLookSettings, optional
        The start state to use (and update); the one kept for ``data`` by default.
    **start
        Settings to change before starting, e.g. ``window="Si IV 1403"``, ``step=3``,
        ``cmap="gray"``, ``gamma=0.5``, ``figsize=(12, 5)``, ``aspect="auto"``.

    Returns
    -------
    RasterQuickLook
        The viewer; in a script, call ``matplotlib.pyplot.show()`` to interact.

    Raises
    ------
    IrispyPlusError
        If ``data`` holds no 3D window or a setting is unknown.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import quick_look
    >>> viewer = quick_look(read_files(sample.RASTER, as_observation=True), window="Si IV 1403")
    >>> viewer.window.label, viewer.step, viewer.slit
    ('Si IV 1403', 4, 54)
    >>> viewer.move(step=2)
    >>> viewer.images["slit_spectra"].get_array().shape
    (109, 29)
    >>> viewer.quit()
    """
    return RasterQuickLook(data, settings=settings, **start)
