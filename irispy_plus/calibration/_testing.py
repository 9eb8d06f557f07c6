"""
Synthetic IRIS spectrograph cubes for the calibration and diagnostics tests and benchmarks.
"""

import astropy.units as u
import numpy as np
from astropy.nddata import StdDevUncertainty
from astropy.time import Time

__all__ = ["synthetic_raster"]


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
