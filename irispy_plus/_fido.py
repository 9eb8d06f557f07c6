"""
Register the HEK Coverage Registry client with `sunpy.net.Fido` when, and only when,
`sunpy.net` is imported.

``import irispy_plus`` must make ``Fido.search(a.iris.ObsID(...))`` work, yet importing
`sunpy.net` costs seconds that ``irispy-plus --help`` should not pay. So the package does
not import `sunpy.net` itself: `install` registers the client at once if `sunpy.net` is
already imported, and otherwise puts a one-shot finder on `sys.meta_path` that registers
the client right after `sunpy.net` finishes importing, whoever imports it. Registering
means importing `irispy_plus.net`, whose client class sunpy registers when it is defined.
"""

import importlib
import importlib.abc
import sys

__all__ = ["install", "uninstall"]

_TRIGGER = "sunpy.net"
_CLIENT_PACKAGE = "irispy_plus.net"


def _register():
    # If irispy_plus.net is what is importing sunpy.net, this returns the partly
    # initialised module, whose own import then defines (and registers) the client.
    importlib.import_module(_CLIENT_PACKAGE)


class _ThenRegister(importlib.abc.Loader):
    """
    A loader that runs ``loader`` and then registers the client.
    """

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        module.__loader__ = self._loader
        module.__spec__.loader = self._loader
        _register()

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _RegisterWithFido(importlib.abc.MetaPathFinder):
    """
    A finder that lets the others find `sunpy.net` and wraps its loader (once).
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != _TRIGGER:
            return None
        uninstall()
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            spec = None if find_spec is None else find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenRegister(spec.loader)
                return spec
        return None


_FINDER = _RegisterWithFido()


def uninstall():
    """
    Take the finder off `sys.meta_path` (the client is registered, or about to be).
    """
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def install():
    """
    Register the HCR client with Fido now if `sunpy.net` is imported, else as soon as
    it is.
    """
    if _TRIGGER in sys.modules:
        _register()
    elif _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
