"""
Reading every sample file: shapes, units, masks, laziness, windows, sequences, errors.
"""

import shutil

import astropy.units as u
import dask.array as da
import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_cube, read_files
from irispy_plus.cubes import (
    IRISObservation,
    IRISRasterSequence,
    IRISSJICube,
    IRISSpectrogramCube,
    RasterCollection,
    SJICollection,
)
from irispy_plus.data import sample
from irispy_plus.io import Level2File, file_summary
from irispy_plus.testing.files import write_gzip, write_int16_copy, write_raster_tar
from irispy_plus.units import DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError

SNS_LABELS = [
    "C II 1336",
    "Fe XII 1349",
    "O I 1356",
    "Si IV 1394",
    "Si IV 1403",
    "2832",
    "2814",
    "Mg II k 2796",
]


@pytest.mark.parametrize("path", [sample.SNS_RASTER, *sample.RASTER_SERIES])
def test_every_raster_window_matches_the_file(path):
    rasters = read_files(path, as_observation=True)
    assert isinstance(rasters, RasterCollection)
    with fits.open(path) as hdulist:
        n_windows = hdulist[0].header["NWIN"]
        assert len(rasters) == n_windows
        for index, (label, sequence) in enumerate(rasters.items(), start=1):
            assert isinstance(sequence, IRISRasterSequence)
            (cube,) = sequence.data
            assert isinstance(cube, IRISSpectrogramCube)
            expected = hdulist[index].data
            assert label == hdulist[0].header[f"TDESC{index}"].strip()
            assert cube.shape == expected.shape
            assert cube.unit == (DN_FUV if hdulist[0].header[f"TDET{index}"].startswith("FUV") else DN_NUV)
            np.testing.assert_array_equal(np.asarray(cube.data), expected)
            fill = ~(expected > conf.fill_threshold)  # smeared fill, NaN
            np.testing.assert_array_equal(np.asarray(cube.mask), fill | np.isposinf(expected))
            assert cube.spectral_axis.unit == u.AA
            header = hdulist[index].header
            first = header["CRVAL1"] + header["CDELT1"] * (1 - header["CRPIX1"])
            assert cube.spectral_axis[0].to_value(u.AA) == pytest.approx(first, abs=1e-9)


@pytest.mark.parametrize(
    ("path", "unit"),
    [
        (sample.SNS_SJI_1330, DN_SJI_FUV),
        (sample.SNS_SJI_1400, DN_SJI_FUV),
        (sample.SNS_SJI_2796, DN_SJI_NUV),
        (sample.SNS_SJI_2832, DN_SJI_NUV),
        (sample.SJI_1400, DN_SJI_FUV),
        (sample.SJI_2832, DN_SJI_NUV),
    ],
)
def test_every_sji_file_is_one_cube(path, unit):
    cube = read_cube(path)
    assert isinstance(cube, IRISSJICube)
    expected = fits.getdata(path)
    assert cube.shape == expected.shape
    assert cube.unit == unit
    np.testing.assert_array_equal(np.asarray(cube.data), expected)
    assert np.asarray(cube.mask).sum() == np.sum(~(expected > conf.fill_threshold) | np.isposinf(expected))
    assert len(cube.time) == expected.shape[0]
    assert cube.exposure_time.unit == u.s


def test_saturated_pixels_are_masked(tmp_path):
    path = shutil.copy(sample.SNS_SJI_1400, tmp_path / sample.SNS_SJI_1400.name)
    with fits.open(path, mode="update") as hdulist:
        hdulist[0].data[3, 10, 11] = np.inf
    cube = read_cube(path)
    assert np.asarray(cube.mask)[3, 10, 11]


def test_int16_files_are_scaled_and_masked_like_astropy(tmp_path):
    path = write_int16_copy(sample.SNS_RASTER, tmp_path / sample.SNS_RASTER.name)
    with fits.open(path) as hdulist:
        assert hdulist[5].header["BITPIX"] == 16
        expected = hdulist[5].data  # astropy's own scaled read
    cube = read_cube(path, "Si IV 1403")
    values = np.asarray(cube.data)
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, expected, atol=0.13)
    # Fill and its smear: every value at or below the threshold, after scaling.
    np.testing.assert_array_equal(np.asarray(cube.mask), expected <= conf.fill_threshold)
    assert np.asarray(cube.mask).sum() >= np.sum(fits.getdata(sample.SNS_RASTER, 5) == -200)


def test_no_data_are_read_at_open(tmp_path):
    path = shutil.copy(sample.SNS_SJI_1400, tmp_path / sample.SNS_SJI_1400.name)
    cube = read_cube(path)
    assert isinstance(cube.data, da.Array)
    assert isinstance(cube.mask, da.Array)
    # Change the pixels on disk after opening: a lazy cube sees the new values.
    with fits.open(path, mode="update") as hdulist:
        hdulist[0].data[0, 5, 5] = 12345.0
    assert float(cube.data[0, 5, 5].compute()) == 12345.0


def test_load_and_unload():
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403", uncertainty=True)
    assert cube.is_lazy
    lazy_values = np.asarray(cube.data)
    cube.load()
    assert isinstance(cube.data, np.ndarray)
    assert isinstance(cube.mask, np.ndarray)
    assert isinstance(cube.uncertainty.array, np.ndarray)
    np.testing.assert_array_equal(cube.data, lazy_values)
    cube.tomemmap()
    assert cube.is_lazy
    cube.flush()
    assert not cube.is_lazy
    with pytest.raises(IrispyPlusError, match="no file to go back to"):
        cube[0].unload()


def test_uncertainty_is_photon_and_read_noise():
    cube = read_cube(sample.SNS_RASTER, "Mg II k 2796", uncertainty=True)
    data = np.asarray(cube.data)
    expected = np.sqrt(np.maximum(data, 0) / 18 + 1.2**2)  # NUV: 18 photons/DN, 1.2 DN
    np.testing.assert_allclose(np.asarray(cube.uncertainty.array), expected, rtol=1e-6)


def test_exposure_time_correction_uses_each_exposure():
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    corrected = cube.apply_exposure_time_correction()
    assert corrected.unit == DN_FUV / u.s
    per_exposure = cube.exposure_time.to_value(u.s)
    assert np.ptp(per_exposure) > 0
    np.testing.assert_allclose(
        np.asarray(corrected.data), np.asarray(cube.data) / per_exposure[:, None, None], rtol=1e-6
    )
    sji = read_cube(sample.SJI_1400)
    per_second = sji.apply_exposure_time_correction()
    assert per_second.unit == DN_SJI_FUV / u.s
    np.testing.assert_allclose(
        np.asarray(per_second.data), np.asarray(sji.data) / sji.exposure_time.to_value(u.s)[:, None, None]
    )
    with pytest.raises(IrispyPlusError, match="already applied"):
        per_second.apply_exposure_time_correction()


def test_raster_series_keeps_every_repeat_in_time_order():
    rasters = read_files(list(reversed(sample.RASTER_SERIES)))
    sequence = rasters["Si IV 1403"]
    assert isinstance(sequence, IRISRasterSequence)
    assert len(sequence.data) == 3
    starts = [cube.time[0] for cube in sequence.data]
    assert starts[0] < starts[1] < starts[2]
    assert [cube.meta["RASRPT"] for cube in sequence.data] == [1, 2, 3]
    assert sequence.cube_like_shape[0] == 24


def test_window_selection():
    assert list(read_files(sample.SNS_RASTER, as_observation=True)) == SNS_LABELS
    assert list(read_files(sample.SNS_RASTER, windows="all", as_observation=True)) == SNS_LABELS
    assert list(
        read_files(sample.SNS_RASTER, windows=["Mg II k 2796", "C II 1336"], as_observation=True)
    ) == [
        "Mg II k 2796",
        "C II 1336",
    ]
    assert list(read_files(sample.SNS_RASTER, windows=2796.35 * u.AA, as_observation=True)) == [
        "Mg II k 2796"
    ]
    assert list(read_files(sample.SNS_RASTER, windows="si iv 1403", as_observation=True)) == ["Si IV 1403"]
    with pytest.raises(IrispyPlusError, match=r"no window 'Ca II 8542'.*'Si IV 1403'"):
        read_files(sample.SNS_RASTER, windows="Ca II 8542")
    with pytest.raises(IrispyPlusError, match="No window"):
        read_files(sample.SNS_RASTER, windows=5000 * u.AA)


def test_folders_globs_and_mixed_kinds():
    observation = read_files(sample.SNS_DIR, as_observation=True)
    assert isinstance(observation, IRISObservation)
    assert isinstance(observation.raster, RasterCollection)
    assert isinstance(observation.sji, SJICollection)
    assert sorted(observation.sji) == ["SJI_1330", "SJI_1400", "SJI_2796", "SJI_2832"]
    slit_jaws = read_files(str(sample.SAMPLE_DIR / "sji" / "*.fits"))
    assert isinstance(slit_jaws, SJICollection)
    assert list(slit_jaws) == ["SJI_1400", "SJI_2832"]


def test_compressed_files_are_read_in_memory(tmp_path):
    gz = write_gzip(sample.SJI_1400, tmp_path / (sample.SJI_1400.name + ".gz"))
    np.testing.assert_array_equal(np.asarray(read_cube(gz).data), fits.getdata(sample.SJI_1400))
    tar = write_raster_tar(
        sample.RASTER_SERIES, tmp_path / "iris_l2_20140329_140938_3860258481_raster.tar.gz"
    )
    rasters = read_files(tar, windows="Si IV 1403")
    assert len(rasters["Si IV 1403"].data) == 3
    assert not list(tmp_path.glob("*.fits"))


def test_aux_and_filename_tables():
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    assert len(cube.aux) == 187
    np.testing.assert_allclose(cube[10:20].aux["XCENIX"], cube.aux["XCENIX"][10:20])
    assert cube.meta.observer_radial_velocity.unit == u.m / u.s
    layout = Level2File(sample.SNS_RASTER)
    names = layout.filename_table
    # The header declares 9 fields (TFIELDS); the keywords describe the real layout.
    assert names.colnames == [
        "FRMID",
        "FDBIDF",
        "CRSIDF",
        "FDBIDN",
        "CRSIDN",
        "FILEF",
        "FILEN",
        "PDTMPFUV",
        "PDTMPNUV",
    ]
    assert names["FILEF"][0].endswith("_fuv.fits")
    assert names["FILEN"][0].endswith("_nuv.fits")
    assert names["PDTMPFUV"][0].count(",") == 11
    assert layout.header(-1)["XTENSION"].strip() == "TABLE"
    assert "DATE_OBS" in layout.aux_table.colnames


def test_file_summary_names_windows_and_observation():
    text = file_summary(sample.SNS_RASTER)
    assert "OBSID 3620258102" in text
    assert "Medium sit-and-stare" in text
    for label in SNS_LABELS:
        assert label in text
    assert "Si IV 1403" in repr(read_files(sample.SNS_RASTER, as_observation=True))


def test_not_iris_level2(tmp_path):
    path = tmp_path / "other.fits"
    fits.PrimaryHDU(np.zeros((3, 3)), header=fits.Header({"INSTRUME": "AIA"})).writeto(path)
    with pytest.raises(IrispyPlusFileError, match=r"other.fits is not an IRIS Level 2 file"):
        read_files(path)
    text = tmp_path / "notes.fits"
    text.write_text("hello")
    with pytest.raises(IrispyPlusFileError, match=r"notes\.fits could not be read as a FITS file"):
        read_files(text)


def test_truncated_file(tmp_path):
    path = tmp_path / sample.SNS_RASTER.name
    data = sample.SNS_RASTER.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IrispyPlusFileError, match=r"truncated.*Download the file again"):
        read_files(path)


def test_missing_keywords(tmp_path):
    path = shutil.copy(sample.SJI_2832, tmp_path / sample.SJI_2832.name)
    with fits.open(path, mode="update") as hdulist:
        del hdulist[0].header["STARTOBS"]
    with pytest.raises(IrispyPlusFileError, match=r"lacks the keyword\(s\) STARTOBS"):
        read_files(path)
    path = shutil.copy(sample.RASTER, tmp_path / sample.RASTER.name)
    with fits.open(path, mode="update") as hdulist:
        del hdulist[-2].header["XCENIX"]
    with pytest.raises(IrispyPlusFileError, match="lacks the XCENIX"):
        read_files(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(IrispyPlusFileError, match="does not exist"):
        read_files(tmp_path / "nothing.fits")
    with pytest.raises(IrispyPlusFileError, match="holds no IRIS Level 2 files"):
        read_files(tmp_path)
    with pytest.raises(IrispyPlusFileError, match="No file matches"):
        read_files(str(tmp_path / "*.fits"))


def test_raster_files_of_two_observations_are_refused():
    with pytest.raises(IrispyPlusFileError, match="2 observations"):
        read_files([sample.RASTER, sample.SNS_RASTER])


@pytest.mark.parametrize("item", [5, (slice(None), slice(None), 12), (slice(3, 9), 7), Ellipsis])
def test_read_data_matches_sliced_cube(item):
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    data, mask = cube.read_data(item)
    np.testing.assert_array_equal(data, np.asarray(cube.data[item]))
    np.testing.assert_array_equal(mask, np.asarray(cube.mask[item]))
    sliced = cube[item] if item is not Ellipsis else cube
    np.testing.assert_array_equal(data, np.asarray(sliced.data))
    cube.load()
    in_memory, in_memory_mask = cube.read_data(item)
    np.testing.assert_array_equal(in_memory, data)
    np.testing.assert_array_equal(in_memory_mask, mask)


def test_slices_of_slices_read_the_right_pixels():
    cube = read_cube(sample.SNS_RASTER, "Mg II k 2796", uncertainty=True)
    full = fits.getdata(sample.SNS_RASTER, 8)
    sliced = cube[10:50][::1][5, 3:30][:, 7]
    np.testing.assert_array_equal(np.asarray(sliced.data), full[15, 3:30, 7])
    expected_sigma = np.sqrt(np.maximum(full[15, 3:30, 7], 0) / 18 + 1.2**2)
    np.testing.assert_allclose(np.asarray(sliced.uncertainty.array), expected_sigma, rtol=1e-6)


def test_folders_are_searched_recursively(tmp_path):
    observation = tmp_path / "20140329_140938_3860258481"
    observation.mkdir()
    for path in sample.RASTER_SERIES:
        shutil.copy(path, observation / path.name)
    assert len(read_files(tmp_path, windows="C II 1336", as_observation=True)["C II 1336"].data) == 3


def test_read_data_without_mask():
    cube = read_cube(sample.SJI_1400)
    np.testing.assert_array_equal(cube.read_data(1, mask=False), fits.getdata(sample.SJI_1400)[1])
    cube.load()
    np.testing.assert_array_equal(cube.read_data(1, mask=False), fits.getdata(sample.SJI_1400)[1])
