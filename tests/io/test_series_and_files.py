"""
Long raster series, and files released when the cubes go.
"""

import gc
import shutil
from pathlib import Path

import numpy as np
from astropy.io import fits

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample


def _write_series(folder, n_repeats):
    """
    A series of ``n_repeats`` raster files of one observation, made from the sample by
    shifting each repeat's exposure times by a raster cadence.
    """
    cadence = 74.9
    paths = []
    for repeat in range(n_repeats):
        source = sample.RASTER_SERIES[repeat % 3]
        path = Path(folder) / f"iris_l2_20140329_140938_3860258481_raster_t000_r{repeat:05d}.fits"
        shutil.copy(source, path)
        with fits.open(path, mode="update") as hdulist:
            aux_header, aux = hdulist[-2].header, hdulist[-2].data
            aux[:, aux_header["TIME"]] = (
                aux[:, aux_header["TIME"]] - aux[0, aux_header["TIME"]] + repeat * cadence
            )
            hdulist[0].header["RASRPT"] = repeat + 1
        paths.append(path)
    return paths


def test_all_thirteen_repeats_are_kept_in_time_order(tmp_path):
    paths = _write_series(tmp_path, 13)
    rng = np.random.default_rng(3)
    shuffled = [paths[i] for i in rng.permutation(13)]
    sequence = read_files(shuffled, windows="Si IV 1403")["Si IV 1403"]
    assert len(sequence.data) == 13
    assert [cube.meta["RASRPT"] for cube in sequence.data] == list(range(1, 14))
    starts = np.array([(cube.time[0] - sequence.data[0].time[0]).sec for cube in sequence.data])
    assert np.all(np.diff(starts) > 70)
    # A folder of the same files reads the same.
    assert len(read_files(tmp_path, windows="Si IV 1403")["Si IV 1403"].data) == 13


def _mapped(path):
    with open("/proc/self/maps") as maps:
        return str(path) in maps.read()


def _open_descriptors(path):
    fd_dir = Path("/proc/self/fd")
    count = 0
    for fd in fd_dir.iterdir():
        try:
            if fd.resolve() == Path(path).resolve():
                count += 1
        except OSError:
            continue
    return count


def test_files_are_released_when_cubes_go(tmp_path):
    path = shutil.copy(sample.SNS_SJI_1400, tmp_path / sample.SNS_SJI_1400.name)
    cube = read_cube(path)
    assert _open_descriptors(path) == 0  # headers read, file closed
    frame = np.asarray(cube[5].data)
    assert frame.shape == (40, 37)
    assert _mapped(path)  # the data are a memory map of the file
    del cube
    gc.collect()
    assert not _mapped(path)
    assert _open_descriptors(path) == 0
