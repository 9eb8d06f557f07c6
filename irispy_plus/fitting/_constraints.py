"""
Tied and fixed parameters: a linear map from the free parameters to all of them.

A tied parameter is ``scale * source + offset`` of a free one (e.g. a fixed line
separation or intensity ratio); a fixed one is a tie to a constant, its initial value.
"""

import re

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusFitError

__all__ = ["Constraints"]


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
        """
        All parameters ``(P, N)`` from the free ones ``(F, N)``; fixed ones from ``p0``.

        Parameter-major, as the solver keeps them: one row per parameter.
        """
        if self.trivial:
            return q.copy()
        # einsum rather than BLAS, whose rounding may depend on how many spectra there are.
        p = np.einsum("pf,fn->pn", self.matrix, q) + self.offset[:, None]
        if self.fixed_mask.any():
            p[self.fixed_mask] = p0[self.fixed_mask]
        return p

    def free_bounds(self, lower, upper):
        """Bounds ``(F, N)`` on the free parameters implied by the bounds ``(P, N)`` of all."""
        lo = lower[self.free]
        hi = upper[self.free]
        for target, (source, scale, offset) in self.ties.items():
            if scale == 0:
                continue
            j = self.names.index(target)
            k = self.free.index(self.names.index(source))
            a = (lower[j] - offset) / scale
            b = (upper[j] - offset) / scale
            lo[k] = np.maximum(lo[k], np.minimum(a, b))
            hi[k] = np.minimum(hi[k], np.maximum(a, b))
        return lo, hi
