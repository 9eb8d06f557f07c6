"""
Fixtures of the ASDF tests: cubes read fresh from the bundled sample, and helpers that
compare what was saved with what was loaded.
"""

import pytest

from irispy_plus import read_cube, read_files
from irispy_plus.data import sample


@pytest.fixture
def sns_raster():
    """The sit-and-stare raster windows, with uncertainties."""
    return read_files(sample.SNS_RASTER, uncertainty=True, as_observation=True)


@pytest.fixture
def si_iv(sns_raster):
    """The Si IV 1403 window of the sit-and-stare raster."""
    return sns_raster.cube("Si IV 1403")


@pytest.fixture
def sji():
    """The 1400 slit-jaw series."""
    return read_cube(sample.SJI_1400)
