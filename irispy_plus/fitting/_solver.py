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
import threading
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
        if self.trivial:
            return q.copy()
        # einsum rather than BLAS, whose rounding may depend on how many spectra there are.
        p = np.einsum("nf,pf->np", q, self.matrix) + self.offset
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


_LOCAL = threading.local()


def _dot(a, b, scratch=None):
    """
    Column sums of ``a * b`` for ``(M, N)`` arrays. Unlike `numpy.einsum`, multiply and
    add release the GIL, so threads fitting other chunks run meanwhile.
    """
    return np.multiply(a, b, out=scratch).sum(axis=0)


def _carve(workspace, name, shape, dtype):
    """A C-contiguous array of ``shape`` in the reusable buffer ``name`` of ``workspace``."""
    size = int(np.prod(shape))
    flat = workspace.get(name)
    if flat is None or flat.size < size or flat.dtype != dtype:
        flat = workspace[name] = np.empty(max(size, 1), dtype=dtype)
    return flat[:size].reshape(shape)


def _workspace():
    """Per-thread reusable memory for the model and Jacobian (fresh memory page-faults)."""
    if not hasattr(_LOCAL, "workspace"):
        _LOCAL.workspace = {}
    return _LOCAL.workspace


def _normal_equations(jac, weights, residual, matrix, trivial, *, ones_first=False, workspace=None):
    """
    ``J^T W^2 J`` ``(N, F, F)`` and ``J^T W r`` ``(N, F)`` from a ``(P, M, N)`` Jacobian.

    ``ones_first``: the first column is all ones and there are no weights (its entries
    are plain sums, and ``jac[0]`` need not be filled). ``workspace``: reusable memory.
    """

    def buffer(name, shape):
        if workspace is None:
            return np.empty(shape)
        size = int(np.prod(shape))
        flat = workspace.get(name)
        if flat is None or flat.size < size:
            flat = workspace[name] = np.empty(size)
        return flat[:size].reshape(shape)

    scratch = _carve(workspace, "product", residual.shape, residual.dtype) if workspace is not None else None
    if ones_first and weights is None and trivial and jac.shape[0] <= 6:
        n_par, m, n = jac.shape
        grad = buffer("grad", (n, n_par))
        amat = buffer("amat", (n, n_par, n_par))
        grad[:, 0] = residual.sum(axis=0)
        amat[:, 0, 0] = m
        for a in range(1, n_par):
            grad[:, a] = _dot(jac[a], residual, scratch)
            amat[:, 0, a] = amat[:, a, 0] = jac[a].sum(axis=0)
            for b in range(a, n_par):
                amat[:, a, b] = amat[:, b, a] = _dot(jac[a], jac[b], scratch)
        return amat, grad
    wjac = jac if weights is None else jac * weights
    if not trivial:
        wjac = np.einsum("pmn,pf->fmn", wjac, matrix)
    n_free, _, n = wjac.shape
    if n_free <= 6:
        grad = buffer("grad", (n, n_free))
        amat = buffer("amat", (n, n_free, n_free))
        for a in range(n_free):
            grad[:, a] = _dot(wjac[a], residual, scratch)
            for b in range(a, n_free):
                amat[:, a, b] = amat[:, b, a] = _dot(wjac[a], wjac[b], scratch)
    else:
        stacked = np.ascontiguousarray(wjac.transpose(2, 0, 1))
        amat = stacked @ stacked.transpose(0, 2, 1)
        grad = np.einsum("fmn,mn->nf", wjac, residual)
    return amat, grad


def _cholesky(a, damp=None, frozen=None):
    """
    Cholesky factors of ``a + diag(damp)`` for a stack of small ``(N, F, F)`` matrices, one
    contiguous vector per element; ``frozen`` parameters ``(N, F)`` are decoupled (unit
    row and column). Returns the factors, the matrix elements and where ``a`` is positive
    definite.
    """
    n, f, _ = a.shape
    elements = {}
    for i in range(f):
        for j in range(i + 1):
            value = a[:, i, j].copy()
            if i == j and damp is not None:
                value += damp[:, i]
            if frozen is not None:
                if i == j:
                    value[frozen[:, i]] = 1.0
                else:
                    value[frozen[:, i] | frozen[:, j]] = 0.0
            elements[i, j] = elements[j, i] = value
    low = {}
    ok = np.ones(n, dtype=bool)
    for j in range(f):
        s = elements[j, j].copy()
        for k in range(j):
            s -= low[j, k] * low[j, k]
        ok &= s > 0
        d = np.sqrt(np.where(s > 0, s, 1.0))
        low[j, j] = d
        for i in range(j + 1, f):
            t = elements[i, j].copy()
            for k in range(j):
                t -= low[i, k] * low[j, k]
            low[i, j] = t / d
    return low, elements, ok


def _cho_solve(low, elements, ok, b):
    """Solve with `_cholesky` factors; matrices that are not positive definite via LAPACK."""
    f = b.shape[1]
    z = []
    for i in range(f):
        t = b[:, i].copy()
        for k in range(i):
            t -= low[i, k] * z[k]
        z.append(t / low[i, i])
    out = np.empty_like(b)
    for i in reversed(range(f)):
        t = z[i]
        for k in range(i + 1, f):
            t = t - low[k, i] * out[:, k]
        out[:, i] = t / low[i, i]
    if not ok.all():
        bad = ~ok
        full = np.stack([np.stack([elements[i, j] for j in range(f)], axis=1) for i in range(f)], axis=1)[bad]
        try:
            out[bad] = np.linalg.solve(full, b[bad][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            out[bad] = np.einsum("nij,nj->ni", np.linalg.pinv(full), b[bad])
    return out


def _spd_solve(a, b, damp=None, frozen=None):
    """
    Solve ``(a + diag(damp)) x = b`` for a stack of symmetric positive-definite
    ``(N, F, F)`` matrices; ``frozen`` parameters ``(N, F)`` get no step (``b`` must be 0
    there).
    """
    if b.shape[1] > 6:
        return np.linalg.solve(a, b[:, :, None])[:, :, 0]
    return _cho_solve(*_cholesky(a, damp, frozen), b)


def _spd_inverse(a):
    """Inverse of a stack of small symmetric matrices, and whether each is positive definite."""
    n, f, _ = a.shape
    diag = np.diagonal(a, axis1=1, axis2=2)
    scale = np.sqrt(np.maximum(diag, 1e-300))
    scaled = a / scale[:, :, None] / scale[:, None, :]
    factors = _cholesky(scaled)
    columns = [_cho_solve(*factors, np.broadcast_to(np.eye(f)[k], (n, f)).copy()) for k in range(f)]
    inverse = np.stack(columns, axis=2)
    positive = factors[2] & np.all(diag > 0, axis=1)
    return inverse / scale[:, :, None] / scale[:, None, :], positive


def _solve_chunk(  # noqa: PLR0917 - private, called once with everything positional
    model, x, y, weights, mask, p0, lower, upper, constraints, max_iter, ftol, xtol, absolute_sigma, dtype
):
    """Fit one batch of spectra; ``y``, ``weights`` and ``mask`` are (N, M), the rest (N, P)."""
    n, _ = y.shape
    n_par = model.n_parameters
    n_free = len(constraints.free)
    flags = np.zeros(n, dtype=np.int32)
    valid = np.isfinite(y)
    if mask is not None:
        valid &= ~mask
    if weights is not None:
        with np.errstate(invalid="ignore"):
            valid &= np.isfinite(weights) & (weights > 0)
    n_valid = np.count_nonzero(valid, axis=1)
    flags[n_valid <= n_free] |= FitFlag.NO_DATA
    if valid.all():
        ymax, ymin = y.max(axis=1), y.min(axis=1)
    else:
        ymax = np.max(np.where(valid, y, -np.inf), axis=1)
        ymin = np.min(np.where(valid, y, np.inf), axis=1)
    flags[(flags == 0) & ~(ymax > ymin)] |= FitFlag.NO_SIGNAL
    flags[(flags == 0) & ~np.all(np.isfinite(p0[:, constraints.free]), axis=1)] |= FitFlag.NO_SIGNAL
    ok = flags == 0

    values = np.full((n, n_par), np.nan)
    errors = np.full((n, n_par), np.nan)
    chi2 = np.full(n, np.nan)
    n_iter = np.zeros(n, dtype=np.int32)
    if not ok.any():
        return values, errors, chi2, flags, n_iter

    idx = np.flatnonzero(ok)
    if idx.size == 1:
        idx = np.repeat(idx, 2)  # two columns, for the same reason as below
    # Wavelength-major layout: spectra along the contiguous axis. The model, Jacobian and
    # residuals are in ``dtype``; the state, normal equations and chi-square in double.
    valid = valid[idx]
    all_valid = bool(valid.all())

    workspace = _workspace()
    contiguous = idx[-1] - idx[0] + 1 == idx.size and idx.size == np.unique(idx).size

    def gather(array, name, kind):
        """Rows ``idx`` of ``array``, transposed, invalid pixels 0, into reusable memory."""
        out = _carve(workspace, name, (valid.shape[1], idx.size), kind)
        rows = array[idx[0] : idx[-1] + 1] if contiguous else array[idx]
        if all_valid:
            np.copyto(out, rows.T, casting="unsafe")
        else:
            out[...] = 0
            np.copyto(out, rows.T, casting="unsafe", where=valid.T)
        return out

    yt = gather(y, "y0", dtype)
    if weights is None:
        wt = None if all_valid else np.ascontiguousarray(valid.T, dtype=dtype)
    else:
        wt = gather(weights, "w0", dtype)
    xd = np.asarray(x, dtype=dtype)
    p0 = p0[idx]
    lo, hi = constraints.free_bounds(lower[idx], upper[idx], p0)
    q = np.clip(p0[:, constraints.free], lo, hi)

    # Unweighted and fully valid, with a constant background: the first Jacobian column
    # is all ones and needs neither writing nor multiplying.
    plain = wt is None and constraints.trivial and model.background == "constant" and model.n_parameters <= 6

    def evaluate(q_now, p0_now, y_now, w_now):
        params = np.ascontiguousarray(constraints.expand(q_now, p0_now).T, dtype=dtype)
        f_now, jac_now = model.evaluate_with_jacobian(xd, params, workspace, constant_column=not plain)
        r_now = np.subtract(y_now, f_now, out=f_now)
        if w_now is not None:
            r_now *= w_now
        if dtype == np.float64:
            cost_now = _dot(r_now, r_now, _carve(workspace, "product", r_now.shape, r_now.dtype))
        else:
            cost_now = _dot(r_now, r_now, _carve(workspace, "product", r_now.shape, r_now.dtype)).astype(
                np.float64
            )
        return r_now, jac_now, cost_now

    def normal(jac_now, w_now, r_now):
        a_now, g_now = _normal_equations(
            jac_now,
            w_now,
            r_now,
            constraints.matrix,
            constraints.trivial,
            ones_first=plain,
            workspace=workspace,
        )
        return a_now.astype(np.float64, copy=False), g_now.astype(np.float64, copy=False)

    r, jac, cost = evaluate(q, p0, yt, wt)
    amat, grad = (array.copy() for array in normal(jac, wt, r))
    del jac, r
    # Rounding noise of chi-square differences in ``dtype``: residuals are rounded to
    # about eps * |w y| per pixel, so chi-square to about 2 eps sqrt(chi2 * sum (w y)^2).
    wy = yt if wt is None else wt * yt
    eps = np.finfo(dtype).eps
    scale = 2 * eps * np.sqrt(np.add.reduce(wy * wy, axis=0, dtype=np.float64))
    del wy
    eye = np.eye(n_free, dtype=bool)
    # The working set: spectra whose data and state are gathered contiguously; ``live``
    # marks those still iterating. It is compacted when fewer than half of it are live,
    # after writing its state back to the per-spectrum arrays.
    ws = np.arange(len(idx))
    live = np.ones(len(ws), dtype=bool)
    converged = np.zeros(len(idx), dtype=bool)
    iters = np.zeros(len(idx), dtype=np.int32)
    y_ws, w_ws, p0_ws, lo_ws, hi_ws, scale_ws = yt, wt, p0, lo, hi, scale
    flip = "0"  # which of the two reusable data buffers holds y_ws (and w_ws)
    q_ws, cost_ws, a_ws, g_ws = q.copy(), cost, amat, grad
    lam_ws, nu_ws = np.full(len(ws), 1e-3), np.full(len(ws), 2.0)
    done_ws, it_ws = np.zeros(len(ws), dtype=bool), np.zeros(len(ws), dtype=np.int32)

    def write_back():
        q[ws], cost[ws], amat[ws], converged[ws], iters[ws] = q_ws, cost_ws, a_ws, done_ws, it_ws

    for iteration in range(1, max_iter + 1):
        if not live.any():
            break
        # The damped Gauss-Newton step and the chi-square reduction it promises.
        g_act = g_ws.copy()
        frozen = ((q_ws <= lo_ws) & (g_act < 0)) | ((q_ws >= hi_ws) & (g_act > 0))
        diag = np.diagonal(a_ws, axis1=1, axis2=2)
        floor = np.maximum(diag.max(axis=1, keepdims=True), 1e-300) * 1e-12
        damp = np.maximum(diag, floor) * lam_ws[:, None]
        any_frozen = frozen.any()
        if any_frozen:
            g_act[frozen] = 0.0
        if n_free <= 6:
            delta = _spd_solve(a_ws, g_act, damp, frozen if any_frozen else None)
        else:
            system = a_ws + eye * damp[:, :, None]
            if any_frozen:
                keep = ~frozen
                system = system * (keep[:, :, None] & keep[:, None, :])
                system = system + eye * frozen[:, :, None]
            delta = _spd_solve(system, g_act)
        q_new = np.clip(q_ws + delta, lo_ws, hi_ws)
        delta = q_new - q_ws
        # (numpy's multiply and sum release the GIL; einsum does not.)
        predicted = ((2 * g_act - (a_ws * delta[:, None, :]).sum(axis=2)) * delta).sum(axis=1)
        # Converged without another evaluation: after an accepted step, the lightly damped
        # model promises less than ftol.
        settled = live & (it_ws > 0) & (lam_ws <= 1e-2) & (predicted <= ftol * cost_ws)
        done_ws |= settled
        live &= ~settled
        n_live = np.count_nonzero(live)
        if n_live == 0:
            break
        if n_live < 0.8 * len(ws) and len(ws) > 2:
            # Keep at least two columns: numpy reduces a one-column array along another
            # path, and a spectrum's rounding must not depend on its neighbours. A finished
            # spectrum rides along, never updated.
            keep = live.copy()
            if n_live == 1:
                keep[np.flatnonzero(~live)[0]] = True
            write_back()
            flip = "1" if flip == "0" else "0"
            n_keep = int(np.count_nonzero(keep))
            y_ws = np.compress(
                keep, y_ws, axis=1, out=_carve(workspace, "y" + flip, (len(xd), n_keep), dtype)
            )
            if w_ws is not None:
                w_ws = np.compress(
                    keep, w_ws, axis=1, out=_carve(workspace, "w" + flip, (len(xd), n_keep), dtype)
                )
            ws, p0_ws, lo_ws, hi_ws, scale_ws = (
                ws[keep],
                p0_ws[keep],
                lo_ws[keep],
                hi_ws[keep],
                scale_ws[keep],
            )
            q_ws, cost_ws, a_ws, g_ws = q_ws[keep], cost_ws[keep], a_ws[keep], g_ws[keep]
            lam_ws, nu_ws, done_ws, it_ws = lam_ws[keep], nu_ws[keep], done_ws[keep], it_ws[keep]
            q_new, delta, predicted, g_act = q_new[keep], delta[keep], predicted[keep], g_act[keep]
            live = live[keep]
        it_ws[live] = iteration
        r_new, jac_new, cost_new = evaluate(q_new, p0_ws, y_ws, w_ws)
        actual = cost_ws - cost_new
        better = (actual > 0) & live
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(predicted > 0, actual / predicted, 0.0)
        small_step = np.all(np.abs(delta) <= xtol * (np.abs(q_ws) + xtol), axis=1)
        # MINPACK's test: actual and predicted relative reductions both below ftol (the
        # actual one to within its rounding noise).
        noise = scale_ws * np.sqrt(cost_ws) + eps * len(xd) * cost_ws
        small_drop = (np.abs(actual) <= ftol * cost_ws + noise) & (predicted <= ftol * cost_ws)
        # Nielsen's damping update (Madsen, Nielsen & Tingleff 2004).
        shrink = np.maximum(1 / 3, 1 - (2 * np.clip(ratio, 0, 1) - 1) ** 3)
        lam_new = np.where(better, np.maximum(lam_ws * shrink, 1e-12), lam_ws * nu_ws)
        done = live & (small_drop | small_step | (lam_new > 1e12))
        if better.any():
            a_new, g_new = normal(jac_new, w_ws, r_new)
            np.copyto(q_ws, q_new, where=better[:, None])
            np.copyto(cost_ws, cost_new, where=better)
            np.copyto(a_ws, a_new, where=better[:, None, None])
            np.copyto(g_ws, g_new, where=better[:, None])
        del jac_new, r_new
        lam_ws = np.where(live, lam_new, lam_ws)
        nu_ws = np.where(live, np.where(better, 2.0, nu_ws * 2.0), nu_ws)
        done_ws |= done
        live &= ~done
    write_back()
    n_iter[idx] = iters
    if dtype != np.float64 and n_free > 6:
        # Larger problems are less well conditioned: their chi-square and covariance come
        # from one final evaluation in double precision. (Small ones keep the normal matrix
        # of the last accepted step, good to about 1e-6.)
        y64 = gather(y, "y64", np.float64)
        if wt is None:
            wt64 = None
        elif weights is None:
            wt64 = np.ascontiguousarray(valid.T, dtype=np.float64)
        else:
            wt64 = gather(weights, "w64", np.float64)
        params = np.ascontiguousarray(constraints.expand(q, p0).T)
        f64, jac64 = model.evaluate_with_jacobian(np.asarray(x, dtype=np.float64), params)
        r64 = y64 - f64 if wt64 is None else wt64 * (y64 - f64)
        cost = np.einsum("mn,mn->n", r64, r64)
        amat, _ = _normal_equations(jac64, wt64, r64, constraints.matrix, constraints.trivial)
        del f64, jac64, r64

    dof = np.maximum(n_valid[idx] - n_free, 1)
    red = cost / dof
    if n_free <= 6:
        cov, positive = _spd_inverse(amat)
        singular = ~positive | ~np.all(np.isfinite(cov), axis=(1, 2))
    else:
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
    *,
    lower,
    upper,
    constraints,
    mask=None,
    max_iter=200,
    ftol=1e-6,
    xtol=1e-6,
    absolute_sigma=False,
    dtype=np.float32,
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
    weights : numpy.ndarray or None
        ``1 / sigma`` per pixel ``(N, M)``; 0 ignores a pixel; None for equal weights.
    p0, lower, upper : numpy.ndarray
        Initial values and bounds, ``(P,)`` or ``(N, P)``.
    constraints : Constraints
        Ties and fixed parameters.
    mask : numpy.ndarray of bool, optional
        True for pixels to ignore ``(N, M)``.
    max_iter : int, optional
        Iteration limit per spectrum.
    ftol, xtol : float, optional
        Convergence when the relative decrease of chi-square, or the relative step of
        every free parameter, falls below these.
    absolute_sigma : bool, optional
        If False, covariances are scaled by the reduced chi-square (as curve_fit does).
    dtype : numpy dtype, optional
        Precision of the model, Jacobian and residual arrays during the iterations;
        the parameters, normal equations and chi-square are always double, and the final
        chi-square and covariance come from a double-precision evaluation.
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
    y = np.asarray(y)
    if y.dtype.kind != "f":
        y = y.astype(float)
    n, m = y.shape
    n_par = model.n_parameters
    if weights is not None:
        weights = np.asarray(weights)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
    p0 = _broadcast_params(p0, n, n_par, "init_vals")
    lower = _broadcast_params(lower, n, n_par, "limits[0]")
    upper = _broadcast_params(upper, n, n_par, "limits[1]")
    if chunk_size is None:
        chunk_size = max(64, int(2_000_000 // max(1, m * n_par)))
    starts = list(range(0, n, chunk_size)) or [0]

    def run(start):
        sl = slice(start, min(n, start + chunk_size))
        out = _solve_chunk(
            model, x, y[sl], None if weights is None else weights[sl], None if mask is None else mask[sl],
            p0[sl], lower[sl], upper[sl], constraints,
            max_iter, ftol, xtol, absolute_sigma, np.dtype(dtype),
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
