import astropy.units as u
import numpy as np
import pytest
import scipy.signal

from irispy_plus.calibration import (
    IrispyPlusCalibrationError,
    deconvolve_psf,
    psf_name,
    spectrograph_psf,
)
from irispy_plus.calibration._psf import _table, richardson_lucy

N = 548
ROWS = np.arange(N)


def _scene():
    """A slit with a narrow (sigma 0.7 px) and a wide feature on a flat background."""
    return (
        20 + 1000 * np.exp(-0.5 * ((ROWS - 250.3) / 0.7) ** 2) + 300 * np.exp(-0.5 * ((ROWS - 320) / 5) ** 2)
    )


def _observe(truth, kernel):
    # An independent convolution: scipy's direct method, zero outside the slit.
    return scipy.signal.convolve(truth, kernel, mode="same", method="direct")


def test_shipped_psfs_are_normalised_and_centred():
    table = _table()
    assert table.shape == (420, 4)
    np.testing.assert_allclose(table.sum(axis=0), 1, atol=1e-9)
    assert np.all(table.argmax(axis=0) == 210)


@pytest.mark.parametrize(("name", "iterations"), [("1336", 10), ("1394", 10), ("2796", 50), ("2814", 50)])
def test_narrow_feature_recovered(name, iterations):
    kernel = spectrograph_psf(name)
    truth = _scene()
    observed = _observe(truth, kernel)
    assert observed[250] < 0.75 * truth[250]  # the PSF really blurs the feature
    estimate = richardson_lucy(observed[None], np.ones((1, N), bool), kernel, iterations)[0]
    assert estimate[250] == pytest.approx(truth[250], rel=0.05)
    # Flux: away from the ends of the slit, the deconvolved flux is the true one.
    inner = slice(100, 450)
    assert estimate[inner].sum() == pytest.approx(truth[inner].sum(), rel=1e-3)
    # And the weighted flux identity holds exactly at every iteration.
    norm = scipy.signal.correlate(np.ones(N), kernel, mode="same", method="direct")
    assert (norm * estimate).sum() == pytest.approx(observed.sum(), rel=1e-9)


@pytest.mark.parametrize("summing", [2, 3, 4])
def test_psf_binned_to_summed_pixels(summing):
    psf = _table()[:, 1]
    binned = spectrograph_psf("1394", summing)
    centre = binned.size // 2
    assert binned.argmax() == centre
    assert binned.sum() == pytest.approx(1)
    for k in (-3, -1, 0, 1, 2):
        # Independent: the unsummed pixels (and half pixels at the bin edges) in the bin.
        lo, hi = 210 + (k - 0.5) * summing, 210 + (k + 0.5) * summing
        edges = np.arange(421) - 0.5
        weights = np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, 1)
        assert binned[centre + k] == pytest.approx((weights * psf).sum(), rel=1e-9)


def test_masked_pixels_do_not_leak():
    kernel = spectrograph_psf("2796")
    observed = _observe(_scene(), kernel)
    columns = np.stack([observed, observed, observed])
    valid = np.ones(columns.shape, bool)
    valid[:, [200, 318, 400]] = False
    columns[1, [200, 318, 400]] = -200.0  # fill
    columns[2, [200, 318, 400]] = 1e9  # a saturated or wild value
    out = richardson_lucy(columns, valid, kernel, 50)
    np.testing.assert_array_equal(out[1][valid[1]], out[0][valid[0]])
    np.testing.assert_array_equal(out[2][valid[2]], out[0][valid[0]])
    # Next to a masked pixel the deconvolution still holds: the narrow feature's peak
    # and the wide feature around the masked pixel come out close to the truth.
    truth = _scene()
    assert out[0, 250] == pytest.approx(truth[250], rel=0.05)
    np.testing.assert_allclose(out[0, [315, 316, 317, 319, 320]], truth[[315, 316, 317, 319, 320]], rtol=0.05)


@pytest.fixture(scope="module")
def siiv(sns_rasters):
    return sns_rasters.cube("Si IV 1403")


def test_deconvolve_cube_lazy_equals_eager(siiv):
    lazy = deconvolve_psf(siiv)
    assert lazy.is_lazy
    assert lazy.meta["PSF_DECONVOLVED"] == "Courrier et al. (2018) psf_1394"
    assert lazy.meta["PSF_ITERATIONS"] == 10
    # The sample keeps every 10th slit pixel: CDELT2 = 1.6635" = 10 unsummed pixels.
    assert lazy.meta["PSF_SUMMING"] == 10
    assert lazy.uncertainty is None
    assert "PSF_DECONVOLVED" not in siiv.meta
    eager_cube = siiv._new_instance(data=np.asarray(siiv.data), mask=np.asarray(siiv.mask))
    eager = deconvolve_psf(eager_cube, iterations=10)
    np.testing.assert_allclose(np.asarray(lazy.data), eager.data, rtol=1e-5, atol=1e-4)
    mask = np.asarray(siiv.mask)
    # Masked pixels keep their values; the rest is the array-level deconvolution.
    np.testing.assert_array_equal(eager.data[mask], np.asarray(siiv.data)[mask])
    expected = richardson_lucy(
        np.moveaxis(np.asarray(siiv.data), 1, -1).reshape(-1, siiv.shape[1]),
        ~np.moveaxis(mask, 1, -1).reshape(-1, siiv.shape[1]),
        spectrograph_psf("1394", 10),
        10,
    )
    expected = np.moveaxis(expected.reshape(siiv.shape[0], siiv.shape[2], siiv.shape[1]), -1, 1)
    np.testing.assert_allclose(eager.data[~mask], expected[~mask], rtol=1e-5)


def test_window_psfs_and_nuv_iterations(sns_rasters):
    names = {key: psf_name(sns_rasters.cube(key)) for key in sns_rasters.windows}
    assert names == {
        "C II 1336": "1336",
        "Fe XII 1349": "1336",
        "O I 1356": "1336",
        "Si IV 1394": "1394",
        "Si IV 1403": "1394",
        "2832": "2814",
        "2814": "2814",
        "Mg II k 2796": "2796",
    }
    collection = deconvolve_psf(sns_rasters, iterations=3)
    assert collection.cube("Mg II k 2796").meta["PSF_ITERATIONS"] == 3
    assert deconvolve_psf(sns_rasters.cube("2814")).meta["PSF_ITERATIONS"] == 50


def test_bad_arguments(siiv, sns_sji):
    for bad in (-1, 2.5, "ten"):
        with pytest.raises(IrispyPlusCalibrationError, match="iterations"):
            deconvolve_psf(siiv, iterations=bad)
    with pytest.raises(IrispyPlusCalibrationError, match="Unknown PSF"):
        deconvolve_psf(siiv, psf="1400")
    with pytest.raises(IrispyPlusCalibrationError, match="spectrograph window"):
        deconvolve_psf(sns_sji)
    with pytest.raises(IrispyPlusCalibrationError, match="slit axis"):
        deconvolve_psf(siiv[:, 3])
    with pytest.raises(IrispyPlusCalibrationError, match="summing"):
        spectrograph_psf("1336", summing=0.5)
    assert u.Quantity(siiv.spectral_axis).unit.is_equivalent(u.AA)


def test_summed_cube_uses_the_binned_psf():
    from irispy_plus.testing.spectra import synthetic_raster
    from irispy_plus.utils import IrispyPlusUserWarning

    rng = np.random.default_rng(5)
    data = rng.uniform(10, 100, (3, 120, 6))
    cube = synthetic_raster(
        data, [1400.0, 0.026] * u.AA, detector="FUV", window="Si IV 1403", slit_cdelt=0.3326
    )
    out = deconvolve_psf(cube)
    assert out.meta["PSF_SUMMING"] == 2
    columns = np.moveaxis(data, 1, -1).reshape(-1, 120)
    expected = richardson_lucy(columns, np.ones(columns.shape, bool), spectrograph_psf("1394", 2), 10)
    np.testing.assert_allclose(np.moveaxis(out.data, 1, -1).reshape(-1, 120), expected, rtol=1e-6)
    odd = synthetic_raster(data, [1400.0, 0.026] * u.AA, detector="FUV", window="Si IV 1403", slit_cdelt=0.25)
    with pytest.warns(IrispyPlusUserWarning, match="not a whole number; the PSF is binned to 2"):
        deconvolve_psf(odd)


def test_matches_a_textbook_richardson_lucy_away_from_the_ends():
    # An independent implementation, one slit at a time with scipy (as scikit-image's):
    # it ignores the slit ends, so compare away from them.
    kernel = spectrograph_psf("1336", 2)
    rng = np.random.default_rng(9)
    truth = 50 + 400 * rng.random((4, 274)) ** 8
    observed = np.stack([scipy.signal.convolve(t, kernel, mode="same", method="direct") for t in truth])
    ours = richardson_lucy(observed, np.ones(observed.shape, bool), kernel, 10)
    for row, column in enumerate(observed):
        estimate = column.copy()
        for _ in range(10):
            blurred = scipy.signal.fftconvolve(estimate, kernel, mode="same")
            estimate *= scipy.signal.fftconvolve(column / blurred, kernel[::-1], mode="same")
        inner = slice(kernel.size // 2, -(kernel.size // 2))
        np.testing.assert_allclose(ours[row, inner], estimate[inner], rtol=2e-3)
