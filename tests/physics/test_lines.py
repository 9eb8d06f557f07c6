import astropy.units as u
import numpy as np
import pytest

from irispy_plus.physics import (
    IrispyPlusLineError,
    find_lines,
    line_list,
    lines_in_window,
    rest_wavelength,
    window_channel,
    windows,
)


def test_line_list_columns_and_units():
    table = line_list()
    assert table.colnames == ["ion", "element", "wavelength", "log_temperature", "window", "note"]
    assert table["wavelength"].unit == u.AA
    assert np.all(np.diff(table["wavelength"].value) >= 0)
    for ion, element in zip(table["ion"], table["element"], strict=True):
        assert ion.split()[0] == element
    # A copy: changing it leaves the package's table alone.
    table["wavelength"][0] = 0 * u.AA
    assert line_list()["wavelength"][0] > 1000 * u.AA


@pytest.mark.parametrize(
    ("ion", "near", "expected"),
    [
        ("Si IV", 1403, 1402.770),
        ("Si IV", 1394, 1393.755),
        ("Mg II", 2796, 2796.352),
        ("O I", 1356, 1355.598),
    ],
)
def test_rest_wavelengths(ion, near, expected):
    assert rest_wavelength(ion, near=near).to_value(u.AA) == pytest.approx(expected)


def test_rest_wavelength_errors():
    with pytest.raises(IrispyPlusLineError, match="near="):
        rest_wavelength("Si IV")
    with pytest.raises(IrispyPlusLineError, match="no line"):
        rest_wavelength("Xx IX")
    assert rest_wavelength("Fe XII") == 1349.382 * u.AA


def test_windows_and_channels():
    table = windows()
    for label in [
        "Si IV 1403",
        "C II 1336",
        "Mg II k 2796",
        "O I 1356",
        "Fe XII 1349",
        "Si IV 1394",
        "1343",
        "2832",
        "2814",
        "2826",
    ]:
        assert label in table["window"]
    assert window_channel("C II 1336") == "FUV short"
    assert window_channel("Si IV 1394") == "FUV long"
    assert window_channel("2832") == "NUV"
    with pytest.raises(IrispyPlusLineError, match="not an IRIS standard window"):
        window_channel("Ca II 3934")


def test_lines_in_window():
    assert set(lines_in_window("Si IV 1403")["ion"]) == {"O IV", "Si IV", "S IV", "Fe II"}
    assert len(lines_in_window("2832")) == 0
    h = lines_in_window("Mg II h 2803")
    assert h["wavelength"].value.tolist() == [2801.902, 2803.53, 2805.346]


def test_find_lines_filters():
    mg_fe = find_lines(element=["Mg", "Fe"], window="Mg II k 2796")
    assert set(mg_fe["ion"]) == {"Mg II", "Fe I"}
    fe = find_lines(element="fe")
    assert set(fe["ion"]) == {"Fe I", "Fe II", "Fe XII", "Fe XXI"}
    both = find_lines(element=["Mg", "Fe"], window=["Si IV 1403", "Mg II k 2796"])
    assert set(both["element"]) == {"Mg", "Fe"}
    ranged = find_lines(wavelength_range=[1393, 1394] * u.AA)
    assert list(ranged["ion"]) == ["Ni II", "Si IV"]
    assert len(find_lines(ion="si iv")) == 2
    with pytest.raises(IrispyPlusLineError):
        find_lines(window="nonsense")
