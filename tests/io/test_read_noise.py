"""
Uncertainties use each camera's read noise (FUV 3.1 DN, NUV and slit-jaw 1.2 DN) and
photons per DN, checked against a computation from the file's values by hand.
"""

import numpy as np
import pytest
from astropy.io import fits

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.units import DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV, read_noise

# (photons per DN, read noise in DN) of each camera: De Pontieu et al. (2014).
FUV, NUV, SJI_FUV, SJI_NUV = (4, 3.1), (18, 1.2), (12, 1.2), (18, 1.2)


def _by_hand(values, camera):
    photons_per_dn, noise = camera
    values = np.asarray(values, dtype=np.float64)
    return np.sqrt(np.maximum(values, 0) / photons_per_dn + noise**2)


@pytest.mark.parametrize(
    ("window", "hdu", "camera"),
    [("Si IV 1403", 5, FUV), ("C II 1336", 1, FUV), ("Mg II k 2796", 8, NUV), ("2832", 6, NUV)],
)
def test_raster_uncertainty_per_camera(window, hdu, camera):
    with fits.open(sample.SNS_RASTER) as hdulist:
        assert hdulist[0].header[f"TDESC{hdu}"].strip() == window
        values = hdulist[hdu].data.astype(np.float64)
    cube = read_cube(sample.SNS_RASTER, window, uncertainty=True)
    expected = _by_hand(values, camera)
    np.testing.assert_allclose(np.asarray(cube.uncertainty.array), expected, rtol=1e-6)
    # A slice of the lazy cube recomputes it from its own pixels; a loaded cube keeps it.
    np.testing.assert_allclose(np.asarray(cube[3:9, 5].uncertainty.array), expected[3:9, 5], rtol=1e-6)
    cube.load()
    np.testing.assert_allclose(cube.uncertainty.array, expected, rtol=1e-6)


def test_fuv_uncertainty_of_a_dark_pixel_is_the_fuv_read_noise():
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403", uncertainty=True)
    data, sigma = np.asarray(cube.data), np.asarray(cube.uncertainty.array)
    dark = data <= 0
    assert dark.any()
    np.testing.assert_allclose(sigma[dark], 3.1, rtol=1e-6)


@pytest.mark.parametrize(
    ("path", "camera"),
    [(sample.SJI_1400, SJI_FUV), (sample.SJI_2832, SJI_NUV), (sample.SNS_SJI_1330, SJI_FUV)],
)
def test_slit_jaw_uncertainty(path, camera):
    cube = read_cube(path, uncertainty=True)
    np.testing.assert_allclose(
        np.asarray(cube.uncertainty.array), _by_hand(fits.getdata(path), camera), rtol=1e-6
    )


def test_read_noise_lookup():
    assert read_noise("FUV").value == 3.1
    assert read_noise("FUV").unit == DN_FUV
    assert read_noise("NUV").unit == DN_NUV
    assert read_noise("SJI_1400").unit == DN_SJI_FUV
    assert read_noise(DN_SJI_NUV).value == 1.2
    with pytest.raises(ValueError, match="Unknown IRIS detector"):
        read_noise("EUV")
