import math

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCube

from irispy_plus.physics import (
    FWHM_PER_SIGMA,
    INSTRUMENTAL_FWHM,
    IrispyPlusLineError,
    formation_temperature,
    instrumental_fwhm,
    ion_mass,
    iris_vnt,
    nonthermal_velocity,
    thermal_fwhm,
    thermal_velocity,
)
from irispy_plus.utils.exceptions import IrispyPlusUserWarning

# Constants written out by hand (CODATA 2018) to check the implementation independently.
K_B = 1.380649e-23  # J/K
AMU = 1.66053906660e-27  # kg
C_KMS = 299792.458


def hand_vnt(mass_amu, log_t, wavelength, fwhm, inst):
    v_t = math.sqrt(2 * K_B * 10**log_t / (mass_amu * AMU)) / 1e3  # km/s
    therm = math.sqrt(4 * math.log(2)) * wavelength * v_t / C_KMS
    nt2 = fwhm**2 - inst**2 - therm**2
    return C_KMS * math.sqrt(nt2) / wavelength / math.sqrt(4 * math.log(2)) if nt2 > 0 else 0.0


def test_instrumental_widths():
    assert INSTRUMENTAL_FWHM["FUV short"] == 0.0286 * u.AA
    assert INSTRUMENTAL_FWHM["FUV long"] == 0.0318 * u.AA
    assert instrumental_fwhm(1334.5) == INSTRUMENTAL_FWHM["FUV short"]
    assert instrumental_fwhm(1402.77 * u.AA) == INSTRUMENTAL_FWHM["FUV long"]
    assert instrumental_fwhm(2796.35) == INSTRUMENTAL_FWHM["NUV"]
    assert pytest.approx(2.35482, rel=1e-5) == FWHM_PER_SIGMA


def test_ion_data():
    assert ion_mass("Si") == 28.085 * u.u
    assert formation_temperature("si", "IV").to_value(u.K) == pytest.approx(10**4.9)
    assert formation_temperature("Si", "Si IV") == formation_temperature("Si", "iv")
    with pytest.raises(IrispyPlusLineError):
        ion_mass("Xx")
    with pytest.raises(IrispyPlusLineError, match="log_temperature"):
        formation_temperature("Si", "XIV")


def test_thermal_velocity_by_hand():
    expected = math.sqrt(2 * K_B * 10**4.9 / (28.085 * AMU)) / 1e3
    assert thermal_velocity(28.085 * u.u, 10**4.9 * u.K).to_value(u.km / u.s) == pytest.approx(
        expected, rel=1e-9
    )
    fwhm = thermal_fwhm("Si", "iv", 1402.77).to_value(u.AA)
    assert fwhm == pytest.approx(math.sqrt(4 * math.log(2)) * 1402.77 * expected / C_KMS, rel=1e-9)


@pytest.mark.parametrize(
    ("element", "ion", "wave", "fwhm", "inst", "mass", "log_t"),
    [
        ("Si", "iv", 1402.77, 0.1, 0.0318, 28.085, 4.9),
        ("Si", "iv", 1393.755, 0.07, 0.0318, 28.085, 4.9),
        ("C", "ii", 1334.532, 0.09, 0.0286, 12.011, 4.3),
        ("Fe", "xii", 1349.382, 0.12, 0.0286, 55.845, 6.2),
        ("Mg", "ii", 2796.352, 0.3, 0.0483, 24.305, 4.0),
    ],
)
def test_iris_vnt_against_hand_values(element, ion, wave, fwhm, inst, mass, log_t):
    assert iris_vnt(element, ion, wave, fwhm, inst_wid=inst) == pytest.approx(
        hand_vnt(mass, log_t, wave, fwhm, inst), rel=1e-6
    )


def test_iris_vnt_options():
    # Narrower than instrumental + thermal: 0, as in the tutorial.
    assert iris_vnt("Si", "iv", 1402.77, 0.03, inst_wid=0.0318) == 0.0
    v, nt, vt = iris_vnt(
        "Si", "iv", 1402.77, np.array([[0.1, 0.2]]), inst_wid=0.0318, nt_fwhm=True, therm_v=True
    )
    assert v.shape == nt.shape == (1, 2)
    assert vt == pytest.approx(math.sqrt(2 * K_B * 10**4.9 / (28.085 * AMU)) / 1e3)
    # A chosen temperature replaces the formation temperature.
    assert iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=0.0318, ti=5.0) == pytest.approx(
        hand_vnt(28.085, 5.0, 1402.77, 0.1, 0.0318)
    )
    quantity = iris_vnt("Si", "iv", 1402.77 * u.AA, [0.1, 0.2] * u.AA, inst_wid=31.8 * u.mAA)
    assert quantity.unit == u.km / u.s
    with pytest.warns(IrispyPlusUserWarning, match="instrumental"):
        no_inst = iris_vnt("Si", "iv", 1402.77, 0.1)
    assert no_inst == pytest.approx(hand_vnt(28.085, 4.9, 1402.77, 0.1, 0.0))


def test_nonthermal_velocity_arrays_and_cubes():
    sigma = np.array([[0.1, 0.05], [np.nan, 0.01]]) / FWHM_PER_SIGMA
    v = nonthermal_velocity(sigma * u.AA, "Si IV", 1402.77 * u.AA)
    assert v[0, 0].to_value(u.km / u.s) == pytest.approx(hand_vnt(28.085, 4.9, 1402.77, 0.1, 0.0318))
    assert np.isnan(v[1, 0])
    assert v[1, 1] == 0
    fwhm = nonthermal_velocity([0.1] * u.AA, "Si IV", 1402.77, sigma=False)
    assert fwhm[0] == v[0, 0]
    wcs = WCS(naxis=2)
    cube = NDCube(sigma, wcs=wcs, unit=u.AA)
    out = nonthermal_velocity(cube, "Si IV", 1402.77)
    assert isinstance(out, NDCube)
    assert out.wcs is cube.wcs or out.wcs.pixel_n_dim == 2
    np.testing.assert_array_equal(out.data, v.value)
    with pytest.raises(IrispyPlusLineError):
        nonthermal_velocity(sigma, "SiIV", 1402.77)
