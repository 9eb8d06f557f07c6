"""
Import optional dependencies where they are used, with a message naming the extra.
"""

import importlib

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["import_optional"]


def import_optional(module_name, extra):
    """
    Import ``module_name``, or explain which irispy-plus extra provides it.

    Parameters
    ----------
    module_name : str
        The module to import, e.g. ``"pyqtgraph"``.
    extra : str
        The extra of irispy-plus that installs it, e.g. ``"qt"``.

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    IrispyPlusError
        If the module is not installed.

    Examples
    --------
    >>> from irispy_plus.utils.optional import import_optional
    >>> import_optional("numpy", "all").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        msg = (
            f"{module_name} is needed for this but is not installed. "
            f"Install it with: pip install 'irispy-plus[{extra}]'"
        )
        raise IrispyPlusError(msg) from error
