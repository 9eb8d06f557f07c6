"""
What several sub-commands share: splitting what was read, choosing a window.
"""

from irispy_plus.cubes import IRISObservation, IRISSJICube, RasterCollection
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["choose_window", "save_raster_map", "split_observation"]


def split_observation(observation):
    """
    The rasters (a `~irispy_plus.cubes.RasterCollection` or None) and the list of
    slit-jaw cubes in what `~irispy_plus.io.read_files` returned.
    """
    if isinstance(observation, IRISObservation):
        return observation.raster, [observation[key] for key in observation if key != "raster"]
    if isinstance(observation, RasterCollection):
        return observation, []
    if isinstance(observation, IRISSJICube):
        return None, [observation]
    return None, list(observation.values())


def choose_window(rasters, requested, preferred):
    """
    The window ``requested`` (an error naming the windows if it is not there), or the
    first of ``preferred`` that is there, or the first window.
    """
    if requested is not None:
        if requested not in rasters:
            msg = f"No window {requested!r}; the windows are {', '.join(map(repr, rasters))}."
            raise IrispyPlusError(msg)
        return requested
    return next((label for label in preferred if label in rasters), next(iter(rasters)))


def save_raster_map(image_cube, values, path, *, title, cmap, limits, label):
    """
    Draw ``values``, a map of a raster, on the world axes of ``image_cube`` (Solar-X
    along x), with a colour bar ``label``; write it to ``path`` and return the figure.
    The drawing is `irispy_plus.visualization.plot_map`'s, the one ``map.plot()`` uses.
    """
    from irispy_plus.visualization._maps import save_map

    return save_map(image_cube, path, values=values, title=title, cmap=cmap, limits=limits, label=label)
