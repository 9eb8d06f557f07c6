"""
The one seam from the cube classes to the viewers: the ``viewer`` descriptor.

The cube classes (`irispy_plus.cubes`) sit below `irispy_plus.visualization` and import
nothing of it at module level. Each class that can be shown declares
``viewer = ViewerDescriptor("raster")`` (or ``"sji"``); ``cube.viewer`` is then a
`Viewers` bound to that cube, whose methods import the viewer module on first use and
say which extra to install when matplotlib or pyqtgraph is missing. The cubes'
``quick_look`` and ``movie`` methods are thin calls through it, so this module is the
only place where the cubes reach the viewers. The viewers take cubes, never paths.
"""

import importlib
from typing import Any

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.optional import import_optional

__all__ = ["ViewerDescriptor", "Viewers"]

#: For each kind of data, the viewer functions: name -> (module, function, extra).
_VIEWERS = {
    "raster": {
        "quick_look": ("irispy_plus.visualization.raster_viewer", "quick_look", "visualization"),
        "plot_map": ("irispy_plus.visualization._maps", "plot_map", "visualization"),
        "is_celestial_map": ("irispy_plus.visualization._maps", "is_celestial_map", "visualization"),
    },
    "sji": {
        "quick_look": ("irispy_plus.visualization.sji_viewer", "sji_quick_look", "visualization"),
        "movie": ("irispy_plus.visualization.qt_movie", "sji_view", "qt"),
    },
}

#: The third-party package each extra provides that its viewers cannot run without.
_EXTRA_PACKAGE = {"visualization": "matplotlib", "qt": "pyqtgraph"}


def _viewer_function(kind: str, name: str):
    """The viewer function ``name`` for ``kind``, imported now; its extra named if missing."""
    module_name, function_name, extra = _VIEWERS[kind][name]
    # The viewer modules import their plotting package inside functions, so check it first.
    import_optional(_EXTRA_PACKAGE[extra], extra)
    return getattr(importlib.import_module(module_name), function_name)


class Viewers:
    """
    The viewers of one cube, sequence or collection (what ``data.viewer`` gives).

    Parameters
    ----------
    data : object
        What to show.
    kind : {"raster", "sji"}
        Which viewers fit it: spectrograph windows or slit-jaw series.
    """

    def __init__(self, data: Any, kind: str) -> None:
        self._data = data
        self._kind = kind

    def quick_look(self, **kwargs: Any) -> Any:
        """
        Open the interactive quick-look viewer: `irispy_plus.visualization.quick_look`
        for spectrograph windows, `irispy_plus.visualization.sji_quick_look` for a
        slit-jaw series.
        """
        return _viewer_function(self._kind, "quick_look")(self._data, **kwargs)

    def shows_as_map(self) -> bool:
        """
        Whether the data are a 2-D image of the Sun (a raster image, ``raster[:, :, i]``)
        that `plot_map` draws with Solar-X along x.
        """
        if "is_celestial_map" not in _VIEWERS[self._kind]:
            return False
        return bool(_viewer_function(self._kind, "is_celestial_map")(self._data))

    def plot_map(self, *args: Any, **kwargs: Any) -> Any:
        """
        Draw a raster image as a map with a colour bar; see
        `irispy_plus.visualization.plot_map`.
        """
        return _viewer_function(self._kind, "plot_map")(self._data, *args, **kwargs)

    def movie(self, **kwargs: Any) -> Any:
        """
        Play a slit-jaw series in the fast Qt movie viewer,
        `irispy_plus.visualization.sji_view` (needs the ``qt`` extra).

        Raises
        ------
        IrispyPlusError
            If the data are not a slit-jaw series, or Qt is not installed.
        """
        if "movie" not in _VIEWERS[self._kind]:
            msg = (
                "The Qt movie viewer plays a slit-jaw series (an IRISSJICube); "
                f"this is a {type(self._data).__name__}. Use quick_look for spectrograph windows."
            )
            raise IrispyPlusError(msg)
        return _viewer_function(self._kind, "movie")(self._data, **kwargs)


class ViewerDescriptor:
    """
    A class attribute that gives each instance its `Viewers`, imported lazily.

    Parameters
    ----------
    kind : {"raster", "sji"}
        Which viewers fit the instances of the owning class.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> type(read_cube(sample.SJI_1400).viewer).__name__
    'Viewers'
    """

    def __init__(self, kind: str) -> None:
        if kind not in _VIEWERS:
            msg = f"No viewers for {kind!r}; expected one of {sorted(_VIEWERS)}."
            raise IrispyPlusError(msg)
        self._kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return Viewers(obj, self._kind)
