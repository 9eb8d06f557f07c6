"""
The repr of the cubes and their containers: a summary (window, shape, time range, field
of view, unit), checked against the files' headers and auxiliary arrays by hand.
"""

import re
from datetime import datetime, timedelta

import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample

NUMBER = r"(-?\d+\.\d+)"


def _fov(text):
    match = re.search(rf"field of view x {NUMBER} to {NUMBER} arcsec, y {NUMBER} to {NUMBER} arcsec", text)
    assert match, text
    return [float(v) for v in match.groups()]


def _time_range(text):
    match = re.search(r"time (\S+) to (\S+)\n", text)
    assert match, text
    return match.groups()


def _by_hand(path, exposure_column):
    """
    (first, last) mid-exposure times and the header's field of view of a file.
    """
    with fits.open(path) as hdulist:
        header = hdulist[0].header
        aux = hdulist[-2]
        time = aux.data[:, aux.header["TIME"]]
        exposure = aux.data[:, aux.header[exposure_column]]
    start = datetime.fromisoformat(header["STARTOBS"])
    mids = [start + timedelta(seconds=float(t + e / 2)) for t, e in zip(time, exposure, strict=True)]
    x0, y0 = header["XCEN"], header["YCEN"]
    half_x, half_y = header["FOVX"] / 2, header["FOVY"] / 2
    return (min(mids), max(mids)), (x0 - half_x, x0 + half_x, y0 - half_y, y0 + half_y)


def _assert_matches(text, path, exposure_column):
    (first, last), fov = _by_hand(path, exposure_column)
    got_first, got_last = (datetime.fromisoformat(t) for t in _time_range(text))
    assert abs((got_first - first).total_seconds()) < 2e-3
    assert abs((got_last - last).total_seconds()) < 2e-3
    # Pixel centres of the per-exposure pointing against the header's nominal field.
    np.testing.assert_allclose(_fov(text), fov, atol=3.0)


def test_spectrogram_cube_repr():
    cube = read_cube(sample.RASTER, "Si IV 1403")
    text = repr(cube)
    assert "object at 0x" not in text
    assert text.startswith(f"<IRISSpectrogramCube Si IV 1403 from {sample.RASTER.name}")
    assert "shape (8, 109, 29) (exposure, slit, wavelength)" in text
    assert "unit DN_IRIS_FUV, data on disk (lazy)>" in text
    assert "wavelength 1398.63 to 1405.75 Å" in text
    _assert_matches(text, sample.RASTER, "EXPTIMEF")
    assert cube.is_lazy
    assert "data in memory" in repr(cube.load())


def test_slit_jaw_cube_repr():
    text = repr(read_cube(sample.SJI_1400))
    assert "object at 0x" not in text
    assert text.startswith(f"<IRISSJICube SJI_1400 from {sample.SJI_1400.name}")
    assert "shape (2, 109, 178) (time, y, x)" in text
    assert "unit DN_IRIS_SJI_FUV" in text
    _assert_matches(text, sample.SJI_1400, "EXPTIMES")


def test_sequence_and_collection_reprs():
    rasters = read_files(sample.RASTER_SERIES, windows=["Si IV 1403", "Mg II k 2796"])
    sequence = repr(rasters["Si IV 1403"])
    assert sequence.startswith("<IRISRasterSequence Si IV 1403: 3 repeat(s) of (8, 109, 29)")
    assert "unit DN_IRIS_FUV>" in sequence
    (first, _), _ = _by_hand(sample.RASTER_SERIES[0], "EXPTIMEF")
    (_, last), _ = _by_hand(sample.RASTER_SERIES[-1], "EXPTIMEF")
    got_first, got_last = (datetime.fromisoformat(t) for t in _time_range(sequence))
    assert abs((got_first - first).total_seconds()) < 2e-3
    assert abs((got_last - last).total_seconds()) < 2e-3
    collection = repr(rasters)
    for expected in ("<RasterCollection: OBSID 3860258481", "Si IV 1403", "DN_IRIS_NUV", "field of view x"):
        assert expected in collection
    slit_jaws = repr(read_files([sample.SJI_1400, sample.SJI_2832]))
    assert slit_jaws.startswith("<SJICollection: 2 slit-jaw series")
    assert "SJI_2832" in slit_jaws
    observation = repr(read_files(sample.SNS_DIR, as_observation=True))
    assert observation.startswith("<IRISObservation")
    assert "object at 0x" not in observation
    assert observation.count("<IRISSJICube") == 4


@pytest.mark.parametrize(
    "item",
    [np.s_[3], np.s_[:, 5, 3], np.s_[2:4, 10:20], np.s_[0:0]],
    ids=["step", "spectrum-less", "cut", "empty"],
)
def test_reprs_of_slices(item):
    cube = read_cube(sample.RASTER, "Si IV 1403")
    text = repr(cube[item])
    assert text.startswith("<IRISSpectrogramCube Si IV 1403")
    assert f"shape {cube[item].shape}" in text
    assert repr(read_cube(sample.SJI_1400)[1]).startswith("<IRISSJICube SJI_1400")
