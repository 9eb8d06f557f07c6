"""
The package logger.

irispy-plus logs through ``logging.getLogger("irispy_plus")``, exported as `log`. Until
a level is set on it (``log.setLevel("INFO")``), it passes on only messages at or above
the ``log_level`` configuration item (`irispy_plus.utils.config`, ``WARNING`` by default),
whatever the level of the root logger: some packages (``sunpy.net`` among them) set the
root logger to ``INFO`` with a handler, which would otherwise print every INFO line of
irispy-plus. The ``irispy-plus`` command sets the level from that item, or from its
``--verbose`` flag.
"""

import logging

__all__ = ["log"]

log = logging.getLogger("irispy_plus")
log.addHandler(logging.NullHandler())


def _configured_level():
    from irispy_plus.utils.config import conf

    level = logging.getLevelName(str(conf.log_level).upper())
    return level if isinstance(level, int) else logging.WARNING


class _ConfiguredLevel(logging.Filter):
    """
    Drops messages below the ``log_level`` item while no level is set on the logger.
    """

    def filter(self, record):
        return log.level != logging.NOTSET or record.levelno >= _configured_level()


log.addFilter(_ConfiguredLevel())
