"""
Moment maps of a cube: the fast first look at a spectral window.
"""

import astropy.constants as const
import astropy.units as u
import numpy as np

from irispy_plus.fitting._inputs import is_dask, range_slice, unpack_spectra
from irispy_plus.fitting._moments import moment_arrays
from irispy_plus.fitting._result import pixel_wcs
from irispy_plus.utils._plotting import as_map
from irispy_plus.utils.quality import DerivedMap, QualityFlag, flag_bits

__all__ = ["moments"]

_KEYS = ("background", "peak", "peak_wavelength", "intensity", "centroid", "width")


def _block(y, mask, *, x):
    y = np.asarray(y, dtype=float)
    valid = np.isfinite(y) if mask is None else np.isfinite(y) & ~np.asarray(mask, dtype=bool)
    out = moment_arrays(x, y, valid)
    flags = np.zeros(y.shape[:-1], dtype=np.int32)
    flags[~valid.all(axis=-1)] |= QualityFlag.FILL
    flags[~valid.any(axis=-1)] |= QualityFlag.NO_DATA
    flags[valid.any(axis=-1) & ~np.isfinite(out["centroid"])] |= QualityFlag.NO_SIGNAL
    return np.stack([*(out[key] for key in _KEYS), flags.astype(float)], axis=-1)


def moments(data, wavelength=None, *, wl_range=None, rest_wavelength=None, mask=None) -> dict:
    """
    Moments of every spectrum: intensity, centroid, Doppler velocity and width.

    The background is the 20th percentile of each spectrum's valid pixels; the moments
    are taken of the spectrum above it (negative values clipped to 0).

    Parameters
    ----------
    data : `ndcube.NDCube`, array, `~astropy.units.Quantity` or dask array
        Spectra, wavelength last; a cube gives wavelengths, mask and coordinates.
    wavelength : `~astropy.units.Quantity` or array, optional
        Wavelengths (float: Å); taken from a cube if not given.
    wl_range : pair, optional
        Only this wavelength range (Å).
    rest_wavelength : `~astropy.units.Quantity` or float, optional
        For the ``velocity`` map.
    mask : array of bool, optional
        Pixels to ignore (a cube's own mask otherwise).

    Returns
    -------
    dict of irispy_plus.utils.quality.DerivedMap
        ``intensity`` (integral above the background, data unit times Å), ``centroid``
        (Å), ``width`` (square root of the second central moment, Å), ``peak`` and
        ``background`` (data unit), ``peak_wavelength`` (Å), and ``velocity`` (km/s) if a
        rest wavelength is given; maps carry the cube's celestial and time coordinates.
        Every map's ``flags`` are `~irispy_plus.fitting.QualityFlag` bits per spectrum
        (``FILL``: some pixels of the range are masked or not finite; ``NO_DATA``: all
        are; ``NO_SIGNAL``: nothing above the background), also given as the map
        ``flags``.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import moments
    >>> x = 1402.77 + 0.02596 * np.arange(-20, 21)
    >>> spectra = np.exp(-0.5 * ((x - 1402.8) / 0.05) ** 2) * [[100.0], [50.0]]
    >>> maps = moments(spectra, x, rest_wavelength=1402.77)
    >>> maps["velocity"].data.round(1), maps["width"].data.round(3)
    (array([6.4, 6.4]), array([0.05, 0.05]))
    """
    y, x_full, _, mask, unit, cube = unpack_spectra(data, wavelength, None, mask)
    sl = range_slice(x_full, wl_range)
    x = x_full[sl]
    y = y[..., sl]
    if mask is not None:
        mask = mask[..., sl]
    if is_dask(y) or is_dask(mask):
        import dask.array as da

        y = y if is_dask(y) else da.asarray(y)
        y = y.rechunk({y.ndim - 1: -1})
        args = [y] if mask is None else [y, (mask if is_dask(mask) else da.asarray(mask)).rechunk(y.chunks)]
        func = _block if mask is not None else (lambda block, x: _block(block, None, x=x))
        packed = da.map_blocks(
            func,
            *args,
            x=x,
            dtype=float,
            chunks=(*y.chunks[:-1], (len(_KEYS) + 1,)),
            meta=np.array((), dtype=float),
        ).compute()
    else:
        packed = _block(y, mask, x=x)
    data_unit = unit if unit is not None else u.dimensionless_unscaled
    units = {
        "background": data_unit,
        "peak": data_unit,
        "peak_wavelength": u.AA,
        "intensity": data_unit * u.AA,
        "centroid": u.AA,
        "width": u.AA,
    }
    if cube is not None:
        maps = cube[..., 0]
        wcs, extra, global_coords = maps.wcs, maps.extra_coords, getattr(maps, "global_coords", None)
    else:
        wcs, extra, global_coords = pixel_wcs(packed.ndim - 1), None, None
    flags = packed[..., len(_KEYS)].astype(np.int32)
    out = {}
    for i, key in enumerate(_KEYS):
        values = packed[..., i]
        out[key] = as_map(
            DerivedMap(
                values,
                wcs=wcs,
                unit=units[key],
                mask=~np.isfinite(values),
                meta={"moment": key},
                extra_coords=extra,
                global_coords=global_coords,
                flags=flags,
            )
        )
    out["flags"] = DerivedMap(
        flags,
        wcs=wcs,
        mask=np.zeros(flags.shape, bool),
        meta={"moment": "flags", "bits": flag_bits()},
        extra_coords=extra,
        global_coords=global_coords,
        flags=flags,
    )
    if rest_wavelength is not None:
        rest = u.Quantity(rest_wavelength, u.AA).to_value(u.AA)
        velocity = const.c.to_value(u.km / u.s) * (packed[..., 4] - rest) / rest
        out["velocity"] = as_map(
            DerivedMap(
                velocity,
                wcs=wcs,
                unit=u.km / u.s,
                mask=~np.isfinite(velocity),
                meta={"moment": "velocity", "rest_wavelength": rest * u.AA},
                extra_coords=extra,
                global_coords=global_coords,
                flags=flags,
            )
        )
    return out
