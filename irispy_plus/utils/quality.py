"""
Quality flags: the named bits every derived map carries, and the map class that carries them.

This is the one place the flags are defined and documented.

- `QualityFlag` is the one list of named bits of every derived map of irispy-plus
  (fits, moments, Doppler velocity, width, non-thermal velocity, Mg II features,
  red-blue asymmetry, ratios, densities). Its first five bits are `FitFlag`'s, with
  the same names and values, so that one flag array can be read with either.
- `DerivedMap` is the `ndcube.NDCube` every derived map is: ``map.flags`` is an int32
  array of `QualityFlag` bits of the data's shape (0: a regular value), and ``map.mask``
  is True where the value is not usable. The flags are sliced with the map
  (``map[0:2].flags``), kept by unit conversion and arithmetic with numbers, and saved
  and loaded with it by `irispy_plus.asdf.save` and `~irispy_plus.asdf.load`.

It sits at the bottom of the package (it imports nothing from irispy-plus above
`irispy_plus.utils`), so that `irispy_plus.physics`, `irispy_plus.fitting` and
`irispy_plus.diagnostics` all make their maps with it.
"""

from enum import IntFlag

import numpy as np
from ndcube import NDCube

__all__ = ["FAILED", "DerivedMap", "FitFlag", "QualityFlag", "flag_bits"]


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

    Examples
    --------
    The bits of a fit's flag combine with ``|`` and are tested with ``&``:

    >>> from irispy_plus.fitting import FitFlag, QualityFlag
    >>> flag = FitFlag.SINGULAR | FitFlag.AT_BOUND
    >>> flag
    <FitFlag.SINGULAR|AT_BOUND: 24>
    >>> bool(flag & FitFlag.NOT_CONVERGED), int(flag)
    (False, 24)
    >>> QualityFlag(int(flag))  # the same bits, read as QualityFlag
    <QualityFlag.SINGULAR|AT_BOUND: 24>
    """

    NOT_CONVERGED = 1
    NO_DATA = 2
    NO_SIGNAL = 4
    SINGULAR = 8
    AT_BOUND = 16


class QualityFlag(IntFlag):
    """
    Quality bits of a derived map: 0 means a regular value.

    One value per spectrum (pixel of the map); the bits add up. Every derived map is a
    `DerivedMap` whose ``flags`` array holds these bits. The maps of
    `~irispy_plus.fitting.FitResult` use the first five (`FitFlag`),
    `~irispy_plus.fitting.moments`, `~irispy_plus.diagnostics.mg_features`,
    `~irispy_plus.diagnostics.red_blue_asymmetry` and the ratio and density maps the
    others too. The separate flag maps some of them also return (``maps["flags"]``,
    ``k_flags``...) hold the same bits, and their ``meta["bits"]`` the
    ``{name: value}`` table (`flag_bits`).

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
        The signal is too weak for the value: the estimated noise is above the
        threshold relative to the peak (S/N below ``1 / noise_limit``; the values are
        kept but unreliable), or (fit maps asked for with ``min_snr=``) the line's
        amplitude is below ``min_snr`` times its uncertainty (the values are masked).
    CENTRE_FAILED
        (red-blue) The line centre could not be measured (a failed fit or moments with
        no signal): no asymmetry.
    OUT_OF_RANGE
        (density) The line ratio lies outside the range of the density curve.

    Examples
    --------
    Name the bits of a flag array, and find the values that carry one of them:

    >>> import numpy as np
    >>> from irispy_plus.fitting import QualityFlag
    >>> flags = np.array([0, 2, 32 | 512], dtype=np.int32)
    >>> [QualityFlag(int(value)) for value in flags]
    [<QualityFlag: 0>, <QualityFlag.NO_DATA: 2>, <QualityFlag.FILL|NOISY: 544>]
    >>> (flags & QualityFlag.NOISY) != 0
    array([False, False,  True])
    >>> QualityFlag.OUT_OF_RANGE.name, int(QualityFlag.OUT_OF_RANGE)
    ('OUT_OF_RANGE', 2048)
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
    """
    The ``{name: value}`` table of `QualityFlag`, for a flag map's ``meta``.

    Examples
    --------
    >>> from irispy_plus.utils.quality import flag_bits
    >>> flag_bits()["FILL"]
    32
    """
    return {flag.name: int(flag) for flag in QualityFlag}


def _default_flags(data, mask):
    """``FILL`` where the data are masked or not finite: the flags of a map made without any."""
    flags = np.zeros(np.shape(data), dtype=np.int32)
    data = np.asarray(data)
    unusable = (
        np.zeros(flags.shape, bool) if mask is None else np.broadcast_to(np.asarray(mask, bool), flags.shape)
    )
    if data.dtype.kind in "fc":
        unusable = unusable | ~np.isfinite(data)
    flags[unusable] |= QualityFlag.FILL
    return flags


class DerivedMap(NDCube):
    """
    A map derived from spectra (a fitted parameter, a moment, a diagnostic), with its
    quality flags.

    It is an `ndcube.NDCube` (data, unit, uncertainty, mask, WCS, extra and global
    coordinates, meta) plus one attribute, `flags`.

    Parameters
    ----------
    *args, **kwargs
        As `ndcube.NDCube`.
    flags : array of int, optional
        `QualityFlag` bits per value, of the data's shape (a map with an extra axis,
        such as the red-blue asymmetry's offset axis, repeats each spectrum's flags
        along it). By default ``FILL`` where the data are masked or not finite.

    Attributes
    ----------
    flags : numpy.ndarray
        int32 `QualityFlag` bits of the data's shape; 0 for a regular value. Read a bit
        with ``map.flags & QualityFlag.NO_DATA``, name them with
        ``QualityFlag(int(map.flags[i, j]))``.

    Raises
    ------
    IrispyPlusMapError
        If ``flags`` does not have the data's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.wcs import WCS
    >>> from irispy_plus.utils.quality import DerivedMap, QualityFlag
    >>> velocity = DerivedMap(np.array([[1.0, np.nan], [3.0, 4.0]]), wcs=WCS(naxis=2))
    >>> velocity.flags
    array([[ 0, 32],
           [ 0,  0]], dtype=int32)
    >>> QualityFlag(int(velocity[0].flags[1]))
    <QualityFlag.FILL: 32>
    """

    flags: np.ndarray

    def __init__(self, *args, flags=None, **kwargs):
        super().__init__(*args, **kwargs)
        source = args[0] if args else kwargs.get("data")
        if flags is None and isinstance(source, DerivedMap):
            flags = source.flags
        if flags is None:
            flags = _default_flags(self.data, self.mask)
        flags = np.asarray(flags)
        if flags.shape != np.shape(self.data) or flags.dtype.kind not in "iub":
            from irispy_plus.utils.exceptions import IrispyPlusMapError

            msg = (
                f"flags must be integer QualityFlag bits of the data's shape {np.shape(self.data)}, "
                f"not a {flags.dtype} array of shape {flags.shape}."
            )
            raise IrispyPlusMapError(msg)
        self.flags = flags.astype(np.int32, copy=False)

    def _slice(self, item):
        # Called by NDCube.__getitem__ with the item already made a tuple of one entry
        # per axis: the flags are indexed as the data are.
        kwargs = super()._slice(item)
        kwargs["flags"] = self.flags[item]
        return kwargs

    def _new_instance(self, **kwargs):
        # Arithmetic with numbers and unit conversion (same shape): the flags carry over.
        new = super()._new_instance(**kwargs)
        if np.shape(new.data) == self.flags.shape:
            new.flags = self.flags.copy()
        return new
