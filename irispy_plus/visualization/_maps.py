"""
2-D maps of a raster or a fit on world axes: one implementation for ``.plot()`` of the
maps that fitting, moments and physics return and for the command line's figures.

A map is drawn with Solar-X (helioprojective longitude) along x, whichever pixel axis
that is (the raster steps unless the roll angle turns the slit east-west), Solar-Y
along y and a colour bar. Velocities use a diverging colour map with limits symmetric
about 0; other maps take their limits from the 2nd and 98th percentiles of the values
above the fill threshold.
"""

import astropy.units as u
import numpy as np

from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["is_celestial_map", "map_kind", "map_limits", "plot_map", "save_map"]

_CMAPS = {"velocity": "RdBu_r", "intensity": "gist_heat", "flags": "viridis", "other": "viridis"}
_NAMES = {
    "velocity": "Doppler velocity",
    "intensity": "intensity",
    "width": "line width",
    "nonthermal": "non-thermal velocity",
    "flags": "fit flags",
    "reduced chi2": "reduced chi-square",
}
_LON_LABEL = "Helioprojective longitude (Solar-X)"
_LAT_LABEL = "Helioprojective latitude (Solar-Y)"
_NDCUBE_KEYWORDS = {"plot_axes", "axes_coordinates", "axes_units", "data_unit", "wcs"}
_MAX_BOX_RATIO = 4.0  # beyond this height/width in arcsec, the panel is not drawn to scale


def _parameter(cube):
    meta = cube.meta if isinstance(cube.meta, dict) else {}
    return str(meta.get("parameter") or meta.get("moment") or "")


def map_kind(cube) -> str:
    """
    What a map shows: ``"velocity"``, ``"flags"``, ``"intensity"`` or ``"other"``.

    Parameters
    ----------
    cube : ndcube.NDCube
        A map, e.g. from `~irispy_plus.fitting.FitResult`.

    Returns
    -------
    str
        ``"velocity"`` for a velocity unit that is a Doppler (or moment) velocity,
        ``"flags"`` for a flag map, ``"intensity"`` for intensities and raster data,
        ``"other"`` otherwise (widths, chi-square, non-thermal velocities).
    """
    parameter = _parameter(cube)
    if parameter == "flags":
        return "flags"
    unit = cube.unit if cube.unit is not None else u.dimensionless_unscaled
    if unit.is_equivalent(u.km / u.s):
        return "other" if parameter.startswith(("width", "nonthermal")) else "velocity"
    if not parameter or parameter.startswith(("intensity", "amp", "peak", "background")):
        return "intensity"
    return "other"


def map_limits(values, kind: str):
    """
    Colour limits of a map.

    Parameters
    ----------
    values : numpy.ndarray
        The map (NaN where nothing is to be shown).
    kind : str
        From `map_kind`.

    Returns
    -------
    tuple of float
        ``(low, high)``: for a velocity, ``(-v, v)`` with ``v`` the 95th percentile of
        the absolute values; for flags ``(0, max)``; otherwise the 2nd and 98th
        percentiles of the values above ``conf.fill_threshold`` (fill never sets the
        scale).

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.visualization._maps import map_limits
    >>> map_limits(np.array([-3.0, 1.0, 2.0, np.nan]), "velocity")[0] == -map_limits(
    ...     np.array([-3.0, 1.0, 2.0]), "velocity")[1]
    True
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if kind == "flags":
        return 0.0, float(max(1.0, finite.max(initial=0.0)))
    if kind == "velocity":
        high = float(np.percentile(np.abs(finite), 95)) if finite.size else 0.0
        high = high if high > 0 else 1.0
        return -high, high
    finite = finite[finite > conf.fill_threshold]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = (float(v) for v in np.percentile(finite, [2, 98]))
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return low, high


def _celestial_axes(wcs):
    """Indices of the longitude and latitude world axes, or None."""
    types = [str(t or "") for t in wcs.world_axis_physical_types]
    lon = [i for i, t in enumerate(types) if "pos." in t and t.endswith(".lon")]
    lat = [i for i, t in enumerate(types) if "pos." in t and t.endswith(".lat")]
    if len(lon) == 1 and len(lat) == 1:
        return lon[0], lat[0]
    return None


def is_celestial_map(cube) -> bool:
    """
    True if ``cube`` is a 2-D image whose two world axes are helioprojective longitude
    and latitude (a map that `plot_map` draws on world axes).

    Parameters
    ----------
    cube : ndcube.NDCube

    Returns
    -------
    bool
    """
    if cube.wcs is None or np.ndim(cube.data) != 2:
        return False
    wcs = cube.wcs.low_level_wcs
    return wcs.world_n_dim == 2 and _celestial_axes(wcs) is not None


def _layout(wcs, shape, lon_axis, lat_axis):
    """
    The pixel axis (WCS order) along which Solar-X changes most, and the arcsec per
    pixel along the x and y axes.
    """
    sizes = np.array(shape[::-1], dtype=float)
    centre = (sizes - 1) / 2
    spans = []
    for axis in range(2):
        ends = np.repeat(centre[None, :], 2, axis=0)
        ends[:, axis] = [0, sizes[axis] - 1]
        world = wcs.pixel_to_world_values(*ends.T)
        lon = np.abs(np.diff(u.Quantity(world[lon_axis], wcs.world_axis_units[lon_axis]).to_value(u.arcsec)))
        lat = np.abs(np.diff(u.Quantity(world[lat_axis], wcs.world_axis_units[lat_axis]).to_value(u.arcsec)))
        spans.append((float(lon[0]), float(lat[0])))
    share = [lon / (lon + lat) if lon + lat > 0 else 0.5 for lon, lat in spans]
    x_axis = 0 if share[0] >= share[1] else 1
    per_pixel = [np.hypot(*spans[axis]) / max(sizes[axis] - 1, 1) for axis in range(2)]
    return x_axis, per_pixel[x_axis], per_pixel[1 - x_axis]


def _label(cube, label):
    if label is not None:
        return label
    parameter = _parameter(cube).rstrip("0123456789")
    name = _NAMES.get(parameter, parameter or ("intensity" if map_kind(cube) == "intensity" else "value"))
    unit = cube.unit
    return name if unit is None or unit == u.dimensionless_unscaled else f"{name} [{unit}]"


def _title(cube, title):
    if title is not None:
        return title
    meta = cube.meta if isinstance(cube.meta, dict) else {}
    window = meta.get("window") or getattr(cube.meta, "spectral_window", None)
    parameter = _parameter(cube).rstrip("0123456789")
    name = _NAMES.get(parameter, parameter)
    return ": ".join(str(part) for part in (window, name) if part) or None


def _values(cube):
    values = np.asarray(cube.data, dtype=float)
    mask = getattr(cube, "mask", None)
    if mask is not None and np.ndim(mask):
        values = np.where(np.asarray(mask, dtype=bool), np.nan, values)
    return values


def _new_axes(figure, wcs=None, slices=None):
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.gcf() if not plt.gcf().axes else plt.figure()
    if wcs is None:
        return figure.add_subplot()
    return figure.add_subplot(projection=wcs, slices=slices)


def plot_map(
    cube,
    axes=None,
    *,
    values=None,
    kind: str | None = None,
    cmap=None,
    limits=None,
    colorbar: bool = True,
    title: str | None = None,
    label: str | None = None,
    figure=None,
    **imshow_kwargs,
):
    """
    Draw a 2-D map of a raster or a fit on world axes.

    Parameters
    ----------
    cube : ndcube.NDCube
        A 2-D map: a `~irispy_plus.fitting.FitResult` map, a moment map, a raster image
        (``raster[:, :, i]``). Masked pixels are left blank. Other dimensions are drawn by
        ndcube's plotter.
    axes : matplotlib.axes.Axes, optional
        Where to draw: world-coordinate axes made with the map's WCS, or plain axes (the
        map is then drawn in pixels). New world-coordinate axes by default.
    values : numpy.ndarray, optional
        Draw these values (the cube's shape) with the cube's coordinates.
    kind : {"velocity", "intensity", "flags", "other"}, optional
        Sets the default colour map and limits; from the unit and ``meta["parameter"]``
        by default (see `map_kind`).
    cmap : str or matplotlib.colors.Colormap, optional
        ``"RdBu_r"`` for velocities, ``"gist_heat"`` for intensities, ``"viridis"``
        otherwise.
    limits : pair of float, optional
        Colour limits; by default symmetric about 0 for velocities (see `map_limits`).
    colorbar : bool, optional
        Add a colour bar (default True).
    title, label : str, optional
        The title and the colour bar label; from the window, the parameter and the unit
        by default.
    figure : matplotlib.figure.Figure, optional
        Make the axes in this figure (when ``axes`` is not given); the current pyplot
        figure, or a new one, by default.
    **imshow_kwargs
        Passed to `matplotlib.axes.Axes.imshow` (``vmin``, ``vmax`` set ``limits``). With
        one of ndcube's plotting keywords (``plot_axes``, ``axes_coordinates``,
        ``axes_units``, ``data_unit``, ``wcs``) the map is drawn by ndcube's plotter, as
        you asked for.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``axes.irispy_image`` is the image drawn and ``axes.irispy_colorbar``
        its colour bar (or None).

    Raises
    ------
    IrispyPlusError
        If ``values`` does not have the cube's shape.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.fitting import fit_siiv
    >>> from irispy_plus.visualization import plot_map
    >>> fit = fit_siiv(read_cube(sample.RASTER, "Si IV 1403"), plot=False)
    >>> ax = plot_map(fit.doppler_velocity(), figure=Figure())
    >>> ax.coords[0].get_axislabel()
    'Helioprojective longitude (Solar-X) [arcsec]'
    >>> low, high = ax.irispy_image.get_clim()
    >>> bool(low == -high)
    True
    """
    if cube.data.ndim != 2 or _NDCUBE_KEYWORDS & set(imshow_kwargs):
        from ndcube.visualization.mpl_plotter import MatplotlibPlotter

        return MatplotlibPlotter(cube).plot(axes=axes, **imshow_kwargs)
    vmin, vmax = imshow_kwargs.pop("vmin", None), imshow_kwargs.pop("vmax", None)
    if limits is None and (vmin is not None or vmax is not None):
        limits = (vmin, vmax)
    data = _values(cube) if values is None else np.asarray(values, dtype=float)
    if data.shape != cube.data.shape:
        msg = f"values has shape {data.shape}; the map has shape {cube.data.shape}."
        raise IrispyPlusError(msg)
    kind = map_kind(cube) if kind is None else kind
    low, high = map_limits(data, kind)
    if limits is not None:
        low = low if limits[0] is None else float(limits[0])
        high = high if limits[1] is None else float(limits[1])
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap or _CMAPS.get(kind, "viridis")] if not hasattr(cmap, "N") else cmap
    colormap = colormap.with_extremes(bad="0.85")
    wcs = cube.wcs.low_level_wcs if cube.wcs is not None else None
    celestial = _celestial_axes(wcs) if wcs is not None else None
    image = data
    aspect = "auto"
    if celestial is not None:
        lon_axis, lat_axis = celestial
        x_axis, x_scale, y_scale = _layout(wcs, data.shape, *celestial)
        # Numpy's last axis is WCS pixel axis 0; imshow puts the columns along x.
        image = data if x_axis == 0 else data.T
        if axes is None:
            slices = ("x", "y") if x_axis == 0 else ("y", "x")
            axes = _new_axes(figure, wcs, slices)
        box = (image.shape[0] * y_scale) / max(image.shape[1] * x_scale, 1e-12)
        if x_scale > 0 and 1 / _MAX_BOX_RATIO <= box <= _MAX_BOX_RATIO:
            aspect = y_scale / x_scale
    elif axes is None:
        axes = _new_axes(figure)
    options = {"origin": "lower", "aspect": aspect, "interpolation": "nearest", **imshow_kwargs}
    shown = axes.imshow(image, cmap=colormap, vmin=low, vmax=high, **options)
    if celestial is not None and hasattr(axes, "coords"):
        _label_world_axes(axes, wcs, lon_axis, lat_axis)
    else:
        axes.set_xlabel("array axis 1 [pixel]")
        axes.set_ylabel("array axis 0 [pixel]")
    text = _title(cube, title)
    if text:
        axes.set_title(text)
    axes.irispy_image = shown
    axes.irispy_colorbar = (
        axes.figure.colorbar(shown, ax=axes, label=_label(cube, label)) if colorbar else None
    )
    return axes


def _label_world_axes(axes, wcs, lon_axis, lat_axis):
    for index in range(wcs.world_n_dim):
        if index not in (lon_axis, lat_axis):
            axes.coords[index].set_ticklabel_visible(False)
            axes.coords[index].set_ticks_visible(False)
            axes.coords[index].set_axislabel("")
    lon, lat = axes.coords[lon_axis], axes.coords[lat_axis]
    lon.set_axislabel(f"{_LON_LABEL} [arcsec]")
    lat.set_axislabel(f"{_LAT_LABEL} [arcsec]")
    for coord, side in ((lon, "b"), (lat, "l")):
        coord.set_ticks_position(side + ("t" if side == "b" else "r"))
        coord.set_ticklabel_position(side)
        coord.set_axislabel_position(side)


def save_map(cube, path, *, dpi: float = 100, figsize=(7, 6), **kwargs):
    """
    Draw a map with `plot_map` into a figure outside pyplot and write it to ``path``.

    Parameters
    ----------
    cube : ndcube.NDCube
        The map.
    path : str or path-like
        The file (its suffix sets the format).
    dpi : float, optional
        Resolution.
    figsize : pair of float, optional
        Size in inches.
    **kwargs
        Passed to `plot_map`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure written.

    Examples
    --------
    Write the intensity map of the Si IV 1403 moments of the sample raster (no pyplot
    figure is opened):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.fitting import moments
    >>> from irispy_plus.visualization import save_map
    >>> maps = moments(read_cube(sample.RASTER, "Si IV 1403"))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "intensity.png"
    ...     figure = save_map(maps["intensity"], path, dpi=50)
    ...     path.is_file()
    True
    >>> figure.get_size_inches().tolist()
    [7.0, 6.0]
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
    plot_map(cube, figure=figure, **kwargs)
    figure.savefig(path, dpi=dpi)
    return figure
