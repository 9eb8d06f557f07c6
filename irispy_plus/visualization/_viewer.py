"""
What the matplotlib quick-look viewers share: blitted redraws, key dispatch, animation
and contrast steps.

A full draw happens only when limits, aspect or layout change; pointer moves and
animation frames restore the saved background and redraw only the images, lines and
titles that changed (`Viewer.refresh`), so they stay fast on large data.
"""

import matplotlib.pyplot as plt

__all__ = ["Viewer"]

_CONTRAST_STEP = 0.05
_MIN_INTERVAL, _MAX_INTERVAL = 10.0, 5000.0


class Viewer:
    """
    Base class of the quick-look viewers.

    Subclasses fill ``self.keys`` (key name -> method taking the key event), call
    `animate` to register moving artists, and implement ``_animation_step(panel)``.
    """

    help_text = ""

    def __init__(self, figsize, interval):
        self.figure = plt.figure(figsize=figsize)
        self.canvas = self.figure.canvas
        manager = getattr(self.canvas, "manager", None)
        if manager is not None and getattr(manager, "key_press_handler_id", None) is not None:
            # The viewer's keys replace matplotlib's defaults (h, q, o, p, v, ...).
            self.canvas.mpl_disconnect(manager.key_press_handler_id)
        self.keys = {}
        self.points = []  # points of interest
        self.poi_index = None
        self.interval = float(interval)
        self.animating = None
        self._animated = []
        self._background = None
        self._timer = None
        self._connections = [
            self.canvas.mpl_connect("draw_event", self._on_draw),
            self.canvas.mpl_connect("key_press_event", self._on_key),
            self.canvas.mpl_connect("close_event", self._on_close),
        ]

    # Drawing -----------------------------------------------------------------------
    def animate(self, *artists):
        """
        Mark artists as redrawn by `refresh` (they are left out of full draws' background).
        """
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def _on_draw(self, event):
        if event is not None and event.canvas is not self.canvas:
            return  # savefig to another format draws through a temporary canvas
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _draw_animated(self):
        for artist in self._animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)

    def refresh(self):
        """
        Redraw the moving artists over the saved background (a full draw if there is none).
        """
        if self._background is None:
            self.canvas.draw_idle()
            return
        self.canvas.restore_region(self._background)
        self._draw_animated()
        self.canvas.blit(self.figure.bbox)

    def redraw(self):
        """
        Redraw the whole figure (after limits or layout changed).
        """
        self._background = None
        self.canvas.draw_idle()

    def toolbar_busy(self):
        """
        Whether the toolbar's zoom or pan mode is on (pointer moves then do not move).
        """
        toolbar = getattr(self.canvas, "toolbar", None)
        return toolbar is not None and bool(getattr(toolbar, "mode", ""))

    # Keys ----------------------------------------------------------------------------
    def _on_key(self, event):
        action = self.keys.get(event.key)
        if action is not None:
            action(event)
            self._after_key()

    def _after_key(self):
        """
        Hook run after every handled key (subclasses store their state here).
        """

    def show_help(self, event=None):
        """
        Print the keys and what they do.
        """
        print(self.help_text)  # noqa: T201  (interactive help)

    def quit(self, event=None):
        """
        Stop any animation and close the window.
        """
        self.stop()
        plt.close(self.figure)

    def _on_close(self, event):
        self.stop()
        self._after_key()

    # Animation -----------------------------------------------------------------------
    def toggle_animation(self, panel):
        """
        Start animating ``panel`` or, if it already runs, stop.
        """
        if self.animating is not None:
            self.stop()
            return
        self.animating = panel
        self._timer = self.canvas.new_timer(interval=int(self.interval))
        self._timer.add_callback(self.tick)
        self._timer.start()

    def tick(self):
        """
        Show the next animation frame (the timer calls this).
        """
        if self.animating is not None:
            self._animation_step(self.animating)

    def _animation_step(self, panel):
        raise NotImplementedError

    def stop(self):
        """
        Stop the animation.
        """
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
        self.animating = None

    def change_speed(self, faster):
        """
        Halve (``faster``) or double the time between animation frames.
        """
        factor = 0.5 if faster else 2.0
        self.interval = min(max(self.interval * factor, _MIN_INTERVAL), _MAX_INTERVAL)
        if self._timer is not None:
            self._timer.interval = int(self.interval)

    def _keep_poi(self, poi):
        """Label ``poi`` with its window and number, keep it and make it the current one."""
        poi.label = f"{poi.window} #{len(self.points) + 1}"
        self.points.append(poi)
        self.poi_index = len(self.points) - 1

    def _step_poi(self, delta):
        """Move ``delta`` points of interest on (cyclically); the point, or None if there are none."""
        if not self.points:
            return None
        self.poi_index = 0 if self.poi_index is None else (self.poi_index + delta) % len(self.points)
        return self.points[self.poi_index]

    def erase_poi(self):
        """
        Remove the current point of interest.
        """
        if self.poi_index is None or not self.points:
            return
        del self.points[self.poi_index]
        self.poi_index = min(self.poi_index, len(self.points) - 1) if self.points else None


def step_levels(levels, key):
    """
    Move clip levels for one of the contrast keys.

    ``u``/``i`` lower/raise the low level, ``o``/``p`` lower/raise the high level, each by
    5% of the range.

    Parameters
    ----------
    levels : tuple of float
        ``(low, high)``.
    key : str
        One of ``"u"``, ``"i"``, ``"o"``, ``"p"``.

    Returns
    -------
    tuple of float
        The new ``(low, high)``, with low kept below high.
    """
    low, high = levels
    step = _CONTRAST_STEP * (high - low)
    if key == "u":
        low -= step
    elif key == "i":
        low = min(low + step, high - step)
    elif key == "o":
        high = max(high - step, low + step)
    elif key == "p":
        high += step
    return float(low), float(high)
