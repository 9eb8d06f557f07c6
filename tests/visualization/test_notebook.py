"""
The quick-look viewers in a notebook: the ipympl backend, driven by the same events.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

# Looked up, not imported: importing ipympl here would switch this process's backend.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("ipympl") is None, reason="ipympl is not installed")

_SCRIPT = """
import matplotlib.pyplot as plt
from irispy_plus import read_cube, read_files
from irispy_plus.data import sample
from irispy_plus.visualization import quick_look, sji_quick_look
from irispy_plus.testing.viewer_events import pointer, press

viewer = quick_look(read_files(sample.SNS_RASTER, as_observation=True))
assert type(viewer.figure.canvas).__module__ == "ipympl.backend_nbagg", type(viewer.figure.canvas)
start = (viewer.step, viewer.slit)
press(viewer, "right")
assert (viewer.step, viewer.slit) == (start[0] + 1, start[1]), (viewer.step, viewer.slit)
pointer(viewer, "xy_map", 10, 5)
assert (viewer.step, viewer.slit) == (10, 5), (viewer.step, viewer.slit)
press(viewer, "a")
assert len(viewer.points) == 1
sji = sji_quick_look(read_cube(sample.SNS_SJI_1400))
start = sji.frame_index
press(sji, "right")
assert sji.frame_index == start + 1, sji.frame_index
print("ok")
"""


def test_viewers_run_under_ipympl():
    # A separate interpreter: the backend is chosen before pyplot is imported, as in a
    # notebook after ``%matplotlib widget``.
    env = {**os.environ, "MPLBACKEND": "module://ipympl.backend_nbagg"}
    command = [sys.executable, "-c", _SCRIPT]
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
