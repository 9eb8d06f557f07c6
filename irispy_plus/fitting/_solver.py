"""
A batched Levenberg-Marquardt solver: many small least-squares problems at once.

Every spectrum is an independent problem; all share the model, the wavelength grid and
the parameter constraints. Each iteration evaluates the model and its analytic Jacobian
for all spectra of a batch still running, forms their normal equations and solves them
together (see `irispy_plus.fitting._lm`). Batches run in threads: numpy releases the
GIL in its long loops. The damping factor and the convergence tests are per spectrum,
and converged spectra drop out, so results do not depend on how spectra are grouped.
"""

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np

from irispy_plus.fitting._lm import Problem, State, finish, iterate, start_batch
from irispy_plus.utils.exceptions import IrispyPlusFitError

__all__ = ["solve"]

#: The fewest stragglers worth a thread of their own.
_MIN_THREAD_BATCH = 1024


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
    sigma,
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
    sigma : numpy.ndarray or None
        Uncertainties ``(N, M)``, for weights ``1 / sigma``; a pixel whose uncertainty is
        not positive and finite is ignored. None for equal weights.
    p0 : numpy.ndarray or callable
        Initial values, ``(P,)`` or ``(N, P)``; or ``p0(rows)`` returning those of the
        spectra ``rows`` (a slice), called in the batch's thread (e.g. to guess them).
    lower, upper : numpy.ndarray
        Bounds, ``(P,)`` or ``(N, P)``.
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
    if sigma is not None:
        sigma = np.asarray(sigma)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
    if not callable(p0):
        p0 = _broadcast_params(p0, n, n_par, "init_vals")
    lower = _broadcast_params(lower, n, n_par, "limits[0]")
    upper = _broadcast_params(upper, n, n_par, "limits[1]")
    if chunk_size is None:
        chunk_size = max(64, int(2_000_000 // max(1, m * n_par)))
    chunk_size = max(4, int(chunk_size))
    problem = Problem(
        model, x, constraints, y=y, sigma=sigma, mask=mask, p0=p0, lower=lower, upper=upper,
        max_iter=max_iter, ftol=ftol, xtol=xtol, absolute_sigma=absolute_sigma, dtype=dtype,
    )  # fmt: skip
    row_batches = [slice(start, min(n, start + chunk_size)) for start in range(0, n, chunk_size)] or [
        slice(0, 0)
    ]
    n_threads = n_threads or os.cpu_count() or 1
    pool = ThreadPoolExecutor(max_workers=n_threads) if n_threads > 1 else None
    try:
        run = partial(_run_all, pool)
        # Each batch iterates until fewer than a quarter of its spectra are left; the
        # stragglers of all batches then continue together, in rounds of full batches.
        pause_below = chunk_size // 4 if len(row_batches) > 1 else 0

        def first_round(rows):
            state = start_batch(problem, rows)
            paused = None if state is None else iterate(problem, state, pause_below)
            _report(progress, rows.stop - rows.start, paused)
            return paused

        paused = run(first_round, row_batches)
        while paused:
            pooled = State.concatenate(paused)
            if pooled.size == 1:
                pooled = State.concatenate([pooled, pooled])  # two columns, as everywhere
            n_batches = -(-pooled.size // chunk_size)
            n_parts = max(n_batches, min(n_threads, pooled.size // _MIN_THREAD_BATCH))
            pause_below = chunk_size // 4 if n_batches > 1 else 0
            edges = np.linspace(0, pooled.size, n_parts + 1).astype(int)

            def later_round(part, pause_below=pause_below):
                paused = iterate(problem, part, pause_below)
                _report(progress, np.unique(part.index).size, paused)
                return paused

            paused = run(later_round, [pooled.take(slice(a, b)) for a, b in itertools.pairwise(edges)])
        parts = run(partial(finish, problem), row_batches)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # after an error or an interrupt, no queued batch starts
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(5))


def _run_all(pool, func, items):
    """``func`` over ``items`` (in ``pool`` if any); the results that are not None."""
    results = pool.map(func, items) if pool is not None and len(items) > 1 else map(func, items)
    return [result for result in results if result is not None]


def _report(progress, n_spectra, paused):
    """Tell ``progress`` how many of ``n_spectra`` spectra are finished (not ``paused``)."""
    if progress is not None:
        progress(n_spectra - (0 if paused is None else np.unique(paused.index).size))
