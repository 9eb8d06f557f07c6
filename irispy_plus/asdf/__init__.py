"""
Keep irispy-plus objects in ASDF files.

`save` and `load` keep cubes, sequences and collections of them, fit results, points
of interest and search results; `save_vars` and `load_vars` keep variables by name.
The ASDF extension that lets the ``asdf`` package read and write these types is
registered through entry points (`irispy_plus.asdf.entry_points`), with one versioned
schema per type under ``asdf://irispy-plus.org/schemas/``.
"""

from irispy_plus.asdf._io import load, load_vars, save, save_vars

__all__ = ["load", "load_vars", "save", "save_vars"]
