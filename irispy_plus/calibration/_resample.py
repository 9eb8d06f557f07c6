"""
Resampling of spectra along wavelength by Keys cubic convolution: each exposure moved by
its own fraction of a pixel, with the mask and the uncertainty carried along.

`irispy_plus.calibration.apply_wavelength_shift` uses it for the part of a per-exposure
shift that the spectral coordinate cannot hold.
"""

import functools

import astropy.units as u
import numpy as np
from astropy.nddata import StdDevUncertainty

from irispy_plus.calibration._cube import _numpy_axis
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError

__all__ = ["resample_block", "resample_exposures"]


def _cubic_weights(fraction):
    """Keys (a = -1/2) cubic-convolution weights of the samples at -1, 0, 1, 2 from floor."""
    a = -0.5
    t = np.stack([1 + fraction, fraction, 1 - fraction, 2 - fraction])
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return np.where(t <= 1, near, far)


def resample_block(data, mask, variance, pixel_shift):
    """
    Values at ``p + pixel_shift`` (per leading index) of every spectrum, wavelength last.

    ``pixel_shift`` broadcasts against ``data[..., 0]``. A result pixel is invalid (NaN,
    masked, infinite variance) if any of its four samples with a non-zero weight is masked
    or beyond the window.
    """
    data = np.asarray(data, dtype=np.result_type(np.asarray(data).dtype, np.float32))
    n = data.shape[-1]
    shift = np.asarray(pixel_shift, dtype=float)[..., None]
    base = np.floor(shift)
    weights = _cubic_weights(shift - base)  # (4, ..., 1)
    index = np.arange(n) + base.astype(int)  # (..., n)
    bad = np.zeros(np.broadcast_shapes(data.shape, index.shape), dtype=bool)
    out = np.zeros(bad.shape, dtype=data.dtype)
    var = None if variance is None else np.zeros(bad.shape, dtype=data.dtype)
    invalid = ~np.isfinite(data) if mask is None else ~np.isfinite(data) | np.asarray(mask, dtype=bool)
    for tap in range(4):
        where = index + (tap - 1)
        outside = (where < 0) | (where >= n)
        clipped = np.broadcast_to(np.clip(where, 0, n - 1), bad.shape)
        weight = weights[tap]
        used = np.abs(weight) > 1e-12
        values = np.take_along_axis(data, clipped, axis=-1)
        bad |= used & (outside | np.take_along_axis(invalid, clipped, axis=-1))
        out += weight * np.where(np.isfinite(values), values, 0)
        if var is not None:
            tap_var = np.take_along_axis(np.asarray(variance), clipped, axis=-1)
            var += weight**2 * np.where(np.isfinite(tap_var), tap_var, 0)
    out[bad] = np.nan
    if var is not None:
        var[bad] = np.inf
    return out, bad, var


def resample_exposures(cube, residual):
    """The cube's data, mask and uncertainty with exposure ``i`` moved by ``residual[i]`` (Å)."""
    wavelength = u.Quantity(cube.spectral_axis, u.AA).value
    if _numpy_axis(cube, "wavelength") != cube.data.ndim - 1 or wavelength.size < 2:
        msg = "A per-exposure wavelength shift needs the wavelength as the last axis of the cube."
        raise IrispyPlusCalibrationError(msg)
    dispersion = float(np.mean(np.diff(wavelength)))
    # The corrected pixel p of exposure i shows what the original showed at p + r_i / step.
    pixel = (residual / dispersion).reshape((-1,) + (1,) * (cube.data.ndim - 2))
    mask = cube.mask if cube.mask is not None and not isinstance(cube.mask, bool | np.bool_) else None
    uncertainty = cube.uncertainty
    if uncertainty is not None and not isinstance(uncertainty, StdDevUncertainty):
        msg = f"Cannot resample a {type(uncertainty).__name__}; convert it to StdDevUncertainty."
        raise IrispyPlusCalibrationError(msg)
    variance = None if uncertainty is None else uncertainty.array**2
    lazy = any(hasattr(a, "dask") for a in (cube.data, mask, variance))
    if not lazy:
        data, bad, var = resample_block(cube.data, mask, variance, pixel)
        new_mask = bad if mask is None else bad | np.asarray(mask, dtype=bool)
    else:
        import dask.array as da

        data_in = da.asarray(cube.data).rechunk({cube.data.ndim - 1: -1})
        chunks = data_in.chunks
        shift_in = da.from_array(pixel[..., None], chunks=(chunks[0],) + (1,) * (cube.data.ndim - 1))
        extras = [da.asarray(array).rechunk(chunks) for array in (mask, variance) if array is not None]
        has_mask, has_variance = mask is not None, variance is not None

        def block(index, values, pixel_shift, *arrays):
            rest = list(arrays)
            block_mask = rest.pop(0) if has_mask else None
            block_variance = rest.pop(0) if has_variance else None
            return resample_block(values, block_mask, block_variance, pixel_shift[..., 0])[index]

        def part(index, dtype):
            return da.map_blocks(functools.partial(block, index), data_in, shift_in, *extras, dtype=dtype)

        data, bad = part(0, data_in.dtype), part(1, bool)
        var = part(2, data_in.dtype) if has_variance else None
        new_mask = bad if mask is None else bad | da.asarray(mask).rechunk(chunks)
    new_uncertainty = (
        None if var is None or uncertainty is None else StdDevUncertainty(np.sqrt(var), unit=uncertainty.unit)
    )
    return data, new_mask, new_uncertainty
