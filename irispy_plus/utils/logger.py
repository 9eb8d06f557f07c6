"""
The package logger.
"""

import logging

__all__ = ["log"]

log = logging.getLogger("irispy_plus")
log.addHandler(logging.NullHandler())
