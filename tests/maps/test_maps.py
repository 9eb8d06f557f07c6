"""
Slit-jaw frames and raster images as sunpy Maps, checked against the cubes' own
coordinates and against the auxiliary table read independently with astropy.
"""

import astropy.units as u
import numpy as np
import pytest
import sunpy.map
from astropy.io import fits
from astropy.time import Time

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.maps import to_map, to_maps
from irispy_plus.utils.exceptions import IrispyPlusMapError

SJI_FILES = [sample.SJI_1400, sample.SJI_2832, sample.SNS_SJI_1330, sample.SNS_SJI_2796]


def _corners_and_centre(shape):
    ny, nx = shape
    return [(0, 0), (nx - 1, 0), (0, ny - 1), (nx - 1, ny - 1), ((nx - 1) / 2, (ny - 1) / 2)]


def _aux_table(path):
    """The primary header, and the auxiliary array with its header, read with astropy alone."""
    with fits.open(path) as hdus:
        return hdus[0].header.copy(), hdus[1].data.copy(), hdus[1].header.copy()


@pytest.mark.parametrize("path", SJI_FILES, ids=lambda path: path.name[-20:])
def test_every_frame_map_has_the_cube_coordinates(path):
    sji = read_cube(path)
    for index in range(sji.data.shape[0]):
        frame = sji[index]
        frame_map = frame.to_map()
        for x, y in _corners_and_centre(frame.data.shape):
            expected = frame.wcs.pixel_to_world(x, y)
            found = frame_map.pixel_to_world(x * u.pix, y * u.pix)
            assert abs(found.Tx - expected.Tx) < 0.01 * u.arcsec
            assert abs(found.Ty - expected.Ty) < 0.01 * u.arcsec


@pytest.mark.parametrize("path", SJI_FILES, ids=lambda path: path.name[-20:])
def test_frame_headers_carry_that_exposure(path):
    primary, aux, aux_header = _aux_table(path)
    # The auxiliary array's columns are named by keywords of its header (TIME, XCENIX...).
    index_of = {name: int(aux_header[name]) for name in ("TIME", "EXPTIMES", "XCENIX", "YCENIX", "PC1_2IX")}
    maps = to_maps(read_cube(path))
    start = Time(primary["STARTOBS"])
    for frame, row in zip(maps, aux, strict=True):
        assert isinstance(frame, sunpy.map.sources.SJIMap)
        assert frame.meta["crval1"] == pytest.approx(row[index_of["XCENIX"]], abs=1e-9)
        assert frame.meta["crval2"] == pytest.approx(row[index_of["YCENIX"]], abs=1e-9)
        assert frame.meta["pc1_2"] == pytest.approx(row[index_of["PC1_2IX"]], abs=1e-9)
        assert frame.meta["crpix1"] == pytest.approx(primary["CRPIX1"], abs=1e-6)
        assert frame.meta["crpix2"] == pytest.approx(primary["CRPIX2"], abs=1e-6)
        assert frame.exposure_time.to_value(u.s) == pytest.approx(row[index_of["EXPTIMES"]], rel=1e-6)
        middle = start + (row[index_of["TIME"]] + row[index_of["EXPTIMES"]] / 2) * u.s
        assert abs((frame.date - middle).to_value(u.s)) < 0.01
        assert frame.wavelength == primary["TWAVE1"] * u.AA
        assert frame.detector == "SJI"
        assert frame.observer_coordinate.radius.to_value(u.AU) == pytest.approx(1.0, abs=0.02)
        assert frame.unit == u.DN


def test_a_cropped_frame_keeps_its_coordinates():
    frame = read_cube(sample.SJI_1400)[1, 20:70, 30:120]
    frame_map = frame.to_map()
    for x, y in _corners_and_centre(frame.data.shape):
        expected = frame.wcs.pixel_to_world(x, y)
        found = frame_map.pixel_to_world(x * u.pix, y * u.pix)
        assert abs(found.Tx - expected.Tx) < 0.01 * u.arcsec
        assert abs(found.Ty - expected.Ty) < 0.01 * u.arcsec


def test_masked_pixels_are_nan():
    frame = read_cube(sample.SJI_1400)[0]
    mask = np.asarray(frame.mask)
    assert mask.any()
    assert np.all(np.isnan(frame.to_map().data[mask]))


def test_fits_round_trip_keeps_the_coordinates(tmp_path):
    frame_map = read_cube(sample.SJI_2832)[1].to_map()
    frame_map.save(tmp_path / "frame.fits")
    again = sunpy.map.Map(tmp_path / "frame.fits")
    pixels = [0, 100, 177] * u.pix, [0, 50, 108] * u.pix
    before, after = frame_map.pixel_to_world(*pixels), again.pixel_to_world(*pixels)
    assert np.all(np.abs(after.Tx - before.Tx) < 1e-6 * u.arcsec)
    assert np.all(np.abs(after.Ty - before.Ty) < 1e-6 * u.arcsec)
    assert again.date == frame_map.date


def test_spectroheliogram_map_is_within_its_stated_error():
    raster = read_cube(sample.RASTER, "Si IV 1403")
    image = raster[..., 14]
    image_map = image.to_map()
    steps, slit = image.data.shape
    assert image_map.data.shape == (slit, steps)  # Solar-X along the Map's x axis
    error = image_map.meta["csyer1"] * u.arcsec
    assert error < 0.1 * u.arcsec
    worst = 0 * u.arcsec
    for step in range(steps):
        for row in (0, slit // 2, slit - 1):
            expected = image.wcs.pixel_to_world(row, step)
            found = image_map.pixel_to_world(step * u.pix, row * u.pix)
            worst = max(worst, np.hypot(found.Tx - expected.Tx, found.Ty - expected.Ty))
    assert worst <= error * 1.0001
    np.testing.assert_array_equal(np.nan_to_num(image_map.data.T), np.nan_to_num(_masked(image)))
    assert image_map.date.isot[:19] == "2014-03-29T14:10:15"  # middle of the raster


def _masked(image):
    data = np.array(image.data, dtype=float)
    data[np.asarray(image.mask)] = np.nan
    return data


def test_a_fit_map_becomes_a_map():
    from irispy_plus.fitting import fit_siiv

    fit = fit_siiv(read_cube(sample.RASTER, "Si IV 1403"), plot=False)
    velocity = fit.doppler_velocity()
    velocity_map = to_map(velocity)
    assert velocity_map.unit == u.km / u.s
    assert velocity_map.data.shape == velocity.data.shape[::-1]


def test_sit_and_stare_has_no_map():
    image = read_cube(sample.SNS_RASTER, "Si IV 1403")[..., 10]
    with pytest.raises(IrispyPlusMapError, match="sit-and-stare"):
        image.to_map()


def test_a_cube_must_be_sliced_first():
    with pytest.raises(IrispyPlusMapError, match=r"2-D image.*sji\[i\]"):
        to_map(read_cube(sample.SJI_1400))
    with pytest.raises(IrispyPlusMapError, match="slit-jaw cube"):
        to_maps(read_cube(sample.SJI_1400)[0])


def test_an_image_without_time_needs_a_date():
    from ndcube import NDCube

    frame = read_cube(sample.SJI_1400)[0]
    bare = NDCube(np.asarray(frame.data), wcs=frame.to_map().wcs)  # a FITS WCS has no time axis
    with pytest.raises(IrispyPlusMapError, match="date="):
        to_map(bare)
    assert to_map(bare, date="2023-04-08T12:00:00").date.isot == "2023-04-08T12:00:00.000"


def test_an_image_without_celestial_axes_is_refused():
    spectrum_image = read_cube(sample.SNS_RASTER, "Si IV 1403")[0]  # slit against wavelength
    with pytest.raises(IrispyPlusMapError):
        to_map(spectrum_image)
