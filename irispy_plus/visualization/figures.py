"""
Figures for files: what a viewer shows, and a slit-jaw frame with a raster's field on it.
"""

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from irispy_plus.utils.exceptions import IrispyPlusError, warn_user
from irispy_plus.utils.logger import log
from irispy_plus.visualization._axes import world_ticks
from irispy_plus.visualization._raster_data import _read
from irispy_plus.visualization._scaling import histo_opt
from irispy_plus.visualization.colormaps import iris_colormap
from irispy_plus.visualization.poi import poi_figsize, show_poi

__all__ = ["build_figure", "raster_outline", "sji_with_raster"]

_FORMATS = (".pdf", ".png")


def build_figure(
    viewer, filename=None, *, panels=None, slit: bool = True, colorbar: bool = True, dpi: float = 150
):
    """
    Draw what a quick-look viewer shows, with its limits and clip levels, into a figure.

    Parameters
    ----------
    viewer : RasterQuickLook or SJIQuickLook
        The viewer.
    filename : str or path-like, optional
        Write the figure here; ``.pdf`` or ``.png``.
    panels : sequence of str, optional
        Raster viewer: which of ``"xy_map"``, ``"slit_spectra"``, ``"spectrum"`` (all
        by default).
    slit : bool, optional
        Draw the slit (see `show_poi`).
    colorbar : bool, optional
        Add colour bars.
    dpi : float, optional
        Resolution of a PNG file.

    Returns
    -------
    matplotlib.figure.Figure
        A figure outside pyplot (it opens no window).

    Raises
    ------
    IrispyPlusError
        If ``filename`` does not end in ``.pdf`` or ``.png``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import build_figure, sji_quick_look
    >>> viewer = sji_quick_look(read_cube(sample.SJI_1400))
    >>> fig = build_figure(viewer, colorbar=False)
    >>> len(fig.axes)
    1
    >>> viewer.quit()
    """
    if filename is not None and Path(filename).suffix.lower() not in _FORMATS:
        msg = f"Cannot write figure {filename}: give a file name ending in .pdf or .png."
        raise IrispyPlusError(msg)
    poi = viewer.snapshot()
    figure = Figure(figsize=poi_figsize(poi, panels))
    show_poi(poi, panels=panels, slit=slit, colorbar=colorbar, figure=figure)
    if filename is not None:
        figure.savefig(filename, dpi=dpi)
        log.info("Wrote %s", filename)
    return figure


def _frame_seconds(sji, frame):
    return float(sji.wcs.low_level_wcs.pixel_to_world_values(0, 0, frame)[2])


def raster_outline(raster, sji, step: int, frame: int):
    """
    The raster's field and its slit at ``step``, in pixels of a slit-jaw frame.

    Both use the per-exposure pointing: the raster's slit pixels are turned into
    helioprojective coordinates with the raster's WCS, and those into pixels of the
    frame with the slit-jaw WCS at the frame's time.

    Parameters
    ----------
    raster : IRISSpectrogramCube
        One spectrograph window.
    sji : IRISSJICube
        The slit-jaw series.
    step : int
        The raster step (or sit-and-stare exposure) whose slit to give.
    frame : int
        The slit-jaw frame.

    Returns
    -------
    field : numpy.ndarray
        Shape (n, 2): x, y of the closed outline of the raster field.
    slit : numpy.ndarray
        Shape (n_slit, 2): x, y of each slit pixel at ``step``.
    """
    n_steps, n_slit = raster.data.shape[:2]
    wcs = raster.wcs.low_level_wcs
    steps = np.arange(n_steps, dtype=float)
    slits = np.arange(n_slit, dtype=float)
    edge_step = np.concatenate([steps, np.full(n_slit, n_steps - 1.0), steps[::-1], np.zeros(n_slit)])
    edge_slit = np.concatenate([np.zeros(n_steps), slits, np.full(n_steps, n_slit - 1.0), slits[::-1]])
    seconds = _frame_seconds(sji, frame)
    sji_wcs = sji.wcs.low_level_wcs

    def to_frame(slit_pixels, step_pixels):
        _, lon, lat = wcs.pixel_to_world_values(np.zeros(len(slit_pixels)), slit_pixels, step_pixels)
        x, y, _ = sji_wcs.world_to_pixel_values(lon, lat, np.full(len(lon), seconds))
        return np.stack([x, y], axis=1)

    return to_frame(edge_slit, edge_step), to_frame(slits, np.full(n_slit, float(step)))


def _duration(seconds):
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds:.0f} s"


def _check_overlap(sji, raster, step, frame, *, field, shape):
    """Warn if the raster step and the slit-jaw frame do not share a time or a field."""
    times = sji.time
    step_time = raster.time[step]
    seconds = np.sort((times - times[0]).to_value("s")) if times.size > 1 else np.zeros(1)
    cadence = float(np.median(np.diff(seconds))) if seconds.size > 1 else 0.0
    slack = max(cadence, 1.0)
    before = (times.min() - step_time).to_value("s")
    after = (step_time - times.max()).to_value("s")
    if before > slack or after > slack:
        warn_user(
            f"The {raster.meta.spectral_window} step {step} ({step_time.isot[:19]}) is outside the "
            f"time range of the {sji.meta.detector} series ({times.min().isot[:19]} to "
            f"{times.max().isot[:19]}), {_duration(max(before, after))} away. "
            "Are they from the same observation?",
            stacklevel=3,
        )
    ny, nx = shape
    finite = field[np.all(np.isfinite(field), axis=1)]
    outside = (
        finite.size == 0
        or finite[:, 0].max() < -0.5
        or finite[:, 0].min() > nx - 0.5
        or finite[:, 1].max() < -0.5
        or finite[:, 1].min() > ny - 0.5
    )
    if outside:
        warn_user(
            f"The field of {raster.meta.spectral_window} lies outside {sji.meta.detector} frame "
            f"{frame}: nothing of the raster is on the slit-jaw image. Are they from the same "
            "observation?",
            stacklevel=3,
        )


def sji_with_raster(sji, raster, step: int = 0, *, figure=None, gamma: float = 1.0, cutoff: float = 1e-3):
    """
    The slit-jaw frame nearest in time to a raster step, with the raster's field and slit.

    Parameters
    ----------
    sji : IRISSJICube
        The slit-jaw series.
    raster : IRISSpectrogramCube
        One spectrograph window of the same observation.
    step : int, optional
        The raster step (or sit-and-stare exposure).
    figure : matplotlib.figure.Figure, optional
        Draw into this figure (cleared first); a new one outside pyplot by default.
    gamma, cutoff : float, optional
        Contrast, see `histo_opt`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``figure.irispy_frame`` is the slit-jaw frame index used.

    Raises
    ------
    IrispyPlusError
        If ``step`` is outside the raster.

    Warns
    -----
    IrispyPlusUserWarning
        If the raster step was taken outside the slit-jaw series' time range (by more
        than one slit-jaw cadence), or the raster's field lies outside the slit-jaw
        frame: the two are probably not of the same observation.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization import sji_with_raster
    >>> raster = read_cube(sample.SNS_RASTER, "Si IV 1403")
    >>> fig = sji_with_raster(read_cube(sample.SNS_SJI_1400), raster, step=30)
    >>> fig.irispy_frame
    10
    """
    n_steps = raster.data.shape[0]
    if not 0 <= step < n_steps:
        msg = f"step {step} is outside the raster, which has {n_steps} steps (0 to {n_steps - 1})."
        raise IrispyPlusError(msg)
    step_time = raster.time[step]
    frame = int(np.argmin(np.abs((sji.time - step_time).to_value("s"))))
    image = _read(sji, frame)
    field, slit = raster_outline(raster, sji, step, frame)
    _check_overlap(sji, raster, step, frame, field=field, shape=image.shape)
    figure = Figure(figsize=(6, 6)) if figure is None else figure
    figure.clear()
    ax = figure.add_subplot()
    ax.imshow(
        image,
        origin="lower",
        interpolation="nearest",
        cmap=iris_colormap(sji.meta.detector),
        norm=histo_opt(image, cutoff, gamma).norm(),
    )
    ny, nx = image.shape
    lon, lat, _ = sji.wcs.low_level_wcs.pixel_to_world_values(
        np.arange(nx), np.full(nx, ny / 2), np.full(nx, frame)
    )
    world_ticks(ax.xaxis, lon, "Helioprojective longitude [arcsec]")
    lon, lat, _ = sji.wcs.low_level_wcs.pixel_to_world_values(
        np.full(ny, nx / 2), np.arange(ny), np.full(ny, frame)
    )
    world_ticks(ax.yaxis, lat, "Helioprojective latitude [arcsec]")
    ax.plot(field[:, 0], field[:, 1], color="cyan", lw=1, label="raster field")
    ax.plot(slit[:, 0], slit[:, 1], color="white", lw=1.5, label=f"slit at step {step}")
    ax.set_xlim(-0.5, nx - 0.5)
    ax.set_ylim(-0.5, ny - 0.5)
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title(
        f"{sji.meta.detector} {sji.time[frame].isot[:19]}\n"
        f"{raster.meta.spectral_window} step {step} {step_time.isot[:19]}",
        fontsize="medium",
    )
    figure.irispy_frame = frame
    return figure
