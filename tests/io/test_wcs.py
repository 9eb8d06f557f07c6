"""
World coordinates checked against values computed independently from the headers.

For each exposure, a plain FITS WCS is built with astropy from the window header, with
the reference value set to that exposure's pointing (XCENIX, YCENIX), the rotation to
its PCi_jIX and the step reference pixel to the exposure itself, read straight from the
file with astropy.io.fits. The per-exposure sit-and-stare slit needs CDELT3 = CDELT2
there, since a FITS WCS with CDELT3 = 0 cannot carry the slit's tilt.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time
from astropy.wcs import WCS
from sunpy.coordinates import get_earth

from irispy_plus import read_cube
from irispy_plus.data import sample


def _aux(path):
    with fits.open(path) as hdulist:
        header, values = hdulist[-2].header, hdulist[-2].data.copy()
    return {
        key: values[:, header[key]]
        for key in header
        if isinstance(header[key], int) and key[:5] not in ("NAXIS", "PCOUN", "GCOUN", "BITPI")
    }


def _raster_reference(path, extension, step, slit_pixels, wave_pixels):
    header = fits.getheader(path, extension).copy()
    aux = _aux(path)
    header["CRVAL3"], header["CRVAL2"] = aux["XCENIX"][step], aux["YCENIX"][step]
    header["CRPIX3"] = step + 1
    if header["CDELT3"] == 0:
        header["CDELT3"] = header["CDELT2"]
    for key in ("PC2_2", "PC2_3", "PC3_2", "PC3_3"):
        header[key] = aux[f"{key}IX"][step]
    wcs = WCS(header)
    wave, lat, lon = wcs.pixel_to_world_values(
        wave_pixels, slit_pixels, np.full_like(slit_pixels, step, dtype=float)
    )
    lon = (lon + 180) % 360 - 180
    return wave * 1e10, lon * 3600, lat * 3600


RASTER_CASES = [
    (sample.SNS_RASTER, "Si IV 1403", 5),
    (sample.SNS_RASTER, "Mg II k 2796", 8),
    (sample.RASTER, "C II 1336", 1),
    (sample.RASTER_SERIES[2], "Mg II k 2796", 9),
]


@pytest.mark.parametrize(("path", "label", "extension"), RASTER_CASES)
def test_raster_corners_and_centre_match_header_per_exposure(path, label, extension):
    cube = read_cube(path, label)
    n_steps, n_slit, n_wave = cube.shape
    slit = np.array([0, n_slit - 1, n_slit // 2, 0, n_slit - 1], dtype=float)
    wave = np.array([0, n_wave - 1, n_wave // 2, n_wave - 1, 0], dtype=float)
    for step in (0, n_steps - 1):
        expected_wave, expected_lon, expected_lat = _raster_reference(path, extension, step, slit, wave)
        world = cube.wcs.low_level_wcs.pixel_to_world_values(wave, slit, np.full_like(slit, step))
        np.testing.assert_allclose(world[0], expected_wave, atol=1e-9)
        np.testing.assert_allclose(world[1], expected_lon, atol=1e-6)
        np.testing.assert_allclose(world[2], expected_lat, atol=1e-6)


def test_raster_pointing_follows_each_step_not_header_average():
    cube = read_cube(sample.RASTER, "Si IV 1403")
    centre = cube.shape[1] // 2
    coords = cube[:, centre, 0].axis_world_coords()[0]
    aux = _aux(sample.RASTER)
    # Each step points where its own XCENIX says (a 2 arcsec step): not at XCEN.
    np.testing.assert_allclose(np.diff(coords.Tx.to_value(u.arcsec)), np.diff(aux["XCENIX"]), atol=0.01)
    assert abs(coords.Tx[0].to_value(u.arcsec) - fits.getheader(sample.RASTER)["XCEN"]) > 5


def test_sit_and_stare_slit_keeps_its_tilt():
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    top, bottom = cube.wcs.pixel_to_world([0, 0], [0, cube.shape[1] - 1], [0, 0])[1]
    tilt = (bottom.Tx - top.Tx) / (bottom.Ty - top.Ty)
    header = fits.getheader(sample.SNS_RASTER, 5)
    # The along-slit direction of the rotation matrix: PC3_2 / PC2_2 (about 0.65 degrees).
    assert tilt.to_value(u.one) == pytest.approx(
        _aux(sample.SNS_RASTER)["PC3_2IX"][0] / _aux(sample.SNS_RASTER)["PC2_2IX"][0], rel=1e-3
    )
    assert header["CDELT3"] == 0
    assert abs(bottom.Tx - top.Tx) > 0.5 * u.arcsec


@pytest.mark.parametrize("path", [sample.SJI_1400, sample.SNS_SJI_1330, sample.SNS_SJI_2796])
def test_sji_corners_and_centre_match_header_per_frame(path):
    cube = read_cube(path)
    n_frames, ny, nx = cube.shape
    header = fits.getheader(path, 0)
    aux = _aux(path)
    x = np.array([0, nx - 1, nx // 2, 0, nx - 1], dtype=float)
    y = np.array([0, ny - 1, ny // 2, ny - 1, 0], dtype=float)
    for frame in (0, n_frames - 1):
        two_d = WCS(naxis=2)
        two_d.wcs.ctype = [header["CTYPE1"], header["CTYPE2"]]
        two_d.wcs.cunit = ["arcsec", "arcsec"]
        two_d.wcs.crpix = [header["CRPIX1"], header["CRPIX2"]]
        two_d.wcs.cdelt = [header["CDELT1"], header["CDELT2"]]
        two_d.wcs.crval = [aux["XCENIX"][frame], aux["YCENIX"][frame]]
        two_d.wcs.pc = [
            [aux["PC1_1IX"][frame], aux["PC1_2IX"][frame]],
            [aux["PC2_1IX"][frame], aux["PC2_2IX"][frame]],
        ]
        expected_lon, expected_lat = two_d.wcs_pix2world(x, y, 0)
        expected_lon = ((expected_lon + 180) % 360 - 180) * 3600
        lon, lat, seconds = cube.wcs.low_level_wcs.pixel_to_world_values(x, y, np.full_like(x, frame))
        np.testing.assert_allclose(lon, expected_lon, atol=1e-6)
        np.testing.assert_allclose(lat, expected_lat * 3600, atol=1e-6)
        mid = aux["TIME"][frame] + aux["EXPTIMES"][frame] / 2
        np.testing.assert_allclose(seconds, mid, atol=1e-9)


def test_times_are_mid_exposure():
    # FUV; NUV windows take their times from the level 1 file names (test_nuv_times.py).
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    aux = _aux(sample.SNS_RASTER)
    start = Time(fits.getheader(sample.SNS_RASTER)["STARTOBS"], scale="utc")
    expected = start + (aux["TIME"] + aux["EXPTIMEF"] / 2) * u.s
    assert np.all(np.abs((cube.time - expected).to_value(u.s)) < 1e-6)
    np.testing.assert_allclose(cube.exposure_time.to_value(u.s), aux["EXPTIMEF"])
    sji = read_cube(sample.SJI_1400)
    sji_aux = _aux(sample.SJI_1400)
    sji_start = Time(fits.getheader(sample.SJI_1400)["STARTOBS"], scale="utc")
    expected = sji_start + (sji_aux["TIME"] + sji_aux["EXPTIMES"] / 2) * u.s
    assert np.all(np.abs((sji.time - expected).to_value(u.s)) < 1e-6)


def test_observer_is_earth_at_observation_time():
    cube = read_cube(sample.RASTER, "Si IV 1403")
    frame = cube.wcs.pixel_to_world(0, 0, 0)[1].frame
    earth = get_earth(frame.obstime)
    assert frame.obstime.isot.startswith("2014-03-29T14:09:39")
    assert frame.observer.radius.to_value(u.AU) == pytest.approx(earth.radius.to_value(u.AU), rel=1e-9)
    assert frame.observer.lat.to_value(u.deg) == pytest.approx(earth.lat.to_value(u.deg), abs=1e-9)


@pytest.mark.parametrize(
    "item",
    [
        (slice(None), slice(10, 20), 5),
        (3, slice(None), slice(2, 9)),
        (slice(2, 6), 7),
        (7, 0),
    ],
)
def test_slicing_keeps_coordinates(item):
    # Every pixel of the sliced cube has the coordinates of the same pixel of the whole
    # cube (the astropy sliced-WCS bugs with coupled PC matrices would break this).
    cube = read_cube(sample.RASTER, "Si IV 1403")
    sliced = cube[item]
    full_index = np.indices(cube.shape)
    kept = tuple(index[item] for index in full_index)
    kept_pixels = [np.ravel(k) for k in kept]
    expected = cube.wcs.low_level_wcs.pixel_to_world_values(*kept_pixels[::-1])
    sliced_indices = np.indices(sliced.shape)
    got = sliced.wcs.low_level_wcs.pixel_to_world_values(*[np.ravel(i) for i in sliced_indices[::-1]])
    if sliced.wcs.low_level_wcs.world_n_dim == 1:
        got = [got]
    dropped = [
        axis
        for axis, value in zip(range(3), item + (slice(None),) * (3 - len(item)), strict=True)
        if isinstance(value, int)
    ]
    world_kept = [w for w in range(3) if not (dropped == [2] and w == 0)]
    for got_world, world_index in zip(got, world_kept, strict=False):
        np.testing.assert_allclose(got_world, expected[world_index], atol=1e-9)


@pytest.mark.parametrize("path", [sample.RASTER, sample.SNS_RASTER])
def test_raster_world_to_pixel_round_trips(path):
    cube = read_cube(path, "Si IV 1403")
    wcs = cube.wcs.low_level_wcs
    rng = np.random.default_rng(1)
    n_steps, n_slit, n_wave = cube.shape
    step = rng.integers(0, n_steps, 50).astype(float)
    slit = rng.uniform(0, n_slit - 1, 50)
    wave = rng.uniform(0, n_wave - 1, 50)
    back = wcs.world_to_pixel_values(*wcs.pixel_to_world_values(wave, slit, step))
    np.testing.assert_allclose(back[0], wave, atol=1e-8)
    np.testing.assert_allclose(back[1], slit, atol=1e-4)
    np.testing.assert_allclose(back[2], step, atol=1e-4)


def test_sji_world_to_pixel_round_trips():
    sji = read_cube(sample.SNS_SJI_1400)
    wcs = sji.wcs.low_level_wcs
    rng = np.random.default_rng(2)
    pixels = [rng.uniform(0, n - 1, 40) for n in sji.shape[::-1]]
    back = wcs.world_to_pixel_values(*wcs.pixel_to_world_values(*pixels))
    for got, expected in zip(back, pixels, strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-7)
