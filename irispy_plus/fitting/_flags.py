"""
Status bits of fitted spectra and quality bits of every derived map.

`QualityFlag` is the one list of named bits that every derived map of irispy-plus
carries (fits, moments, Mg II features, red-blue asymmetry): its first five bits are
`FitFlag`'s, with the same names and values, so that one flag map can be read with
either.
"""

from enum import IntFlag

__all__ = ["FAILED", "FitFlag", "QualityFlag", "flag_bits"]


class FitFlag(IntFlag):
    """
    Status bits of a fitted spectrum (0 means a converged, regular fit).

    These are the first five bits of `QualityFlag`.

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


class QualityFlag(IntFlag):
    """
    Quality bits of a derived map: 0 means a regular value.

    One value per spectrum (pixel of the map); the bits add up. The maps of
    `~irispy_plus.fitting.FitResult` use the first five (`FitFlag`),
    `~irispy_plus.diagnostics.mg_features` and
    `~irispy_plus.diagnostics.red_blue_asymmetry` the others too. A flag map's ``meta``
    holds ``{"bits": {name: value}}``.

    Attributes
    ----------
    NOT_CONVERGED
        (fits) The iteration limit was reached before the convergence tests held.
    NO_DATA
        No usable value: too few valid pixels (fits), or the spectral range needed
        (a Mg II line and its ``vrange``, a red-blue band) is not in the window.
    NO_SIGNAL
        The valid pixels are all equal or there is nothing above zero (e.g. a dark or
        saturated-to-zero spectrum).
    SINGULAR
        (fits) Some parameters are not determined by the data.
    AT_BOUND
        (fits) A free parameter ended on one of its bounds.
    FILL
        Some of the pixels needed are fill or masked (NaN, Level 2 fill at -200 DN, or
        the cube's mask): the values are NaN.
    NO_PEAK
        (Mg II) No local maximum within ``vrange``: no core, no peaks.
    SINGLE_PEAK
        (Mg II) One emission peak and no central reversal: the core is the peak and the
        k2v/k2r (h2v/h2r) values are NaN.
    CORE_AT_EDGE
        (Mg II) The core is within one spectral pixel of the edge of ``vrange``: the
        true core may lie outside.
    NOISY
        The estimated noise is above the threshold relative to the peak (S/N below
        ``1 / noise_limit``); the values are kept but are unreliable.
    CENTRE_FAILED
        (red-blue) The line centre could not be measured (a failed fit or moments with
        no signal): no asymmetry.
    OUT_OF_RANGE
        (density) The line ratio lies outside the range of the density curve.
    """

    NOT_CONVERGED = 1
    NO_DATA = 2
    NO_SIGNAL = 4
    SINGULAR = 8
    AT_BOUND = 16
    FILL = 32
    NO_PEAK = 64
    SINGLE_PEAK = 128
    CORE_AT_EDGE = 256
    NOISY = 512
    CENTRE_FAILED = 1024
    OUT_OF_RANGE = 2048


#: Flags that mean a spectrum has no usable fit.
FAILED = FitFlag.NOT_CONVERGED | FitFlag.NO_DATA | FitFlag.NO_SIGNAL


def flag_bits():
    """The ``{name: value}`` table of `QualityFlag`, for a flag map's ``meta``."""
    return {flag.name: int(flag) for flag in QualityFlag}
