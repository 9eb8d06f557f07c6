"""
Synthetic IRIS spectra with known parameters, and spectrograph cubes around given data
with a real IRIS WCS, for tests, benchmarks and documentation figures.

Examples
--------
>>> import numpy as np
>>> from irispy_plus.testing.spectra import FUV_STEP, synthetic_spectra
>>> wavelength = 1402.77 + FUV_STEP * np.arange(-20, 21)
>>> params = np.array([[5.0, 100.0, 1402.77, 0.05]])  # background, amplitude, centre, width
>>> data, sigma = synthetic_spectra(params, wavelength)
>>> data.shape, bool(data[0, 20] > data[0, 0])
((1, 41), True)
"""

import astropy.units as u
import numpy as np
from astropy.nddata import StdDevUncertainty
from astropy.time import Time

__all__ = ["FUV_STEP", "NUV_STEP", "READ_NOISE_DN", "synthetic_raster", "synthetic_spectra"]

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
    from irispy_plus.fitting import LineModel

    model = model or LineModel()
    rng = np.random.default_rng(seed)
    profile = model.evaluate(wavelength, params)
    counts = rng.poisson(np.clip(profile, 0, None) * photons_per_dn) / photons_per_dn
    data = counts + rng.normal(0.0, READ_NOISE_DN, profile.shape)
    sigma = np.sqrt(np.clip(profile, 0, None) / photons_per_dn + READ_NOISE_DN**2)
    return data, sigma


def synthetic_raster(
    data,
    wavelength,
    *,
    detector="NUV",
    window="Mg II k 2796",
    times=None,
    slit_cdelt=0.1663,
    mask=None,
    uncertainty=None,
):
    """
    An `~irispy_plus.cubes.IRISSpectrogramCube` around given data, with a real IRIS WCS.

    Parameters
    ----------
    data : array-like
        ``(exposure, slit, wavelength)`` values in the detector's DN.
    wavelength : astropy.units.Quantity
        The first wavelength and the dispersion, ``[start, step]``.
    detector : str, optional
        ``"FUV"`` or ``"NUV"``.
    window : str, optional
        The window label.
    times : astropy.time.Time, optional
        Mid-exposure times; every 10 s from 2021-09-05T00:00 by default.
    slit_cdelt : float, optional
        The pixel size along the slit, arcsec (0.1663 unsummed).
    mask, uncertainty : array-like, optional
        Mask (True = bad) and 1-sigma uncertainty.

    Returns
    -------
    irispy_plus.cubes.IRISSpectrogramCube

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from irispy_plus.testing.spectra import NUV_STEP, synthetic_raster
    >>> cube = synthetic_raster(np.ones((3, 4, 50)), [2794.0, NUV_STEP] * u.AA)
    >>> cube.shape, cube.unit
    ((3, 4, 50), Unit("DN_IRIS_NUV"))
    """
    from irispy_plus.cubes import IRISSpectrogramCube
    from irispy_plus.io.wcs import IRISRasterWCS
    from irispy_plus.meta import EXPOSURE_INDEX, IRISMeta
    from irispy_plus.units import dn_unit

    n_exp, n_slit, _ = np.shape(data)
    if times is None:
        times = Time("2021-09-05T00:00:00") + np.arange(n_exp) * 10 * u.s
    start, step = u.Quantity(wavelength, u.AA).value
    wcs = IRISRasterWCS(
        wavelength_crval=start,
        wavelength_cdelt=step,
        wavelength_crpix=1,
        xcen=np.zeros(n_exp),
        ycen=np.zeros(n_exp),
        pc=np.broadcast_to(np.eye(2), (n_exp, 2, 2)),
        slit_crpix=(n_slit + 1) / 2,
        slit_cdelt=slit_cdelt,
        step_cdelt=0.0,
        obstime=times[0],
        array_shape=np.shape(data),
    )
    meta = IRISMeta(
        {
            "detector": detector,
            "spectral_window": window,
            "CDELT2": slit_cdelt,
            "STARTOBS": times[0].isot,
            EXPOSURE_INDEX: np.arange(n_exp),
        },
        axes={EXPOSURE_INDEX: 0},
        data_shape=np.shape(data),
    )
    unit = dn_unit(detector)
    cube = IRISSpectrogramCube(
        data,
        wcs,
        mask=mask,
        unit=unit,
        meta=meta,
        uncertainty=None if uncertainty is None else StdDevUncertainty(uncertainty, unit=unit),
    )
    cube.extra_coords.add("time", 0, times, physical_types="time")
    return cube
