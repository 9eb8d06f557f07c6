"""
The gnomonic (TAN) projection of helioprojective coordinates, vectorised over pointings.

FITS ``HPLN-TAN``/``HPLT-TAN`` axes map intermediate world coordinates (offsets from the
reference pixel in the projection plane) to helioprojective longitude and latitude
through the TAN projection and a rotation to the reference point (CRVAL). These two
functions do that for arrays of reference points at once, one per exposure, with the
default LONPOLE of 180 degrees (Calabretta & Greisen 2002, sections 5.1.3 and 2.3).
"""

import numpy as np

__all__ = ["helioprojective_to_intermediate", "intermediate_to_helioprojective"]

_ARCSEC_PER_RADIAN = np.rad2deg(1.0) * 3600.0


def intermediate_to_helioprojective(x, y, lon0, lat0):
    """
    Deproject intermediate coordinates about reference points.

    Parameters
    ----------
    x, y : numpy.ndarray
        Intermediate world coordinates in arcsec, along longitude and latitude.
    lon0, lat0 : numpy.ndarray
        The reference point (CRVAL) of each element, in arcsec; broadcast with ``x``.

    Returns
    -------
    lon, lat : numpy.ndarray
        Helioprojective longitude (wrapped to [-648000, 648000) arcsec) and latitude,
        in arcsec.
    """
    x = np.asarray(x, dtype=float) / _ARCSEC_PER_RADIAN
    y = np.asarray(y, dtype=float) / _ARCSEC_PER_RADIAN
    lon0 = np.asarray(lon0, dtype=float) / _ARCSEC_PER_RADIAN
    lat0 = np.asarray(lat0, dtype=float) / _ARCSEC_PER_RADIAN
    # Native spherical coordinates of the TAN projection (phi, theta).
    phi = np.arctan2(x, -y)
    theta = np.arctan2(1.0, np.hypot(x, y))
    # Rotate from native to celestial with the pole at (lon0, lat0) and phi_p = 180 deg.
    sin_theta, cos_theta = np.sin(theta), np.cos(theta)
    sin_lat0, cos_lat0 = np.sin(lat0), np.cos(lat0)
    dphi = phi - np.pi
    lat = np.arcsin(sin_theta * sin_lat0 + cos_theta * cos_lat0 * np.cos(dphi))
    lon = lon0 + np.arctan2(
        -cos_theta * np.sin(dphi), sin_theta * cos_lat0 - cos_theta * sin_lat0 * np.cos(dphi)
    )
    lon = (lon + np.pi) % (2 * np.pi) - np.pi
    return lon * _ARCSEC_PER_RADIAN, lat * _ARCSEC_PER_RADIAN


def helioprojective_to_intermediate(lon, lat, lon0, lat0):
    """
    Project helioprojective coordinates about reference points: the inverse of
    `intermediate_to_helioprojective`.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Helioprojective longitude and latitude in arcsec.
    lon0, lat0 : numpy.ndarray
        The reference point of each element in arcsec; broadcast with ``lon``.

    Returns
    -------
    x, y : numpy.ndarray
        Intermediate world coordinates in arcsec. Points more than 90 degrees from the
        reference point have no TAN projection and come back as NaN.
    """
    lon = np.asarray(lon, dtype=float) / _ARCSEC_PER_RADIAN
    lat = np.asarray(lat, dtype=float) / _ARCSEC_PER_RADIAN
    lon0 = np.asarray(lon0, dtype=float) / _ARCSEC_PER_RADIAN
    lat0 = np.asarray(lat0, dtype=float) / _ARCSEC_PER_RADIAN
    dlon = lon - lon0
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    sin_lat0, cos_lat0 = np.sin(lat0), np.cos(lat0)
    # Celestial to native spherical (inverse rotation), phi_p = 180 deg.
    sin_theta = sin_lat * sin_lat0 + cos_lat * cos_lat0 * np.cos(dlon)
    phi = np.pi + np.arctan2(-cos_lat * np.sin(dlon), sin_lat * cos_lat0 - cos_lat * sin_lat0 * np.cos(dlon))
    cos_theta = np.sqrt(np.clip(1.0 - sin_theta**2, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = np.where(sin_theta > 0, cos_theta / sin_theta, np.nan)
    x = radius * np.sin(phi)
    y = -radius * np.cos(phi)
    return x * _ARCSEC_PER_RADIAN, y * _ARCSEC_PER_RADIAN
