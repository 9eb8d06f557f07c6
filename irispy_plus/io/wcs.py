"""
World coordinate systems of IRIS Level 2 data with per-exposure pointing.

A Level 2 header describes one average pointing, but IRIS points a little differently at
every exposure: the auxiliary extension of each file gives, per exposure, the pointing
(``XCENIX``, ``YCENIX``) at the header's reference pixel and the rotation matrix
(``PCi_jIX``). The classes here implement the APE 14 low-level WCS interface of astropy
with that per-exposure pointing, so that every raster step, every sit-and-stare exposure
and every slit-jaw frame has its own, correct coordinates.

Conventions (FITS, Greisen & Calabretta 2002): pixel indices here are 0-based, FITS
pixels 1-based; intermediate coordinates are ``CDELTi * sum_j PCi_j (p_j - CRPIXj)``; the
projection is TAN about the exposure's pointing. Along a raster or sit-and-stare slit the
offset from the reference pixel is ``(CDELT3 * PC3_2, CDELT2 * PC2_2) * (p2 - CRPIX2)``,
with ``CDELT3`` taken equal to ``CDELT2`` when it is zero (sit-and-stare files), so that
the slit keeps its tilt on the sky. Between exposures, at fractional step or frame
indices, pointing and rotation are interpolated linearly (and extrapolated linearly
beyond the first and last exposure, so pixel edges have coordinates too).
"""

import copy
import functools

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord, SpectralCoord
from astropy.time import Time
from astropy.wcs.wcsapi import BaseLowLevelWCS, HighLevelWCSMixin
from sunpy.coordinates import Helioprojective

from irispy_plus.io._projection import helioprojective_to_intermediate, intermediate_to_helioprojective

__all__ = ["IRISSJIWCS", "IRISRasterWCS"]

_LON_TYPE = "custom:pos.helioprojective.lon"
_LAT_TYPE = "custom:pos.helioprojective.lat"
_POINTS_PER_BLOCK = 20_000


def _interpolate(index, values):
    """
    Interpolate ``values`` (one per exposure, along the first axis) at fractional
    exposure indices, linearly, extrapolating linearly beyond both ends.
    """
    values = np.asarray(values, dtype=float)
    index = np.asarray(index, dtype=float)
    if len(values) == 1:
        return np.broadcast_to(values[0], index.shape + values.shape[1:]).copy()
    lower = np.clip(np.floor(np.nan_to_num(index)), 0, len(values) - 2).astype(int)
    fraction = index - lower
    fraction = fraction.reshape(fraction.shape + (1,) * (values.ndim - 1))
    return values[lower] * (1 - fraction) + values[lower + 1] * fraction


def _time_from_seconds(seconds, reference):
    return reference + np.asarray(seconds) * u.s


def _seconds_from_time(time, reference):
    return (time - reference).to_value(u.s)


class _IRISWCSBase(HighLevelWCSMixin, BaseLowLevelWCS):
    """
    What the raster and slit-jaw WCS share: the helioprojective frame, the pointing
    table and the APE 14 plumbing.
    """

    def __init__(self, *, xcen, ycen, pc, crpix, cdelt, obstime, observer="earth", array_shape=None):
        self._xcen = np.asarray(xcen, dtype=float)
        self._ycen = np.asarray(ycen, dtype=float)
        self._pc = np.asarray(pc, dtype=float).reshape(len(self._xcen), 2, 2)
        self._crpix = np.asarray(crpix, dtype=float)
        self._cdelt = np.asarray(cdelt, dtype=float)
        self._obstime = Time(obstime)
        self._observer = observer
        self._array_shape = None if array_shape is None else tuple(int(n) for n in array_shape)

    # --- the pointing table, read-only for users -------------------------------------
    @property
    def pointing(self):
        """
        The per-exposure pointing at the reference pixel: ``(xcen, ycen)`` in arcsec.
        """
        return self._xcen * u.arcsec, self._ycen * u.arcsec

    def with_pointing_offset(self, dx, dy):
        """
        A copy of this WCS whose pointing is moved by ``(dx, dy)`` at every exposure.

        Parameters
        ----------
        dx, dy : astropy.units.Quantity
            The offsets of helioprojective longitude and latitude, say a co-alignment's.

        Returns
        -------
        A WCS of the same class.

        Examples
        --------
        >>> import astropy.units as u
        >>> from irispy_plus import read_cube
        >>> from irispy_plus.data import sample
        >>> wcs = read_cube(sample.SJI_1400).wcs.low_level_wcs
        >>> moved = wcs.with_pointing_offset(1.5 * u.arcsec, -2 * u.arcsec)
        >>> (moved.pointing[0] - wcs.pointing[0]).to_value(u.arcsec).round(6).tolist()
        [1.5, 1.5]
        """
        new = copy.copy(self)
        new._xcen = self._xcen + u.Quantity(dx, u.arcsec).to_value(u.arcsec)
        new._ycen = self._ycen + u.Quantity(dy, u.arcsec).to_value(u.arcsec)
        return new

    @property
    def pc_per_exposure(self):
        """
        The per-exposure 2x2 rotation matrices of the two spatial axes, shape (n, 2, 2).
        """
        return self._pc.copy()

    @property
    def obstime(self):
        """
        The time of the helioprojective frame (the observation's DATE_OBS).
        """
        return self._obstime

    @property
    def observer(self):
        """
        The observer of the helioprojective frame, as given (Earth at `obstime`).
        """
        return self._observer

    @property
    def crpix(self):
        """
        The reference pixels (1-based, FITS order) of the spatial axes, or for a raster
        of the wavelength and slit axes.
        """
        return tuple(float(value) for value in self._crpix)

    @property
    def cdelt(self):
        """
        The pixel scales (FITS order): for a raster wavelength (Å), slit and step
        (arcsec; the step 0 for sit-and-stare); for a slit-jaw x and y (arcsec).
        """
        return tuple(float(value) for value in self._cdelt)

    @functools.cached_property
    def _frame(self):
        return Helioprojective(obstime=self._obstime, observer=self._observer)

    # --- APE 14 ------------------------------------------------------------------------
    @property
    def array_shape(self):
        return self._array_shape

    @property
    def pixel_shape(self):
        return None if self._array_shape is None else self._array_shape[::-1]

    @property
    def pixel_bounds(self):
        return None

    @property
    def serialized_classes(self):
        return False

    def _celestial_classes(self):
        return {"celestial": (SkyCoord, (), {"frame": self._frame, "unit": u.arcsec})}

    def _celestial_components(self, first_index):
        return [
            ("celestial", 0, "spherical.lon.arcsec"),
            ("celestial", 1, "spherical.lat.arcsec"),
        ]

    def _deproject(self, x, y, exposure_index):
        lon0 = _interpolate(exposure_index, self._xcen)
        lat0 = _interpolate(exposure_index, self._ycen)
        return intermediate_to_helioprojective(x, y, lon0, lat0)

    def __repr__(self):
        name = type(self).__name__
        return (
            f"<{name}: {len(self._xcen)} exposures, world axes {self.world_axis_names}, "
            f"array shape {self._array_shape}>"
        )


class IRISRasterWCS(_IRISWCSBase):
    """
    The WCS of one spectrograph window: wavelength and helioprojective coordinates of
    every (raster step or exposure, position along the slit, wavelength) pixel.

    Pixel axes, in FITS order: wavelength, position along the slit, exposure (raster step
    or sit-and-stare exposure). World axes: wavelength (Å), helioprojective longitude and
    latitude (arcsec). The two spatial world axes depend on both spatial pixel axes.

    Parameters
    ----------
    wavelength_crval, wavelength_cdelt, wavelength_crpix : float
        The linear wavelength axis in Å (CRVAL1, CDELT1, CRPIX1).
    xcen, ycen : array-like
        Pointing at the reference pixel along the slit (CRPIX2) for each exposure, arcsec.
    pc : array-like, shape (n, 2, 2)
        Per exposure ``[[PC3_3, PC3_2], [PC2_3, PC2_2]]``: rows longitude and latitude,
        columns step and slit pixel axes.
    slit_crpix : float
        CRPIX2, the reference pixel along the slit (1-based).
    slit_cdelt, step_cdelt : float
        CDELT2 and CDELT3 in arcsec; ``step_cdelt`` 0 for sit-and-stare.
    obstime : `~astropy.time.Time`
        The time of the helioprojective frame.
    observer : str or coordinate, optional
        The observer of the helioprojective frame; Earth by default.
    array_shape : tuple, optional
        The data shape (numpy order).

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.RASTER, "Si IV 1403")
    >>> cube.wcs.low_level_wcs.world_axis_physical_types
    ('em.wl', 'custom:pos.helioprojective.lon', 'custom:pos.helioprojective.lat')
    """

    def __init__(
        self,
        *,
        wavelength_crval,
        wavelength_cdelt,
        wavelength_crpix,
        xcen,
        ycen,
        pc,
        slit_crpix,
        slit_cdelt,
        step_cdelt,
        obstime,
        observer="earth",
        array_shape=None,
    ):
        self._wavelength_crval = float(wavelength_crval)
        super().__init__(
            xcen=xcen,
            ycen=ycen,
            pc=pc,
            crpix=[wavelength_crpix, slit_crpix],
            cdelt=[wavelength_cdelt, slit_cdelt, step_cdelt],
            obstime=obstime,
            observer=observer,
            array_shape=array_shape,
        )

    @property
    def wavelength_reference(self):
        """
        ``(CRVAL1, CDELT1, CRPIX1)`` of the wavelength axis, in Å, Å and 1-based pixels.
        """
        return self._wavelength_crval, self._cdelt[0], self._crpix[0]

    @property
    def pixel_n_dim(self):
        return 3

    @property
    def world_n_dim(self):
        return 3

    @property
    def world_axis_physical_types(self):
        return ("em.wl", _LON_TYPE, _LAT_TYPE)

    @property
    def world_axis_units(self):
        return ("Angstrom", "arcsec", "arcsec")

    @property
    def world_axis_names(self):
        return ("wavelength", "helioprojective longitude", "helioprojective latitude")

    @property
    def pixel_axis_names(self):
        return ("wavelength", "slit position", "raster step")

    @property
    def axis_correlation_matrix(self):
        return np.array([[True, False, False], [False, True, True], [False, True, True]])

    @property
    def world_axis_object_components(self):
        return [("spectral", 0, "value"), *self._celestial_components(1)]

    @property
    def world_axis_object_classes(self):
        return {"spectral": (SpectralCoord, (), {"unit": u.AA}), **self._celestial_classes()}

    def _slit_offsets(self, slit_pixel, exposure_index):
        """
        Intermediate coordinates (arcsec) of a slit pixel at an exposure.
        """
        pc = _interpolate(exposure_index, self._pc)
        slit_cdelt, step_cdelt = self._cdelt[1], self._cdelt[2]
        lon_scale = step_cdelt if step_cdelt != 0 else slit_cdelt
        offset = np.asarray(slit_pixel, dtype=float) + 1 - self._crpix[1]
        return lon_scale * pc[..., 0, 1] * offset, slit_cdelt * pc[..., 1, 1] * offset

    def pixel_to_world_values(self, wave_pixel, slit_pixel, step_pixel):
        wave_pixel, slit_pixel, step_pixel = np.broadcast_arrays(wave_pixel, slit_pixel, step_pixel)
        crval, cdelt, crpix = self._wavelength_crval, self._cdelt[0], self._crpix[0]
        wavelength = crval + cdelt * (np.asarray(wave_pixel, dtype=float) + 1 - crpix)
        x, y = self._slit_offsets(slit_pixel, step_pixel)
        lon, lat = self._deproject(x, y, step_pixel)
        return wavelength, lon, lat

    def world_to_pixel_values(self, wavelength, lon, lat):
        wavelength, lon, lat = np.broadcast_arrays(
            np.asarray(wavelength, dtype=float), np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        )
        crval, cdelt, crpix = self._wavelength_crval, self._cdelt[0], self._crpix[0]
        wave_pixel = (wavelength - crval) / cdelt + crpix - 1
        slit_pixel = np.empty(lon.shape)
        step_pixel = np.empty(lon.shape)
        flat_lon, flat_lat = lon.ravel(), lat.ravel()
        flat_slit, flat_step = slit_pixel.reshape(-1), step_pixel.reshape(-1)
        for start in range(0, flat_lon.size, _POINTS_PER_BLOCK):
            block = slice(start, start + _POINTS_PER_BLOCK)
            flat_slit[block], flat_step[block] = self._spatial_to_pixel(flat_lon[block], flat_lat[block])
        return wave_pixel, slit_pixel, step_pixel

    def _spatial_to_pixel(self, lon, lat):
        """
        Find the slit pixel and (fractional) step of points on the sky.

        Each point is projected about every exposure's pointing and split into its
        offset along the slit (in slit pixels) and its distance across it (arcsec). The
        step is where the distance across changes sign, interpolated linearly between
        the two exposures around it (or extrapolated at either end); for sit-and-stare
        data, where every exposure looks at the same place, it is the exposure whose
        slit passes closest.
        """
        n_exposures = len(self._xcen)
        x, y = helioprojective_to_intermediate(lon[:, None], lat[:, None], self._xcen, self._ycen)
        # The direction of one slit pixel in the plane, per exposure.
        direction_x, direction_y = self._slit_direction()
        norm2 = direction_x**2 + direction_y**2
        along = (x * direction_x + y * direction_y) / norm2
        slit_pixel_per_exposure = along + self._crpix[1] - 1
        across = (x * direction_y - y * direction_x) / np.sqrt(norm2)
        if n_exposures == 1:
            return slit_pixel_per_exposure[:, 0], np.zeros(len(lon))
        if self._cdelt[2] == 0:
            nearest = np.nanargmin(np.abs(np.where(np.isnan(across), np.inf, across)), axis=1)
            rows = np.arange(len(lon))
            step = nearest.astype(float)
            step[np.all(np.isnan(across), axis=1)] = np.nan
            return slit_pixel_per_exposure[rows, nearest], step
        return self._crossing(across, slit_pixel_per_exposure)

    def _slit_direction(self):
        slit_cdelt, step_cdelt = self._cdelt[1], self._cdelt[2]
        lon_scale = step_cdelt if step_cdelt != 0 else slit_cdelt
        return lon_scale * self._pc[:, 0, 1], slit_cdelt * self._pc[:, 1, 1]

    @staticmethod
    def _crossing(across, slit_pixel_per_exposure):
        n_points, n_exposures = across.shape
        sign_change = np.signbit(across[:, :-1]) != np.signbit(across[:, 1:])
        has_crossing = sign_change.any(axis=1)
        lower = np.argmax(sign_change, axis=1)
        # No crossing: the point lies beyond the first or last exposure; extrapolate
        # from the pair at the nearer end.
        nearer_start = np.abs(across[:, 0]) <= np.abs(across[:, -1])
        lower = np.where(has_crossing, lower, np.where(nearer_start, 0, n_exposures - 2))
        rows = np.arange(n_points)
        a0, a1 = across[rows, lower], across[rows, lower + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(a0 == a1, 0.0, a0 / (a0 - a1))
        s0, s1 = slit_pixel_per_exposure[rows, lower], slit_pixel_per_exposure[rows, lower + 1]
        return s0 + fraction * (s1 - s0), lower + fraction


class IRISSJIWCS(_IRISWCSBase):
    """
    The WCS of a slit-jaw image series: helioprojective coordinates of every pixel of
    every frame, and the time of each frame.

    Pixel axes, in FITS order: x, y, frame. World axes: helioprojective longitude and
    latitude (arcsec), which depend on all three pixel axes through the per-frame
    pointing, and time (the middle of each exposure), which depends on the frame only.

    Parameters
    ----------
    xcen, ycen : array-like
        Pointing at the reference pixel (CRPIX1, CRPIX2) of each frame, arcsec.
    pc : array-like, shape (n, 2, 2)
        Per frame ``[[PC1_1, PC1_2], [PC2_1, PC2_2]]``.
    crpix : array-like
        CRPIX1, CRPIX2 (1-based).
    cdelt : array-like
        CDELT1, CDELT2 in arcsec.
    frame_time : array-like
        Mid-exposure time of each frame in seconds after ``time_reference``.
    time_reference : `~astropy.time.Time`
        The zero of ``frame_time`` (STARTOBS).
    obstime : `~astropy.time.Time`
        The time of the helioprojective frame.
    observer : str or coordinate, optional
        The observer of the helioprojective frame; Earth by default.
    array_shape : tuple, optional
        The data shape (numpy order).

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> sji = read_cube(sample.SJI_1400)
    >>> sji.wcs.low_level_wcs.world_axis_physical_types
    ('custom:pos.helioprojective.lon', 'custom:pos.helioprojective.lat', 'time')
    """

    def __init__(
        self,
        *,
        xcen,
        ycen,
        pc,
        crpix,
        cdelt,
        frame_time,
        time_reference,
        obstime,
        observer="earth",
        array_shape=None,
    ):
        super().__init__(
            xcen=xcen,
            ycen=ycen,
            pc=pc,
            crpix=crpix,
            cdelt=cdelt,
            obstime=obstime,
            observer=observer,
            array_shape=array_shape,
        )
        self._frame_time = np.asarray(frame_time, dtype=float)
        self._time_reference = Time(time_reference)

    @property
    def frame_time(self):
        """
        Mid-exposure time of each frame, seconds after `time_reference`.
        """
        return self._frame_time * u.s

    @property
    def time_reference(self):
        """
        The zero of `frame_time`: the start of the observation (STARTOBS).
        """
        return self._time_reference

    @property
    def pixel_n_dim(self):
        return 3

    @property
    def world_n_dim(self):
        return 3

    @property
    def world_axis_physical_types(self):
        return (_LON_TYPE, _LAT_TYPE, "time")

    @property
    def world_axis_units(self):
        return ("arcsec", "arcsec", "s")

    @property
    def world_axis_names(self):
        return ("helioprojective longitude", "helioprojective latitude", "time")

    @property
    def pixel_axis_names(self):
        return ("x", "y", "frame")

    @property
    def axis_correlation_matrix(self):
        return np.array([[True, True, True], [True, True, True], [False, False, True]])

    @property
    def world_axis_object_components(self):
        seconds = functools.partial(_seconds_from_time, reference=self._time_reference)
        return [*self._celestial_components(0), ("time", 0, seconds)]

    @property
    def world_axis_object_classes(self):
        to_time = functools.partial(_time_from_seconds, reference=self._time_reference)
        return {**self._celestial_classes(), "time": (Time, (), {}, to_time)}

    def _frame_seconds(self, frame_pixel):
        return _interpolate(frame_pixel, self._frame_time)

    def pixel_to_world_values(self, x_pixel, y_pixel, frame_pixel):
        x_pixel, y_pixel, frame_pixel = np.broadcast_arrays(x_pixel, y_pixel, frame_pixel)
        pc = _interpolate(frame_pixel, self._pc)
        dx = np.asarray(x_pixel, dtype=float) + 1 - self._crpix[0]
        dy = np.asarray(y_pixel, dtype=float) + 1 - self._crpix[1]
        x = self._cdelt[0] * (pc[..., 0, 0] * dx + pc[..., 0, 1] * dy)
        y = self._cdelt[1] * (pc[..., 1, 0] * dx + pc[..., 1, 1] * dy)
        lon, lat = self._deproject(x, y, frame_pixel)
        return lon, lat, self._frame_seconds(frame_pixel)

    def world_to_pixel_values(self, lon, lat, seconds):
        lon, lat, seconds = np.broadcast_arrays(
            np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), np.asarray(seconds, dtype=float)
        )
        frame_pixel = self._frame_from_seconds(seconds)
        x, y = helioprojective_to_intermediate(
            lon, lat, _interpolate(frame_pixel, self._xcen), _interpolate(frame_pixel, self._ycen)
        )
        pc = _interpolate(frame_pixel, self._pc)
        x, y = x / self._cdelt[0], y / self._cdelt[1]
        determinant = pc[..., 0, 0] * pc[..., 1, 1] - pc[..., 0, 1] * pc[..., 1, 0]
        dx = (pc[..., 1, 1] * x - pc[..., 0, 1] * y) / determinant
        dy = (-pc[..., 1, 0] * x + pc[..., 0, 0] * y) / determinant
        return dx + self._crpix[0] - 1, dy + self._crpix[1] - 1, frame_pixel

    def _frame_from_seconds(self, seconds):
        times = self._frame_time
        if len(times) == 1:
            return np.zeros(np.shape(seconds))
        index = np.arange(len(times), dtype=float)
        inside = np.interp(seconds, times, index)
        before = (seconds - times[0]) / (times[1] - times[0])
        after = len(times) - 1 + (seconds - times[-1]) / (times[-1] - times[-2])
        return np.where(seconds < times[0], before, np.where(seconds > times[-1], after, inside))
