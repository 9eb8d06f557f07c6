"""
The plotter of the 2-D maps that fitting, moments and physics hand out.

A map is a plain `ndcube.NDCube` (so it is saved and loaded as one) whose ``plotter`` is
`MapPlotter`: ``cube.plot()`` then draws it with
`irispy_plus.visualization.plot_map` (Solar-X along x, a colour bar, velocities on a
scale centred on 0), the code the command line uses for its figures. Plotting sits above
the modules that make maps, so it is imported when a map is drawn, as ndcube does for its
own plotter.
"""

__all__ = ["MapPlotter", "as_map"]


class MapPlotter:
    """
    An ndcube plotter that draws a 2-D map with `irispy_plus.visualization.plot_map`.

    Cubes of any other dimension are drawn by ndcube's own matplotlib plotter.

    Parameters
    ----------
    ndcube : ndcube.NDCube
        The map.
    """

    def __init__(self, ndcube=None):
        self._ndcube = ndcube

    def plot(self, axes=None, **kwargs):
        """
        Draw the map: Solar-X along x, Solar-Y along y, a colour bar; velocities on a
        diverging colour map with limits symmetric about 0.

        Parameters
        ----------
        axes : matplotlib.axes.Axes, optional
            Where to draw; new world-coordinate axes otherwise.
        **kwargs
            Passed to `irispy_plus.visualization.plot_map` (``cmap``, ``limits``,
            ``colorbar``, ``title``, ``label``, ``kind``...).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from irispy_plus.visualization._maps import plot_map

        return plot_map(self._ndcube, axes=axes, **kwargs)

    def _as_mpl_axes(self):
        from ndcube.visualization.mpl_plotter import MatplotlibPlotter

        return MatplotlibPlotter(self._ndcube)._as_mpl_axes()


def as_map(cube):
    """
    ``cube`` with `MapPlotter` as its plotter (in place); returns it.

    Parameters
    ----------
    cube : ndcube.NDCube
        A map.

    Returns
    -------
    ndcube.NDCube
        The same cube.
    """
    cube.plotter = MapPlotter
    return cube
