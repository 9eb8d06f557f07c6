"""
Line models: sums of Gaussians and Lorentzians on a constant or linear background.

Parameters are ordered as in the IRIS tutorial: the background first (``c``, then
``slope`` for a linear background), then three per component, ``amp<i>``, ``mu<i>`` and
``sigma<i>`` (Gaussian standard deviation) or ``gamma<i>`` (Lorentzian half width at half
maximum), ``i`` counting from 1. Models evaluate and differentiate many spectra at once:
parameters have shape ``(N, P)`` and the result ``(N, M)`` for ``M`` wavelengths.
"""

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusFitError

__all__ = ["IrispyPlusFitError", "LineModel"]

_KINDS = ("gaussian", "lorentzian")
_BACKGROUNDS = ("constant", "linear")


class LineModel:
    """
    A sum of Gaussian and/or Lorentzian lines on a constant or linear background.

    Parameters
    ----------
    components : sequence of str or str, optional
        ``"gaussian"`` or ``"lorentzian"`` per line, e.g. ``("gaussian", "gaussian")``.
        A single string is one component.
    background : {"constant", "linear"}, optional
        The background; a linear one is ``c + slope * (wavelength - reference)``.
    reference : float, optional
        The wavelength (Å) about which the linear background is expanded. Set by the fitter
        to the middle of the fitted range when not given.

    Raises
    ------
    IrispyPlusFitError
        If a component or background kind is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import LineModel
    >>> model = LineModel(["gaussian", "lorentzian"])
    >>> model.parameter_names
    ['c', 'amp1', 'mu1', 'sigma1', 'amp2', 'mu2', 'gamma2']
    >>> x = np.array([-0.1, 0.0, 0.1])
    >>> LineModel().evaluate(x, np.array([1.0, 10.0, 0.0, 0.1])).round(3)
    array([ 7.065, 11.   ,  7.065])
    """

    def __init__(self, components=("gaussian",), background="constant", reference=None):
        if isinstance(components, str):
            components = (components,)
        components = tuple(str(kind).lower() for kind in components)
        for kind in components:
            if kind not in _KINDS:
                msg = f"component {kind!r} is not one of {_KINDS}."
                raise IrispyPlusFitError(msg)
        if not components:
            msg = "a line model needs at least one component."
            raise IrispyPlusFitError(msg)
        if background not in _BACKGROUNDS:
            msg = f"background={background!r} is not one of {_BACKGROUNDS}."
            raise IrispyPlusFitError(msg)
        self.components = components
        self.background = background
        self.reference = reference

    def __repr__(self):
        return (
            f"LineModel(components={list(self.components)!r}, background={self.background!r}, "
            f"reference={self.reference!r})"
        )

    def __eq__(self, other):
        return isinstance(other, LineModel) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash((self.components, self.background, self.reference))

    def to_dict(self):
        """
        The model as plain values, for serialisation.

        Returns
        -------
        dict
            ``components`` (list of str), ``background`` (str), ``reference`` (float or None).
        """
        return {
            "components": list(self.components),
            "background": self.background,
            "reference": self.reference,
        }

    @classmethod
    def from_dict(cls, state):
        """
        Rebuild a model from `to_dict` output.

        Parameters
        ----------
        state : dict
            As returned by `to_dict`.

        Returns
        -------
        LineModel
        """
        return cls(state["components"], state["background"], state.get("reference"))

    @property
    def n_background(self):
        """Number of background parameters (1 or 2)."""
        return 1 if self.background == "constant" else 2

    @property
    def n_components(self):
        """Number of line components."""
        return len(self.components)

    @property
    def n_parameters(self):
        """Total number of parameters."""
        return self.n_background + 3 * self.n_components

    @property
    def parameter_names(self):
        """Parameter names in order, e.g. ``['c', 'amp1', 'mu1', 'sigma1']``."""
        names = ["c"] if self.background == "constant" else ["c", "slope"]
        for i, kind in enumerate(self.components, start=1):
            width = "sigma" if kind == "gaussian" else "gamma"
            names += [f"amp{i}", f"mu{i}", f"{width}{i}"]
        return names

    def component_slice(self, index):
        """
        The slice of the parameter vector holding component ``index`` (1-based).

        Parameters
        ----------
        index : int
            Component number, from 1.

        Returns
        -------
        slice
        """
        if not 1 <= index <= self.n_components:
            msg = f"component={index} is out of range 1..{self.n_components}."
            raise IrispyPlusFitError(msg)
        start = self.n_background + 3 * (index - 1)
        return slice(start, start + 3)

    def _xref(self, x):
        return x - (self.reference or 0.0)

    def evaluate(self, x, params, components=None):
        """
        Evaluate the model.

        Parameters
        ----------
        x : numpy.ndarray
            Wavelengths, shape ``(M,)`` (Å).
        params : numpy.ndarray
            Parameters, shape ``(..., P)``.
        components : list of int, optional
            Only these components (1-based) and no background; all and the background
            by default.

        Returns
        -------
        numpy.ndarray
            Shape ``(..., M)``.
        """
        params = np.asarray(params, dtype=float)
        x = np.asarray(x, dtype=float)
        lead = params.shape[:-1]
        out = np.zeros((*lead, x.shape[-1]))
        if components is None:
            out += params[..., :1]
            if self.background == "linear":
                out += params[..., 1:2] * self._xref(x)
            components = range(1, self.n_components + 1)
        for index in components:
            block = params[..., self.component_slice(index)]
            amp, mu, width = block[..., 0:1], block[..., 1:2], block[..., 2:3]
            if self.components[index - 1] == "gaussian":
                out += amp * np.exp(-0.5 * ((x - mu) / width) ** 2)
            else:
                out += amp * width**2 / ((x - mu) ** 2 + width**2)
        return out

    def evaluate_with_jacobian(self, x, params, workspace=None, constant_column=True):
        """
        Evaluate the model and its derivatives, wavelength-major (the solver's layout).

        Arrays are laid out with spectra along the last, contiguous axis so that every
        operation runs over long rows.

        Parameters
        ----------
        x : numpy.ndarray
            Wavelengths, shape ``(M,)``.
        params : numpy.ndarray
            Parameters, shape ``(P, N)``.
        workspace : dict, optional
            Reusable memory: arrays are carved from it instead of being allocated on every
            call (fresh memory costs page faults). Filled on first use; the returned arrays
            are views into it, valid until the next call with the same workspace.
        constant_column : bool, optional
            Fill the derivative with respect to ``c`` (all ones); a caller that knows it
            can skip writing it.

        Returns
        -------
        model : numpy.ndarray
            Shape ``(M, N)``.
        jacobian : numpy.ndarray
            Shape ``(P, M, N)``: derivative with respect to each parameter.
        """
        params = np.asarray(params)
        dtype = np.result_type(params, x, np.float32)
        n, m = params.shape[1], x.shape[-1]
        xc = np.asarray(x, dtype=dtype)[:, None]

        def buffer(name, shape):
            if workspace is None:
                return np.empty(shape, dtype=dtype)
            size = int(np.prod(shape))
            flat = workspace.get(name)
            if flat is None or flat.size < size or flat.dtype != dtype:
                flat = workspace[name] = np.empty(size, dtype=dtype)
            return flat[:size].reshape(shape)

        jac = buffer("jacobian", (self.n_parameters, m, n))
        model = buffer("model", (m, n))
        scratch = buffer("scratch", (m, n))
        scratch2 = buffer("scratch2", (m, n))
        first = True
        if constant_column:
            jac[0] = 1.0
        if self.background == "linear":
            xr = self._xref(xc)
            np.add(params[1] * xr, params[0], out=model)
            first = False
            jac[1] = xr
        for index, kind in enumerate(self.components, start=1):
            k = self.component_slice(index).start
            amp, mu, width = params[k], params[k + 1], params[k + 2]
            inv = 1.0 / width
            if kind == "gaussian":
                z = np.subtract(xc, mu, out=scratch)
                z *= inv
                zz = np.multiply(z, z, out=jac[k + 2])
                shape = np.multiply(zz, -0.5, out=jac[k])
                np.exp(shape, out=shape)
                term = np.multiply(shape, amp, out=scratch2)
                if first:
                    np.add(term, params[0], out=model)
                    first = False
                else:
                    model += term
                term *= inv
                np.multiply(term, z, out=jac[k + 1])
                jac[k + 2] *= term
            else:
                dx = np.subtract(xc, mu, out=scratch)
                denom = dx * dx
                denom += width * width
                rec = np.divide(1.0, denom, out=denom)
                shape = np.multiply(rec, width * width, out=jac[k])
                term = np.multiply(shape, amp, out=scratch2)
                if first:
                    np.add(term, params[0], out=model)
                    first = False
                else:
                    model += term
                term *= rec
                term *= 2
                np.multiply(term, dx, out=jac[k + 1])
                dx *= dx
                dx *= inv
                np.multiply(term, dx, out=jac[k + 2])
        return model, jac
