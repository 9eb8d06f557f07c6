"""
What several sub-commands share: splitting what was read, choosing a window.
"""

from irispy_plus.cubes import IRISObservation, IRISSJICube, RasterCollection
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["choose_window", "split_observation"]


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
