"""
Red-blue asymmetry of line profiles: `red_blue_asymmetry`.
"""

from typing import TYPE_CHECKING, cast

import astropy.constants as const
import astropy.units as u
import numpy as np
from ndcube.wcs.wrappers import CompoundLowLevelWCS

from irispy_plus.diagnostics._axis_wcs import TabularAxisWCS
from irispy_plus.diagnostics._common import (
    flag_map,
    map_coordinates,
    read_input,
    split_sequence,
    valid_pixels,
)
from irispy_plus.fitting._inputs import is_dask, range_slice
from irispy_plus.fitting._moments import moment_arrays
from irispy_plus.utils.exceptions import IrispyPlusDiagnosticError
from irispy_plus.utils.quality import FAILED, DerivedMap, QualityFlag

if TYPE_CHECKING:
    from irispy_plus.fitting import FitResult

__all__ = ["red_blue_asymmetry"]

_C_KMS = const.c.to_value(u.km / u.s)
_CENTRES = ("fit", "moments", "peak")


def _cumulative(x, y):
    """Running integral of the piecewise-linear profiles ``y`` ``(N, M)`` from ``x[0]``."""
    steps = 0.5 * (y[:, 1:] + y[:, :-1]) * np.diff(x)
    return np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(steps, axis=1)], axis=1)


def _integral_to(x, y, running, q):
    """The running integral at wavelengths ``q`` ``(N, K)`` (inside ``x``)."""
    j = np.clip(np.searchsorted(x, q) - 1, 0, x.size - 2)
    h = x[j + 1] - x[j]
    d = q - x[j]
    y0 = np.take_along_axis(y, j, axis=1)
    y1 = np.take_along_axis(y, j + 1, axis=1)
    return np.take_along_axis(running, j, axis=1) + y0 * d + (y1 - y0) * d * d / (2 * h)


def _rb_block(y, mask, centre, *, x, offsets, width):
    """``(N, K + 1)``: the asymmetry at each offset, then the flags."""
    y = np.asarray(y, dtype=float)
    centre = np.asarray(centre, dtype=float).reshape(-1)
    n = y.shape[0]
    valid = valid_pixels(y, mask)
    filled = np.where(valid, y, 0.0)
    running = _cumulative(x, filled)
    bad_running = np.concatenate([np.zeros((n, 1)), np.cumsum(~valid, axis=1)], axis=1)
    flags = np.zeros(n, dtype=np.int32)
    no_centre = ~np.isfinite(centre)
    flags[no_centre] |= QualityFlag.CENTRE_FAILED
    lam = np.where(no_centre, x[x.size // 2], centre)[:, None]
    half = lam * 0.5 * width / _C_KMS
    means = []
    outside = np.zeros((n, offsets.size), bool)
    fill = np.zeros((n, offsets.size), bool)
    for sign in (1, -1):
        mid = lam * (1 + sign * offsets[None, :] / _C_KMS)
        lo, hi = mid - half, mid + half
        out = (lo < x[0]) | (hi > x[-1])
        lo, hi = np.clip(lo, x[0], x[-1]), np.clip(hi, x[0], x[-1])
        with np.errstate(invalid="ignore", divide="ignore"):
            means.append(
                (_integral_to(x, filled, running, hi) - _integral_to(x, filled, running, lo)) / (hi - lo)
            )
        # Invalid pixels among those the band's interpolation uses.
        first = np.clip(np.searchsorted(x, lo) - 1, 0, x.size - 1)
        last = np.clip(np.searchsorted(x, hi), 0, x.size - 1)
        fill |= (
            np.take_along_axis(bad_running, last + 1, axis=1) - np.take_along_axis(bad_running, first, axis=1)
            > 0
        )
        outside |= out
    peak = np.where(valid, y, -np.inf).max(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rb = (means[0] - means[1]) / peak[:, None]
    no_signal = ~(peak > 0)
    rb[outside | fill | no_centre[:, None] | no_signal[:, None]] = np.nan
    flags[outside.any(axis=1)] |= QualityFlag.NO_DATA
    flags[fill.any(axis=1)] |= QualityFlag.FILL
    flags[no_signal] |= QualityFlag.NO_SIGNAL
    return np.concatenate([rb, flags[:, None].astype(float)], axis=1)


def _centres(data, y, x, mask, *, centre, wl_range):
    """The line centre (Å) of every spectrum, NaN where it cannot be measured."""
    shape = y.shape[:-1]
    if isinstance(centre, u.Quantity):
        value = centre.to_value(u.AA, equivalencies=u.spectral())
        if value.size != 1 or not x[0] < value < x[-1]:
            msg = (
                f"red_blue_asymmetry: centre={centre} must be one wavelength inside the window "
                f"({x[0]:.2f}-{x[-1]:.2f} Å)."
            )
            raise IrispyPlusDiagnosticError(msg)
        return np.full(shape, float(value))
    if centre not in _CENTRES:
        msg = (
            f"red_blue_asymmetry: centre={centre!r} must be 'fit', 'moments', 'peak' or a "
            "wavelength (Quantity)."
        )
        raise IrispyPlusDiagnosticError(msg)
    if centre == "fit":
        from irispy_plus.fitting import fit_lines

        result = cast(
            "FitResult",
            fit_lines(
                data, None if hasattr(data, "wcs") else x, wl_range=wl_range, mask=mask, progress=False
            ),
        )
        mu = result.values[..., result.parameter_names.index("mu1")]
        return np.where(result.flags & FAILED, np.nan, mu)
    sl = range_slice(x, wl_range)
    part = y[..., sl]
    if is_dask(part):
        part = part.compute()
    part = np.asarray(part, dtype=float)
    valid = valid_pixels(part, None if mask is None else np.asarray(mask)[..., sl])
    flat, ok = part.reshape(-1, part.shape[-1]), valid.reshape(-1, part.shape[-1])
    if centre == "moments":
        return moment_arrays(x[sl], flat, ok)["centroid"].reshape(shape)
    return _parabolic_peak(x[sl], np.where(ok, flat, -np.inf)).reshape(shape)


def _parabolic_peak(x, y):
    """Wavelength of the vertex of the parabola through each peak pixel and its neighbours."""
    j = np.clip(np.argmax(y, axis=1), 1, x.size - 2)[:, None]
    left, mid, right = (np.take_along_axis(y, j + k, axis=1)[:, 0] for k in (-1, 0, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = 0.5 * (left - right) / (left - 2 * mid + right)
    shift = np.where(np.isfinite(shift) & (np.abs(shift) <= 1), shift, 0.0)
    peak = x[j[:, 0]] + shift * np.diff(x).mean()
    return np.where(np.isfinite(mid), peak, np.nan)


def _offset_wcs(offsets):
    return TabularAxisWCS(offsets * u.km / u.s, "custom:spect.dopplerVeloc.offset", "velocity offset")


@u.quantity_input(offsets=u.km / u.s, width=u.km / u.s)
def red_blue_asymmetry(
    data,
    offsets: u.Quantity = None,
    width: u.Quantity = 20 * u.km / u.s,
    centre="fit",
    *,
    wavelength=None,
    wl_range=None,
    mask=None,
):
    """
    Red-blue asymmetry of every line profile as a function of velocity offset.

    For each offset ``v``, the mean intensity of the profile (linearly interpolated
    between pixels) over a band ``width`` wide centred ``v`` to the red of the line
    centre, minus that of the same band ``v`` to the blue, divided by the profile's peak
    intensity (De Pontieu et al. 2009; Tian et al. 2011). A secondary component at
    ``+v`` (a downflow) gives a positive asymmetry peaking near ``v``; an upflow, a
    negative one.

    Parameters
    ----------
    data : `ndcube.NDCube`, `~ndcube.NDCubeSequence`, array or `~astropy.units.Quantity`
        Spectra with wavelength last (numpy or dask); a cube gives wavelengths, mask and
        coordinates.
    offsets : `~astropy.units.Quantity`, optional
        Increasing velocity offsets (>= 0) from the centre; 0 to 150 km/s in steps of
        5 km/s by default.
    width : `~astropy.units.Quantity`, optional
        Width of the red and blue bands.
    centre : {"fit", "moments", "peak"} or `~astropy.units.Quantity`, optional
        The line centre of each spectrum: a single-Gaussian fit (`fit_lines`), the
        first moment, the vertex of the parabola through the peak pixel and its
        neighbours, or one given (rest) wavelength for all.
    wavelength : `~astropy.units.Quantity` or array, optional
        Wavelengths (float: Å), needed for arrays.
    wl_range : pair, optional
        The wavelength range (Å) in which the centre is measured (the line's, when the
        window holds several).
    mask : array of bool, optional
        Pixels to ignore (a cube's own mask otherwise).

    Returns
    -------
    asymmetry : irispy_plus.utils.quality.DerivedMap
        Shape ``(*maps, len(offsets))``: the input's celestial and time coordinates
        with a last axis of offsets (``meta["offsets"]``); NaN and masked where a band
        leaves the window or holds fill, or the centre is unknown. Its ``flags`` are
        each spectrum's flags (below), repeated along the offset axis.
    flags : irispy_plus.utils.quality.DerivedMap
        `~irispy_plus.fitting.QualityFlag` bits per spectrum: ``NO_DATA`` (some band
        outside the window), ``FILL``, ``NO_SIGNAL``, ``CENTRE_FAILED``.

    Raises
    ------
    IrispyPlusDiagnosticError
        If the data, wavelengths or arguments cannot be used.

    References
    ----------
    De Pontieu, B., McIntosh, S. W., Hansteen, V. H., Schrijver, C. J. 2009, ApJ 701,
    L1. Tian, H., McIntosh, S. W., De Pontieu, B., et al. 2011, ApJ 738, 18.

    Examples
    --------
    >>> import numpy as np
    >>> import astropy.units as u
    >>> from irispy_plus.diagnostics import red_blue_asymmetry
    >>> x = 1401.5 + 0.02596 * np.arange(100)
    >>> main = 100 * np.exp(-0.5 * ((x - 1402.77) / 0.05) ** 2)
    >>> downflow = 10 * np.exp(-0.5 * ((x - 1402.77 * (1 + 80 / 299792.458)) / 0.07) ** 2)
    >>> rb, flags = red_blue_asymmetry(main + downflow, centre=1402.77 * u.AA, wavelength=x)
    >>> offsets = rb.meta["offsets"]
    >>> offsets[np.argmax(rb.data)]
    <Quantity 80. km / s>
    """
    if offsets is None:
        offsets = np.arange(0, 151, 5) * u.km / u.s
    offsets_kms = np.atleast_1d(offsets.to_value(u.km / u.s)).astype(float)
    width_kms = float(width.to_value(u.km / u.s))
    if (
        offsets_kms.ndim != 1
        or not np.all(np.isfinite(offsets_kms))
        or np.any(offsets_kms < 0)
        or np.any(np.diff(offsets_kms) <= 0)
    ):
        msg = f"red_blue_asymmetry: offsets={offsets} must be finite, increasing velocities >= 0."
        raise IrispyPlusDiagnosticError(msg)
    if not np.isfinite(width_kms) or width_kms <= 0:
        msg = f"red_blue_asymmetry: width={width} must be a positive velocity."
        raise IrispyPlusDiagnosticError(msg)
    sequence = split_sequence(data)
    if sequence is not None:
        return [
            red_blue_asymmetry(
                cube, offsets, width, centre, wavelength=wavelength, wl_range=wl_range, mask=mask
            )
            for cube in sequence
        ]
    y, x, mask, _, cube = read_input(data, wavelength, mask, "red_blue_asymmetry")
    if x.size < 2:
        msg = "red_blue_asymmetry: the window needs at least 2 wavelengths."
        raise IrispyPlusDiagnosticError(msg)
    centres = _centres(data if cube is not None else y, y, x, mask, centre=centre, wl_range=wl_range)
    kwargs = {"x": x, "offsets": offsets_kms, "width": width_kms}
    n_out = offsets_kms.size + 1
    if is_dask(y) or is_dask(mask):
        import dask.array as da

        y = (y if is_dask(y) else da.asarray(y)).rechunk({y.ndim - 1: -1})
        args = [y, da.from_array(centres[..., None], chunks=(*y.chunks[:-1], (1,)))]
        if mask is not None:
            lazy = mask if is_dask(mask) else da.from_array(np.broadcast_to(mask, y.shape), chunks=y.chunks)
            args.insert(1, lazy.rechunk(y.chunks))

        def block(y_block, *rest):
            m_block, c_block = (None, rest[0]) if len(rest) == 1 else rest
            lead = y_block.shape[:-1]
            y2 = np.asarray(y_block).reshape(-1, y_block.shape[-1])
            m2 = None if m_block is None else np.asarray(m_block).reshape(y2.shape)
            return _rb_block(y2, m2, c_block, **kwargs).reshape(*lead, n_out)

        packed = da.map_blocks(
            block, *args, dtype=float, chunks=(*y.chunks[:-1], (n_out,)), meta=np.array((), dtype=float)
        ).compute()
    else:
        y2 = np.asarray(y).reshape(-1, x.size)
        m2 = None if mask is None else np.broadcast_to(mask, np.shape(y)).reshape(y2.shape)
        packed = _rb_block(y2, m2, centres, **kwargs).reshape(*np.shape(y)[:-1], n_out)
    coords = map_coordinates(cube, packed.ndim - 1)
    rb = packed[..., :-1]
    map_wcs, extra, global_coords = coords
    axes = [_offset_wcs(offsets_kms)]
    if cube is not None:
        axes.append(getattr(map_wcs, "low_level_wcs", map_wcs))
    else:
        # Pixel axes (numpy order reversed, as WCS pixel axes are).
        axes += [TabularAxisWCS(np.arange(n) * u.pix, "custom:pixel") for n in rb.shape[-2::-1]]
    wcs = axes[0] if len(axes) == 1 else CompoundLowLevelWCS(*axes)
    meta = {
        "diagnostic": "red_blue_asymmetry",
        "offsets": offsets_kms * u.km / u.s,
        "width": width,
        "centre": centre if isinstance(centre, str) else u.Quantity(centre, u.AA),
    }
    flags = packed[..., -1].astype(np.int32)
    asymmetry = DerivedMap(
        rb,
        wcs=wcs,
        unit=u.dimensionless_unscaled,
        mask=~np.isfinite(rb),
        meta=meta,
        extra_coords=extra,
        global_coords=global_coords,
        # One spectrum's flags for each of its offsets.
        flags=np.repeat(flags[..., None], rb.shape[-1], axis=-1),
    )
    return asymmetry, flag_map(flags, coords, "red_blue_asymmetry")
