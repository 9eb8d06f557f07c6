"""
Errors and warnings raised by irispy-plus.

Every error the package raises on purpose derives from `IrispyPlusError`, and every
warning from `IrispyPlusWarning`, so that callers can catch the whole family at once.
"""

import warnings

__all__ = [
    "IrispyPlusDiagnosticError",
    "IrispyPlusDownloadError",
    "IrispyPlusError",
    "IrispyPlusFileError",
    "IrispyPlusSearchError",
    "IrispyPlusUserWarning",
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


class IrispyPlusSearchError(IrispyPlusError):
    """
    A search of the HEK Coverage Registry failed or returned something unusable.
    """


class IrispyPlusDownloadError(IrispyPlusError):
    """
    A download or the unpacking of a downloaded file failed.
    """


class IrispyPlusDiagnosticError(IrispyPlusError, ValueError):
    """
    A spectral diagnostic (Mg II features, red-blue asymmetry...) cannot be computed
    from the given data or arguments.
    """


class IrispyPlusWarning(Warning):
    """
    Base class of every warning irispy-plus emits.
    """


class IrispyPlusUserWarning(UserWarning, IrispyPlusWarning):
    """
    A warning meant for the user: something was done that they may not expect.
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
    """
    warnings.warn(message, IrispyPlusUserWarning, stacklevel=stacklevel + 1)
