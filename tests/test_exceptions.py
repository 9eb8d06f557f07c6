"""
Every error class lives in ``irispy_plus.utils.exceptions``; the old import locations keep
working, and an unknown detector is a package error that says what to give.
"""

import astropy.units as u
import pytest

from irispy_plus.units import DN_FUV, dn_unit, read_noise
from irispy_plus.utils import exceptions
from irispy_plus.utils.exceptions import IrispyPlusDetectorError, IrispyPlusError


def test_every_error_class_lives_in_utils_exceptions():
    import irispy_plus.utils

    errors = [getattr(exceptions, name) for name in exceptions.__all__]
    classes = [error for error in errors if isinstance(error, type)]
    assert all(error.__module__ == "irispy_plus.utils.exceptions" for error in classes)
    assert set(exceptions.__all__) <= set(irispy_plus.utils.__all__)


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("irispy_plus.obsid", "IrispyPlusObsIDError"),
        ("irispy_plus.calibration", "IrispyPlusCalibrationError"),
        ("irispy_plus.calibration._response", "IrispyPlusCalibrationError"),
    ],
)
def test_old_import_locations_still_work(module, name):
    import importlib

    assert getattr(importlib.import_module(module), name) is getattr(exceptions, name)


def test_dn_unit_of_each_detector():
    assert dn_unit("FUV") is DN_FUV
    assert read_noise("FUV") == 3.1 * DN_FUV


@pytest.mark.parametrize("detector", ["SJI_9999", "fuv", "", None, ["FUV"]])
def test_an_unknown_detector_is_a_package_error_naming_the_choices(detector):
    with pytest.raises(IrispyPlusDetectorError, match=r"Unknown IRIS detector .*: give one of FUV, NUV, SJI"):
        dn_unit(detector)
    # Callers that caught the ValueError of earlier versions still catch it.
    with pytest.raises(ValueError, match="Unknown IRIS detector"):
        dn_unit(detector)
    with pytest.raises(IrispyPlusError):
        dn_unit(detector)


def test_read_noise_of_a_unit_that_is_no_camera_s():
    with pytest.raises(IrispyPlusDetectorError, match=r"read_noise was given m, .* DN_IRIS_FUV"):
        read_noise(u.m)
    with pytest.raises(IrispyPlusDetectorError, match="Unknown IRIS detector 'XUV'"):
        read_noise("XUV")
