"""
Quality flags on every derived map: the maps of a fit (Doppler velocity, width,
non-thermal velocity...), of moments and of the diagnostics carry their `QualityFlag`
bits as ``map.flags``, sliced with the map and kept through an ASDF save and load.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS

from irispy_plus import read_cube
from irispy_plus.asdf import load, save
from irispy_plus.data import sample
from irispy_plus.diagnostics import line_intensity, line_ratio, red_blue_asymmetry
from irispy_plus.fitting import FitFlag, QualityFlag, fit_siiv, moments
from irispy_plus.testing.asdf_checks import assert_same_world
from irispy_plus.utils.exceptions import IrispyPlusFitError, IrispyPlusMapError
from irispy_plus.utils.quality import FAILED, DerivedMap

X = 1402.77 + 0.02596 * np.arange(-20, 21)


@pytest.fixture(scope="module")
def si_iv():
    return read_cube(sample.SNS_RASTER, "Si IV 1403", uncertainty=True)


@pytest.fixture(scope="module")
def fit(si_iv):
    return fit_siiv(si_iv, progress=False)


def _fit_maps(fit):
    return {
        "velocity": fit.doppler_velocity(),
        "width": fit.line_width(),
        "nonthermal": fit.nonthermal_velocity(),
    }


def test_fit_maps_carry_the_fit_flags(fit):
    # The sample has fill and faint spectra: some fits fail, with their reasons.
    assert (fit.flags & FAILED).any()
    assert (fit.flags & FitFlag.NO_DATA).any()
    for name, derived in _fit_maps(fit).items():
        assert isinstance(derived, DerivedMap), name
        assert derived.flags.shape == derived.data.shape == fit.shape
        assert derived.flags.dtype == np.int32
        np.testing.assert_array_equal(derived.flags, fit.flags)
        # Masked exactly where the flags say the fit failed.
        np.testing.assert_array_equal(derived.mask, (derived.flags & FAILED) != 0)
    # The same bits under the same names as the fit's own flag map.
    bits = fit.flags_cube.meta["bits"]
    assert all(QualityFlag[name] == value for name, value in bits.items())


def test_fit_map_flags_survive_slicing(fit):
    velocity = fit.doppler_velocity(observer=True)
    part = velocity[5:9, 10:30]
    assert isinstance(part, DerivedMap)
    np.testing.assert_array_equal(part.flags, fit.flags[5:9, 10:30])
    row = velocity[7]
    assert row.flags.shape == row.data.shape == (fit.shape[1],)
    np.testing.assert_array_equal(row.flags, fit.flags[7])
    # Unit conversion and arithmetic keep them; a unit conversion keeps the mask too.
    converted = velocity.to(u.m / u.s)
    np.testing.assert_array_equal(converted.flags, fit.flags)
    np.testing.assert_array_equal((velocity * 2).flags, fit.flags)


@pytest.mark.parametrize("name", ["velocity", "width", "nonthermal"])
def test_fit_map_flags_survive_asdf_round_trip(fit, tmp_path, name):
    derived = _fit_maps(fit)[name]
    loaded = load(save(derived, tmp_path / name))
    assert isinstance(loaded, DerivedMap)
    np.testing.assert_array_equal(loaded.flags, fit.flags)
    np.testing.assert_array_equal(np.asarray(loaded.data), derived.data)
    np.testing.assert_array_equal(np.asarray(loaded.mask), derived.mask)
    assert loaded.unit == derived.unit
    assert loaded.meta["parameter"] == derived.meta["parameter"]
    assert loaded.extra_coords.keys() == derived.extra_coords.keys()
    assert_same_world(derived.wcs.low_level_wcs, loaded.wcs.low_level_wcs, [(0, 0), (3, 20)])
    # A loaded map slices its flags as a fresh one does.
    np.testing.assert_array_equal(loaded[2:4].flags, fit.flags[2:4])


def test_sliced_map_round_trip(fit, tmp_path):
    part = fit.doppler_velocity()[3, 5:25]
    loaded = load(save(part, tmp_path / "row"))
    np.testing.assert_array_equal(loaded.flags, fit.flags[3, 5:25])
    assert loaded.flags.shape == np.shape(loaded.data) == (20,)


def test_moment_maps_read_their_flags_the_same_way():
    spectra = np.tile(5 + 100 * np.exp(-0.5 * ((X - 1402.8) / 0.05) ** 2), (3, 1))
    spectra[1, 2] = np.nan
    spectra[2] = np.nan
    maps = moments(spectra, X, rest_wavelength=1402.77)
    for key in ("intensity", "velocity", "width", "flags"):
        assert isinstance(maps[key], DerivedMap)
        np.testing.assert_array_equal(maps[key].flags, maps["flags"].data)
    assert list(maps["velocity"].flags) == [0, QualityFlag.FILL, QualityFlag.FILL | QualityFlag.NO_DATA]


def test_diagnostic_maps_read_their_flags_the_same_way(si_iv):
    a = line_intensity(si_iv, 1402.77 * u.AA, half_width=0.7 * u.AA)
    assert isinstance(a, DerivedMap)
    np.testing.assert_array_equal((a.flags & QualityFlag.FILL) != 0, a.mask)
    out = line_ratio(a, a)
    np.testing.assert_array_equal(out["ratio"].flags, out["flags"].data)
    main = 100 * np.exp(-0.5 * ((X - 1402.77) / 0.05) ** 2)
    spectra = np.stack([main + 2, np.full(X.size, np.nan)])
    rb, flags = red_blue_asymmetry(spectra, centre=1402.77 * u.AA, wavelength=X)
    assert rb.flags.shape == rb.data.shape
    # Each spectrum's flags along its offsets.
    np.testing.assert_array_equal(rb.flags, np.repeat(flags.data[:, None], rb.shape[-1], axis=1))
    assert rb.flags[1, 0] & QualityFlag.FILL


def test_derived_map_refuses_flags_of_another_shape():
    with pytest.raises(IrispyPlusMapError, match=r"shape \(2, 3\)"):
        DerivedMap(np.zeros((2, 3)), wcs=WCS(naxis=2), flags=np.zeros((3, 2), np.int32))
    with pytest.raises(IrispyPlusMapError, match="integer QualityFlag bits"):
        DerivedMap(np.zeros((2, 3)), wcs=WCS(naxis=2), flags=np.full((2, 3), 0.5))


def test_derived_map_without_flags_marks_fill():
    data = np.array([[1.0, np.nan, 3.0]])
    derived = DerivedMap(data, wcs=WCS(naxis=2), mask=np.array([[False, False, True]]))
    assert derived.flags.tolist() == [[0, QualityFlag.FILL, QualityFlag.FILL]]
    # A cube made from a map keeps the map's flags.
    np.testing.assert_array_equal(DerivedMap(derived).flags, derived.flags)


@pytest.mark.parametrize(
    ("flags", "what"),
    [
        (np.zeros((3, 2), np.int32), "int32 array of shape \\(3, 2\\)"),
        (np.full((2, 3), 1.7), "float64 array of shape \\(2, 3\\)"),
        (np.array([["a", "b", "c"], ["d", "e", "f"]]), "<U1 array"),
    ],
)
def test_file_with_unusable_flags_is_refused(tmp_path, monkeypatch, flags, what):
    from irispy_plus.asdf.converters._maps import DerivedMapConverter
    from irispy_plus.utils.exceptions import IrispyPlusFileError

    write = DerivedMapConverter.to_yaml_tree

    def damaged(self, derived, tag, ctx):
        node = write(self, derived, tag, ctx)
        node["flags"] = flags
        return node

    monkeypatch.setattr(DerivedMapConverter, "to_yaml_tree", damaged)
    path = save(DerivedMap(np.zeros((2, 3)), wcs=WCS(naxis=2)), tmp_path / "damaged")
    expected = rf"damaged.asdf could not be read: flags must be .* shape \(2, 3\), not a {what}"
    with pytest.raises(IrispyPlusFileError, match=expected):
        load(path)


def test_signal_to_noise_is_the_amplitude_over_its_error(fit):
    snr = fit.signal_to_noise()
    i = fit.parameter_names.index("amp1")
    good = fit.converged & (fit.errors[..., i] > 0)
    np.testing.assert_allclose(snr.data[good], fit.values[..., i][good] / fit.errors[..., i][good])
    assert snr.unit == u.dimensionless_unscaled


@pytest.mark.parametrize("name", ["intensity", "line_width", "doppler_velocity", "nonthermal_velocity"])
def test_min_snr_masks_and_flags_faint_spectra(fit, name):
    plain = getattr(fit, name)()
    strict = getattr(fit, name)(min_snr=5)
    snr = fit.signal_to_noise().data
    with np.errstate(invalid="ignore"):
        faint = ~(snr >= 5)
    assert faint.any()
    assert (~faint & fit.converged).any()
    # Faint spectra are masked and flagged NOISY; the others keep the fit's mask and flags.
    np.testing.assert_array_equal(strict.mask, plain.mask | faint)
    np.testing.assert_array_equal((strict.flags & QualityFlag.NOISY) != 0, faint)
    np.testing.assert_array_equal(strict.flags & ~QualityFlag.NOISY, plain.flags)
    np.testing.assert_array_equal(strict.data, plain.data)


def test_min_snr_leaves_plausible_nonthermal_velocities(fit):
    # Noise-dominated widths give hundreds of km/s; what survives min_snr=5 is Si IV-like.
    strict = fit.nonthermal_velocity(min_snr=5)
    kept = strict.data[~strict.mask & np.isfinite(strict.data)]
    assert kept.size > 10
    assert np.percentile(kept, 99) < 150


@pytest.mark.parametrize("bad", [0, -1, "5", True, np.nan])
def test_min_snr_must_be_a_positive_number(fit, bad):
    with pytest.raises(IrispyPlusFitError, match="min_snr"):
        fit.doppler_velocity(min_snr=bad)
