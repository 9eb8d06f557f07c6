"""
Points of interest: what a quick-look viewer showed at one place, kept for later.

A `PointOfInterest` is a plain container (numpy arrays, Quantities, a Time, strings and
dicts of those), so it can be saved (e.g. to ASDF) and shown again with `show_poi`
without the data files.
"""

from dataclasses import dataclass, field

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
from astropy.time import Time

from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization._axes import world_ticks
from irispy_plus.visualization._scaling import ClipLevels

__all__ = ["PointOfInterest", "poi_figsize", "show_poi"]

RASTER_PANELS = ("xy_map", "slit_spectra", "spectrum")
_MIN_PANEL_WIDTH = 4.5  # inches: one panel with its colour bar stays readable


@dataclass
class PointOfInterest:
    """
    What a quick-look viewer showed at one point.

    Parameters
    ----------
    kind : str
        ``"raster"`` (from the raster viewer) or ``"sji"`` (from the slit-jaw viewer).
    window : str
        The spectral window label or slit-jaw band.
    pixel : dict of str to int
        Array indices: ``step``, ``slit``, ``wavelength`` (raster, ``step`` counted over
        all repeats) or ``frame``, ``x``, ``y`` (slit-jaw).
    world : dict of str to `~astropy.units.Quantity`
        ``Tx``, ``Ty`` (helioprojective, arcsec) and, for a raster, ``wavelength`` (Å).
    time : `~astropy.time.Time`
        The time of the exposure (raster step or slit-jaw frame).
    axes : dict of str to `~astropy.units.Quantity`
        World value at each pixel along the axes shown: ``step`` (arcsec, or s for a
        sit-and-stare), ``slit`` (arcsec), ``wavelength`` (Å); or ``x``, ``y`` (arcsec).
    xy_map : numpy.ndarray or None
        The XY map at the wavelength, (slit, step) of the repeat shown.
    slit_spectra : numpy.ndarray or None
        The slit spectra at the step, (slit, wavelength).
    spectrum : numpy.ndarray or None
        The spectrum at the point, (wavelength,).
    frame : numpy.ndarray or None
        The slit-jaw frame, (y, x).
    unit : str
        The unit of the data values.
    display : dict
        How it was shown: ``cmap`` (str), ``gamma`` (float), ``clip`` (panel -> [low,
        high]), ``limits`` (panel -> [x0, x1, y0, y1] in pixels), ``aspect`` (float or
        "auto"), ``titles`` (panel -> str), ``labels`` (axis -> str), ``slit_pixel``
        (slit-jaw: [x, y] of the slit centre, pixels), ``step_in_map`` (raster: the
        step's column in ``xy_map``).
    label : str
        A short name, e.g. ``"Si IV 1403 #2"``.

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from astropy.time import Time
    >>> from irispy_plus.visualization import PointOfInterest
    >>> poi = PointOfInterest(kind="sji", window="SJI_1400", pixel={"frame": 0, "x": 2, "y": 3},
    ...                       world={"Tx": 1 * u.arcsec, "Ty": 2 * u.arcsec},
    ...                       time=Time("2023-04-08T11:10:12"), frame=np.ones((4, 5)))
    >>> poi.frame.shape
    (4, 5)
    """

    kind: str
    window: str
    pixel: dict
    world: dict
    time: Time
    axes: dict = field(default_factory=dict)
    xy_map: np.ndarray | None = None
    slit_spectra: np.ndarray | None = None
    spectrum: np.ndarray | None = None
    frame: np.ndarray | None = None
    unit: str = ""
    display: dict = field(default_factory=dict)
    label: str = ""


def _check_panels(panels):
    if isinstance(panels, str):
        msg = f"panels={panels!r}: give a list of panels, e.g. [{panels!r}]."
        raise IrispyPlusError(msg)
    unknown = set(panels) - set(RASTER_PANELS)
    if unknown or not panels:
        msg = f"Unknown panel(s) {sorted(unknown)}: choose from {list(RASTER_PANELS)}."
        raise IrispyPlusError(msg)


def _levels(poi, panel, image):
    from irispy_plus.visualization._scaling import histo_opt

    gamma = float(poi.display.get("gamma", 1.0))
    clip = poi.display.get("clip", {}).get(panel)
    if clip is None:
        return histo_opt(image, gamma=gamma)
    return ClipLevels(float(clip[0]), float(clip[1]), gamma)


def _limits(ax, poi, panel):
    limits = poi.display.get("limits", {}).get(panel)
    if limits is not None:
        ax.set_xlim(limits[0], limits[1])
        ax.set_ylim(limits[2], limits[3])


def _image_panel(ax, poi, panel, image, axes_names, *, colorbar):
    x_axis, y_axis = axes_names
    levels = _levels(poi, panel, image)
    shown = ax.imshow(
        image,
        origin="lower",
        aspect="auto",
        interpolation="nearest",
        cmap=poi.display.get("cmap", "gray"),
        norm=levels.norm(),
    )
    labels = poi.display.get("labels", {})
    world_ticks(ax.xaxis, poi.axes[x_axis].value, labels.get(x_axis, x_axis))
    world_ticks(ax.yaxis, poi.axes[y_axis].value, labels.get(y_axis, y_axis))
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, label=poi.unit)
    return shown


def poi_figsize(poi: PointOfInterest, panels=None):
    """
    The size of a figure showing ``panels`` of ``poi``, in inches.

    The viewer's figure size (``poi.display["figsize"]``) holds all its panels; a figure of
    fewer panels keeps the height and the width of each panel, so that a one-panel figure
    of a raster point is not as wide as the viewer's three.

    Parameters
    ----------
    poi : PointOfInterest
        The point.
    panels : sequence of str, optional
        For a raster point, the panels shown (all by default).

    Returns
    -------
    tuple of float or None
        ``(width, height)``, or None (matplotlib's default) if the point records no size.

    Examples
    --------
    >>> from astropy.time import Time
    >>> from irispy_plus.visualization import PointOfInterest
    >>> from irispy_plus.visualization.poi import poi_figsize
    >>> poi = PointOfInterest(kind="raster", window="Si IV 1403", pixel={}, world={},
    ...                       time=Time("2023-04-08"), display={"figsize": [13.0, 4.8]})
    >>> poi_figsize(poi, ["xy_map"])
    (4.5, 4.8)
    """
    figsize = poi.display.get("figsize")
    if figsize is None:
        return None
    width, height = (float(v) for v in figsize)
    if poi.kind != "raster" or panels is None:
        return width, height
    n_panels = max(1, len(tuple(panels)))
    if n_panels >= len(RASTER_PANELS):
        return width, height
    scaled = width * n_panels / len(RASTER_PANELS)
    return round(min(width, max(scaled, _MIN_PANEL_WIDTH)), 2), height


def show_poi(poi: PointOfInterest, panels=None, slit: bool = True, colorbar: bool = False, figure=None):
    """
    Show a point of interest again as the viewer showed it.

    Parameters
    ----------
    poi : PointOfInterest
        The point.
    panels : sequence of str, optional
        For a raster point, which of ``"xy_map"``, ``"slit_spectra"`` and ``"spectrum"``
        to show (all by default). Ignored for a slit-jaw point.
    slit : bool, optional
        Draw the slit: the step's column on the XY map and the point on the slit spectra,
        or the slit line on a slit-jaw frame.
    colorbar : bool, optional
        Add colour bars to the images.
    figure : matplotlib.figure.Figure, optional
        Draw into this figure (cleared first); a new pyplot figure by default, sized to
        the panels shown (see `poi_figsize`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    IrispyPlusError
        If a panel is unknown or the point holds nothing to show for it.

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from astropy.time import Time
    >>> from irispy_plus.visualization import PointOfInterest, show_poi
    >>> poi = PointOfInterest(kind="sji", window="SJI_1400", pixel={"frame": 0, "x": 2, "y": 3},
    ...                       world={"Tx": 1 * u.arcsec, "Ty": 2 * u.arcsec},
    ...                       time=Time("2023-04-08T11:10:12"), frame=np.arange(20.0).reshape(4, 5),
    ...                       axes={"x": np.arange(5) * u.arcsec, "y": np.arange(4) * u.arcsec},
    ...                       display={"slit_pixel": [2.0, 1.5]})
    >>> fig = show_poi(poi, colorbar=True)
    >>> len(fig.axes)
    2
    """
    if poi.kind != "sji" and panels is not None:
        _check_panels(panels)
    fig = plt.figure(figsize=poi_figsize(poi, panels)) if figure is None else figure
    fig.clear()
    fig.set_layout_engine("constrained")
    titles = poi.display.get("titles", {})
    if poi.kind == "sji":
        if poi.frame is None:
            msg = f"Point of interest {poi.label!r} holds no slit-jaw frame to show."
            raise IrispyPlusError(msg)
        ax = fig.add_subplot()
        _image_panel(ax, poi, "frame", poi.frame, ("x", "y"), colorbar=colorbar)
        slit_pixel = poi.display.get("slit_pixel")
        if slit and slit_pixel is not None:
            ax.axvline(slit_pixel[0], color="white", lw=float(poi.display.get("slit_width", 1.0)))
        ax.set_title(titles.get("frame", f"{poi.window} {poi.time.isot}"))
        _limits(ax, poi, "frame")
        return fig
    panels = RASTER_PANELS if panels is None else tuple(panels)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        data = getattr(poi, panel)
        if data is None:
            msg = f"Point of interest {poi.label!r} holds no {panel.replace('_', ' ')}."
            raise IrispyPlusError(msg)
        if panel == "xy_map":
            _image_panel(ax, poi, panel, data, ("step", "slit"), colorbar=colorbar)
            if poi.display.get("aspect", "auto") != "auto":
                ax.set_aspect(poi.display["aspect"])
            if slit:
                ax.axvline(poi.display.get("step_in_map", poi.pixel["step"]), color="white", lw=0.8)
                ax.axhline(poi.pixel["slit"], color="white", lw=0.8, ls=":")
        elif panel == "slit_spectra":
            _image_panel(ax, poi, panel, data, ("wavelength", "slit"), colorbar=colorbar)
            if slit:
                ax.axhline(poi.pixel["slit"], color="white", lw=0.8)
                ax.axvline(poi.pixel["wavelength"], color="white", lw=0.8, ls=":")
        else:
            ax.plot(np.arange(len(data)), data, color="k", lw=1)
            ax.axvline(poi.pixel["wavelength"], color="C3", lw=0.8)
            labels = poi.display.get("labels", {})
            world_ticks(ax.xaxis, poi.axes["wavelength"].to_value(u.AA), labels.get("wavelength", "Å"))
            ax.set_ylabel(f"Intensity [{poi.unit}]")
        _limits(ax, poi, panel)
        ax.set_title(titles.get(panel, panel.replace("_", " ")), fontsize="medium")
    fig.suptitle(poi.label or poi.window)
    return fig
