"""
Fit line models to every spectrum of a cube or array, in memory or chunk by chunk with dask.
"""

import sys
from functools import partial

import astropy.units as u
import numpy as np

from irispy_plus.fitting._constraints import Constraints
from irispy_plus.fitting._models import IrispyPlusFitError, LineModel
from irispy_plus.fitting._moments import moment_arrays
from irispy_plus.fitting._result import FitResult
from irispy_plus.fitting._solver import solve
from irispy_plus.utils.logger import log

__all__ = ["auto_guess", "fit_lines"]

_PROGRESS_THRESHOLD = 100_000
#: Dask blocks hold about this many spectra, and at most _BLOCK_ELEMENTS values: large
#: enough for the solver's slow spectra to finish together, small enough to spread a
#: raster over several workers.
_BLOCK_SPECTRA = 50_000
_BLOCK_ELEMENTS = 16_000_000


def _is_dask(array):
    return type(array).__module__.startswith("dask")


def _is_sequence(data):
    """An NDCubeSequence (e.g. an IRISRasterSequence): a list of cubes in ``.data``."""
    return not hasattr(data, "wcs") and isinstance(getattr(data, "data", None), list)


def _cube_wavelength(cube):
    spectral = getattr(cube, "spectral_axis", None)
    if spectral is not None:
        return u.Quantity(spectral, u.AA)
    values = cube.axis_world_coords_values(cube.data.ndim - 1)[0]
    return u.Quantity(values, u.m).to(u.AA) if not isinstance(values, u.Quantity) else values.to(u.AA)


def _unpack(data, wavelength, uncertainty, mask):
    """Split the input into data array, wavelengths, uncertainties, mask, unit and cube."""
    cube = None
    unit = None
    if hasattr(data, "wcs") and hasattr(data, "data"):
        cube = data
        if wavelength is None:
            wavelength = _cube_wavelength(cube)
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
    if not _is_dask(data):
        data = np.asarray(data)
    if data.shape[-1] != wavelength.shape[-1]:
        msg = (
            f"the data's last axis has {data.shape[-1]} pixels but wavelength has "
            f"{wavelength.shape[-1]}; wavelength must be the last axis."
        )
        raise IrispyPlusFitError(msg)
    return data, wavelength, uncertainty, mask, unit, cube


def _check_options(*, max_iter, ftol, xtol, dtype, n_threads, chunk_size):
    """Refuse solver settings that cannot work, naming the parameter."""
    problems = []
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        problems.append(f"max_iter={max_iter!r} must be a whole number >= 0")
    for name, value in (("ftol", ftol), ("xtol", xtol)):
        if not np.isfinite(value) or value <= 0:
            problems.append(f"{name}={value!r} must be a positive number")
    if np.dtype(dtype) not in (np.float32, np.float64):
        problems.append(f"dtype={dtype!r} must be numpy.float32 or numpy.float64")
    for name, value in (("n_threads", n_threads), ("chunk_size", chunk_size)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
            problems.append(f"{name}={value!r} must be a whole number >= 1 (or None for the default)")
    if problems:
        raise IrispyPlusFitError("; ".join(problems) + ".")


def _range_slice(wavelength, wl_range):
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


def _check_enough_points(x, wl_range, model, constraints):
    n_free = len(constraints.free)
    if x.size > n_free:
        return
    where = "the wavelength range"
    if wl_range is not None:
        where = f"wl_range={[float(v) for v in u.Quantity(wl_range, u.AA).to_value(u.AA)]}"
    msg = (
        f"{where} holds {x.size} wavelength points, but the model {model.parameter_names} has "
        f"{n_free} free parameters: at least {n_free + 1} points are needed. Widen wl_range, "
        "fit fewer components, or fix or tie parameters."
    )
    raise IrispyPlusFitError(msg)


def default_limits(model, x):
    """
    Default bounds ``(2, P)``: free background, amplitudes >= 0, centroids within the
    fitted range, widths between a tenth of a pixel and the fitted range.

    Parameters
    ----------
    model : LineModel
    x : numpy.ndarray
        The fitted wavelengths.

    Returns
    -------
    numpy.ndarray
    """
    step = float(np.median(np.abs(np.diff(x)))) if x.size > 1 else 1.0
    span = float(x.max() - x.min())
    lower = [-np.inf] * model.n_background
    upper = [np.inf] * model.n_background
    for _ in model.components:
        lower += [0.0, float(x.min()), 0.1 * step]
        upper += [np.inf, float(x.max()), span]
    return np.array([lower, upper])


def _refine_peak(x, y, j, bg, estimate):
    """
    Gaussian through the peak pixel ``j`` and its neighbours (a parabola in log space),
    where all three are valid and above the background; the moment guesses elsewhere.
    (Invalid pixels of ``y`` must be NaN or below the background.)
    """
    peak, mu, sigma = estimate
    n, m = y.shape
    if m < 3:
        return estimate
    j = np.clip(j, 1, m - 2)
    # Three flat takes: much faster than take_along_axis on short rows.
    rows = np.ascontiguousarray(y).reshape(-1)
    at = np.arange(n) * m + j
    left, centre, right = (np.log(rows.take(at + k) - bg) for k in (-1, 0, 1))
    h = np.diff(x).mean()
    curvature = left - 2 * centre + right
    slope = right - left
    shift = -0.5 * slope / curvature
    good = np.isfinite(left) & np.isfinite(centre) & np.isfinite(right)
    good &= (curvature < 0) & (np.abs(shift) <= 1)
    new_sigma = h / np.sqrt(-curvature)
    new_peak = np.exp(centre - slope * slope / (8 * curvature))
    good &= np.isfinite(new_sigma) & np.isfinite(new_peak)
    return (
        np.where(good, new_peak, peak),
        np.where(good, x[j] + shift * h, mu),
        np.where(good, new_sigma, sigma),
    )


def auto_guess(x, y, valid, model, *, centers=None):
    """
    Initial values for every spectrum from its moments.

    One component: background (20th percentile), peak above it, peak wavelength, and
    the width from intensity / (peak sqrt(2 pi)). Several components: at ``centers`` if
    given (amplitude from the spectrum there), otherwise a narrow core and broader
    components about the peak.

    Parameters
    ----------
    x : numpy.ndarray
        Wavelengths ``(M,)``.
    y : numpy.ndarray
        Spectra ``(N, M)``.
    valid : numpy.ndarray of bool
        Usable pixels ``(N, M)``.
    model : LineModel
    centers : sequence of float, optional
        Nominal centre (Å) per component.

    Returns
    -------
    numpy.ndarray
        ``(N, P)``; NaN where a spectrum has no signal.
    """
    single = model.n_components == 1 and model.components[0] == "gaussian" and centers is None
    mom = moment_arrays(x, y, valid, full=False, peak_index=single)
    n = y.shape[0]
    step = float(np.median(np.abs(np.diff(x)))) if x.size > 1 else 1.0
    bg, peak, mu = mom["background"], mom["peak"], mom["peak_wavelength"]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = mom["intensity"] / (peak * np.sqrt(2 * np.pi))
    sigma = np.clip(sigma, step, max(step, 0.25 * float(x.max() - x.min())))
    if single:
        filled = y if valid.all() else np.where(valid, y, np.nan)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            peak, mu, sigma = _refine_peak(x, filled, mom["peak_index"], bg, (peak, mu, sigma))
    p0 = np.empty((n, model.n_parameters))
    p0[:, 0] = bg
    if model.background == "linear":
        p0[:, 1] = 0.0
    k_comp = model.n_components
    shares = [1.0] if k_comp == 1 else [0.7] + [0.3 / (k_comp - 1)] * (k_comp - 1)
    for i, kind in enumerate(model.components):
        k = model.component_slice(i + 1).start
        if centers is not None:
            c = float(centers[i])
            j = int(np.argmin(np.abs(x - c)))
            p0[:, k] = np.maximum(np.where(valid[:, j], y[:, j], np.nan) - bg, 0.1 * peak)
            p0[:, k + 1] = c
            p0[:, k + 2] = sigma / np.sqrt(k_comp)
        else:
            p0[:, k] = peak * shares[i]
            p0[:, k + 1] = mu if i < 2 else mu + sigma
            p0[:, k + 2] = sigma * (0.8 if i == 0 and k_comp > 1 else 1.0) * (2.0 if i == 1 else 1.0)
        if kind == "lorentzian":
            p0[:, k + 2] *= np.sqrt(2 * np.log(2))
    return p0


def _fit_block(  # noqa: PLR0917 - the map_blocks signature: one argument per array
    y,
    mask,
    unc,
    p0,
    lower,
    upper,
    *,
    x,
    shift,
    model,
    constraints,
    init_const,
    guess,
    absolute_sigma,
    options,
):
    """Fit one block of spectra; returns values, errors, chi2, flags, n_iter packed as (..., 2P+3)."""
    lead = y.shape[:-1]
    m = y.shape[-1]
    n_par = model.n_parameters
    yy = np.asarray(y).reshape(-1, m)
    if yy.dtype.kind != "f":
        yy = yy.astype(float)
    mm = None if mask is None else np.asarray(mask, dtype=bool).reshape(-1, m)
    sigma = None if unc is None else np.asarray(unc).reshape(-1, m)
    n = yy.shape[0]
    lo = np.broadcast_to(lower if lower.ndim == 1 else np.asarray(lower).reshape(n, n_par), (n, n_par))
    hi = np.broadcast_to(upper if upper.ndim == 1 else np.asarray(upper).reshape(n, n_par), (n, n_par))
    if p0 is not None:
        start = np.asarray(p0, dtype=float).reshape(n, n_par)
    else:
        start = np.broadcast_to(init_const, (n, n_par))
    mu_columns = [i for i, name in enumerate(model.parameter_names) if name.startswith("mu")]

    def initial_values(rows):
        """Initial values of spectra ``rows``, guessed where not given (in the solver's threads)."""
        given = start[rows]
        missing = ~np.isfinite(given)
        if missing.any():
            y_rows = yy[rows]
            valid = np.isfinite(y_rows)
            if mm is not None:
                valid &= ~mm[rows]
            if sigma is not None:
                with np.errstate(invalid="ignore"):
                    valid &= (sigma[rows] > 0) & np.isfinite(sigma[rows])
            auto = guess(x + shift, y_rows, valid, model)
            auto[:, mu_columns] -= shift
            given = np.where(missing, auto, given)
        return np.clip(given, lo[rows], hi[rows])

    solver_model = LineModel(model.components, model.background, reference=0.0)
    values, errors, chi2, flags, n_iter = solve(
        solver_model,
        x,
        yy,
        sigma,
        initial_values,
        lower=lo,
        upper=hi,
        constraints=constraints,
        mask=mm,
        absolute_sigma=absolute_sigma,
        **options,
    )
    packed = np.concatenate(
        [values, errors, chi2[:, None], flags[:, None].astype(float), n_iter[:, None].astype(float)], axis=1
    )
    return packed.reshape(*lead, 2 * n_par + 3)


def _progress_wanted(progress, n):
    if progress is None:
        return n >= _PROGRESS_THRESHOLD and sys.stderr.isatty()
    return bool(progress)


def _run_dask(y, mask, unc, per_spectrum, kwargs, *, n_par, progress):
    import dask.array as da

    y = y.rechunk({y.ndim - 1: -1})
    if y.ndim > 1:
        # Blocks of about _BLOCK_SPECTRA spectra. (Results do not depend on the chunks.)
        per_row = int(np.prod(y.shape[1:-1]))
        target = max(1, min(_BLOCK_SPECTRA, _BLOCK_ELEMENTS // max(1, y.shape[-1])))
        largest = max(y.chunks[0]) * per_row
        if largest > 2 * target or largest < target // 2:
            y = y.rechunk({0: max(1, target // per_row)})
    chunks = y.chunks
    args = [y]
    for extra in (mask, unc):
        if extra is None:
            args.append(None)
        else:
            lazy = extra if _is_dask(extra) else da.from_array(np.asarray(extra), chunks=chunks)
            args.append(lazy.rechunk(chunks))
    for array in per_spectrum:
        if array is None or np.ndim(array) == 1:
            args.append(array)
        else:
            lazy = array if _is_dask(array) else da.asarray(np.asarray(array, dtype=float))
            args.append(lazy.rechunk((*chunks[:-1], (n_par,))))
    packed = da.map_blocks(
        _fit_block_args,
        *[a for a in args if _is_dask(a)],
        layout=tuple(_is_dask(a) for a in args),
        constants=tuple(None if _is_dask(a) else a for a in args),
        dtype=float,
        chunks=(*chunks[:-1], (2 * n_par + 3,)),
        meta=np.array((), dtype=float),
        **kwargs,
    )
    if _progress_wanted(progress, int(np.prod(y.shape[:-1]))):
        try:
            from distributed import default_client
            from distributed import progress as dist_progress

            client = default_client()
        except (ImportError, ValueError):
            client = None
        if client is not None:
            future = client.compute(packed)
            dist_progress(future)
            return future.result()
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return packed.compute()
    return packed.compute()


def _fit_block_args(*blocks, layout, constants, **kwargs):
    """Reassemble map_blocks arguments (dask blocks and constants) for `_fit_block`."""
    it = iter(blocks)
    args = [next(it) if is_dask else const for is_dask, const in zip(layout, constants, strict=True)]
    y, mask, unc, p0, lower, upper = args
    return _fit_block(y, mask, unc, p0, lower, upper, **kwargs)


def _limits_array(limits, default):
    if limits is None:
        return default
    limits = np.array(limits, dtype=float)
    if limits.shape[0] != 2 or limits.shape[-1] != default.shape[-1]:
        msg = (
            f"limits must be 2 x {default.shape[-1]} ([[lower...], [upper...]] in the order "
            f"of the parameters), not of shape {limits.shape}."
        )
        raise IrispyPlusFitError(msg)
    if limits.ndim == 2:
        limits = np.where(np.isnan(limits), default, limits)
    return limits


def fit_lines(
    data,
    wavelength=None,
    *,
    components=("gaussian",),
    background="constant",
    init_vals=None,
    limits=None,
    ties=None,
    fixed=None,
    uncertainty=None,
    mask=None,
    wl_range=None,
    rest_wavelength=None,
    ion=None,
    absolute_sigma=None,
    guess=None,
    max_iter=200,
    ftol=1e-6,
    xtol=1e-6,
    dtype=np.float32,
    progress=None,
    n_threads=None,
    chunk_size=None,
) -> FitResult:
    """
    Fit a line model to every spectrum of a cube or array at once.

    Parameters
    ----------
    data : `ndcube.NDCube`, `~numpy.ndarray`, `~astropy.units.Quantity` or dask array
        The spectra, wavelength last, any leading shape. A cube (e.g.
        `~irispy_plus.cubes.IRISSpectrogramCube`) provides its wavelengths, mask,
        uncertainty, unit and coordinates. Dask-backed data are fitted chunk by chunk
        (on the active ``dask.distributed`` client if there is one).
    wavelength : `~astropy.units.Quantity` or array, optional
        Wavelengths of the last axis (float: Å); taken from a cube if not given.
    components : sequence of {"gaussian", "lorentzian"}, optional
        One entry per line component.
    background : {"constant", "linear"}, optional
        The background under the lines.
    init_vals : array, optional
        Initial values in the order of `LineModel.parameter_names` (``c, amp1, mu1, sigma1,
        ...``): shape ``(P,)`` for all spectra or ``(*shape, P)`` per spectrum; NaN entries
        (and all, if not given) come from `auto_guess` per spectrum.
    limits : array, optional
        Bounds ``[[lower, ...], [upper, ...]]``, 2 x P (or 2 x ``(*shape, P)``); ``-inf`` /
        ``inf`` for none, NaN for the default (see ``default_limits``).
    ties : dict, optional
        Tied parameters, e.g. ``{"mu2": "mu1 + 0.72", "amp2": "0.5 * amp1", "sigma2":
        "sigma1"}``.
    fixed : list of str, optional
        Parameters held at their initial values.
    uncertainty : array, optional
        1-sigma uncertainties of the data, for weights (a cube's own are used otherwise).
    mask : array of bool, optional
        True for pixels to ignore (a cube's own mask is used otherwise).
    wl_range : `~astropy.units.Quantity` or pair of float, optional
        Fit only between these wavelengths (Å), inclusive of the nearest pixels.
    rest_wavelength : `~astropy.units.Quantity` or float, optional
        Rest wavelength(s) for Doppler velocities (one, or one per component).
    ion : str, optional
        The ion (e.g. ``"Si IV"``), recorded for non-thermal velocities.
    absolute_sigma : bool, optional
        Whether uncertainties are absolute (covariance not rescaled by the reduced
        chi-square); by default True when uncertainties are given, False otherwise (as
        `scipy.optimize.curve_fit`).
    guess : callable, optional
        ``guess(x, y, valid, model) -> (N, P)`` initial values; `auto_guess` by default.
        It is called on batches of spectra (``y`` is ``(N, M)``), from several threads
        at once, and must give each spectrum's values from that spectrum alone.
    max_iter : int, optional
        Iteration limit per spectrum.
    ftol, xtol : float, optional
        Convergence tolerances: a spectrum has converged when both the actual and the
        predicted relative decrease of chi-square fall below ``ftol``, or every free
        parameter's step is below ``xtol`` relative to its value. The default 1e-6 leaves
        parameters within about 1% of their statistical uncertainty of the optimum.
    dtype : numpy dtype, optional
        Precision of the model and Jacobian during the iterations: single by default (the
        precision of IRIS data; about twice as fast), ``numpy.float64`` for tolerances
        below 1e-6. Parameters, normal equations, chi-square and the final covariance
        are always computed in double precision.
    progress : bool, optional
        Show a progress bar (tqdm in memory, dask's for dask data); by default only for
        fits of 100,000 spectra or more on a terminal.
    n_threads : int, optional
        Threads for in-memory fits (all CPUs by default).
    chunk_size : int, optional
        Spectra per batch in memory.

    Returns
    -------
    FitResult or list of FitResult
        One result; a list of them, one per raster, for a raster sequence
        (`~irispy_plus.cubes.IRISRasterSequence` or any `ndcube.NDCubeSequence`).

    Raises
    ------
    IrispyPlusFitError
        If the arguments are inconsistent (shapes, names, ranges), or the fitted range has
        no more wavelength points than the model has free parameters. Spectra that cannot
        be fitted never raise: they are flagged in the result.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import fit_lines
    >>> x = 1393.76 + 0.02596 * np.arange(-25, 26)
    >>> truth = 3 + 50 * np.exp(-0.5 * ((x - 1393.78) / 0.06) ** 2)
    >>> result = fit_lines(np.stack([truth, 0 * truth]), x)
    >>> result.values[0].round(3).tolist()
    [3.0, 50.0, 1393.78, 0.06]
    >>> result.converged
    array([ True, False])
    """
    if _is_sequence(data):
        # A raster sequence (one cube per raster repeat): one result per cube.
        options = {k: v for k, v in locals().items() if k not in ("data", "wavelength")}
        return [fit_lines(cube, wavelength, **options) for cube in data.data]
    _check_options(
        max_iter=max_iter, ftol=ftol, xtol=xtol, dtype=dtype, n_threads=n_threads, chunk_size=chunk_size
    )
    y, x_full, unc, mask, unit, cube = _unpack(data, wavelength, uncertainty, mask)
    sl = _range_slice(x_full, wl_range)
    x = x_full[sl]
    y = y[..., sl]
    if unc is not None:
        unc = unc[..., sl]
    if mask is not None:
        mask = mask[..., sl]
    shift = float(np.round(np.mean(x), 2))
    model = LineModel(components, background, reference=shift if background == "linear" else None)
    n_par = model.n_parameters
    mu_index = [i for i, name in enumerate(model.parameter_names) if name.startswith("mu")]
    constraints = Constraints(model.parameter_names, ties, fixed)
    _check_enough_points(x, wl_range, model, constraints)

    bounds = _limits_array(limits, default_limits(model, x))
    lower, upper = bounds[0].copy(), bounds[1].copy()
    lower[..., mu_index] -= shift
    upper[..., mu_index] -= shift
    init_const = np.full(n_par, np.nan)
    p0 = None
    if init_vals is not None:
        init = np.array(init_vals, dtype=float)
        if init.shape[-1] != n_par:
            msg = (
                f"init_vals has {init.shape[-1]} values per spectrum; "
                f"the model {model.parameter_names} has {n_par}."
            )
            raise IrispyPlusFitError(msg)
        init[..., mu_index] -= shift
        if init.ndim == 1:
            init_const = init
        else:
            p0 = init
    if absolute_sigma is None:
        absolute_sigma = unc is not None

    n_spectra = int(np.prod(y.shape[:-1]))
    options = {"max_iter": max_iter, "ftol": ftol, "xtol": xtol, "dtype": dtype}
    kwargs = {
        "x": x - shift,
        "shift": shift,
        "model": model,
        "constraints": constraints,
        "init_const": init_const,
        "guess": guess or auto_guess,
        "absolute_sigma": absolute_sigma,
    }
    log.debug("fitting %d spectra with %r", n_spectra, model)
    dask_input = any(_is_dask(a) for a in (y, mask, unc, p0))
    if dask_input:
        import dask.array as da

        packed = _run_dask(
            y if _is_dask(y) else da.asarray(y),
            mask,
            unc,
            (p0, lower, upper),
            {**kwargs, "options": {**options, "n_threads": 1}},
            n_par=n_par,
            progress=progress,
        )
    else:
        bar = None
        callback = None
        if _progress_wanted(progress, n_spectra):
            try:
                from tqdm.auto import tqdm

                bar = tqdm(total=n_spectra, desc="Fitting spectra", unit="spectra")
                callback = bar.update
            except ImportError:
                callback = partial(log.info, "fitted %d more spectra")
        options.update(n_threads=n_threads, chunk_size=chunk_size, progress=callback)
        try:
            packed = _fit_block(
                y,
                mask,
                unc,
                p0,
                np.asarray(lower),
                np.asarray(upper),
                options=options,
                **kwargs,
            )
        finally:
            if bar is not None:
                bar.close()
    values = packed[..., :n_par].copy()
    errors = packed[..., n_par : 2 * n_par]
    values[..., mu_index] += shift
    chi2 = packed[..., 2 * n_par]
    flags = packed[..., 2 * n_par + 1].astype(np.int32)
    n_iter = packed[..., 2 * n_par + 2].astype(np.int32)

    meta = {
        "rest_wavelength": None if rest_wavelength is None else u.Quantity(rest_wavelength, u.AA),
        "ion": ion,
        "wl_range": [float(x[0]), float(x[-1])] * u.AA,
        "constraints": constraints.to_dict(),
        "absolute_sigma": bool(absolute_sigma),
        "window": None,
        "observer_radial_velocity": None,
    }
    wcs = profile_wcs = extra = global_coords = None
    if cube is not None:
        cube_meta = getattr(cube, "meta", None)
        meta["window"] = getattr(cube_meta, "spectral_window", None)
        orv = getattr(cube_meta, "observer_radial_velocity", None)
        if orv is not None:
            meta["observer_radial_velocity"] = u.Quantity(orv)
        maps = cube[..., 0]
        wcs, extra = maps.wcs, maps.extra_coords
        global_coords = getattr(maps, "global_coords", None)
        try:
            profile_wcs = cube[..., sl].wcs
        except Exception:
            profile_wcs = None
    return FitResult(
        model,
        values,
        errors,
        chi2,
        flags,
        n_iterations=n_iter,
        wavelength=x * u.AA,
        unit=unit,
        wcs=wcs,
        profile_wcs=profile_wcs,
        extra_coords=extra,
        global_coords=global_coords,
        meta=meta,
    )
