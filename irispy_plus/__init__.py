"""
irispy-plus: find, read, analyse, view and keep IRIS Level 2 data.

Importing the package registers the HEK Coverage Registry client with
`sunpy.net.Fido`, so ``Fido.search(a.Instrument.iris, ...)`` finds IRIS observations.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from irispy_plus import net
from irispy_plus.asdf import load, load_vars, save, save_vars
from irispy_plus.io import read_files
from irispy_plus.obsid import ObsID, decode_obsid
from irispy_plus.utils.logger import log

try:
    __version__ = _version("irispy-plus")
except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
    __version__ = "unknown"

__all__ = [
    "ObsID",
    "__version__",
    "decode_obsid",
    "load",
    "load_vars",
    "log",
    "net",
    "read_files",
    "save",
    "save_vars",
]
