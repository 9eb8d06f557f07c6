"""
Session-wide test settings for everything pytest collects (the tests, the doctests of
the package, README.md and docs/): no screen, and no network (connections to anything
but this machine raise `irispy_plus.testing.network.OutsideConnectionError`).
"""

import os

import pytest

from irispy_plus.testing.network import no_outside_connections

# Figures render with Agg and Qt widgets offscreen: the tests need no display.
os.environ.setdefault("MPLBACKEND", "agg")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _no_network():
    """Refuse connections outside this machine for the whole session (loopback works)."""
    with no_outside_connections():
        yield
