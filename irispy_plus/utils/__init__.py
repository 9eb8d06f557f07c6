"""
Small helpers shared by every part of irispy-plus: errors, warnings and the logger.
"""

from irispy_plus.utils.exceptions import (
    IrispyPlusAlignmentError,
    IrispyPlusDamagedFileError,
    IrispyPlusDeprecationWarning,
    IrispyPlusDiagnosticError,
    IrispyPlusDownloadError,
    IrispyPlusError,
    IrispyPlusFileError,
    IrispyPlusHeaderError,
    IrispyPlusIndexError,
    IrispyPlusLimitError,
    IrispyPlusMapError,
    IrispyPlusSearchError,
    IrispyPlusUsageError,
    IrispyPlusUserWarning,
    IrispyPlusWarning,
    warn_user,
)
from irispy_plus.utils.logger import log

__all__ = [
    "IrispyPlusAlignmentError",
    "IrispyPlusDamagedFileError",
    "IrispyPlusDeprecationWarning",
    "IrispyPlusDiagnosticError",
    "IrispyPlusDownloadError",
    "IrispyPlusError",
    "IrispyPlusFileError",
    "IrispyPlusHeaderError",
    "IrispyPlusIndexError",
    "IrispyPlusLimitError",
    "IrispyPlusMapError",
    "IrispyPlusSearchError",
    "IrispyPlusUsageError",
    "IrispyPlusUserWarning",
    "IrispyPlusWarning",
    "log",
    "warn_user",
]
