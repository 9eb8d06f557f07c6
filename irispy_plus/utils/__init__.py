"""
Small helpers shared by every part of irispy-plus: errors, warnings and the logger.
"""

from irispy_plus.utils.exceptions import (
    IrispyPlusAlignmentError,
    IrispyPlusCalibrationError,
    IrispyPlusDamagedFileError,
    IrispyPlusDetectorError,
    IrispyPlusDiagnosticError,
    IrispyPlusDownloadError,
    IrispyPlusError,
    IrispyPlusFileError,
    IrispyPlusFitError,
    IrispyPlusHeaderError,
    IrispyPlusIndexError,
    IrispyPlusLimitError,
    IrispyPlusLineError,
    IrispyPlusMapError,
    IrispyPlusObsIDError,
    IrispyPlusSearchError,
    IrispyPlusUsageError,
    IrispyPlusUserWarning,
    IrispyPlusVelocityError,
    IrispyPlusWarning,
    warn_user,
)
from irispy_plus.utils.logger import log

__all__ = [
    "IrispyPlusAlignmentError",
    "IrispyPlusCalibrationError",
    "IrispyPlusDamagedFileError",
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
    "log",
    "warn_user",
]
