"""
Slit-jaw movies written to MP4 or GIF with matplotlib's animation writers.
"""

from pathlib import Path

import numpy as np

from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["write_movie"]

_WRITERS = {".mp4": "ffmpeg", ".gif": "pillow"}


def _writer(path, fps, bitrate):
    from matplotlib import animation

    suffix = Path(path).suffix.lower()
    if suffix not in _WRITERS:
        msg = (
            f"{path}: a movie is written as .mp4 (needs ffmpeg) or .gif; {suffix or 'no suffix'} is neither."
        )
        raise IrispyPlusError(msg)
    name = _WRITERS[suffix]
    if not animation.writers.is_available(name):
        msg = (
            f"Writing {Path(path).name} needs {name}, which matplotlib cannot find. Install ffmpeg "
            "(e.g. 'apt install ffmpeg' or 'conda install ffmpeg', or set matplotlib's "
            "rcParams['animation.ffmpeg_path']), or write a .gif instead."
        )
        raise IrispyPlusError(msg)
    if name == "ffmpeg":
        return animation.FFMpegWriter(fps=fps, bitrate=bitrate)
    return animation.PillowWriter(fps=fps)


def _clip_levels(frames, cutoff):
    """Display limits from a sample of frames, fill and its smear left out."""
    from irispy_plus.visualization._scaling import histo_opt

    sample = np.concatenate([np.ravel(frames.frame(index)) for index in _sample_frames(frames.n_frames)])
    sample = sample[np.isfinite(sample) & (sample > float(conf.fill_threshold))]
    levels = histo_opt(sample, cutoff=cutoff)
    return levels.low, levels.high


def _sample_frames(count, most=10):
    return np.unique(np.linspace(0, count - 1, min(count, most)).round().astype(int))


def write_movie(
    sji,
    path,
    *,
    fps=10,
    cutoff=1e-3,
    cmap=None,
    slit=True,
    progress=True,
    dpi=100,
    bitrate=4000,
):
    """
    Write a slit-jaw series to an MP4 or GIF movie.

    Each frame is drawn on the world axes of the first frame (helioprojective
    coordinates; later frames differ from it by the pointing drift, a fraction of an
    arcsecond to a few arcseconds), with its mid-exposure time and, where the auxiliary
    table gives it, the slit as a dashed line. The colour scale is fixed over the movie,
    from the histogram of up to ten frames with fill left out (`histo_opt`).

    Parameters
    ----------
    sji : irispy_plus.cubes.IRISSJICube
        A slit-jaw cube (time, y, x); read lazily, one frame at a time.
    path : str or pathlib.Path
        ``.mp4`` (needs ffmpeg) or ``.gif``.
    fps : float
        Frames per second.
    cutoff : float
        The fraction of pixels clipped at each end of the colour scale.
    cmap : str or matplotlib.colors.Colormap, optional
        The colour map; the band's IRIS colour map by default.
    slit : bool
        Draw the slit.
    progress : bool
        Show a progress bar.
    dpi, bitrate : int
        Resolution of the figure and the MP4 bit rate (kbit/s).

    Returns
    -------
    pathlib.Path
        The movie written. It is written to a temporary file beside ``path`` and
        renamed when complete, so an interrupted run leaves no partial movie.

    Raises
    ------
    IrispyPlusError
        If the suffix is neither ``.mp4`` nor ``.gif``, its writer is missing, or the
        cube is not a slit-jaw series.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization.movie import write_movie
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_movie(read_cube(sample.SJI_1400), folder / "sji.gif", progress=False).name
    'sji.gif'
    """
    import matplotlib.pyplot as plt
    from matplotlib import animation
    from tqdm.auto import tqdm

    from irispy_plus.visualization._sji_data import SJIFrames
    from irispy_plus.visualization.colormaps import iris_colormap

    path = Path(path)
    writer = _writer(path, fps, bitrate)
    frames = SJIFrames(sji)
    low, high = _clip_levels(frames, cutoff)
    figure = plt.figure(figsize=(7, 7 * frames.ny / frames.nx + 0.8))
    axes = figure.add_subplot(projection=sji[0].wcs)
    image = axes.imshow(
        frames.frame(0),
        origin="lower",
        cmap=cmap or iris_colormap(frames.band),
        vmin=low,
        vmax=high,
        aspect="auto",
    )
    axes.coords[0].set_axislabel("Helioprojective longitude (Solar-X)")
    axes.coords[1].set_axislabel("Helioprojective latitude (Solar-Y)")
    figure.colorbar(image, ax=axes, label=f"{frames.band} [{frames.unit}]")
    slit_positions = frames.slit_pixels() if slit else np.full((frames.n_frames, 2), np.nan)
    (slit_line,) = axes.plot([np.nan, np.nan], [0, frames.ny - 1], "w--", lw=0.8, alpha=0.7)
    title = axes.set_title("")

    def draw(index):
        image.set_data(frames.frame(index))
        x = slit_positions[index, 0]
        slit_line.set_xdata([x, x])
        title.set_text(
            f"IRIS {frames.band}  {frames.times[index].isot[:19]}  ({index + 1}/{frames.n_frames})"
        )
        return image, slit_line, title

    partial = path.with_name(f".{path.name}.part{path.suffix}")
    bar = tqdm(total=frames.n_frames, desc=f"Writing {path.name}", unit="frame", disable=not progress)
    movie = animation.FuncAnimation(figure, draw, frames=frames.n_frames, blit=False)
    try:
        movie.save(partial, writer=writer, dpi=dpi, progress_callback=lambda *_: bar.update(1))
        partial.replace(path)
    finally:
        bar.close()
        plt.close(figure)
        partial.unlink(missing_ok=True)
    return path
