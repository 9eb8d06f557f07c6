"""
Units and quantities in the IRIS detector units.

The standard ASDF unit tag writes a unit in the VOUnit format, which turns the IRIS DN
units of `irispy_plus.units` into photons (``DN_IRIS_FUV`` becomes ``4photon``): the
value survives but the detector is lost. The converters here write such units as their
astropy string instead, and read them back with the IRIS units enabled
(`irispy_plus.asdf.converters._prepare.prepare` marks the ones that need it).
"""

import numpy as np
from asdf.extension import Converter

__all__ = [
    "IRISQuantity",
    "IRISQuantityConverter",
    "IRISUnit",
    "IRISUnitConverter",
    "has_iris_unit",
    "parse_unit",
]


class IRISUnit:
    """
    A unit that names an IRIS DN unit, marked for the irispy-plus unit tag.
    """

    def __init__(self, unit):
        self.unit = unit


class IRISQuantity:
    """
    A quantity in a unit that names an IRIS DN unit, marked for the irispy-plus tag.
    """

    def __init__(self, quantity):
        self.quantity = quantity


def has_iris_unit(unit):
    """
    Whether ``unit`` is, or is made of, an IRIS DN unit.
    """
    from irispy_plus.units import DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV

    bases = getattr(unit, "bases", None)
    if bases is None:
        return False
    return any(base in (DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV) for base in bases)


def parse_unit(text):
    """
    The unit written as ``text`` (astropy's string form), IRIS DN units included.

    Raises
    ------
    IrispyPlusError
        If the string is not a unit astropy or irispy-plus knows.
    """
    import astropy.units as u

    import irispy_plus.units  # noqa: F401 - enables the IRIS DN units for parsing
    from irispy_plus.utils.exceptions import IrispyPlusError

    try:
        return u.Unit(text, parse_strict="raise")
    except ValueError as error:
        msg = (
            f"The file holds the unit {text!r}, which is neither an astropy unit nor an IRIS "
            f"unit of irispy_plus.units ({error}). The file may come from a newer irispy-plus."
        )
        raise IrispyPlusError(msg) from None


class IRISUnitConverter(Converter):
    """
    ASDF converter of units that name an IRIS DN unit.
    """

    tags = ("asdf://irispy-plus.org/tags/unit-1.*",)
    types = (IRISUnit,)

    def to_yaml_tree(self, obj, tag, ctx):
        return obj.unit.to_string()

    def from_yaml_tree(self, node, tag, ctx):
        return parse_unit(node)


class IRISQuantityConverter(Converter):
    """
    ASDF converter of quantities in a unit that names an IRIS DN unit.
    """

    tags = ("asdf://irispy-plus.org/tags/quantity-1.*",)
    types = (IRISQuantity,)

    def to_yaml_tree(self, obj, tag, ctx):
        value = obj.quantity.value
        if np.ndim(value) == 0:
            value = value.item()
        return {"value": value, "unit": IRISUnit(obj.quantity.unit)}

    def from_yaml_tree(self, node, tag, ctx):
        import astropy.units as u

        return u.Quantity(np.asarray(node["value"]), node["unit"], copy=False)
