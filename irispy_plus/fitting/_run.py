"""
Running a fit: the spectra solved block by block, in memory (threads, a tqdm progress
bar) or with dask (chunk by chunk, on the active ``dask.distributed`` client if there is
one). The result is one packed array per spectrum: values, errors, chi-square, flags and
iteration count, which `irispy_plus.fitting._fit` turns into a `FitResult`.
"""

import sys
from functools import partial

import numpy as np

from irispy_plus.fitting._inputs import is_dask
from irispy_plus.fitting._models import LineModel
from irispy_plus.fitting._solver import solve
from irispy_plus.utils.logger import log

__all__ = ["run_fit", "unpack_results"]

_PROGRESS_THRESHOLD = 100_000
#: Dask blocks hold about this many spectra, and at most _BLOCK_ELEMENTS values: large
#: enough for the solver's slow spectra to finish together, small enough to spread a
#: raster over several workers.
_BLOCK_SPECTRA = 50_000
_BLOCK_ELEMENTS = 16_000_000


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
            lazy = extra if is_dask(extra) else da.from_array(np.asarray(extra), chunks=chunks)
            args.append(lazy.rechunk(chunks))
    for array in per_spectrum:
        if array is None or np.ndim(array) == 1:
            args.append(array)
        else:
            lazy = array if is_dask(array) else da.asarray(np.asarray(array, dtype=float))
            args.append(lazy.rechunk((*chunks[:-1], (n_par,))))
    packed = da.map_blocks(
        _fit_block_args,
        *[a for a in args if is_dask(a)],
        layout=tuple(is_dask(a) for a in args),
        constants=tuple(None if is_dask(a) else a for a in args),
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
    args = [next(it) if lazy_arg else const for lazy_arg, const in zip(layout, constants, strict=True)]
    y, mask, unc, p0, lower, upper = args
    return _fit_block(y, mask, unc, p0, lower, upper, **kwargs)


def _run_in_memory(y, mask, unc, per_spectrum, kwargs, *, n_threads, chunk_size, progress):
    """Fit numpy spectra in threads, with a progress bar (tqdm, or log messages) if wanted."""
    n_spectra = int(np.prod(y.shape[:-1]))
    bar = None
    callback = None
    if _progress_wanted(progress, n_spectra):
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_spectra, desc="Fitting spectra", unit="spectra")
            callback = bar.update
        except ImportError:
            callback = partial(log.info, "fitted %d more spectra")
    options = {**kwargs["options"], "n_threads": n_threads, "chunk_size": chunk_size, "progress": callback}
    p0, lower, upper = per_spectrum
    try:
        return _fit_block(
            y, mask, unc, p0, np.asarray(lower), np.asarray(upper), **{**kwargs, "options": options}
        )
    finally:
        if bar is not None:
            bar.close()


def run_fit(y, mask, unc, per_spectrum, kwargs, *, n_threads=None, chunk_size=None, progress=None):
    """
    Fit every spectrum of ``y`` (``(..., M)``, numpy or dask).

    Parameters
    ----------
    y, mask, unc : arrays
        Spectra, mask (or None) and uncertainties (or None) over the fitted range.
    per_spectrum : tuple
        ``(p0, lower, upper)``: initial values (None, or ``(..., P)``) and bounds
        (``(P,)`` or ``(..., P)``), centroids relative to ``kwargs["shift"]``.
    kwargs : dict
        The keywords of `_fit_block`: ``x``, ``shift``, ``model``, ``constraints``,
        ``init_const``, ``guess``, ``absolute_sigma`` and the solver ``options``.
    n_threads, chunk_size : int, optional
        Threads and batch size for in-memory fits (dask fits use one thread per block).
    progress : bool, optional
        Show a progress bar (by default for large fits on a terminal).

    Returns
    -------
    numpy.ndarray
        ``(..., 2P + 3)``: values, errors, chi-square, flags and iterations per spectrum
        (see `unpack_results`).
    """
    p0 = per_spectrum[0]
    if any(is_dask(a) for a in (y, mask, unc, p0)):
        import dask.array as da

        return _run_dask(
            y if is_dask(y) else da.asarray(y),
            mask,
            unc,
            per_spectrum,
            {**kwargs, "options": {**kwargs["options"], "n_threads": 1}},
            n_par=kwargs["model"].n_parameters,
            progress=progress,
        )
    return _run_in_memory(
        y, mask, unc, per_spectrum, kwargs, n_threads=n_threads, chunk_size=chunk_size, progress=progress
    )


def unpack_results(packed, n_par):
    """
    The values, errors, chi-square, flags (int32) and iterations (int32) of a packed
    ``(..., 2P + 3)`` result of `run_fit`.
    """
    return (
        packed[..., :n_par].copy(),
        packed[..., n_par : 2 * n_par],
        packed[..., 2 * n_par],
        packed[..., 2 * n_par + 1].astype(np.int32),
        packed[..., 2 * n_par + 2].astype(np.int32),
    )
