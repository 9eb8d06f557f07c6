"""
Fixtures of the visualization tests: the sample read once, real Agg figures, helpers that
send real key and mouse events through the figure canvas.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import pytest

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sns():
    return read_files(sample.SNS_RASTER, as_observation=True)


@pytest.fixture(scope="module")
def series():
    return read_files(sample.RASTER_SERIES)


@pytest.fixture
def sji():
    return read_cube(sample.SNS_SJI_1400)
