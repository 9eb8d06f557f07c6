"""
Sphinx configuration of the irispy-plus documentation.

Build with ``tox -e docs``, or from this folder ``python -m sphinx -W -b html . _build/html``
in an environment where irispy-plus is installed (``pip install -e ".[docs]"``): the
gallery executes the examples, which need the package's ASDF entry points.
"""

import os
import sys
import tomllib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]

# The examples open Qt and matplotlib windows: keep both off any screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "agg")


def _release():
    """The installed version; from pyproject.toml when the package has no metadata here."""
    try:
        return _version("irispy-plus")
    except PackageNotFoundError:
        # A sphinx-build from another environment, or an uninstalled checkout: import the
        # package from this tree and take the version from pyproject.toml.
        sys.path.insert(0, str(_ROOT))
        with (_ROOT / "pyproject.toml").open("rb") as file:
            return tomllib.load(file)["project"]["version"]


project = "irispy-plus"
author = "The irispy-plus developers"
copyright = "2026, The irispy-plus developers"
release = _release()
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "sphinx_automodapi.automodapi",
    "sphinx_automodapi.smart_resolver",
    "sphinx_gallery.gen_gallery",
    "numpydoc",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
automodapi_toctreedirnm = "api"
automodapi_inheritance_diagram = False
automodsumm_inherited_members = False
autodoc_default_options = {"inherited-members": False, "show-inheritance": True}
nitpicky = False
# `name` links to the object of that name, as in the docstrings.
default_role = "obj"
exclude_patterns = ["_build", "generated/gallery/**/*.ipynb", "generated/gallery/**/*.py"]
html_theme = "alabaster"
# Offline builds: no inventories are fetched.
intersphinx_mapping = {}
suppress_warnings = ["ref.python", "autosummary.import_cycle"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "generated/gallery",
    "filename_pattern": "plot_",
    "abort_on_example_error": True,
    "subsection_order": ["../examples/itn45", "../examples/beyond"],
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "write_computation_times": True,
}
