"""
Fit line models to every spectrum of a cube or array, in memory or chunk by chunk with dask.

`fit_lines` reads its input with `irispy_plus.fitting._inputs`, sets up the model,
bounds and initial values (here, with the guesses of `irispy_plus.fitting._guess`),
runs the solver block by block (`irispy_plus.fitting._run`) and assembles the
`FitResult` with the input's coordinates (here).
"""

from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

import astropy.units as u
import numpy as np
import numpy.typing as npt

from irispy_plus.fitting._constraints import Constraints
from irispy_plus.fitting._guess import auto_guess, default_limits
from irispy_plus.fitting._inputs import is_sequence, range_slice, unpack_spectra
from irispy_plus.fitting._models import LineModel
from irispy_plus.fitting._result import FitResult
from irispy_plus.fitting._run import run_fit, unpack_results
from irispy_plus.utils.exceptions import IrispyPlusFitError
from irispy_plus.utils.logger import log

__all__ = ["fit_lines"]


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


def _initial_values(init_vals, model, shift):
    """
    ``(init_const, p0)``: initial values shared by every spectrum, or per spectrum
    (centroids relative to ``shift``).
    """
    n_par = model.n_parameters
    init_const = np.full(n_par, np.nan)
    if init_vals is None:
        return init_const, None
    init = np.array(init_vals, dtype=float)
    if init.shape[-1] != n_par:
        msg = (
            f"init_vals has {init.shape[-1]} values per spectrum; "
            f"the model {model.parameter_names} has {n_par}."
        )
        raise IrispyPlusFitError(msg)
    init[..., _mu_columns(model)] -= shift
    return (init, None) if init.ndim == 1 else (init_const, init)


def _mu_columns(model):
    return [i for i, name in enumerate(model.parameter_names) if name.startswith("mu")]


def _result_coordinates(cube, sl):
    """WCS of the maps and of the fitted profiles, extra and global coordinates of the input cube."""
    if cube is None:
        return {}
    maps = cube[..., 0]
    try:
        profile_wcs = cube[..., sl].wcs
    except Exception:
        profile_wcs = None
    return {
        "wcs": maps.wcs,
        "profile_wcs": profile_wcs,
        "extra_coords": maps.extra_coords,
        "global_coords": getattr(maps, "global_coords", None),
    }


def _result_meta(cube, *, rest_wavelength, ion, x, constraints, absolute_sigma):
    meta = {
        "rest_wavelength": None if rest_wavelength is None else u.Quantity(rest_wavelength, u.AA),
        "ion": ion,
        "wl_range": [float(x[0]), float(x[-1])] * u.AA,
        "constraints": constraints.to_dict(),
        "absolute_sigma": bool(absolute_sigma),
        "window": None,
        "observer_radial_velocity": None,
    }
    if cube is not None:
        cube_meta = getattr(cube, "meta", None)
        meta["window"] = getattr(cube_meta, "spectral_window", None)
        orv = getattr(cube_meta, "observer_radial_velocity", None)
        if orv is not None:
            meta["observer_radial_velocity"] = u.Quantity(orv)
    return meta


def fit_lines(
    data: Any,
    wavelength: u.Quantity | npt.ArrayLike | None = None,
    *,
    components: Sequence[Literal["gaussian", "lorentzian"]] = ("gaussian",),
    background: Literal["constant", "linear"] = "constant",
    init_vals: npt.ArrayLike | None = None,
    limits: npt.ArrayLike | None = None,
    ties: dict[str, str] | None = None,
    fixed: Sequence[str] | None = None,
    uncertainty: npt.ArrayLike | None = None,
    mask: npt.ArrayLike | None = None,
    wl_range: u.Quantity | Sequence[float] | None = None,
    rest_wavelength: u.Quantity | float | Sequence[float] | None = None,
    ion: str | None = None,
    absolute_sigma: bool | None = None,
    guess: Callable[..., np.ndarray] | None = None,
    max_iter: int = 200,
    ftol: float = 1e-6,
    xtol: float = 1e-6,
    dtype: npt.DTypeLike = np.float32,
    progress: bool | None = None,
    n_threads: int | None = None,
    chunk_size: int | None = None,
) -> FitResult | list[FitResult]:
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
    if is_sequence(data):
        # A raster sequence (one cube per raster repeat): one result per cube.
        options = {k: v for k, v in locals().items() if k not in ("data", "wavelength")}
        return [cast("FitResult", fit_lines(cube, wavelength, **options)) for cube in data.data]
    _check_options(
        max_iter=max_iter, ftol=ftol, xtol=xtol, dtype=dtype, n_threads=n_threads, chunk_size=chunk_size
    )
    y, x_full, unc, pixel_mask, unit, cube = unpack_spectra(data, wavelength, uncertainty, mask)
    sl = range_slice(x_full, wl_range)
    x = x_full[sl]
    y = y[..., sl]
    if unc is not None:
        unc = unc[..., sl]
    if pixel_mask is not None:
        pixel_mask = pixel_mask[..., sl]
    shift = float(np.round(np.mean(x), 2))
    model = LineModel(components, background, reference=shift if background == "linear" else None)
    constraints = Constraints(model.parameter_names, ties, fixed)
    _check_enough_points(x, wl_range, model, constraints)

    bounds = _limits_array(limits, default_limits(model, x))
    lower, upper = bounds[0].copy(), bounds[1].copy()
    lower[..., _mu_columns(model)] -= shift
    upper[..., _mu_columns(model)] -= shift
    init_const, p0 = _initial_values(init_vals, model, shift)
    if absolute_sigma is None:
        absolute_sigma = unc is not None

    log.debug("fitting %d spectra with %r", int(np.prod(y.shape[:-1])), model)
    packed = run_fit(
        y,
        pixel_mask,
        unc,
        (p0, lower, upper),
        {
            "x": x - shift,
            "shift": shift,
            "model": model,
            "constraints": constraints,
            "init_const": init_const,
            "guess": guess or auto_guess,
            "absolute_sigma": absolute_sigma,
            "options": {"max_iter": max_iter, "ftol": ftol, "xtol": xtol, "dtype": dtype},
        },
        n_threads=n_threads,
        chunk_size=chunk_size,
        progress=progress,
    )
    values, errors, chi2, flags, n_iter = unpack_results(packed, model.n_parameters)
    values[..., _mu_columns(model)] += shift
    meta = _result_meta(
        cube,
        rest_wavelength=rest_wavelength,
        ion=ion,
        x=x,
        constraints=constraints,
        absolute_sigma=absolute_sigma,
    )
    return FitResult(
        model,
        values,
        errors,
        chi2,
        flags,
        n_iterations=n_iter,
        wavelength=x * u.AA,
        unit=unit,
        meta=meta,
        **_result_coordinates(cube, sl),
    )
