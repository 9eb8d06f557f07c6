"""One home for the window names, the preferred order, the rest wavelengths and the errors."""

import astropy.units as u
import pytest

from irispy_plus.cli import _fit as cli_fit
from irispy_plus.cli import _summary as cli_summary
from irispy_plus.cli._common import choose_window
from irispy_plus.fitting import MGII_H, MGII_K, MGII_TRIPLET, SIIV_1394, SIIV_1403
from irispy_plus.net import client
from irispy_plus.physics import find_lines, rest_wavelength, window_channel, windows
from irispy_plus.utils import exceptions
from irispy_plus.utils.windows import HCR_WINDOWS, PREFERRED_WINDOWS, STANDARD_WINDOWS


def test_every_window_list_names_standard_windows():
    assert list(windows()["window"]) == list(STANDARD_WINDOWS)
    assert set(PREFERRED_WINDOWS) <= set(STANDARD_WINDOWS)
    assert set(HCR_WINDOWS) <= set(STANDARD_WINDOWS)
    assert client.HCR_WINDOWS is HCR_WINDOWS


def test_both_commands_prefer_windows_in_the_one_order():
    assert cli_fit.PREFERRED_WINDOWS is cli_summary.PREFERRED_WINDOWS is PREFERRED_WINDOWS
    rasters = {"C II 1336": None, "Mg II k 2796": None, "2832": None}
    assert choose_window(rasters, None, PREFERRED_WINDOWS) == "Mg II k 2796"
    assert choose_window({"2832": None, "2814": None}, None, PREFERRED_WINDOWS) == "2832"


def test_unknown_window_is_refused_with_the_known_ones():
    with pytest.raises(exceptions.IrispyPlusLineError, match="'Si IV 1400' is not an IRIS standard window"):
        window_channel("Si IV 1400")


def test_preset_rest_wavelengths_come_from_the_line_list():
    assert SIIV_1394 == rest_wavelength("Si IV", near=1394).to_value(u.AA) == 1393.755
    assert rest_wavelength("Si IV", near=1403).to_value(u.AA) == SIIV_1403
    assert MGII_K == rest_wavelength("Mg II", near=2796.4).to_value(u.AA) == 2796.352
    assert MGII_H == rest_wavelength("Mg II", near=2803.5).to_value(u.AA) == 2803.53
    triplet = find_lines(ion="Mg II", wavelength_range=[2798.7, 2798.9] * u.AA)["wavelength"]
    assert len(triplet) == 2
    assert triplet.mean().to_value(u.AA) == pytest.approx(MGII_TRIPLET)


def test_errors_live_with_the_others_and_keep_their_old_homes():
    from irispy_plus import fitting, physics
    from irispy_plus.fitting._models import IrispyPlusFitError
    from irispy_plus.physics.lines import IrispyPlusLineError
    from irispy_plus.physics.velocities import IrispyPlusVelocityError

    assert IrispyPlusFitError is fitting.IrispyPlusFitError is exceptions.IrispyPlusFitError
    assert IrispyPlusLineError is physics.IrispyPlusLineError is exceptions.IrispyPlusLineError
    assert IrispyPlusVelocityError is physics.IrispyPlusVelocityError is exceptions.IrispyPlusVelocityError
    for error in (IrispyPlusFitError, IrispyPlusLineError, IrispyPlusVelocityError):
        assert error.__module__ == "irispy_plus.utils.exceptions"
        assert issubclass(error, exceptions.IrispyPlusError)
    # A KeyError that prints its message without quotes.
    assert str(IrispyPlusLineError("no such line")) == "no such line"
