"""
Errors and warnings raised by irispy-plus.

Every error the package raises on purpose derives from `IrispyPlusError`, and every
warning from `IrispyPlusWarning`, so that callers can catch the whole family at once.
"""

import warnings

__all__ = [
    "IrispyPlusAlignmentError",
    "IrispyPlusCalibrationError",
    "IrispyPlusDamagedFileError",
    "IrispyPlusDeprecationWarning",
    "IrispyPlusDetectorError",
    "IrispyPlusDiagnosticError",
    "IrispyPlusDownloadError",
    "IrispyPlusError",
    "IrispyPlusFileError",
    "IrispyPlusFitError",
    "IrispyPlusHeaderError",
    "IrispyPlusIndexError",
    "IrispyPlusLimitError",
    "IrispyPlusLineError",
    "IrispyPlusMapError",
    "IrispyPlusObsIDError",
    "IrispyPlusSearchError",
    "IrispyPlusUsageError",
    "IrispyPlusUserWarning",
    "IrispyPlusVelocityError",
    "IrispyPlusWarning",
    "warn_user",
]


class IrispyPlusError(Exception):
    """
    Base class of every error irispy-plus raises on purpose.
    """


class IrispyPlusFileError(IrispyPlusError, OSError):
    """
    A file is not an IRIS Level 2 file, is damaged, or lacks what is needed.
    """


class IrispyPlusMapError(IrispyPlusError, ValueError):
    """
    An image cannot become a sunpy Map, be reprojected, co-aligned or cleaned as asked.
    """


class IrispyPlusDamagedFileError(IrispyPlusFileError):
    """
    A file is cut short or corrupt: a failed gzip CRC, a broken archive, missing bytes.
    """


class IrispyPlusHeaderError(IrispyPlusFileError):
    """
    A FITS header keyword or a table of an IRIS Level 2 file is missing or unusable.
    """


class IrispyPlusLimitError(IrispyPlusFileError):
    """
    A file is larger, or an archive holds more members, than a configured limit allows.
    """


class IrispyPlusIndexError(IrispyPlusError, IndexError):
    """
    An index into a cube or sequence is out of range or of a form it cannot take.
    """


class IrispyPlusSearchError(IrispyPlusError):
    """
    A search of the HEK Coverage Registry failed or returned something unusable.
    """


class IrispyPlusDownloadError(IrispyPlusError):
    """
    A download or the unpacking of a downloaded file failed.
    """


class IrispyPlusAlignmentError(IrispyPlusError, ValueError):
    """
    Maps or cubes that must cover the same exposures and slit pixels (e.g. the two
    intensities of a line ratio) do not.
    """


class IrispyPlusUsageError(IrispyPlusError):
    """
    The arguments of a call or of the ``irispy-plus`` command are wrong (the command
    exits with status 2).
    """


class IrispyPlusDiagnosticError(IrispyPlusError, ValueError):
    """
    A spectral diagnostic (Mg II features, red-blue asymmetry...) cannot be computed
    from the given data or arguments.
    """


class IrispyPlusCalibrationError(IrispyPlusError, ValueError):
    """
    A calibration was asked for something the response files or the data cannot give.
    """


class IrispyPlusDetectorError(IrispyPlusError, ValueError):
    """
    A detector, slit-jaw band or DN unit is not one of IRIS's (``"FUV"``, ``"NUV"``,
    ``"SJI_1400"``...).
    """


class IrispyPlusObsIDError(IrispyPlusError, ValueError):
    """
    An OBSID is malformed, or the OBS tables shipped with irispy-plus cannot decode it.
    """


class IrispyPlusFitError(IrispyPlusError, ValueError):
    """
    A fit was asked for with inconsistent or invalid arguments.
    """


class IrispyPlusLineError(IrispyPlusError, KeyError):
    """
    A line, ion or spectral window asked for is not in the IRIS line list.
    """

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class IrispyPlusVelocityError(IrispyPlusError, ValueError):
    """
    Per-exposure velocities do not match the exposures of the data.
    """


class IrispyPlusWarning(Warning):
    """
    Base class of every warning irispy-plus emits.
    """


class IrispyPlusUserWarning(UserWarning, IrispyPlusWarning):
    """
    A warning meant for the user: something was done that they may not expect.
    """


class IrispyPlusDeprecationWarning(FutureWarning, IrispyPlusWarning):
    """
    Something the user's code does will change or go away in a coming release.

    A `FutureWarning` rather than a `DeprecationWarning` on purpose: Python hides
    `DeprecationWarning` outside ``__main__``, so users running tutorials, notebooks
    and scripts (whose calls are often in imported helpers) would never see it. The
    message says what changes and what to write instead. Silence it with
    ``warnings.filterwarnings("ignore", category=IrispyPlusDeprecationWarning)``.
    """


def warn_user(message, stacklevel=2):
    """
    Emit an `IrispyPlusUserWarning`.

    Parameters
    ----------
    message : str
        What happened, and what the user can do about it.
    stacklevel : int, optional
        Passed to `warnings.warn`; 2 points at the caller of the function that warns.

    Warns
    -----
    IrispyPlusUserWarning
        Always, with ``message``.

    Examples
    --------
    >>> import warnings
    >>> from irispy_plus.utils import IrispyPlusUserWarning, warn_user
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_user("3 exposures are saturated; they are masked.")
    >>> caught[0].category is IrispyPlusUserWarning, str(caught[0].message)
    (True, '3 exposures are saturated; they are masked.')
    """
    warnings.warn(message, IrispyPlusUserWarning, stacklevel=stacklevel + 1)
