"""
Small helpers shared by every part of irispy-plus: errors, warnings and the logger.
"""

from irispy_plus.utils.exceptions import (
    IrispyPlusDiagnosticError,
    IrispyPlusDownloadError,
    IrispyPlusError,
    IrispyPlusFileError,
    IrispyPlusSearchError,
    IrispyPlusUserWarning,
    IrispyPlusWarning,
    warn_user,
)
from irispy_plus.utils.logger import log

__all__ = [
    "IrispyPlusDiagnosticError",
    "IrispyPlusDownloadError",
    "IrispyPlusError",
    "IrispyPlusFileError",
    "IrispyPlusSearchError",
    "IrispyPlusUserWarning",
    "IrispyPlusWarning",
    "log",
    "warn_user",
]
