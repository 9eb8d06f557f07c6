"""
Ion data for line widths: masses and formation temperatures.

Masses are standard atomic weights (IUPAC, abridged to four or five significant digits);
formation temperatures come from the IRIS line list (`irispy_plus.physics.line_list`).
"""

import astropy.constants as const
import astropy.units as u
import numpy as np

from irispy_plus.physics.lines import IrispyPlusLineError, find_lines

__all__ = ["formation_temperature", "ion_mass", "thermal_velocity"]

_ATOMIC_WEIGHT = {
    "H": 1.008,
    "He": 4.0026,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "Ne": 20.180,
    "Na": 22.990,
    "Mg": 24.305,
    "Al": 26.982,
    "Si": 28.085,
    "S": 32.06,
    "Cl": 35.45,
    "Ar": 39.95,
    "Ca": 40.078,
    "Mn": 54.938,
    "Fe": 55.845,
    "Ni": 58.693,
}


def _normalise_element(element):
    element = str(element).strip()
    return element[:1].upper() + element[1:].lower()


def _normalise_ion(element, ion):
    ion = str(ion).strip()
    if " " in ion:
        ion = ion.split()[-1]
    return f"{_normalise_element(element)} {ion.upper()}"


def ion_mass(element: str) -> u.Quantity:
    """
    The mass of an ion of ``element`` (the atomic weight; the electrons lost are neglected).

    Parameters
    ----------
    element : str
        Chemical symbol, any case, e.g. ``"Si"``.

    Returns
    -------
    `~astropy.units.Quantity`
        Mass in atomic mass units (u).

    Raises
    ------
    IrispyPlusLineError
        If the element is not in the table.

    Examples
    --------
    >>> from irispy_plus.physics import ion_mass
    >>> ion_mass("si")
    <Quantity 28.085 u>
    """
    key = _normalise_element(element)
    if key not in _ATOMIC_WEIGHT:
        msg = f"element={element!r} has no mass in the ion table; known: {sorted(_ATOMIC_WEIGHT)}."
        raise IrispyPlusLineError(msg)
    return _ATOMIC_WEIGHT[key] * u.u


def formation_temperature(element: str, ion: str) -> u.Quantity:
    """
    The formation temperature of an ion, from the IRIS line list.

    Parameters
    ----------
    element : str
        Chemical symbol, e.g. ``"Si"``.
    ion : str
        Ionisation stage as a Roman numeral, any case (``"iv"``), or the full ion
        (``"Si IV"``).

    Returns
    -------
    `~astropy.units.Quantity`
        Temperature in K (10 to the power of the table's ``log_temperature``).

    Raises
    ------
    IrispyPlusLineError
        If the ion is not in the line list.

    Examples
    --------
    >>> from irispy_plus.physics import formation_temperature
    >>> formation_temperature("Si", "iv").round(-2)
    <Quantity 79400. K>
    """
    name = _normalise_ion(element, ion)
    rows = find_lines(ion=name)
    if len(rows) == 0:
        msg = (
            f"ion {name!r} (element={element!r}, ion={ion!r}) is not in the IRIS line list; "
            "give the temperature explicitly (log_temperature=...)."
        )
        raise IrispyPlusLineError(msg)
    return 10 ** float(rows["log_temperature"][0]) * u.K


@u.quantity_input
def thermal_velocity(mass: u.u, temperature: u.K) -> u.km / u.s:
    r"""
    The most probable thermal speed, :math:`v_t = \sqrt{2 k_B T / m}`.

    This is the :math:`1/e` half-width of the Maxwellian line-of-sight velocity
    distribution, so a thermally broadened line has
    :math:`\sigma_\lambda = \lambda_0 v_t / (\sqrt{2}\, c)`.

    Parameters
    ----------
    mass : `~astropy.units.Quantity`
        Ion mass.
    temperature : `~astropy.units.Quantity`
        Ion temperature.

    Returns
    -------
    `~astropy.units.Quantity`
        Speed in km/s.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.physics import thermal_velocity
    >>> thermal_velocity(28.085 * u.u, 10**4.9 * u.K).round(3)
    <Quantity 6.858 km / s>
    """
    return np.sqrt(2 * const.k_B * temperature / mass).to(u.km / u.s)
