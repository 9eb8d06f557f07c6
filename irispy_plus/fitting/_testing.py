"""
Synthetic IRIS spectra with known parameters, for tests and benchmarks.
"""

import numpy as np

from irispy_plus.fitting._models import LineModel

__all__ = ["FUV_STEP", "NUV_STEP", "READ_NOISE_DN", "synthetic_spectra"]

#: Spectral sampling of IRIS Level 2 data (Å per pixel), full resolution.
FUV_STEP = 0.02596
NUV_STEP = 0.02546
#: Read noise used for synthetic spectra (DN).
READ_NOISE_DN = 1.5


def synthetic_spectra(params, wavelength, model=None, photons_per_dn=4.0, seed=0):
    """
    Noisy spectra from a line model: Poisson noise at ``photons_per_dn`` plus read noise.

    Parameters
    ----------
    params : numpy.ndarray
        ``(N, P)`` true parameters.
    wavelength : numpy.ndarray
        ``(M,)`` wavelengths (Å).
    model : LineModel, optional
        One Gaussian on a constant by default.
    photons_per_dn : float, optional
        4 for FUV, 18 for NUV.
    seed : int, optional
        Random seed.

    Returns
    -------
    data : numpy.ndarray
        ``(N, M)`` noisy spectra (DN).
    sigma : numpy.ndarray
        ``(N, M)`` the 1-sigma noise used (from the noise-free profile).
    """
    model = model or LineModel()
    rng = np.random.default_rng(seed)
    profile = model.evaluate(wavelength, params)
    counts = rng.poisson(np.clip(profile, 0, None) * photons_per_dn) / photons_per_dn
    data = counts + rng.normal(0.0, READ_NOISE_DN, profile.shape)
    sigma = np.sqrt(np.clip(profile, 0, None) / photons_per_dn + READ_NOISE_DN**2)
    return data, sigma
