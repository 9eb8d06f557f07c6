"""
Fixtures of the calibration tests: the SolarSoft reference outputs and the sample cubes.
"""

from pathlib import Path

import pytest
import scipy.io

DATA = Path(__file__).parents[1] / "data" / "calibration"


@pytest.fixture(scope="session")
def idl_response():
    """SolarSoft iris_get_response output for 2025-08-05T22:25:04.723 (version 9)."""
    return scipy.io.readsav(DATA / "iris_response_2025_08_05T22_25_04_723.sav")["iris_response"][0]


@pytest.fixture(scope="session")
def idl_xput():
    """SolarSoft fit_iris_xput inputs and output."""
    return scipy.io.readsav(DATA / "fit_iris_xput_input.sav"), scipy.io.readsav(
        DATA / "fit_iris_xput_output.sav"
    )


@pytest.fixture(scope="session")
def idl_calib_spectrum():
    """SolarSoft iris_calib_spectrum input and output."""
    return scipy.io.readsav(DATA / "input_calibration.sav"), scipy.io.readsav(DATA / "output_calibration.sav")


@pytest.fixture(scope="session")
def sns_rasters():
    from irispy_plus import read_files
    from irispy_plus.data import sample

    return read_files(sample.SNS_RASTER, uncertainty=True, as_observation=True)


@pytest.fixture(scope="session")
def sns_sji():
    from irispy_plus import read_cube
    from irispy_plus.data import sample

    return read_cube(sample.SNS_SJI_1400)
