"""
A batched Levenberg-Marquardt solver: many small least-squares problems at once.

Every spectrum is an independent problem; all share the model, the wavelength grid and
the parameter constraints. Each iteration evaluates the model and its analytic Jacobian
for all spectra still running, forms the normal equations ``(N, F, F)`` and solves them
with one batched `numpy.linalg.solve`. The damping factor and the convergence test are
per spectrum, and converged spectra drop out of later iterations, so results do not
depend on how spectra are grouped into batches or chunks.

Bounds are kept by projection, with an active set: a parameter at a bound whose
gradient points outwards takes no step. Tied parameters are linear functions of free
ones (``p = T q + offset``), fixed parameters are ties to a constant.
"""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from enum import IntFlag

import numpy as np

from irispy_plus.fitting._models import IrispyPlusFitError

__all__ = ["Constraints", "FitFlag", "solve"]


class FitFlag(IntFlag):
    """
    Status bits of a fitted spectrum (0 means a converged, regular fit).

    Attributes
    ----------
    NOT_CONVERGED
        The iteration limit was reached before the convergence tests held.
    NO_DATA
        Fewer valid (finite, unmasked) pixels than free parameters: not fitted.
    NO_SIGNAL
        The valid pixels are all equal (e.g. all zero): not fitted.
    SINGULAR
        The normal matrix is singular at the solution: uncertainties are unreliable.
    AT_BOUND
        A free parameter ended on one of its bounds (informative).
    """

    NOT_CONVERGED = 1
    NO_DATA = 2
    NO_SIGNAL = 4
    SINGULAR = 8
    AT_BOUND = 16


#: Flags that mean a spectrum has no usable fit.
FAILED = FitFlag.NOT_CONVERGED | FitFlag.NO_DATA | FitFlag.NO_SIGNAL

_TIE = re.compile(
    r"^\s*(?:(?P<scale>[-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*\*\s*)?(?P<source>[A-Za-z_]+\d*)"
    r"\s*(?:(?P<sign>[-+])\s*(?P<offset>[\d.]+(?:[eE][-+]?\d+)?))?\s*$"
)


def _parse_tie(target, spec, names):
    if isinstance(spec, str):
        match = _TIE.match(spec)
        if match is None:
            msg = (
                f"ties[{target!r}]={spec!r} is not of the form 'scale * name + offset' "
                "(e.g. 'mu1 + 0.72' or '0.5 * amp1')."
            )
            raise IrispyPlusFitError(msg)
        source = match["source"]
        scale = float(match["scale"]) if match["scale"] else 1.0
        offset = float(match["offset"]) if match["offset"] else 0.0
        if match["sign"] == "-":
            offset = -offset
    else:
        spec = tuple(spec)
        source, scale, offset = (*spec, 1.0, 0.0)[:3] if len(spec) < 3 else spec
        scale, offset = float(scale), float(offset)
    if source not in names:
        msg = f"ties[{target!r}] refers to {source!r}, not a parameter of the model ({names})."
        raise IrispyPlusFitError(msg)
    return source, scale, offset


class Constraints:
    """
    Ties and fixed parameters of a model, as a linear map from free to all parameters.

    Parameters
    ----------
    names : list of str
        The model's parameter names.
    ties : dict, optional
        ``{target: spec}``: ``spec`` is a string ``"scale * source + offset"`` (any part
        but ``source`` optional, e.g. ``"mu1 + 0.72"``, ``"0.5 * amp1"``, ``"sigma1"``) or a
        tuple ``(source, scale, offset)``. A source must itself be free.
    fixed : sequence of str, optional
        Parameters kept at their initial values.

    Raises
    ------
    IrispyPlusFitError
        If a name is unknown or a tie refers to a tied or fixed parameter.
    """

    def __init__(self, names, ties=None, fixed=None):
        self.names = list(names)
        ties = dict(ties or {})
        fixed = list(fixed or [])
        for name in list(ties) + fixed:
            if name not in self.names:
                msg = f"{name!r} is not a parameter of the model ({self.names})."
                raise IrispyPlusFitError(msg)
        parsed = {target: _parse_tie(target, spec, self.names) for target, spec in ties.items()}
        dependent = set(parsed) | set(fixed)
        for target, (source, _, _) in parsed.items():
            if source in dependent:
                msg = f"ties[{target!r}] refers to {source!r}, which is itself tied or fixed."
                raise IrispyPlusFitError(msg)
        self.ties = parsed
        self.fixed = fixed
        self.free = [i for i, name in enumerate(self.names) if name not in dependent]
        n_par, n_free = len(self.names), len(self.free)
        self.matrix = np.zeros((n_par, n_free))
        self.offset = np.zeros(n_par)
        self.fixed_mask = np.zeros(n_par, dtype=bool)
        column = {index: k for k, index in enumerate(self.free)}
        for k, index in enumerate(self.free):
            self.matrix[index, k] = 1.0
        for target, (source, scale, offset) in parsed.items():
            j = self.names.index(target)
            self.matrix[j, column[self.names.index(source)]] = scale
            self.offset[j] = offset
        for name in fixed:
            self.fixed_mask[self.names.index(name)] = True
        self.trivial = not parsed and not fixed

    def to_dict(self):
        """
        The constraints as plain values, for serialisation.

        Returns
        -------
        dict
            ``ties`` as ``{target: [source, scale, offset]}`` and ``fixed`` as a list.
        """
        return {"ties": {k: list(v) for k, v in self.ties.items()}, "fixed": list(self.fixed)}

    def expand(self, q, p0):
        """All parameters ``(N, P)`` from free ones ``(N, F)`` (fixed ones from ``p0``)."""
        p = q @ self.matrix.T + self.offset
        if self.fixed_mask.any():
            p[:, self.fixed_mask] = p0[:, self.fixed_mask]
        return p

    def free_bounds(self, lower, upper, p0):
        """Bounds ``(N, F)`` on the free parameters implied by all parameters' bounds."""
        lo = lower[:, self.free].copy()
        hi = upper[:, self.free].copy()
        for target, (source, scale, offset) in self.ties.items():
            j = self.names.index(target)
            k = self.free.index(self.names.index(source))
            if scale == 0:
                continue
            a = (lower[:, j] - offset) / scale
            b = (upper[:, j] - offset) / scale
            lo[:, k] = np.maximum(lo[:, k], np.minimum(a, b))
            hi[:, k] = np.minimum(hi[:, k], np.maximum(a, b))
        return lo, hi


def _normal_equations(jac, weights, residual, matrix, trivial):
    """``J^T W^2 J`` ``(N, F, F)`` and ``J^T W r`` ``(N, F)`` from a ``(P, M, N)`` Jacobian."""
    wjac = jac * weights
    if not trivial:
        wjac = np.einsum("pmn,pf->fmn", wjac, matrix)
    n_free, _, n = wjac.shape
    grad = np.einsum("fmn,mn->nf", wjac, residual)
    if n_free <= 6:
        amat = np.empty((n, n_free, n_free))
        for a in range(n_free):
            for b in range(a, n_free):
                amat[:, a, b] = amat[:, b, a] = np.einsum("mn,mn->n", wjac[a], wjac[b])
    else:
        stacked = np.ascontiguousarray(wjac.transpose(2, 0, 1))
        amat = stacked @ stacked.transpose(0, 2, 1)
    return amat, grad


def _solve_chunk(model, x, y, weights, p0, lower, upper, constraints, max_iter, ftol, xtol, absolute_sigma):
    """Fit one batch of spectra; ``y`` and ``weights`` are (N, M), the rest (N, P)."""
    n, _ = y.shape
    n_par = model.n_parameters
    n_free = len(constraints.free)
    flags = np.zeros(n, dtype=np.int32)
    n_valid = np.count_nonzero(weights > 0, axis=1)
    flags[n_valid <= n_free] |= FitFlag.NO_DATA
    with np.errstate(invalid="ignore"):
        ymax = np.max(np.where(weights > 0, y, -np.inf), axis=1)
        ymin = np.min(np.where(weights > 0, y, np.inf), axis=1)
    flags[(flags == 0) & ~(ymax > ymin)] |= FitFlag.NO_SIGNAL
    ok = flags == 0

    values = np.full((n, n_par), np.nan)
    errors = np.full((n, n_par), np.nan)
    chi2 = np.full(n, np.nan)
    n_iter = np.zeros(n, dtype=np.int32)
    if not ok.any():
        return values, errors, chi2, flags, n_iter

    idx = np.flatnonzero(ok)
    # Wavelength-major layout: spectra along the contiguous axis.
    yt = np.ascontiguousarray(y[idx].T)
    wt = np.ascontiguousarray(weights[idx].T)
    p0 = p0[idx]
    lo, hi = constraints.free_bounds(lower[idx], upper[idx], p0)
    q = np.clip(p0[:, constraints.free], lo, hi)
    f, jac = model.evaluate_with_jacobian(x, constraints.expand(q, p0).T)
    r = wt * (yt - f)
    cost = np.einsum("mn,mn->n", r, r)
    amat, grad = _normal_equations(jac, wt, r, constraints.matrix, constraints.trivial)
    del f, jac, r
    lam = np.full(len(idx), 1e-3)
    active = np.ones(len(idx), dtype=bool)
    converged = np.zeros(len(idx), dtype=bool)
    eye = np.eye(n_free, dtype=bool)

    for iteration in range(1, max_iter + 1):
        ia = np.flatnonzero(active)
        if ia.size == 0:
            break
        n_iter[idx[ia]] = iteration
        everyone = ia.size == len(idx)
        a_act, g_act, q_act = amat[ia], grad[ia].copy(), q[ia]
        lo_act, hi_act = lo[ia], hi[ia]
        frozen = ((q_act <= lo_act) & (g_act < 0)) | ((q_act >= hi_act) & (g_act > 0))
        diag = np.diagonal(a_act, axis1=1, axis2=2)
        floor = np.maximum(diag.max(axis=1, keepdims=True), 1e-300) * 1e-12
        damp = np.maximum(diag, floor) * lam[ia, None]
        system = a_act + eye * damp[:, :, None]
        if frozen.any():
            keep = ~frozen
            system = system * (keep[:, :, None] & keep[:, None, :])
            system = system + eye * frozen[:, :, None]
            g_act[frozen] = 0.0
        delta = np.linalg.solve(system, g_act[:, :, None])[:, :, 0]
        q_new = np.clip(q_act + delta, lo_act, hi_act)
        p_new = constraints.expand(q_new, p0[ia])
        y_act = yt if everyone else yt[:, ia]
        w_act = wt if everyone else wt[:, ia]
        f_new, jac_new = model.evaluate_with_jacobian(x, p_new.T)
        r_new = w_act * (y_act - f_new)
        cost_new = np.einsum("mn,mn->n", r_new, r_new)
        old = cost[ia]
        better = cost_new < old
        step = np.abs(q_new - q_act)
        small_step = np.all(step <= xtol * (np.abs(q_act) + xtol), axis=1)
        small_drop = (old - cost_new) <= ftol * old
        lam_new = np.where(better, np.maximum(lam[ia] * 0.1, 1e-12), lam[ia] * 10.0)
        done = (better & (small_drop | small_step)) | (~better & (small_step | (lam_new > 1e12)))

        acc = ia[better]
        if acc.size:
            q[acc] = q_new[better]
            cost[acc] = cost_new[better]
            if better.all():
                sub = (jac_new, w_act, r_new)
            else:
                sub = (jac_new[:, :, better], w_act[:, better], r_new[:, better])
            amat[acc], grad[acc] = _normal_equations(*sub, constraints.matrix, constraints.trivial)
        lam[ia] = lam_new
        converged[ia[done]] = True
        active[ia[done]] = False

    dof = np.maximum(n_valid[idx] - n_free, 1)
    red = cost / dof
    try:
        cov = np.linalg.inv(amat)
        singular = ~np.all(np.isfinite(cov), axis=(1, 2))
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(amat)
        singular = np.linalg.matrix_rank(amat) < n_free
    if not absolute_sigma:
        cov = cov * red[:, None, None]
    if constraints.trivial:
        var = np.diagonal(cov, axis1=1, axis2=2)
    else:
        var = np.einsum("jk,nkl,jl->nj", constraints.matrix, cov, constraints.matrix)
    with np.errstate(invalid="ignore"):
        err = np.sqrt(np.where(var >= 0, var, np.nan))
    err[:, constraints.fixed_mask] = 0.0
    sub_flags = np.zeros(len(idx), dtype=np.int32)
    sub_flags[~converged] |= FitFlag.NOT_CONVERGED
    sub_flags[singular] |= FitFlag.SINGULAR
    sub_flags[np.any((q <= lo) | (q >= hi), axis=1)] |= FitFlag.AT_BOUND
    values[idx] = constraints.expand(q, p0)
    errors[idx] = err
    chi2[idx] = red
    flags[idx] = sub_flags
    return values, errors, chi2, flags, n_iter


def _broadcast_params(array, n, n_par, name):
    array = np.asarray(array, dtype=float)
    if array.shape[-1] != n_par:
        msg = f"{name} has {array.shape[-1]} values per spectrum; the model has {n_par} parameters."
        raise IrispyPlusFitError(msg)
    return np.broadcast_to(array.reshape(-1, n_par) if array.ndim > 1 else array, (n, n_par))


def solve(
    model,
    x,
    y,
    weights,
    p0,
    lower,
    upper,
    constraints,
    *,
    max_iter=200,
    ftol=1e-10,
    xtol=1e-10,
    absolute_sigma=False,
    chunk_size=None,
    n_threads=None,
    progress=None,
):
    """
    Fit every row of ``y`` with ``model``.

    Parameters
    ----------
    model : LineModel
        The model.
    x : numpy.ndarray
        Wavelengths ``(M,)``.
    y : numpy.ndarray
        Data ``(N, M)``; non-finite values are ignored.
    weights : numpy.ndarray
        ``1 / sigma`` per pixel ``(N, M)``; 0 ignores a pixel.
    p0, lower, upper : numpy.ndarray
        Initial values and bounds, ``(P,)`` or ``(N, P)``.
    constraints : Constraints
        Ties and fixed parameters.
    max_iter : int, optional
        Iteration limit per spectrum.
    ftol, xtol : float, optional
        Convergence when the relative decrease of chi-square, or the relative step of
        every free parameter, falls below these.
    absolute_sigma : bool, optional
        If False, covariances are scaled by the reduced chi-square (as curve_fit does).
    chunk_size : int, optional
        Spectra per batch; by default about 2 million array elements per batch.
    n_threads : int, optional
        Threads working on batches at once; by default the number of CPUs.
    progress : callable, optional
        Called with the number of spectra finished after each batch.

    Returns
    -------
    values, errors : numpy.ndarray
        ``(N, P)``; NaN where not fitted.
    chi2 : numpy.ndarray
        Reduced chi-square ``(N,)``.
    flags : numpy.ndarray
        `FitFlag` bits ``(N,)``.
    n_iter : numpy.ndarray
        Iterations taken ``(N,)``.
    """
    y = np.asarray(y, dtype=float)
    n, m = y.shape
    n_par = model.n_parameters
    weights = np.asarray(weights, dtype=float)
    valid = np.isfinite(y) & np.isfinite(weights) & (weights > 0)
    weights = np.where(valid, weights, 0.0)
    y = np.where(valid, y, 0.0)
    p0 = _broadcast_params(p0, n, n_par, "init_vals")
    lower = _broadcast_params(lower, n, n_par, "limits[0]")
    upper = _broadcast_params(upper, n, n_par, "limits[1]")
    if chunk_size is None:
        chunk_size = max(64, int(2_000_000 // max(1, m * n_par)))
    starts = list(range(0, n, chunk_size)) or [0]

    def run(start):
        sl = slice(start, min(n, start + chunk_size))
        out = _solve_chunk(
            model, x, y[sl], weights[sl], p0[sl], lower[sl], upper[sl], constraints,
            max_iter, ftol, xtol, absolute_sigma,
        )  # fmt: skip
        if progress is not None:
            progress(sl.stop - sl.start)
        return out

    n_threads = n_threads or os.cpu_count() or 1
    if n_threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            parts = list(pool.map(run, starts))
    else:
        parts = [run(start) for start in starts]
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(5))
