"""
What every spectral computation needs from its input: the spectra as an array, their
wavelengths, uncertainties, mask and unit, and the cube they came from.

`fit_lines`, `moments` and the diagnostics all read their input with `unpack_spectra`,
so that a cube, a Quantity, a numpy or a dask array is understood the same way by each.
"""

from typing import Any, NamedTuple

import astropy.units as u
import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusFitError

__all__ = ["Spectra", "cube_wavelength", "is_dask", "is_sequence", "range_slice", "unpack_spectra"]


def is_dask(array) -> bool:
    """Whether ``array`` is a dask array (without importing dask)."""
    return type(array).__module__.startswith("dask")


def is_sequence(data) -> bool:
    """Whether ``data`` is an NDCubeSequence (e.g. an IRISRasterSequence): a list of cubes in ``.data``."""
    return not hasattr(data, "wcs") and isinstance(getattr(data, "data", None), list)


def cube_wavelength(cube) -> u.Quantity:
    """The wavelengths of a cube's last (spectral) axis, in Å."""
    spectral = getattr(cube, "spectral_axis", None)
    if spectral is not None:
        return u.Quantity(spectral, u.AA)
    values = cube.axis_world_coords_values(cube.data.ndim - 1)[0]
    return u.Quantity(values, u.m).to(u.AA) if not isinstance(values, u.Quantity) else values.to(u.AA)


class Spectra(NamedTuple):
    """
    The parts of an input of spectra (unpacks as a tuple in this order).

    Attributes
    ----------
    data : numpy.ndarray or dask array
        The spectra, wavelength last.
    wavelength : numpy.ndarray
        Wavelengths of the last axis (Å), increasing.
    uncertainty : array or None
        1-sigma uncertainties, in the data unit.
    mask : array of bool or None
        True for pixels to ignore.
    unit : astropy.units.Unit or None
        The data unit.
    cube : ndcube.NDCube or None
        The cube the spectra came from.
    """

    data: Any
    wavelength: np.ndarray
    uncertainty: Any
    mask: Any
    unit: Any
    cube: Any


def unpack_spectra(data, wavelength=None, uncertainty=None, mask=None) -> Spectra:
    """
    Split an input of spectra into data array, wavelengths, uncertainties, mask, unit and cube.

    A cube gives its wavelengths, uncertainty, mask and unit where these are not given.

    Parameters
    ----------
    data : `ndcube.NDCube`, `~astropy.units.Quantity`, numpy or dask array
        Spectra, wavelength last.
    wavelength : `~astropy.units.Quantity` or array, optional
        Wavelengths of the last axis (float: Å); taken from a cube if not given.
    uncertainty : array or `~astropy.units.Quantity`, optional
        1-sigma uncertainties.
    mask : array of bool, optional
        True for pixels to ignore.

    Returns
    -------
    Spectra

    Raises
    ------
    IrispyPlusFitError
        If there are no wavelengths, they are not one increasing finite value per pixel
        of the last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting._inputs import unpack_spectra
    >>> spectra = unpack_spectra(np.ones((2, 3)), [1400.0, 1400.1, 1400.2])
    >>> spectra.data.shape, spectra.wavelength.tolist(), spectra.cube
    ((2, 3), [1400.0, 1400.1, 1400.2], None)
    """
    cube = None
    unit = None
    if hasattr(data, "wcs") and hasattr(data, "data"):
        cube = data
        if wavelength is None:
            wavelength = cube_wavelength(cube)
        if uncertainty is None and cube.uncertainty is not None:
            uncertainty = cube.uncertainty.array
        if mask is None and cube.mask is not None and np.ndim(cube.mask):
            mask = cube.mask
        unit = cube.unit
        data = cube.data
    elif isinstance(data, u.Quantity):
        unit = data.unit
        data = data.value
    if isinstance(uncertainty, u.Quantity):
        uncertainty = uncertainty.to_value(unit) if unit is not None else uncertainty.value
    if wavelength is None:
        msg = "wavelength is needed when fitting an array (give it in Å, or pass a cube)."
        raise IrispyPlusFitError(msg)
    wavelength = u.Quantity(wavelength, u.AA).to_value(u.AA).astype(float)
    if wavelength.ndim != 1 or not np.all(np.isfinite(wavelength)) or np.any(np.diff(wavelength) <= 0):
        msg = (
            "wavelength must be one increasing, finite value per pixel of the data's last axis "
            f"(got shape {wavelength.shape}"
            + (", with non-finite values" if not np.all(np.isfinite(wavelength)) else "")
            + "); give it in Å, in increasing order."
        )
        raise IrispyPlusFitError(msg)
    if not is_dask(data):
        data = np.asarray(data)
    if data.shape[-1] != wavelength.shape[-1]:
        msg = (
            f"the data's last axis has {data.shape[-1]} pixels but wavelength has "
            f"{wavelength.shape[-1]}; wavelength must be the last axis."
        )
        raise IrispyPlusFitError(msg)
    return Spectra(data, wavelength, uncertainty, mask, unit, cube)


def range_slice(wavelength, wl_range) -> slice:
    """
    The slice of ``wavelength`` (Å) between the pixels nearest the ends of ``wl_range``
    (all of it for None).

    Raises
    ------
    IrispyPlusFitError
        If the range selects fewer than 3 pixels.
    """
    if wl_range is None:
        return slice(0, wavelength.size)
    lo, hi = u.Quantity(wl_range, u.AA).to_value(u.AA)
    i0 = int(np.argmin(np.abs(wavelength - lo)))
    i1 = int(np.argmin(np.abs(wavelength - hi)))
    i0, i1 = min(i0, i1), max(i0, i1)
    if i1 - i0 < 2:
        msg = f"wl_range={list(wl_range)} selects fewer than 3 pixels of the wavelength range."
        raise IrispyPlusFitError(msg)
    return slice(i0, i1 + 1)
