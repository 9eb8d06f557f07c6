"""
Files damaged one keyword, one table or one HDU at a time: each is refused at open with an
`IrispyPlusFileError` subclass that names the file and the keyword, never a raw
``ValueError``, ``KeyError``, ``IndexError`` or ``ZeroDivisionError``; what a real file
holds still reads.
"""

import shutil

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_cube, read_files
from irispy_plus.cli import main
from irispy_plus.data import sample
from irispy_plus.io import Level2File
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import (
    IrispyPlusDamagedFileError,
    IrispyPlusError,
    IrispyPlusFileError,
    IrispyPlusHeaderError,
)

RASTER, SJI = sample.RASTER, sample.SJI_1400


def _hdu_bytes(hdu):
    """One HDU as FITS bytes: its header, then its big-endian data padded to 2880."""
    data = b""
    if hdu.data is not None:
        data = np.ascontiguousarray(hdu.data, dtype=hdu.data.dtype.newbyteorder(">")).tobytes()
    return hdu.header.tostring().encode("ascii") + data + b"\0" * (-len(data) % 2880)


def rebuild(source, destination, replace):
    """
    Copy ``source`` HDU by HDU (the original bytes, since astropy cannot write the file-name
    table of real files back), with ``replace(hdulist)`` giving new HDUs by index (None
    drops one).
    """
    raw = source.read_bytes()
    with fits.open(source) as hdulist:
        parts = [
            raw[h.fileinfo()["hdrLoc"] : h.fileinfo()["datLoc"] + h.fileinfo()["datSpan"]] for h in hdulist
        ]
        for index, hdu in replace(hdulist).items():
            parts[index] = b"" if hdu is None else _hdu_bytes(hdu)
    destination.write_bytes(b"".join(parts))
    return destination


def with_keyword(source, tmp_path, extension, keyword, value):
    """A copy of ``source`` with one keyword set (or deleted, for None)."""
    path = shutil.copy(source, tmp_path / source.name)
    with fits.open(path, mode="update") as hdulist:
        if value is None:
            del hdulist[extension].header[keyword]
        else:
            # Keep the comment: a long one would not fit beside a longer value.
            hdulist[extension].header[keyword] = (value, "")
    return path


def _int16_window(hdulist, **keywords):
    header = hdulist[1].header.copy()
    header.update(keywords)
    raw = np.zeros(hdulist[1].data.shape, np.int16)
    hdu = fits.ImageHDU(raw, header=header, do_not_scale_image_data=True)
    for keyword in ("BSCALE", "BZERO"):
        if keyword not in keywords:
            hdu.header.remove(keyword, ignore_missing=True)
    hdu.header.update(keywords)
    return {1: hdu}


KEYWORD_CASES = [
    # (source, extension, keyword, value, error, words in the message)
    (RASTER, 0, "DATA_LEV", "two", IrispyPlusFileError, "DATA_LEV='two'"),
    (RASTER, 0, "NWIN", "eight", IrispyPlusHeaderError, "NWIN is 'eight', not an integer"),
    (RASTER, 0, "NWIN", None, IrispyPlusHeaderError, "lacks the keyword.* NWIN"),
    (RASTER, 0, "NWIN", 0, IrispyPlusHeaderError, "NWIN is 0, less than 1"),
    (RASTER, 0, "NWIN", -3, IrispyPlusHeaderError, "NWIN is -3, less than 1"),
    (RASTER, 0, "NWIN", 2.5, IrispyPlusHeaderError, "NWIN is 2.5, not an integer"),
    (RASTER, 0, "NWIN", 400, IrispyPlusHeaderError, "NWIN is 400, more than"),
    (RASTER, 0, "STARTOBS", "not a date", IrispyPlusHeaderError, "STARTOBS is 'not a date'"),
    (RASTER, 0, "DATE_OBS", "yesterday", IrispyPlusHeaderError, "DATE_OBS is 'yesterday'"),
    (SJI, 0, "DATE_OBS", 2023, IrispyPlusHeaderError, "DATE_OBS is 2023, not text"),
    (SJI, 0, "STARTOBS", "2023-13-45T99:00:00", IrispyPlusHeaderError, "STARTOBS"),
    (RASTER, 1, "CDELT1", "abc", IrispyPlusHeaderError, "extension 1 keyword CDELT1 is 'abc'"),
    (RASTER, 3, "CRVAL3", True, IrispyPlusHeaderError, "extension 3 keyword CRVAL3 is True"),
    (SJI, 0, "CDELT1", "abc", IrispyPlusHeaderError, "primary header keyword CDELT1 is 'abc'"),
    (RASTER, 0, "TWMIN2", "x", IrispyPlusHeaderError, "TWMIN2 is 'x'"),
    (SJI, 0, "TWAVE1", None, IrispyPlusHeaderError, "lacks the keyword.* TWAVE1"),
    (SJI, 0, "TWMIN1", None, IrispyPlusHeaderError, "lacks the keyword.* TWMIN1"),
    (RASTER, -2, "TIME", 99, IrispyPlusHeaderError, "TIME is 99, more than 46"),
    (RASTER, -2, "TIME", -1, IrispyPlusHeaderError, "TIME is -1, less than 0"),
    (RASTER, -2, "XCENIX", 2.5, IrispyPlusHeaderError, "XCENIX is 2.5, not an integer"),
    (SJI, -2, "YCENIX", None, IrispyPlusHeaderError, "lacks the YCENIX"),
]


@pytest.mark.parametrize(
    ("source", "extension", "keyword", "value", "error", "words"),
    KEYWORD_CASES,
    ids=[f"{case[0].name[-12:-5]}-{case[2]}={case[3]!r}" for case in KEYWORD_CASES],
)
def test_a_damaged_keyword_is_named(tmp_path, source, extension, keyword, value, error, words):
    path = with_keyword(source, tmp_path, extension, keyword, value)
    with pytest.raises(error, match=words) as caught:
        read_files(path)
    assert str(path) in str(caught.value)


def _flat(hdulist):
    return {1: fits.ImageHDU(hdulist[1].data[0], header=hdulist[1].header)}


def _empty(hdulist):
    return {1: fits.ImageHDU(np.zeros((0, 109, 17), np.float32), header=hdulist[1].header)}


def _short_aux(hdulist):
    return {len(hdulist) - 2: fits.ImageHDU(hdulist[-2].data[:-1], header=hdulist[-2].header)}


def _long_aux(hdulist):
    aux = hdulist[-2].data
    return {len(hdulist) - 2: fits.ImageHDU(np.vstack([aux, aux[-1:]]), header=hdulist[-2].header)}


def _no_tables(hdulist):
    return {len(hdulist) - 2: None, len(hdulist) - 1: None}


def _no_table(hdulist):
    return {len(hdulist) - 1: None}


def _extra_window(hdulist):
    return {1: None}


def _bitpix_12(hdulist):
    hdu = fits.ImageHDU(hdulist[1].data, header=hdulist[1].header)
    hdu.header["BITPIX"] = 12
    return {1: hdu}


STRUCTURE_CASES = [
    (RASTER, _flat, IrispyPlusHeaderError, "NAXIS is 2, but an IRIS Level 2 window is a 3-D image"),
    (RASTER, _empty, IrispyPlusHeaderError, r"empty shape \(0, 109, 17\)"),
    (RASTER, _short_aux, IrispyPlusHeaderError, "8 exposures but the auxiliary array has 7 rows"),
    (SJI, _long_aux, IrispyPlusHeaderError, "2 exposures but the auxiliary array has 3 rows"),
    (SJI, _no_tables, IrispyPlusDamagedFileError, "has 1 HDUs"),
    (SJI, _no_table, IrispyPlusDamagedFileError, "has 2 HDUs"),
    (RASTER, _extra_window, IrispyPlusDamagedFileError, "has 11 HDUs"),
    (RASTER, _bitpix_12, IrispyPlusFileError, "BITPIX"),
    (RASTER, lambda h: _int16_window(h, BSCALE=0, BZERO=0), IrispyPlusHeaderError, "BSCALE is 0"),
    (RASTER, lambda h: _int16_window(h, BSCALE="abc"), IrispyPlusHeaderError, "BSCALE is 'abc'"),
    (RASTER, lambda h: _int16_window(h, BZERO="1e999"), IrispyPlusError, "BZERO is '1e999'"),
]


@pytest.mark.parametrize(
    ("source", "replace", "error", "words"),
    STRUCTURE_CASES,
    ids=[
        "flat",
        "empty",
        "short-aux",
        "long-aux",
        "no-tables",
        "no-table",
        "hdu-missing",
        "bitpix",
        "bscale-0",
        "bscale-text",
        "bzero-nan",
    ],
)
def test_a_damaged_structure_is_named(tmp_path, source, replace, error, words):
    path = rebuild(source, tmp_path / source.name, replace)
    with pytest.raises(error, match=words) as caught:
        read_files(path)
    assert str(path) in str(caught.value)


def test_primary_bscale_is_checked_when_the_windows_use_it(tmp_path):
    # IRIS raster files carry BSCALE in the primary header; int16 windows without their
    # own use it.
    path = rebuild(RASTER, tmp_path / RASTER.name, _int16_window)
    with fits.open(path, mode="update") as hdulist:
        hdulist[0].header["BSCALE"] = "abc"
    with pytest.raises(IrispyPlusHeaderError, match="primary header keyword BSCALE is 'abc'"):
        read_files(path)
    with fits.open(path, mode="update") as hdulist:
        hdulist[0].header["BSCALE"] = 0.5
        hdulist[0].header["BZERO"] = 10
    first = next(iter(read_files(path, as_observation=True).values())).data[0]
    np.testing.assert_array_equal(np.asarray(first.data), np.full(first.shape, 10, np.float32))


@pytest.mark.parametrize("cut", [169920, 172800, 175000, 2880, 14400])
def test_a_slit_jaw_file_cut_short_is_named(tmp_path, cut):
    path = tmp_path / SJI.name
    path.write_bytes(SJI.read_bytes()[:cut])
    with pytest.raises(IrispyPlusFileError, match=SJI.name) as caught:
        read_files(path)
    assert not isinstance(caught.value, IndexError | KeyError | ValueError)


def test_an_int64_window_reads_like_astropy(tmp_path):
    def to_int64(hdulist):
        values = np.round(np.nan_to_num(hdulist[1].data, nan=-200)).astype(np.int64)
        hdu = fits.ImageHDU(values, header=hdulist[1].header)
        hdu.header["BSCALE"], hdu.header["BZERO"] = 1, 0
        return {1: hdu}

    path = rebuild(RASTER, tmp_path / RASTER.name, to_int64)
    label = Level2File(RASTER).windows[0].label
    cube = read_cube(path, label)
    expected = fits.getdata(path, 1).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(cube.data), expected)
    np.testing.assert_array_equal(np.asarray(cube.mask), expected <= conf.fill_threshold)


@pytest.mark.parametrize(
    ("windows", "words"),
    [
        ([], "selects no window"),
        ((), "selects no window"),
        (1403, r"windows=1403 \(int\)"),
        (b"Si IV 1403", "cannot select"),
        ([1403], "holds 1403, not a window label"),
        (np.array([1.0, 2.0]) * 1e-7 * u.m, "not one wavelength"),
        (3 * u.s, "not one wavelength"),
    ],
)
def test_a_windows_argument_that_selects_nothing_is_named(windows, words):
    with pytest.raises(IrispyPlusError, match=words):
        read_files(RASTER, windows=windows)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("", "empty path"),
        ("   ", "empty path"),
        ([""], "empty path"),
        (b"/tmp/x.fits", "bytes"),
        ([sample.SJI_1400, b"x.fits"], "bytes"),
        (1403, r"1403 \(int\)"),
        ([None], r"None \(NoneType\)"),
        ("bad\0name.fits", "NUL"),
    ],
)
def test_a_path_that_is_not_one_is_named(source, words):
    with pytest.raises(IrispyPlusFileError, match=words):
        read_files(source)


def test_info_on_a_damaged_file_prints_one_line(tmp_path, capsys):
    cases = [
        with_keyword(RASTER, tmp_path, 0, "NWIN", "eight"),
        rebuild(SJI, tmp_path / SJI.name, _no_tables),
    ]
    for path in cases:
        assert main(["info", str(path)]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("irispy-plus info: error: ")
        assert str(path) in lines[0]
    assert main(["info", str(SJI), "--header", "7"]) == 1
    assert "there is no extension 7" in capsys.readouterr().err


def test_metadata_read_later_is_typed_too(tmp_path):
    path = with_keyword(RASTER, tmp_path, 0, "DSUN_OBS", "far")
    with fits.open(path, mode="update") as hdulist:
        hdulist[0].header["ENDOBS"] = ("never", "")
    meta = next(iter(read_files(path, as_observation=True).values())).data[0].meta
    assert meta.date_start.isot == "2014-03-29T14:09:38.830"
    with pytest.raises(IrispyPlusHeaderError, match="DSUN_OBS is 'far', not a number"):
        meta.distance_to_sun
    with pytest.raises(IrispyPlusHeaderError, match="ENDOBS is 'never'"):
        meta.date_end
