"""
Session-wide test settings: no screen, no network, no stray VSO client.
"""

import os

# Figures render with Agg and Qt widgets offscreen: the tests need no display.
os.environ.setdefault("MPLBACKEND", "agg")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
