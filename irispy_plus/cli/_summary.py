"""
``irispy-plus summary``: describe an observation and draw its first-look figures.
"""

from irispy_plus.cli._common import choose_window, output_folder, save_raster_map, split_observation
from irispy_plus.utils.windows import PREFERRED_WINDOWS

__all__ = ["add_parser", "run_summary"]


def add_parser(subparsers):
    """
    Add the ``summary`` sub-command.
    """
    parser = subparsers.add_parser(
        "summary",
        help="describe IRIS files and write a spectroheliogram and a slit-jaw frame to PNG",
        description=(
            "Describe IRIS Level 2 files (the bundled sample observation when none are given) and "
            "write a spectroheliogram of one spectral window and a slit-jaw frame to PNG, with "
            "world-coordinate axes."
        ),
    )
    parser.add_argument("files", nargs="*", help="files or folders (default: the bundled sample)")
    parser.add_argument("--out", default="irispy-plus-output", help="folder for the figures")
    parser.add_argument("--window", default=None, help="spectral window label, e.g. 'Si IV 1403'")
    parser.set_defaults(func=run_summary)


def _clip_levels(values):
    import numpy as np

    # Warped edges next to the -200 fill hold values down to it; they are not signal.
    finite = values[np.isfinite(values) & (values > -50)]
    if finite.size == 0:
        return 0.0, 1.0
    return tuple(np.percentile(finite, [1.0, 99.5]))


def _spectroheliogram_figure(cube, path):
    import numpy as np

    values = np.ma.masked_array(np.asarray(cube.data), mask=np.asarray(cube.mask))
    spectrum = values.mean(axis=(0, 1))
    peak = int(np.ma.argmax(spectrum)) if spectrum.count() else cube.shape[2] // 2
    image_cube = cube[:, :, peak]
    image = np.where(np.asarray(image_cube.mask), np.nan, np.asarray(image_cube.data))
    wavelength = cube.spectral_axis[peak].to_value("Angstrom")
    save_raster_map(
        image_cube,
        image,
        path,
        title=f"{cube.meta.spectral_window} at {wavelength:.3f} Å\n{cube.meta.date_reference.isot}",
        cmap="gist_heat",
        limits=_clip_levels(image),
        label=f"{cube.unit}",
    )
    return wavelength


def _sji_figure(cube, path):
    import matplotlib.pyplot as plt
    import numpy as np

    frame = cube[cube.shape[0] // 2]
    image = np.where(np.asarray(frame.mask), np.nan, np.asarray(frame.data))
    figure = plt.figure(figsize=(7, 6))
    axes = figure.add_subplot(projection=frame.wcs)
    vmin, vmax = _clip_levels(image)
    shown = axes.imshow(image, origin="lower", cmap="gray", vmin=vmin, vmax=vmax)
    axes.set_title(f"{cube.band} {frame.time.isot}")
    axes.coords[0].set_axislabel("Helioprojective longitude (Solar-X)")
    axes.coords[1].set_axislabel("Helioprojective latitude (Solar-Y)")
    figure.colorbar(shown, ax=axes, label=f"{cube.unit}")
    figure.savefig(path, dpi=100)
    plt.close(figure)


def run_summary(args):
    """
    Run ``irispy-plus summary``.
    """
    out = output_folder(args.out)  # before any work
    import matplotlib as mpl

    mpl.use("Agg")
    from irispy_plus.data import sample
    from irispy_plus.io import expand_sources, file_summary, read_files

    sources = args.files or [sample.SNS_DIR]
    for path in expand_sources(sources):
        print(file_summary(path))
        print()
    rasters, slit_jaws = split_observation(read_files(sources, as_observation=True))
    if rasters is not None:
        label = choose_window(rasters, args.window, PREFERRED_WINDOWS)
        cube = rasters[label].data[0]
        path = out / f"spectroheliogram_{label.replace(' ', '_')}.png"
        wavelength = _spectroheliogram_figure(cube, path)
        print(f"Wrote the {label} spectroheliogram at {wavelength:.3f} Å to {path.resolve()}")
    slit_jaws = sorted(slit_jaws, key=lambda cube: cube.band != "SJI_1400")
    for cube in slit_jaws[:1]:
        path = out / f"slitjaw_{cube.band}.png"
        _sji_figure(cube, path)
        print(f"Wrote a {cube.band} slit-jaw frame to {path.resolve()}")
    return 0
