"""
What the diagnostics share: reading the input, running block by block, building maps.
"""

import numpy as np

from irispy_plus.fitting._inputs import is_dask, is_sequence, unpack_spectra
from irispy_plus.fitting._result import pixel_wcs
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusDiagnosticError, IrispyPlusFitError
from irispy_plus.utils.quality import DerivedMap, QualityFlag, flag_bits

__all__ = [
    "band_weights",
    "flag_map",
    "make_map",
    "map_coordinates",
    "read_input",
    "run_blocks",
    "split_sequence",
    "valid_pixels",
]

#: Dask blocks hold at most about this many values.
_BLOCK_ELEMENTS = 8_000_000


def read_input(data, wavelength, mask, what):
    """
    Data array (numpy or dask), wavelengths (Å), mask, unit and cube of the input.

    Raises `IrispyPlusDiagnosticError` naming ``what`` (the diagnostic) when the input
    cannot be used.
    """
    if wavelength is None and not hasattr(data, "wcs"):
        msg = (
            f"{what}: wavelength is needed with an array of spectra (give it in Å, one value "
            "per pixel of the last axis), or pass a cube."
        )
        raise IrispyPlusDiagnosticError(msg)
    try:
        y, x, _, mask, unit, cube = unpack_spectra(data, wavelength, None, mask)
    except IrispyPlusFitError as error:
        raise IrispyPlusDiagnosticError(f"{what}: {error}") from None
    if y.dtype.kind not in "fiu":
        msg = f"{what}: the data must be numbers (got dtype {y.dtype})."
        raise IrispyPlusDiagnosticError(msg)
    return y, x, mask, unit, cube


def valid_pixels(y, mask=None):
    """Finite, unmasked pixels above the Level 2 fill threshold."""
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(y) & (y > conf.fill_threshold)
    if mask is not None:
        valid &= ~np.asarray(mask, dtype=bool)
    return valid


def run_blocks(func, y, mask, n_out, **kwargs):
    """
    ``func(y2d, mask2d, **kwargs) -> (n, n_out)`` over every spectrum of ``y``
    (``(..., M)``), in memory or block by block for dask arrays; returns ``(..., n_out)``.
    """

    def block(y_block, mask_block=None):
        lead = y_block.shape[:-1]
        y2 = np.asarray(y_block).reshape(-1, y_block.shape[-1])
        m2 = None if mask_block is None else np.asarray(mask_block, dtype=bool).reshape(y2.shape)
        return func(y2, m2, **kwargs).reshape(*lead, n_out)

    if not (is_dask(y) or is_dask(mask)):
        return block(np.asarray(y), None if mask is None else np.broadcast_to(mask, np.shape(y)))
    import dask.array as da

    y = y if is_dask(y) else da.asarray(y)
    y = y.rechunk({y.ndim - 1: -1})
    if y.ndim > 1:
        rows = max(1, _BLOCK_ELEMENTS // max(1, int(np.prod(y.shape[1:]))))
        if max(y.chunks[0]) > 2 * rows:
            y = y.rechunk({0: rows})
    args = [y]
    if mask is not None:
        lazy = mask if is_dask(mask) else da.from_array(np.broadcast_to(mask, y.shape), chunks=y.chunks)
        args.append(lazy.rechunk(y.chunks))
    return da.map_blocks(
        block, *args, dtype=float, chunks=(*y.chunks[:-1], (n_out,)), meta=np.array((), dtype=float)
    ).compute()


def map_coordinates(cube, ndim):
    """WCS, extra and global coordinates of a map: the cube's with the spectral axis dropped."""
    if cube is None:
        return pixel_wcs(ndim), None, None
    maps = cube[..., 0]
    return maps.wcs, maps.extra_coords, getattr(maps, "global_coords", None)


def make_map(values, coords, unit=None, meta=None, mask=None, *, flags=None):
    """
    A `DerivedMap` on the input's celestial and time coordinates, with the `QualityFlag`
    bits ``flags`` (``(...)`` per spectrum, repeated along any extra trailing axis of
    ``values``; ``FILL`` where masked or not finite if not given).
    """
    wcs, extra, global_coords = coords
    values = np.asarray(values)
    if mask is None:
        mask = ~np.isfinite(values) if values.dtype.kind == "f" else np.zeros(values.shape, bool)
    if flags is not None:
        flags = np.asarray(flags).astype(np.int32)
        flags = np.broadcast_to(flags.reshape(flags.shape + (1,) * (values.ndim - flags.ndim)), values.shape)
    return DerivedMap(
        values,
        wcs=wcs,
        unit=unit,
        mask=mask,
        meta=meta or {},
        extra_coords=extra,
        global_coords=global_coords,
        flags=None if flags is None else flags.copy(),
    )


def flag_map(flags, coords, name):
    """An int32 flag map whose meta lists the `QualityFlag` bits (its ``flags`` are its data)."""
    flags = np.asarray(flags).astype(np.int32)
    return make_map(
        flags,
        coords,
        meta={"diagnostic": name, "bits": flag_bits(), "flag_class": QualityFlag.__name__},
        mask=np.zeros(flags.shape, bool),
        flags=flags,
    )


def band_weights(x, lo, hi, n_sub=64):
    """
    ``(M,)`` weights giving the mean over ``[lo, hi]`` (Å) of the spectrum linearly
    interpolated between its pixels ``x``.
    """
    sub = np.linspace(lo, hi, n_sub)
    j = np.clip(np.searchsorted(x, sub) - 1, 0, x.size - 2)
    frac = np.clip((sub - x[j]) / (x[j + 1] - x[j]), 0, 1)
    weights = np.zeros(x.size)
    np.add.at(weights, j, (1 - frac) / n_sub)
    np.add.at(weights, j + 1, frac / n_sub)
    return weights


def split_sequence(data):
    """The cubes of an NDCubeSequence, or None."""
    return list(data.data) if is_sequence(data) else None
