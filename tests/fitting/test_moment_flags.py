"""Quality flags of the moment maps."""

import dask.array as da
import numpy as np

from irispy_plus.fitting import FitFlag, QualityFlag, moments

X = 1402.77 + 0.02596 * np.arange(-20, 21)


def test_moment_maps_carry_quality_flags():
    spectra = np.tile(5 + 100 * np.exp(-0.5 * ((X - 1402.8) / 0.05) ** 2), (4, 1))
    spectra[1, 3] = np.nan
    spectra[2] = np.nan
    spectra[3] = 7.0
    maps = moments(spectra, X, rest_wavelength=1402.77)
    flags = maps["flags"].data
    assert list(flags) == [0, QualityFlag.FILL, QualityFlag.FILL | QualityFlag.NO_DATA, QualityFlag.NO_SIGNAL]
    assert maps["flags"].meta["bits"]["FILL"] == QualityFlag.FILL
    assert np.isfinite(maps["velocity"].data[1])
    lazy = moments(da.from_array(spectra, chunks=(2, 41)), X)
    np.testing.assert_array_equal(lazy["flags"].data, flags)


def test_quality_flag_extends_fit_flag():
    for flag in FitFlag:
        assert QualityFlag[flag.name] == flag
    values = [int(flag) for flag in QualityFlag]
    assert len(set(values)) == len(values)
    assert all(v & (v - 1) == 0 for v in values)  # one bit each
