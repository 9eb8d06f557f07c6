"""
Speed of the viewers on full-size files read from disk.

1. Slit-jaw playback: frames per second of the pyqtgraph movie viewer (offscreen, a real
   repaint per frame) against matplotlib ``set_data`` + ``draw`` (Agg) on the same
   779 x 1400 int16 file of 200 frames; target at least 8x.
2. Raster pointer move: time to update the three raster panels after a pointer move
   (new step and new slit position; and a new wavelength) on a 320 x 548 x 800 int16
   window, against redrawing the whole figure each time; target under 50 ms.

Both files are written here with the real header structure of the bundled sample
(``irispy_plus.testing.files.write_int16_copy`` layout: int16, BSCALE 0.25, BZERO 7992).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/viewers.py``
"""

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import matplotlib as mpl

mpl.use("Agg")

import numpy as np
from astropy.io import fits

from irispy_plus import read_files
from irispy_plus.data import sample

SJI_SHAPE = (200, 779, 1400)
RASTER_SHAPE = (320, 548, 800)
BSCALE, BZERO = 0.25, 7992.0


def _pattern(shape, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    base = 200 + 150 * np.sin(x / 37.0) * np.cos(y / 23.0)
    return base, rng


def _int16_frames(shape, seed):
    base, rng = _pattern(shape[1:], seed)
    for index in range(shape[0]):
        values = base + 30 * np.sin(index / 7.0) + rng.normal(0, 20, shape[1:])
        yield np.round((values - BZERO) / BSCALE).astype(np.int16)


def _aux_rows(hdu, n_rows, seconds_per_row):
    data = np.resize(hdu.data, (n_rows, hdu.data.shape[1])).copy()
    data[:, hdu.header["TIME"]] = np.arange(n_rows) * seconds_per_row
    return fits.ImageHDU(data=data, header=hdu.header)


def _write(path, template, shape, scale_header, seed):
    """
    Write a full-size int16 file with the template's headers and extension layout,
    streaming the data so the file never sits in memory.
    """
    with fits.open(template) as hdulist:
        header = hdulist[0].header.copy()
        extensions = list(hdulist[1:])
        header["BITPIX"] = 16
        for axis, size in enumerate(shape[::-1], start=1):
            header[f"NAXIS{axis}"] = size
        header["BSCALE"], header["BZERO"] = BSCALE, BZERO
        scale_header(header, shape)
        seconds = 5.0
        extra = [_aux_rows(extensions[0], shape[0], seconds)]
        extra.append(fits.TableHDU.from_columns(extensions[1].columns, nrows=shape[0]))
        header["NAXIS"] = len(shape)
        shell = fits.StreamingHDU(path, header)
        for frame in _int16_frames(shape, seed):
            shell.write(frame)
        shell.close()
        with fits.open(path, mode="append") as output:
            for extension in extra:
                output.append(extension)
    return path


def _sji_header(header, shape):
    header["CDELT1"] = header["CDELT2"] = 0.16635
    header["CRPIX1"], header["CRPIX2"] = shape[2] / 2, shape[1] / 2
    header["NEXP"] = shape[0]


def _write_raster(path, shape, seed):
    """
    A one-window raster file: the sample sit-and-stare's primary header and its
    Si IV 1403 extension header, resized.
    """
    with fits.open(sample.RASTER) as hdulist:
        primary = hdulist[0].header.copy()
        window = next(i for i in range(1, len(hdulist)) if primary.get(f"TDESC{i}") == "Si IV 1403")
        extension = hdulist[window].header.copy()
        aux, names = hdulist[-2], hdulist[-1]
        for key in list(primary):
            if (
                key[:-1] in ("TDESC", "TWAVE", "TWMIN", "TWMAX", "TDET")
                and key[-1].isdigit()
                and key[-1] != "1"
            ):
                del primary[key]
        primary["NWIN"] = 1
        primary["TDESC1"] = "Si IV 1403"
        primary["NEXP"] = shape[0]
        for key in ("TWAVE", "TWMIN", "TWMAX", "TDET"):
            if f"{key}{window}" in hdulist[0].header:
                primary[f"{key}1"] = hdulist[0].header[f"{key}{window}"]
        extension["BITPIX"] = 16
        for axis, size in enumerate(shape[::-1], start=1):
            extension[f"NAXIS{axis}"] = size
        extension["BSCALE"], extension["BZERO"] = BSCALE, BZERO
        extension["CDELT1"] /= 10
        extension["CDELT2"] /= 10
        extension["CRPIX2"] = shape[1] / 2
        aux_hdu = _aux_rows(aux, shape[0], 8.0)
        pc = aux_hdu.header
        aux_hdu.data[:, pc["XCENIX"]] = aux_hdu.data[0, pc["XCENIX"]] + np.arange(shape[0]) * 0.35
        names_hdu = fits.TableHDU.from_columns(names.columns, nrows=shape[0])
    fits.PrimaryHDU(header=primary).writeto(path, overwrite=True)
    with fits.open(path, mode="append") as output:
        stream_header = fits.ImageHDU(header=extension).header
        output.append(fits.ImageHDU(data=np.zeros(shape, np.int16), header=stream_header))
        output.flush()
    with fits.open(path, mode="update", do_not_scale_image_data=True, memmap=True) as output:
        data = output[1].data
        for index, frame in enumerate(_int16_frames(shape, seed)):
            data[index] = frame
        output[1].header["BSCALE"], output[1].header["BZERO"] = BSCALE, BZERO
    with fits.open(path, mode="append") as output:
        output.append(aux_hdu)
        output.append(names_hdu)
    return path


def bench_playback(path, n_frames=100):
    import matplotlib.pyplot as plt

    from irispy_plus.visualization import histo_opt, sji_view

    cube = read_files(path, as_observation=True).cube()
    # matplotlib: set_data + draw on an Agg canvas of the same size as the Qt window.
    fig = plt.figure(figsize=(9, 8), dpi=100)
    ax = fig.add_subplot()
    frame = np.asarray(cube.data[0])
    levels = histo_opt(frame)
    image = ax.imshow(frame, origin="lower", cmap="irissji1400", norm=levels.norm(), interpolation="nearest")
    fig.canvas.draw()
    start = time.perf_counter()
    for index in range(n_frames):
        # The same lazy read from disk as the Qt viewer, so only the drawing differs.
        image.set_data(cube.read_data(index % cube.shape[0], mask=False))
        fig.canvas.draw()
    matplotlib_fps = n_frames / (time.perf_counter() - start)
    plt.close(fig)

    from pyqtgraph.Qt import QtCore

    class PaintCounter(QtCore.QObject):
        count = 0

        def eventFilter(self, watched, event):
            if event.type() == QtCore.QEvent.Type.Paint:
                self.count += 1
            return False

    viewer = sji_view(cube)
    viewer.widget.resize(900, 800)
    viewer.app.processEvents()
    counter = PaintCounter()
    viewer.graphics.viewport().installEventFilter(counter)
    start = time.perf_counter()
    for _ in range(n_frames):
        viewer.step()
        viewer.app.processEvents()  # delivers the update: one real paint of the new frame
    qt_fps = n_frames / (time.perf_counter() - start)
    # Every frame was really painted (a paint event of the image view per frame).
    assert counter.count >= n_frames, (counter.count, n_frames)
    viewer.widget.close()
    return matplotlib_fps, qt_fps


def bench_pointer(path, n_moves=30):
    import matplotlib.pyplot as plt

    from irispy_plus.testing.viewer_events import pointer
    from irispy_plus.visualization import RasterQuickLookSettings, quick_look

    collection = read_files(path, as_observation=True)
    viewer = quick_look(collection, settings=RasterQuickLookSettings(figsize=(13, 4.8)))
    viewer.canvas.draw()
    rng = np.random.default_rng(3)
    steps = rng.integers(0, RASTER_SHAPE[0], n_moves)
    slits = rng.integers(0, RASTER_SHAPE[1], n_moves)
    waves = rng.integers(0, RASTER_SHAPE[2], n_moves)

    start = time.perf_counter()
    for step, slit in zip(steps, slits, strict=True):
        pointer(viewer, "xy_map", step, slit)
    step_move = (time.perf_counter() - start) / n_moves

    start = time.perf_counter()
    for wave, slit in zip(waves, slits, strict=True):
        pointer(viewer, "slit_spectra", wave, slit)
    wave_move = (time.perf_counter() - start) / n_moves

    # Baseline: the same moves with a full redraw of the figure each time.
    start = time.perf_counter()
    for step, slit in zip(steps[:10], slits[:10], strict=True):
        pointer(viewer, "xy_map", step, slit)
        viewer.canvas.draw()
    full = (time.perf_counter() - start) / 10
    plt.close(viewer.figure)
    return step_move, wave_move, full


def main():
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        started = time.perf_counter()
        sji_path = _write(
            directory / "iris_l2_bench_SJI_1400_t000.fits", sample.SNS_SJI_1400, SJI_SHAPE, _sji_header, 1
        )
        raster_path = _write_raster(directory / "iris_l2_bench_raster_t000_r00000.fits", RASTER_SHAPE, 2)
        print(f"wrote {SJI_SHAPE} and {RASTER_SHAPE} int16 files in {time.perf_counter() - started:.0f} s")

        report(sji_path, raster_path)


def report(sji_path, raster_path):
    matplotlib_fps, qt_fps = bench_playback(sji_path)
    print(f"slit-jaw playback {SJI_SHAPE[1]}x{SJI_SHAPE[2]} from disk:")
    print(f"  matplotlib set_data + draw : {matplotlib_fps:7.1f} frames/s (baseline)")
    ratio = qt_fps / matplotlib_fps
    verdict = "meets" if ratio >= 8 else "misses"
    print(f"  pyqtgraph viewer + repaint : {qt_fps:7.1f} frames/s = {ratio:.1f}x baseline ({verdict} 8x)")

    step_move, wave_move, full = bench_pointer(raster_path)
    print(f"raster pointer move on {RASTER_SHAPE} from disk:")
    print(f"  full figure redraw per move : {full * 1e3:6.1f} ms (baseline)")
    for name, value in (("new step and slit", step_move), ("new wavelength, XY map", wave_move)):
        verdict = "meets" if value < 0.05 else "misses"
        print(
            f"  viewer, {name:<22}: {value * 1e3:6.1f} ms = {value / full:.2f}x baseline ({verdict} < 50 ms)"
        )


if __name__ == "__main__":
    main()
