"""
Small symmetric linear systems, many at once, laid out parameter-major.

A stack of ``N`` matrices of size ``F x F`` is an array ``(F, F, N)`` and a stack of
vectors ``(F, N)``: every element is one contiguous vector over the spectra, so each
operation is a single long, vectorised numpy call that releases the GIL. (Reductions
over a short last axis, as in ``(N, F, F)`` layouts, run an order of magnitude slower.)
Every spectrum's result is computed by the same sequence of element-wise operations,
whatever ``N``, so it does not depend on its neighbours.
"""

import numpy as np

__all__ = ["NULL_WEIGHT", "RCOND", "column_sums", "diagonal", "spd_inverse", "spd_solve"]

#: Above this size, systems go to LAPACK rather than the unrolled Cholesky (which is
#: faster up to about ten parameters, three line components, and as accurate).
UNROLLED_MAX = 10

#: A matrix scaled to a unit diagonal whose smallest eigenvalue (or Cholesky pivot) is
#: below this is singular for our purposes: some combination of parameters is
#: undetermined (correlations within 1e-10 of 1), and its uncertainties are meaningless.
RCOND = 1e-10

#: A parameter with more than this weight in a null eigenvector is undetermined.
NULL_WEIGHT = 1e-4


def column_sums(a, b, scratch=None):
    """
    Column sums of ``a * b`` for ``(M, N)`` arrays, in the arrays' precision.

    Multiply and add release the GIL (`numpy.einsum` does not), so threads fitting other
    batches run meanwhile.
    """
    return np.multiply(a, b, out=scratch).sum(axis=0)


def diagonal(a):
    """The diagonal ``(F, N)`` of a stack ``(F, F, N)``, as a view with contiguous rows."""
    f, _, n = a.shape
    return a.reshape(f * f, n)[:: f + 1]


def _to_stack(a):
    """``(F, F, N)`` to the ``(N, F, F)`` layout LAPACK wants."""
    return np.ascontiguousarray(a.transpose(2, 0, 1))


def _cholesky(a, damp=None, frozen=None):
    """
    Cholesky factors of ``a + diag(damp)``, element by element.

    ``frozen`` parameters ``(F, N)`` are decoupled (unit row and column). Returns the
    factors and the matrix elements as dicts of ``(N,)`` vectors (views of ``a`` where
    unchanged), and where the matrix is positive definite.
    """
    f, _, n = a.shape
    elements = {}
    for i in range(f):
        for j in range(i + 1):
            value = a[i, j]
            if i == j and damp is not None:
                value = value + damp[i]
            if frozen is not None:
                value = value.copy()
                if i == j:
                    value[frozen[i]] = 1.0
                else:
                    value[frozen[i] | frozen[j]] = 0.0
            elements[i, j] = elements[j, i] = value
    low = {}
    positive = np.ones(n, dtype=bool)
    for j in range(f):
        s = elements[j, j]
        for k in range(j):
            s = s - low[j, k] * low[j, k]
        positive &= s > 0
        d = np.sqrt(np.where(s > 0, s, 1.0))
        low[j, j] = d
        for i in range(j + 1, f):
            t = elements[i, j]
            for k in range(j):
                t = t - low[i, k] * low[j, k]
            low[i, j] = t / d
    return low, elements, positive


def _triangular_inverse(low, f):
    """The inverse of the lower-triangular factor ``low``, element by element."""
    inv = {}
    for j in range(f):
        inv[j, j] = 1.0 / low[j, j]
        for i in range(j + 1, f):
            t = low[i, j] * inv[j, j]
            for k in range(j + 1, i):
                t = t + low[i, k] * inv[k, j]
            inv[i, j] = -t / low[i, i]
    return inv


def _cho_solve(low, elements, positive, b):
    """
    Solve with `_cholesky` factors for right-hand sides ``b`` ``(F, N)``; matrices that
    are not positive definite go to LAPACK (or its pseudo-inverse when singular).
    """
    f = b.shape[0]
    z = []
    for i in range(f):
        t = b[i].copy()
        for k in range(i):
            t -= low[i, k] * z[k]
        z.append(t / low[i, i])
    out = np.empty_like(b)
    for i in reversed(range(f)):
        t = z[i]
        for k in range(i + 1, f):
            t = t - low[k, i] * out[k]
        out[i] = t / low[i, i]
    if not positive.all():
        bad = ~positive
        full = np.stack([np.stack([elements[i, j][bad] for j in range(f)]) for i in range(f)])
        out[:, bad] = _lapack_solve(full, b[:, bad])
    return out


def _lapack_solve(a, b):
    """Solve ``(F, F, N)`` systems for ``(F, N)`` right-hand sides with LAPACK."""
    stack = _to_stack(a)
    rhs = np.ascontiguousarray(b.T)[:, :, None]
    try:
        return np.linalg.solve(stack, rhs)[:, :, 0].T
    except np.linalg.LinAlgError:
        return np.einsum("nij,nj->in", np.linalg.pinv(stack), rhs[:, :, 0])


def spd_solve(a, b, damp=None, frozen=None):
    """
    Solve ``(a + diag(damp)) x = b`` for a stack of symmetric positive-definite matrices.

    Parameters
    ----------
    a : numpy.ndarray
        ``(F, F, N)``.
    b : numpy.ndarray
        ``(F, N)``; must be 0 where ``frozen``.
    damp : numpy.ndarray, optional
        ``(F, N)`` added to the diagonal.
    frozen : numpy.ndarray of bool, optional
        ``(F, N)``: parameters that take no step.

    Returns
    -------
    numpy.ndarray
        ``(F, N)``.
    """
    f = b.shape[0]
    if f <= UNROLLED_MAX:
        return _cho_solve(*_cholesky(a, damp, frozen), b)
    system = a.copy()
    if damp is not None:
        diagonal(system)[...] += damp
    if frozen is not None and frozen.any():
        keep = ~frozen
        system *= keep[:, None, :] & keep[None, :, :]
        diagonal(system)[...] += frozen
    return _lapack_solve(system, b)


def spd_inverse(a, diagonal_only=False):
    """
    Inverses of a stack of symmetric matrices ``(F, F, N)``, and which parameters they
    leave undetermined.

    The matrices are scaled to a unit diagonal first. A parameter is undetermined when
    it has no sensitivity, when its scaled variance exceeds ``1 / RCOND`` (correlations
    within about 1e-10 of 1), or, in a matrix that is not positive definite, when it
    has a weight above `NULL_WEIGHT` in an eigenvector whose eigenvalue is below `RCOND`.
    Such matrices get the pseudo-inverse over the determined directions.

    Parameters
    ----------
    a : numpy.ndarray
        ``(F, F, N)``.
    diagonal_only : bool, optional
        Only the diagonal of the inverses (e.g. for variances).

    Returns
    -------
    inverse : numpy.ndarray
        ``(F, F, N)``, or its diagonal ``(F, N)``.
    undetermined : numpy.ndarray of bool
        ``(F, N)``.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _spd_inverse(a, diagonal_only)


def _spd_inverse(a, diagonal_only):
    f, _, n = a.shape
    diag = diagonal(a)
    scale = np.sqrt(np.maximum(diag, 1e-300))
    scaled = a / scale[:, None, :] / scale[None, :, :]
    inverse = np.zeros((f, f, n))
    if f <= UNROLLED_MAX:
        low, _, positive = _cholesky(scaled)
        for j in range(f):
            positive &= low[j, j] ** 2 > RCOND
        inv = _triangular_inverse(low, f)
        for i in range(f):
            for j in range(i if diagonal_only else 0, i + 1):
                total = inv[i, i] * inv[i, j]
                for k in range(i + 1, f):
                    total = total + inv[k, i] * inv[k, j]
                inverse[i, j] = inverse[j, i] = total
    else:
        positive = np.zeros(n, dtype=bool)
    undetermined = ~(diagonal(inverse) <= 1 / RCOND)
    if not positive.all():
        bad = ~positive
        pseudo, null = _pseudo_inverse(_to_stack(scaled[..., bad]))
        inverse[..., bad] = pseudo.transpose(1, 2, 0)
        undetermined[:, bad] = null.T
    undetermined |= ~(diag > 0)
    if diagonal_only:
        return diagonal(inverse) / scale**2, undetermined
    return inverse / scale[:, None, :] / scale[None, :, :], undetermined


def _pseudo_inverse(stack):
    """
    Pseudo-inverses of ``(N, F, F)`` symmetric matrices over their eigenvectors with
    eigenvalues of at least `RCOND`, and the parameters ``(N, F)`` the others touch.
    """
    values, vectors = np.linalg.eigh(stack)
    null = ~(values >= RCOND)
    reciprocal = np.where(null, 0.0, 1.0 / np.where(null, 1.0, values))
    pseudo = (vectors * reciprocal[:, None, :]) @ vectors.transpose(0, 2, 1)
    weight = np.einsum("nik,nk->ni", vectors**2, null.astype(float))
    return pseudo, weight > NULL_WEIGHT
