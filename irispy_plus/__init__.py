"""
irispy-plus: find, read, analyse, view and keep IRIS Level 2 data.

Importing the package registers the HEK Coverage Registry client with
`sunpy.net.Fido`, so ``Fido.search(a.Instrument.iris, ...)`` and
``Fido.search(a.iris.ObsID(...))`` find IRIS observations.

How the package imports
-----------------------
``import irispy_plus`` is cheap: it defines the version and the logger, and nothing
else until it is used.

- The public names below (`read_files`, `read_cube`, `save`, `load`, `net`, ...) are PEP 562 lazy
  attributes: ``irispy_plus.read_files`` or ``from irispy_plus import read_files``
  imports `irispy_plus.io` (and so ndcube) on first use.
- The Fido client is registered when `sunpy.net` is imported, by whoever imports it
  (`irispy_plus._fido`): at once if it is already imported, otherwise right after it
  is. A script that uses Fido imports `sunpy.net`, so the client is always there when
  it is needed, and nothing pays for `sunpy.net` that does not use it.
- The ``irispy-plus`` command (`irispy_plus.cli`) builds its parser from sub-command
  modules that import nothing heavy at module level; each sub-command imports what it
  needs when it runs, so ``irispy-plus --help`` and ``irispy-plus --version`` return
  at once.
"""

import importlib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from irispy_plus import _fido
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
    "read_cube",
    "read_files",
    "save",
    "save_vars",
]

#: Each lazy public name and the module that defines it.
_LAZY = {
    "ObsID": "irispy_plus.obsid",
    "decode_obsid": "irispy_plus.obsid",
    "load": "irispy_plus.asdf",
    "load_vars": "irispy_plus.asdf",
    "read_cube": "irispy_plus.io",
    "read_files": "irispy_plus.io",
    "save": "irispy_plus.asdf",
    "save_vars": "irispy_plus.asdf",
}


def __getattr__(name):
    if name == "net":
        return importlib.import_module("irispy_plus.net")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    msg = f"module 'irispy_plus' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__():
    return sorted(set(globals()) | set(__all__))


# Last: registering may import irispy_plus.net, which may use the names above.
_fido.install()
