"""
The IRIS line list: rest wavelengths, formation temperatures and the standard windows.

The table ships with the package as ``lines.ecsv`` (vacuum rest wavelengths in Å, as
IRIS Level 2 wavelength scales are in vacuum). `line_list` returns a copy of it;
`lines_in_window` and `find_lines` select from it; `windows` describes the IRIS standard
spectral windows (label, detector channel and nominal wavelength range).
"""

from functools import cache
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.table import QTable

from irispy_plus.utils.exceptions import IrispyPlusLineError
from irispy_plus.utils.windows import STANDARD_WINDOWS

__all__ = [
    "IrispyPlusLineError",
    "find_lines",
    "line_list",
    "lines_in_window",
    "rest_wavelength",
    "window_channel",
    "windows",
]

_LINES_FILE = Path(__file__).parent / "lines.ecsv"

_WINDOWS = STANDARD_WINDOWS


@cache
def _read_table():
    return QTable.read(_LINES_FILE, format="ascii.ecsv")


def line_list() -> QTable:
    """
    The IRIS line list.

    Returns
    -------
    astropy.table.QTable
        One row per line, sorted by wavelength, with columns ``ion`` (e.g. ``"Si IV"``),
        ``element`` (``"Si"``), ``wavelength`` (rest wavelength in vacuum, Å),
        ``log_temperature`` (log10 of the formation temperature in K), ``window`` (the IRIS
        standard window the line is observed in, e.g. ``"Si IV 1403"``) and ``note``.
        The table is a copy: changing it does not change the package's list.

    Examples
    --------
    >>> from irispy_plus.physics import line_list
    >>> lines = line_list()
    >>> row = lines[lines["ion"] == "Si IV"][1]
    >>> row["wavelength"], row["log_temperature"], row["window"]
    (<Quantity 1402.77 Angstrom>, np.float64(4.9), np.str_('Si IV 1403'))
    """
    return _read_table().copy()


def windows() -> QTable:
    """
    The IRIS standard spectral windows.

    Returns
    -------
    astropy.table.QTable
        Columns ``window`` (label as in Level 2 headers, TDESCn), ``channel``
        (``"FUV short"``, ``"FUV long"`` or ``"NUV"``), ``wavelength_min`` and
        ``wavelength_max`` (nominal range of a full-size window, Å).

    Examples
    --------
    >>> from irispy_plus.physics import windows
    >>> "Mg II k 2796" in windows()["window"]
    True
    """
    labels = list(_WINDOWS)
    return QTable(
        {
            "window": labels,
            "channel": [_WINDOWS[label][0] for label in labels],
            "wavelength_min": [_WINDOWS[label][1] for label in labels] * u.AA,
            "wavelength_max": [_WINDOWS[label][2] for label in labels] * u.AA,
        }
    )


def window_channel(label: str) -> str:
    """
    The detector channel of an IRIS spectral window.

    Parameters
    ----------
    label : str
        Window label, e.g. ``"Si IV 1403"``.

    Returns
    -------
    str
        ``"FUV short"`` (1332-1358 Å), ``"FUV long"`` (1389-1407 Å) or ``"NUV"``.

    Raises
    ------
    IrispyPlusLineError
        If the label is not an IRIS standard window.

    Examples
    --------
    >>> from irispy_plus.physics import window_channel
    >>> window_channel("Si IV 1403")
    'FUV long'
    """
    try:
        return _WINDOWS[label.strip()][0]
    except KeyError:
        msg = f"window={label!r} is not an IRIS standard window; use one of {sorted(_WINDOWS)}."
        raise IrispyPlusLineError(msg) from None


def lines_in_window(label: str) -> QTable:
    """
    The lines within the nominal range of an IRIS standard spectral window.

    Parameters
    ----------
    label : str
        Window label, e.g. ``"Si IV 1403"`` or ``"Mg II h 2803"``.

    Returns
    -------
    astropy.table.QTable
        The rows of `line_list` whose rest wavelength lies in the window's nominal range
        (a window such as ``"2832"`` with no line in the list gives an empty table).

    Raises
    ------
    IrispyPlusLineError
        If the label is not an IRIS standard window.

    Examples
    --------
    >>> from irispy_plus.physics import lines_in_window
    >>> lines_in_window("Si IV 1394")["ion"].tolist()
    ['Fe II', 'Ni II', 'Si IV']
    """
    window_channel(label)
    _, wmin, wmax = _WINDOWS[label.strip()]
    return find_lines(wavelength_range=[wmin, wmax] * u.AA)


def _as_set(value):
    if value is None:
        return None
    if isinstance(value, str):
        return {value.strip().lower()}
    return {str(item).strip().lower() for item in value}


def find_lines(element=None, ion=None, window=None, wavelength_range=None) -> QTable:
    """
    Select lines from the IRIS line list.

    All criteria given must hold (a logical AND); each of ``element``, ``ion`` and
    ``window`` may be one string or a list of strings, matched without regard to case.

    Parameters
    ----------
    element : str or list of str, optional
        Chemical symbols, e.g. ``["Mg", "Fe"]``.
    ion : str or list of str, optional
        Ions, e.g. ``"Si IV"``.
    window : str or list of str, optional
        IRIS standard windows: lines within their nominal wavelength ranges.
    wavelength_range : `~astropy.units.Quantity`, optional
        ``[min, max]`` rest wavelength (a float pair is taken as Å).

    Returns
    -------
    astropy.table.QTable
        The selected rows of `line_list`, sorted by wavelength.

    Raises
    ------
    IrispyPlusLineError
        If a window label is not an IRIS standard window.

    Examples
    --------
    >>> from irispy_plus.physics import find_lines
    >>> (find_lines(element=["Mg", "Ni"], window="Mg II k 2796")["wavelength"].value.tolist())
    [2791.6, 2796.352, 2798.754, 2798.823, 2799.474, 2803.53]
    """
    table = line_list()
    keep = np.ones(len(table), dtype=bool)
    elements = _as_set(element)
    if elements is not None:
        keep &= np.array([str(e).lower() in elements for e in table["element"]])
    ions = _as_set(ion)
    if ions is not None:
        keep &= np.array([" ".join(str(i).lower().split()) in ions for i in table["ion"]])
    labels = _as_set(window)
    if labels is not None:
        in_any = np.zeros(len(table), dtype=bool)
        lookup = {key.lower(): key for key in _WINDOWS}
        for label in labels:
            if label not in lookup:
                window_channel(label)
            _, wmin, wmax = _WINDOWS[lookup[label]]
            wave = table["wavelength"].to_value(u.AA)
            in_any |= (wave >= wmin) & (wave <= wmax)
        keep &= in_any
    if wavelength_range is not None:
        wmin, wmax = u.Quantity(wavelength_range, u.AA).to_value(u.AA)
        wave = table["wavelength"].to_value(u.AA)
        keep &= (wave >= wmin) & (wave <= wmax)
    selected = table[keep]
    selected.sort("wavelength")
    return selected


def rest_wavelength(ion: str, near=None) -> u.Quantity:
    """
    The rest wavelength of a line of an ion.

    Parameters
    ----------
    ion : str
        The ion, e.g. ``"Si IV"``.
    near : `~astropy.units.Quantity` or float, optional
        Pick the line of the ion closest to this wavelength (float: Å). Needed when the
        ion has several lines, e.g. ``near=1403``.

    Returns
    -------
    `~astropy.units.Quantity`
        The rest wavelength in vacuum, Å.

    Raises
    ------
    IrispyPlusLineError
        If the ion is not in the list, or it has several lines and ``near`` is not given.

    Examples
    --------
    >>> from irispy_plus.physics import rest_wavelength
    >>> rest_wavelength("Si IV", near=1403)
    <Quantity 1402.77 Angstrom>
    """
    rows = find_lines(ion=ion)
    if len(rows) == 0:
        msg = f"ion={ion!r} has no line in the IRIS line list; see irispy_plus.physics.line_list()."
        raise IrispyPlusLineError(msg)
    if near is None:
        if len(rows) > 1:
            msg = (
                f"ion={ion!r} has {len(rows)} lines in the IRIS line list; "
                "pass near=<wavelength> to choose one."
            )
            raise IrispyPlusLineError(msg)
        return rows["wavelength"][0]
    near = u.Quantity(near, u.AA)
    return rows["wavelength"][np.argmin(np.abs(rows["wavelength"] - near))]
