"""
Real matplotlib key and mouse events sent through a viewer's figure canvas, as a window
system would send them: for the tests and benchmarks of the quick-look viewers.
``press(viewer, "right")`` steps a viewer one frame on, ``pointer(viewer, "time", 20,
0.5)`` hovers over frame 20 of a slit-jaw viewer's time bar.
"""

from matplotlib.backend_bases import KeyEvent, MouseEvent

__all__ = ["pointer", "press"]


def press(viewer, key, panel=None):
    """
    Send a key press with the pointer in the middle of ``panel``'s axes (or outside all).

    Parameters
    ----------
    viewer : RasterQuickLook or SJIQuickLook
        The viewer.
    key : str
        The matplotlib key name, e.g. ``"right"``, ``"alt+up"``, ``"Z"``, ``" "``.
    panel : str, optional
        The panel under the pointer.
    """
    x = y = 0
    if panel is not None:
        x, y = viewer.axes[panel].transAxes.transform((0.5, 0.5))
    event = KeyEvent("key_press_event", viewer.canvas, key, x=x, y=y)
    viewer.canvas.callbacks.process("key_press_event", event)


def pointer(viewer, panel, xdata, ydata, *, name="motion_notify_event", button=None):
    """
    Move the pointer to (or click at, with ``name="button_press_event"``) data
    coordinates of a panel.

    Parameters
    ----------
    viewer : RasterQuickLook or SJIQuickLook
        The viewer.
    panel : str
        The panel, a key of ``viewer.axes``.
    xdata, ydata : float
        Data coordinates in that panel.
    name : str, optional
        The matplotlib event: ``"motion_notify_event"`` (the default),
        ``"button_press_event"`` or ``"button_release_event"``.
    button : int, optional
        The mouse button of a press or release (1 is the left one).
    """
    x, y = viewer.axes[panel].transData.transform((xdata, ydata))
    event = MouseEvent(name, viewer.canvas, x, y, button=button)
    viewer.canvas.callbacks.process(name, event)
