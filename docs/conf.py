"""
Sphinx configuration of the irispy-plus documentation.
"""

from importlib.metadata import version as _version

project = "irispy-plus"
author = "The irispy-plus developers"
copyright = "2026, The irispy-plus developers"
release = _version("irispy-plus")

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
]
numpydoc_show_class_members = False
autodoc_default_options = {"inherited-members": False, "show-inheritance": True}
nitpicky = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
intersphinx_mapping = {}
suppress_warnings = ["ref.python", "autosummary.import_cycle"]
