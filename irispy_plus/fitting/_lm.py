"""
The Levenberg-Marquardt iterations of the batched solver.

A `Problem` holds what all spectra of one fit share (model, wavelengths, constraints,
settings) and the per-spectrum results. Spectra are fitted in batches, in three steps:
`start_batch` screens a batch, gathers its data wavelength-major and evaluates its
initial values; `iterate` takes damped Gauss-Newton steps until every spectrum has
converged or, on request, pauses when only a few are left, so that the stragglers of
many batches finish together in full-sized batches; `finish` computes the covariance,
reduced chi-square and flags. The data are wavelength-major ``(M, N)`` and the state
parameter-major (``(F, N)``, ``(F, F, N)``), so every operation runs over long rows of
spectra. Each spectrum's arithmetic is its own: neither batching nor pausing changes a
result, to the last bit for up to ten free parameters (above, the batched matrix
products of the normal equations may round differently in the last bit).

Bounds are kept by projection, with an active set: a parameter at a bound whose
gradient points outwards takes no step. Tied parameters are linear functions of free
ones (``p = T q + offset``), fixed parameters are ties to a constant.
"""

import threading

import numpy as np

from irispy_plus.fitting._batched_linalg import UNROLLED_MAX, column_sums, diagonal, spd_inverse, spd_solve
from irispy_plus.fitting._flags import FitFlag

__all__ = ["Problem", "State", "finish", "iterate", "start_batch"]

_LOCAL = threading.local()

#: Up to this many free parameters, the covariance comes from the normal matrix of the
#: last accepted step; above, from a final evaluation in double precision.
_KEPT_NORMAL_MAX = 6

#: Everything a spectrum's iterations depend on: a paused spectrum resumes from these
#: alone (its next step is recomputed from them), which is why pausing changes nothing.
_STATE_FIELDS = (
    *("index", "y", "w", "p0", "lo", "hi", "scale"),
    *("q", "cost", "amat", "grad", "lam", "nu", "done", "iters", "live"),
)


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


def _normal_equations(jac, weights, residual, constraints, *, ones_first=False, workspace=None):
    """
    ``J^T W^2 J`` ``(F, F, N)`` and ``J^T W r`` ``(F, N)`` from a ``(P, M, N)`` Jacobian.

    ``weights`` (``(M, N)`` or None) are applied to ``jac`` in place. ``ones_first``: the
    first column is all ones, there are no weights or ties (its entries are plain sums,
    and ``jac[0]`` need not be filled). ``workspace``: reusable memory.
    """
    space = {} if workspace is None else workspace
    scratch = _carve(space, "product", residual.shape, residual.dtype)
    if weights is not None:
        jac *= weights
    wjac = jac if constraints.trivial else np.einsum("pmn,pf->fmn", jac, constraints.matrix)
    n_free, m, n = wjac.shape
    if n_free > UNROLLED_MAX:
        # Spectrum by spectrum, [J; r] J^T in one batched matrix product: the normal
        # matrix and, in its last row, the gradient.
        stacked = _carve(space, "stacked", (n, n_free + 1, m), wjac.dtype)
        for a in range(n_free):  # (row by row: numpy transposes 2-D arrays faster)
            stacked[:, a] = wjac[a].T
        stacked[:, n_free] = residual.T
        products = stacked @ stacked[:, :n_free].transpose(0, 2, 1)
        amat = np.ascontiguousarray(products[:, :n_free].transpose(1, 2, 0), dtype=np.float64)
        grad = np.ascontiguousarray(products[:, n_free].T, dtype=np.float64)
        return amat, grad
    grad = _carve(space, "grad", (n_free, n), np.float64)
    amat = _carve(space, "amat", (n_free, n_free, n), np.float64)
    first = 0
    if ones_first:
        # The first column is all ones (and not written): its products are plain sums.
        grad[0] = residual.sum(axis=0)
        amat[0, 0] = m
        for a in range(1, n_free):
            amat[0, a] = amat[a, 0] = wjac[a].sum(axis=0)
        first = 1
    for a in range(first, n_free):
        grad[a] = column_sums(wjac[a], residual, scratch)
        for b in range(a, n_free):
            amat[a, b] = amat[b, a] = column_sums(wjac[a], wjac[b], scratch)
    return amat, grad


def _transposed(array, workspace, name, dtype):
    """``array`` ``(N, M)`` copied to reusable memory as ``(M, N)`` of ``dtype``."""
    out = _carve(workspace, name, array.shape[::-1], dtype)
    np.copyto(out, array.T, casting="unsafe")
    return out


def _weights(sigma, workspace, name, dtype):
    """
    Weights ``1 / sigma`` ``(M, N)`` from uncertainties ``(N, M)``, in reusable memory;
    not positive or not finite where ``sigma`` is not a usable uncertainty.
    """
    weights = _transposed(sigma, workspace, name, dtype)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.divide(1, weights, out=weights)


def _valid_data(yt, wt, mask):
    """
    Which pixels of wavelength-major data ``yt`` ``(M, N)`` are usable: finite, not
    masked, with a positive finite weight. Unusable ones are set to 0 in ``yt`` (in
    place) and in the weights returned: ``wt`` itself, 0 and 1 when there were none, or
    None when all pixels are usable and unweighted.
    """
    valid = np.isfinite(yt)
    if mask is not None:
        valid &= ~mask.T
    if wt is not None:
        with np.errstate(invalid="ignore"):
            valid &= np.isfinite(wt) & (wt > 0)
    if not valid.all():
        invalid = ~valid
        yt[invalid] = 0
        if wt is None:
            wt = valid.astype(yt.dtype)
        else:
            wt[invalid] = 0
    return valid, wt


def _screen(yt, wt, mask, p0, n_free):
    """
    Which spectra can be fitted; unusable pixels zeroed (see `_valid_data`).

    ``yt`` and ``wt`` are wavelength-major ``(M, N)``, ``p0`` parameter-major ``(P, N)``
    (free parameters only). Returns the flags ``(N,)``, the number of valid pixels ``(N,)``
    and the pixel weights (None when all are valid and unweighted).
    """
    m, n = yt.shape
    valid, wt = _valid_data(yt, wt, mask)
    flags = np.zeros(n, dtype=np.int32)
    if valid.all():
        n_valid = np.full(n, m)
        ymax, ymin = yt.max(axis=0), yt.min(axis=0)
    else:
        n_valid = np.count_nonzero(valid, axis=0)
        ymax = np.max(yt, axis=0, where=valid, initial=-np.inf)
        ymin = np.min(yt, axis=0, where=valid, initial=np.inf)
    flags[n_valid <= n_free] |= FitFlag.NO_DATA
    flags[(flags == 0) & ~(ymax > ymin)] |= FitFlag.NO_SIGNAL
    flags[(flags == 0) & ~np.all(np.isfinite(p0), axis=0)] |= FitFlag.NO_SIGNAL
    return flags, n_valid, wt


class Problem:
    """
    What the batches of one fit share, and the per-spectrum results they write.

    Parameters
    ----------
    model : LineModel
    x : numpy.ndarray
        Wavelengths ``(M,)``.
    constraints : Constraints
    y, sigma, mask : numpy.ndarray
        ``(N, M)``; ``sigma`` (uncertainties, for weights) and ``mask`` may be None.
    p0 : numpy.ndarray or callable
        Initial values ``(N, P)``, or ``p0(rows)`` giving those of a slice of spectra.
    lower, upper : numpy.ndarray
        Bounds ``(N, P)``.
    max_iter, ftol, xtol, absolute_sigma, dtype
        As for `solve`.
    """

    def __init__(
        self,
        model,
        x,
        constraints,
        *,
        y,
        sigma,
        mask,
        p0,
        lower,
        upper,
        max_iter,
        ftol,
        xtol,
        absolute_sigma,
        dtype,
    ):
        self.model = model
        self.constraints = constraints
        self.x = np.asarray(x, dtype=np.float64)
        self.dtype = np.dtype(dtype)
        self.xd = self.x.astype(self.dtype)
        self.eps = np.finfo(self.dtype).eps
        self.y, self.sigma, self.mask = y, sigma, mask
        self.p0, self.lower, self.upper = p0, lower, upper
        self.max_iter, self.ftol, self.xtol, self.absolute_sigma = max_iter, ftol, xtol, absolute_sigma
        n = y.shape[0]
        n_par, n_free = model.n_parameters, len(constraints.free)
        self.n_free = n_free
        # Unweighted and fully valid, with a constant background: the first Jacobian
        # column is all ones and needs neither writing nor multiplying.
        self.ones_first = constraints.trivial and model.background == "constant" and n_par <= UNROLLED_MAX
        # Larger problems are less well conditioned: their chi-square and covariance come
        # from one final evaluation in double precision, so their normal matrices need
        # not be kept. (Small ones keep that of the last accepted step, good to 1e-6.)
        self.reevaluate = n_free > _KEPT_NORMAL_MAX
        self.flags = np.zeros(n, dtype=np.int32)
        self.n_valid = np.zeros(n, dtype=np.int64)
        self.start = np.full((n_par, n), np.nan)
        self.lo = np.full((n_free, n), np.nan)
        self.hi = np.full((n_free, n), np.nan)
        self.q = np.full((n_free, n), np.nan)
        self.cost = np.full(n, np.nan)
        self.amat = None if self.reevaluate else np.zeros((n_free, n_free, n))
        self.converged = np.zeros(n, dtype=bool)
        self.iters = np.zeros(n, dtype=np.int32)

    def initial_values(self, rows):
        """Initial values ``(n, P)`` of the spectra ``rows``."""
        return self.p0(rows) if callable(self.p0) else self.p0[rows]

    def evaluate(self, q, p0, y, w):
        """Weighted residuals ``(M, n)``, Jacobian ``(P, M, n)`` and chi-square ``(n,)``."""
        workspace = _workspace()
        plain = w is None and self.ones_first
        params = np.ascontiguousarray(self.constraints.expand(q, p0), dtype=self.dtype)
        model, jac = self.model.evaluate_with_jacobian(self.xd, params, workspace, constant_column=not plain)
        residual = np.subtract(y, model, out=model)
        if w is not None:
            residual *= w
        product = _carve(workspace, "product", residual.shape, residual.dtype)
        cost = column_sums(residual, residual, product).astype(np.float64, copy=False)
        return residual, jac, cost

    def normal(self, jac, w, residual):
        """The normal equations (workspace memory, valid until the next call)."""
        plain = w is None and self.ones_first
        return _normal_equations(jac, w, residual, self.constraints, ones_first=plain, workspace=_workspace())

    def record(self, state):
        """Write a working set's state to the per-spectrum results."""
        index = state.index
        self.q[:, index] = state.q
        self.cost[index] = state.cost
        if self.amat is not None:
            self.amat[..., index] = state.amat
        self.converged[index] = state.done
        self.iters[index] = state.iters


class State:
    """
    Spectra being iterated: data and Levenberg-Marquardt state, spectra along the last
    axis of every array; ``index`` is each spectrum's place in the `Problem`.

    ``done`` marks converged spectra, ``live`` those still iterating (neither: the
    iteration limit was reached).
    """

    __slots__ = _STATE_FIELDS

    def __init__(self, **fields):
        for name in _STATE_FIELDS:
            setattr(self, name, fields[name])

    @property
    def size(self):
        """Number of spectra (columns)."""
        return self.index.size

    def take(self, keep, y=None, w=None):
        """
        The spectra ``keep`` (a boolean mask or slice), copied; their data into ``y`` and
        ``w`` if given (reusable memory).
        """
        fields = {}
        mask = isinstance(keep, np.ndarray)
        for name in _STATE_FIELDS:
            value = getattr(self, name)
            if value is None:
                fields[name] = None
            elif mask and name in ("y", "w"):
                fields[name] = np.compress(keep, value, axis=1, out=y if name == "y" else w)
            else:
                # C order always: numpy sums along an axis in an order that follows the
                # memory layout, and a spectrum's rounding must not depend on its batch.
                taken = value[..., keep]
                fields[name] = np.ascontiguousarray(taken) if mask else taken.copy()
        return State(**fields)

    @classmethod
    def concatenate(cls, states):
        """One state from several (missing weights become ones)."""
        fields = {}
        for name in _STATE_FIELDS:
            values = [getattr(state, name) for state in states]
            if name == "w":
                if all(value is None for value in values):
                    fields[name] = None
                    continue
                values = [np.ones_like(s.y) if v is None else v for s, v in zip(states, values, strict=True)]
            fields[name] = np.concatenate(values, axis=-1)
        return State(**fields)


def start_batch(problem, rows):
    """
    Screen the spectra ``rows`` (a slice), and set up those that can be fitted.

    Returns
    -------
    State or None
        The fittable spectra, evaluated at their initial values; None if there are none.
    """
    p = problem
    constraints = p.constraints
    workspace = _workspace()
    y = p.y[rows]
    n, m = y.shape
    yt = _transposed(y, workspace, "y0", p.dtype)
    wt = None if p.sigma is None else _weights(p.sigma[rows], workspace, "w0", p.dtype)
    p0 = np.ascontiguousarray(p.initial_values(rows).T, dtype=np.float64)
    mask = None if p.mask is None else p.mask[rows]
    flags, n_valid, wt = _screen(yt, wt, mask, p0[constraints.free], p.n_free)
    p.flags[rows], p.n_valid[rows], p.start[:, rows] = flags, n_valid, p0
    idx = np.flatnonzero(flags == 0)
    if idx.size == 0:
        return None
    # Keep at least two columns: numpy reduces a one-column array along another path,
    # and a spectrum's rounding must not depend on its neighbours.
    idx = np.repeat(idx, 2) if idx.size == 1 else idx
    if not np.array_equal(idx, np.arange(n)):
        yt = np.take(yt, idx, axis=1, mode="clip", out=_carve(workspace, "y1", (m, idx.size), p.dtype))
        if wt is not None:
            wt = np.take(wt, idx, axis=1, mode="clip", out=_carve(workspace, "w1", (m, idx.size), p.dtype))
        p0 = p0[:, idx]
    index = rows.start + idx
    lo, hi = constraints.free_bounds(p.lower[index].T, p.upper[index].T)
    p.lo[:, index], p.hi[:, index] = lo, hi
    q = np.clip(p0[constraints.free], lo, hi)
    residual, jac, cost = p.evaluate(q, p0, yt, wt)
    amat, grad = (array.copy() for array in p.normal(jac, wt, residual))
    del jac, residual
    # Rounding noise of chi-square differences in ``dtype``: residuals are rounded to
    # about eps * |w y| per pixel, so chi-square to about 2 eps sqrt(chi2 * sum (w y)^2).
    wy = yt if wt is None else wt * yt
    scale = 2 * p.eps * np.sqrt(np.add.reduce(wy * wy, axis=0, dtype=np.float64))
    return State(
        index=index,
        y=yt,
        w=wt,
        p0=p0,
        lo=lo,
        hi=hi,
        scale=scale,
        q=q,
        cost=cost,
        amat=amat,
        grad=grad,
        lam=np.full(idx.size, 1e-3),
        nu=np.full(idx.size, 2.0),
        done=np.zeros(idx.size, dtype=bool),
        iters=np.zeros(idx.size, dtype=np.int32),
        live=np.full(idx.size, p.max_iter > 0),
    )


def _step(problem, ws):
    """The damped, bounded Gauss-Newton step of every spectrum, and the reduction it promises."""
    g_act = ws.grad.copy()
    frozen = ((ws.q <= ws.lo) & (g_act < 0)) | ((ws.q >= ws.hi) & (g_act > 0))
    diag = diagonal(ws.amat)
    floor = np.maximum(diag.max(axis=0), 1e-300) * 1e-12
    damp = np.maximum(diag, floor) * ws.lam
    any_frozen = frozen.any()
    if any_frozen:
        g_act[frozen] = 0.0
    delta = spd_solve(ws.amat, g_act, damp, frozen if any_frozen else None)
    q_new = np.clip(ws.q + delta, ws.lo, ws.hi)
    delta = np.subtract(q_new, ws.q, out=delta)
    predicted = ((2 * g_act - (ws.amat * delta).sum(axis=1)) * delta).sum(axis=0)
    return q_new, delta, predicted


def _other_buffer(workspace, array, name):
    """Of the reusable buffers ``name + "0"`` and ``name + "1"``, one not holding ``array``."""
    first = workspace.get(name + "0")
    in_first = first is not None and np.may_share_memory(first, array)
    return name + ("1" if in_first else "0")


def iterate(problem, ws, pause_below=0):
    """
    Iterate the spectra of ``ws`` until all have converged or reached the iteration limit.

    With ``pause_below``, return as soon as fewer than that many are still iterating: the
    state of those (to be resumed by another call, alone or with others), after recording
    all in ``problem``.

    Returns
    -------
    State or None
        The paused spectra, or None when all are finished (and recorded).
    """
    p = problem
    ftol, xtol, eps, m = p.ftol, p.xtol, p.eps, p.xd.size
    workspace = _workspace()
    while ws.live.any():
        live = ws.live
        q_new, delta, predicted = _step(p, ws)
        # Converged without another evaluation: after an accepted step, the lightly damped
        # model promises less than ftol.
        settled = live & (ws.iters > 0) & (ws.lam <= 1e-2) & (predicted <= ftol * ws.cost)
        ws.done |= settled
        live &= ~settled
        n_live = np.count_nonzero(live)
        if n_live == 0:
            break
        if n_live < pause_below:
            p.record(ws)
            return ws.take(live)
        if n_live < 0.8 * ws.size and ws.size > 2:
            # At least two columns (see `start_batch`); a finished spectrum rides along,
            # never updated.
            keep = live.copy()
            if n_live == 1:
                keep[np.flatnonzero(~live)[0]] = True
            p.record(ws)
            n_keep = int(np.count_nonzero(keep))
            y_out = _carve(workspace, _other_buffer(workspace, ws.y, "y"), (m, n_keep), p.dtype)
            w_out = None
            if ws.w is not None:
                w_out = _carve(workspace, _other_buffer(workspace, ws.w, "w"), (m, n_keep), p.dtype)
            ws = ws.take(keep, y_out, w_out)
            q_new, delta, predicted = q_new[:, keep], delta[:, keep], predicted[keep]
            live = ws.live
        ws.iters[live] += 1
        residual, jac, cost_new = p.evaluate(q_new, ws.p0, ws.y, ws.w)
        actual = ws.cost - cost_new
        better = (actual > 0) & live
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(predicted > 0, actual / predicted, 0.0)
        small_step = np.all(np.abs(delta) <= xtol * (np.abs(ws.q) + xtol), axis=0)
        # MINPACK's test: actual and predicted relative reductions both below ftol (the
        # actual one to within its rounding noise).
        noise = ws.scale * np.sqrt(ws.cost) + eps * m * ws.cost
        small_drop = (np.abs(actual) <= ftol * ws.cost + noise) & (predicted <= ftol * ws.cost)
        # Nielsen's damping update (Madsen, Nielsen & Tingleff 2004).
        shrink = np.maximum(1 / 3, 1 - (2 * np.clip(ratio, 0, 1) - 1) ** 3)
        lam_new = np.where(better, np.maximum(ws.lam * shrink, 1e-12), ws.lam * ws.nu)
        done = live & (small_drop | small_step | (lam_new > 1e12))
        if better.any():
            a_new, g_new = p.normal(jac, ws.w, residual)
            np.copyto(ws.q, q_new, where=better)
            np.copyto(ws.cost, cost_new, where=better)
            np.copyto(ws.amat, a_new, where=better)
            np.copyto(ws.grad, g_new, where=better)
        del jac, residual
        ws.lam = np.where(live, lam_new, ws.lam)
        ws.nu = np.where(live, np.where(better, 2.0, ws.nu * 2.0), ws.nu)
        ws.done |= done
        live &= ~done
        live &= ws.iters < p.max_iter
    p.record(ws)
    return None


def _final_normal_matrix(problem, index):
    """Chi-square and normal matrix of spectra ``index`` at their solution, in double precision."""
    p = problem
    y = np.array(p.y[index].T, dtype=np.float64)
    w = None if p.sigma is None else _weights(p.sigma[index], {}, "w", np.float64)
    _, w = _valid_data(y, w, None if p.mask is None else p.mask[index])
    params = p.constraints.expand(p.q[:, index], p.start[:, index])
    model, jac = p.model.evaluate_with_jacobian(p.x, params)
    residual = y - model if w is None else w * (y - model)
    amat, _ = _normal_equations(jac, w, residual, p.constraints)
    return column_sums(residual, residual), amat


def finish(problem, rows):
    """
    Results of the spectra ``rows`` (a slice), once all are recorded.

    Returns
    -------
    values, errors : numpy.ndarray
        ``(n, P)``; NaN where not fitted.
    chi2 : numpy.ndarray
        Reduced chi-square ``(n,)``.
    flags : numpy.ndarray
        `FitFlag` bits ``(n,)``.
    n_iter : numpy.ndarray
        Iterations taken ``(n,)``.
    """
    p = problem
    constraints = p.constraints
    flags = p.flags[rows].copy()
    n = flags.size
    n_par = p.model.n_parameters
    values = np.full((n, n_par), np.nan)
    errors = np.full((n, n_par), np.nan)
    chi2 = np.full(n, np.nan)
    n_iter = p.iters[rows].copy()
    local = np.flatnonzero(flags == 0)
    if local.size == 0:
        return values, errors, chi2, flags, n_iter
    # (Two columns at least, as everywhere.)
    local = np.repeat(local, 2) if local.size == 1 else local
    index = rows.start + local
    if p.reevaluate:
        cost, amat = _final_normal_matrix(p, index)
    else:
        cost, amat = p.cost[index], p.amat[..., index]
    red = cost / np.maximum(p.n_valid[index] - p.n_free, 1)
    cov, undetermined = spd_inverse(amat, diagonal_only=constraints.trivial)
    if not constraints.trivial:
        cov = np.einsum("jk,kln,jl->jn", constraints.matrix, cov, constraints.matrix)
        # A parameter tied to an undetermined one is undetermined too.
        undetermined = (constraints.matrix != 0).astype(np.float64) @ undetermined.astype(np.float64) > 0
    var = cov if p.absolute_sigma else cov * red
    # No uncertainty for what the data do not determine.
    with np.errstate(invalid="ignore"):
        err = np.sqrt(np.where((var >= 0) & ~undetermined, var, np.nan))
    singular = np.any(undetermined, axis=0) | ~np.all(np.isfinite(var), axis=0)
    err[constraints.fixed_mask] = 0.0
    q, lo, hi = p.q[:, index], p.lo[:, index], p.hi[:, index]
    status = np.zeros(index.size, dtype=np.int32)
    status[~p.converged[index]] |= FitFlag.NOT_CONVERGED
    status[singular] |= FitFlag.SINGULAR
    status[np.any((q <= lo) | (q >= hi), axis=0)] |= FitFlag.AT_BOUND
    values[local] = constraints.expand(q, p.start[:, index]).T
    errors[local] = err.T
    chi2[local] = red
    flags[local] = status
    return values, errors, chi2, flags, n_iter
