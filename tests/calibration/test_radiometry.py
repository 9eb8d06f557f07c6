import astropy.units as u
import numpy as np
import pytest

from irispy_plus.calibration import (
    CALIBRATED_UNITS,
    SLIT_WIDTH,
    IrispyPlusCalibrationError,
    calibrate_spectrum,
    effective_area,
    photons_per_dn,
    slit_jaw_factor,
    spectrograph_factor,
)
from irispy_plus.calibration._response import detector_area_on_grid
from irispy_plus.units import DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV

PER_ANGSTROM, PER_NM_SI, PER_HZ, PER_HZ_SI, PHOTON_RATE = CALIBRATED_UNITS
PIXEL = SLIT_WIDTH * 0.16635 * u.arcsec
SG_PIXEL = {"exposure_time": 1 * u.s, "solid_angle": PIXEL, "dispersion": 1 * u.AA}


def test_calibrate_spectrum_matches_solarsoft(idl_calib_spectrum):
    inputs, output = idl_calib_spectrum
    # iris_calib_spectrum called with a spectrum and wavelengths only uses the response of
    # the day it ran (any date after mid-2023 gives the same FUV areas), 1 s exposures and
    # a pixel of (1/3 x 1/6) arcsec2 by 12.9 mA.
    calibrated, factor = calibrate_spectrum(
        inputs["input_spectrum"],
        inputs["wavelength"] * u.AA,
        "2025-08-05",
        dispersion=12.9 * u.mAA,
        solid_angle=(1 / 3 * u.arcsec) * (1 / 6 * u.arcsec),
    )
    assert factor.unit == PER_ANGSTROM / DN_FUV
    assert calibrated.unit == PER_ANGSTROM
    # Measured: 4.4e-6 for both.
    np.testing.assert_allclose(factor.value, output["factor"], rtol=1e-5)
    np.testing.assert_allclose(calibrated.value, output["outputspectrum"], rtol=1e-5)


def test_photons_per_dn():
    assert photons_per_dn("FUV") == 4 * u.ph / DN_FUV
    assert photons_per_dn("NUV") == 18 * u.ph / DN_NUV
    assert photons_per_dn("SJI_1330") == 12 * u.ph / DN_SJI_FUV
    assert photons_per_dn("SJI_2832") == 18 * u.ph / DN_SJI_NUV
    with pytest.raises(IrispyPlusCalibrationError, match="SJI_9999"):
        photons_per_dn("SJI_9999")


def test_one_spectrograph_pixel_by_hand():
    wavelength, time, exposure, dispersion = 2796.35 * u.AA, "2021-09-05", 8.0 * u.s, 0.02546 * u.AA
    dn = 120.0
    area = effective_area(wavelength, time, "NUV").to_value(u.cm**2)
    h, c = 6.62607015e-27, 2.99792458e10  # erg s, cm/s
    photons_per_second = dn * 18 / 8.0
    energy = h * c / (2796.35e-8)  # erg
    solid_angle = 0.33 * 0.16635 / 206264.80624709636**2  # sr
    by_hand = photons_per_second * energy / (area * solid_angle * 0.02546)  # erg/(s cm2 sr A)
    pixel = {"exposure_time": exposure, "solid_angle": PIXEL, "dispersion": dispersion}
    values = {
        unit: (dn * spectrograph_factor(wavelength, time, "NUV", **pixel, unit=unit) * DN_NUV)
        for unit in CALIBRATED_UNITS
    }
    assert values[PER_ANGSTROM].to_value(PER_ANGSTROM)[0] == pytest.approx(by_hand, rel=1e-10)
    # 1 erg s-1 cm-2 = 1e-3 W m-2, 1 A-1 = 10 nm-1.
    assert values[PER_NM_SI].to_value(PER_NM_SI)[0] == pytest.approx(by_hand * 1e-2, rel=1e-10)
    # Per hertz: B_nu = B_lambda * lambda^2 / c.
    per_hz = by_hand * 2796.35e-8 * 2796.35 / c
    assert values[PER_HZ].to_value(PER_HZ)[0] == pytest.approx(per_hz, rel=1e-10)
    assert values[PER_HZ_SI].to_value(PER_HZ_SI)[0] == pytest.approx(per_hz * 1e-3, rel=1e-10)
    assert values[PHOTON_RATE].to_value(PHOTON_RATE)[0] == pytest.approx(photons_per_second, rel=1e-12)


def test_units_agree_with_astropy_equivalencies():
    wavelength = np.linspace(1393, 1404, 5) * u.AA
    args = (wavelength, "2016-01-01", "FUV")
    pixel = {"exposure_time": 4 * u.s, "solid_angle": PIXEL, "dispersion": 0.02596 * u.AA}
    per_angstrom = spectrograph_factor(*args, **pixel) * DN_FUV
    for unit in CALIBRATED_UNITS[:4]:
        other = spectrograph_factor(*args, **pixel, unit=unit) * DN_FUV
        np.testing.assert_allclose(
            other.value, per_angstrom.to_value(unit, equivalencies=u.spectral_density(wavelength)), rtol=1e-12
        )
    # Any unit equivalent to a supported one works too.
    milli = spectrograph_factor(*args, **pixel, unit=u.mW / (u.m**2 * u.sr * u.AA)) * DN_FUV
    np.testing.assert_allclose(milli.to_value(PER_ANGSTROM), per_angstrom.value, rtol=1e-12)


def test_spectrograph_factor_per_exposure():
    times = ["2021-09-05T00:00", "2021-09-05T01:00"]
    factor = spectrograph_factor(
        [1334.5, 1400, 1380] * u.AA,
        times,
        "FUV",
        exposure_time=[8, 4] * u.s,
        solid_angle=PIXEL,
        dispersion=0.026 * u.AA,
    )
    assert factor.shape == (2, 3)
    np.testing.assert_allclose(factor[1, :2] / factor[0, :2], 2, rtol=1e-4)
    # No effective area in the gap between the FUV detectors: NaN, not infinity.
    assert np.all(np.isnan(factor[:, 2]))


def test_slit_jaw_units_by_hand():
    time, exposure = "2021-09-05", 4 * u.s
    solid_angle = (0.16635 * u.arcsec) ** 2
    grid, area = detector_area_on_grid("SJI_2796", time)
    grid_aa = grid * 10
    # Continuum-equivalent radiance: int(A lambda) for per-wavelength, int(A / lambda) for per-frequency.
    integral_lambda = np.trapezoid(area * grid_aa, grid_aa)  # cm2 A2
    integral_inverse = np.trapezoid(area / grid_aa, grid_aa)  # cm2
    h, c = 6.62607015e-27, 2.99792458e18  # erg s, A/s
    sr = solid_angle.to_value(u.sr)
    rate = 18 / 4  # photons per second per DN
    pixel = {"exposure_time": exposure, "solid_angle": solid_angle}
    per_angstrom = slit_jaw_factor(time, "SJI_2796", **pixel)
    per_hz = slit_jaw_factor(time, "SJI_2796", **pixel, unit=PER_HZ)
    assert per_angstrom.to_value(PER_ANGSTROM / DN_SJI_NUV) == pytest.approx(
        rate * h * c / (sr * integral_lambda)
    )
    assert per_hz.to_value(PER_HZ / DN_SJI_NUV) == pytest.approx(rate * h / (sr * integral_inverse))
    # Their ratio is the pivot wavelength squared over c.
    pivot_squared = integral_lambda / integral_inverse
    assert (per_hz / per_angstrom).to_value(u.AA / u.Hz) == pytest.approx(pivot_squared / c)
    assert np.sqrt(pivot_squared) == pytest.approx(2796, abs=5)
    photons = slit_jaw_factor(time, "SJI_2796", **pixel, unit=PHOTON_RATE)
    assert photons.to_value(PHOTON_RATE / DN_SJI_NUV) == pytest.approx(rate)


def test_slit_jaw_factor_per_frame():
    factor = slit_jaw_factor(
        ["2014-01-01", "2024-01-01"],
        "SJI_1400",
        exposure_time=[4, 8] * u.s,
        solid_angle=(0.166 * u.arcsec) ** 2,
    )
    assert factor.shape == (2,)
    assert np.all(np.isfinite(factor))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: spectrograph_factor(1400 * u.AA, "2020-01-01", "SJI_1400", **SG_PIXEL), "slit_jaw"),
        (
            lambda: slit_jaw_factor("2020-01-01", "FUV", exposure_time=1 * u.s, solid_angle=PIXEL),
            "spectrograph",
        ),
        (lambda: spectrograph_factor(1400 * u.AA, "2020-01-01", "FUV", **SG_PIXEL, unit=u.K), "unit=K"),
        (lambda: calibrate_spectrum([1, 2], [1400, 1401, 1402] * u.AA, "2020-01-01"), "2 samples|\\(2,\\)"),
    ],
)
def test_errors(call, match):
    with pytest.raises(IrispyPlusCalibrationError, match=match):
        call()


def test_calibrate_spectrum_defaults_and_quantities():
    wavelength = 2796.0 * u.AA + np.arange(4) * 0.02546 * u.AA
    plain, factor = calibrate_spectrum([1.0, 2.0, 3.0, 4.0], wavelength, "2021-09-05")
    as_photons, _ = calibrate_spectrum([18.0, 36.0, 54.0, 72.0] * u.ph, wavelength, "2021-09-05")
    np.testing.assert_allclose(plain.value, as_photons.value)
    # The default pixel is the slit width times the spectrograph pixel along the slit,
    # and the dispersion the spacing of the wavelengths; NUV chosen from the wavelengths.
    explicit = spectrograph_factor(
        wavelength, "2021-09-05", "NUV", exposure_time=1 * u.s, solid_angle=PIXEL, dispersion=0.02546 * u.AA
    )
    np.testing.assert_allclose(factor.value, explicit.value, rtol=1e-9)
