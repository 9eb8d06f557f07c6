"""
NUV windows take each exposure's own mid-time from the level 1 NUV file names; FUV
windows keep STARTOBS + TIME + EXPTIMEF / 2. Expected times are worked out here from the
raw FITS bytes and the auxiliary array, independently of the reader.
"""

import logging
import re
import shutil
from datetime import datetime, timedelta

import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_files
from irispy_plus.data import sample

NUV_NAME = re.compile(rb"iris(\d{8})_(\d{8})_nuv")


def _by_hand(path):
    """
    (STARTOBS, TIME, EXPTIMEF, EXPTIMEN, NUV file-name times) of a raster file.
    """
    with fits.open(path) as hdulist:
        start = datetime.fromisoformat(hdulist[0].header["STARTOBS"])
        aux = hdulist[-2]
        columns = {key: aux.header[key] for key in ("TIME", "EXPTIMEF", "EXPTIMEN")}
        values = {key: aux.data[:, index].astype(float) for key, index in columns.items()}
        table = hdulist[-1]
        width, n_rows = table.header["NAXIS1"], table.header["NAXIS2"]
    # The table's rows are fixed-width text just after its header: read them raw.
    raw = path.read_bytes()
    offset = raw.index(b"XTENSION= 'TABLE")
    offset += raw[offset:].index(b"END" + b" " * 77) + 80
    offset = -(-offset // 2880) * 2880
    names = []
    for row in range(n_rows):
        text = raw[offset + row * width : offset + (row + 1) * width]
        match = NUV_NAME.search(text)
        names.append(
            None if match is None else datetime.strptime(b"".join(match.groups()).decode(), "%Y%m%d%H%M%S%f")
        )
    return start, values["TIME"], values["EXPTIMEF"], values["EXPTIMEN"], names


def _seconds(times, start):
    return np.array([(t.to_datetime() - start).total_seconds() for t in times])


def _nuv_and_fuv(path):
    rasters = read_files(path, windows=["Mg II k 2796", "Si IV 1403"], as_observation=True)
    return rasters.cube("Mg II k 2796").time, rasters.cube("Si IV 1403").time


@pytest.mark.parametrize("path", [sample.SNS_RASTER, *sample.RASTER_SERIES], ids=lambda p: p.name[-30:])
def test_real_files_use_the_nuv_file_names(path):
    start, time, exp_fuv, exp_nuv, names = _by_hand(path)
    nuv, fuv = _nuv_and_fuv(path)
    expected_nuv = np.array([(name - start).total_seconds() for name in names])
    np.testing.assert_allclose(_seconds(nuv, start), expected_nuv, rtol=0, atol=1e-4)
    # The NUV exposures are not the FUV ones: the names differ from TIME + EXPTIMEN/2.
    nominal = time + exp_nuv / 2
    assert np.abs(expected_nuv - nominal).max() > 0.02
    # FUV windows are unchanged.
    np.testing.assert_allclose(_seconds(fuv, start), time + exp_fuv / 2, rtol=0, atol=1e-4)


def test_first_sit_and_stare_exposure_differs_by_a_few_hundredths():
    start, time, _, exp_nuv, _ = _by_hand(sample.SNS_RASTER)
    nuv, _ = _nuv_and_fuv(sample.SNS_RASTER)
    assert nuv[0].isot == "2021-09-05T00:18:37.750"
    assert _seconds(nuv[:1], start)[0] - (time[0] + exp_nuv[0] / 2) == pytest.approx(-0.06, abs=0.005)


def _copy(tmp_path, path=sample.SNS_RASTER):
    return shutil.copy(path, tmp_path / path.name)


def _replace_bytes(path, old, new):
    raw = path.read_bytes()
    assert raw.count(old) == 1
    assert len(old) == len(new)
    path.write_bytes(raw.replace(old, new))


def _set_exptimen(path, rows, value):
    with fits.open(path, mode="update") as hdulist:
        aux = hdulist[-2]
        aux.data[rows, aux.header["EXPTIMEN"]] = value


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        # An exposure without a NUV file name: the table is incomplete.
        (b"iris20210905_00201062_nuv", b"none_of_the_file_names_ok", "names no NUV file"),
        # A name three hours off: not consistent with TIME.
        (b"iris20210905_00201062_nuv", b"iris20210905_03201062_nuv", "half the cadence"),
        # A name that is no time.
        (b"iris20210905_00201062_nuv", b"iris20210905_00996062_nuv", "no valid time"),
    ],
    ids=["incomplete", "inconsistent", "invalid"],
)
def test_bad_tables_fall_back_to_time_with_a_debug_line(tmp_path, caplog, old, new, why):
    path = _copy(tmp_path)
    _replace_bytes(path, old, new)
    start, time, _, exp_nuv, _ = _by_hand(path)
    with caplog.at_level(logging.DEBUG, logger="irispy_plus"):
        nuv, _ = _nuv_and_fuv(path)
    np.testing.assert_allclose(_seconds(nuv, start), time + exp_nuv / 2, rtol=0, atol=1e-4)
    assert any(
        "NUV times are TIME + EXPTIMEN/2" in r.getMessage() and why in r.getMessage() for r in caplog.records
    )


def test_exposures_without_nuv_light_keep_time(tmp_path):
    path = _copy(tmp_path)
    _set_exptimen(path, [1, 4], 0.0)
    # A dark exposure needs no file name either.
    _replace_bytes(path, b"iris20210905_00201062_nuv", b"none_of_the_file_names_ok")
    start, time, _, _, names = _by_hand(path)
    nuv, _ = _nuv_and_fuv(path)
    got = _seconds(nuv, start)
    np.testing.assert_allclose(got[[1, 4]], time[[1, 4]], rtol=0, atol=1e-4)
    others = [row for row in range(len(time)) if row not in (1, 4)]
    expected = np.array([(names[row] - start).total_seconds() for row in others])
    np.testing.assert_allclose(got[others], expected, rtol=0, atol=1e-4)


def test_table_with_fewer_rows_than_exposures(tmp_path, caplog):
    path = _copy(tmp_path)
    raw = path.read_bytes()
    at = raw.index(b"XTENSION= 'TABLE")
    old = re.search(rb"NAXIS2  =\s+187", raw[at:])
    start, end = at + old.start(), at + old.end()
    path.write_bytes(raw[:start] + old.group(0).replace(b"187", b"186") + raw[end:])
    start, time, _, exp_nuv, _ = _by_hand(path)
    with caplog.at_level(logging.DEBUG, logger="irispy_plus"):
        nuv, _ = _nuv_and_fuv(path)
    np.testing.assert_allclose(_seconds(nuv, start), time + exp_nuv / 2, rtol=0, atol=1e-4)
    assert any("186 rows for 187 exposures" in r.getMessage() for r in caplog.records)


def test_hand_parser_reads_hundredths():
    # The helper above is itself checked on one name.
    # %f pads on the right: the two digits after the seconds are hundredths.
    moment = datetime.strptime("2021090500183775", "%Y%m%d%H%M%S%f")
    assert moment - datetime(2021, 9, 5, 0, 18, 37) == timedelta(seconds=0.75)
