"""
Status bits of fitted spectra.
"""

from enum import IntFlag

__all__ = ["FAILED", "FitFlag"]


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
        The data do not determine some parameters at the solution (e.g. two components
        that have merged, or a line that has vanished): those have no uncertainty (NaN);
        the others' come from the determined part of the covariance.
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
