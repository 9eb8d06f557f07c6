"""
Helpers for the tests and benchmarks of the viewers: real matplotlib key and mouse events
sent through a figure canvas, as a window system would send them.
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
    """
    x, y = viewer.axes[panel].transData.transform((xdata, ydata))
    event = MouseEvent(name, viewer.canvas, x, y, button=button)
    viewer.canvas.callbacks.process(name, event)
