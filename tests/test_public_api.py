"""
Every public name of irispy-plus is documented as the API reference promises: listed in
its subpackage's ``__all__``, and (functions and classes) with a numpydoc docstring that
has an ``Examples`` section, which the doctests run.
"""

import importlib
import inspect

import pytest

#: The public modules, as the API reference (docs/reference.rst) lists them.
PUBLIC_MODULES = (
    "irispy_plus",
    "irispy_plus.io",
    "irispy_plus.cubes",
    "irispy_plus.meta",
    "irispy_plus.net",
    "irispy_plus.net.attrs",
    "irispy_plus.fitting",
    "irispy_plus.physics",
    "irispy_plus.calibration",
    "irispy_plus.diagnostics",
    "irispy_plus.maps",
    "irispy_plus.cleaning",
    "irispy_plus.visualization",
    "irispy_plus.asdf",
    "irispy_plus.archive",
    "irispy_plus.units",
    "irispy_plus.obsid",
    "irispy_plus.utils",
    "irispy_plus.utils.quality",
    "irispy_plus.utils.windows",
    "irispy_plus.utils.config",
)


def _public_objects():
    seen = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or id(obj) in seen:
                continue
            seen[id(obj)] = (f"{module_name}.{name}", obj)
    return sorted(seen.values(), key=lambda item: item[0])


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_name_in_all_exists(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{module_name}.__all__ lists names it does not have: {missing}"


def test_every_public_function_and_class_has_a_running_example():
    lacking = []
    for qualified, obj in _public_objects():
        if inspect.isclass(obj) and issubclass(obj, BaseException | Warning):
            continue  # errors and warnings are described, not demonstrated
        doc = inspect.getdoc(obj) or ""
        if "Examples\n--------" not in doc or ">>>" not in doc:
            lacking.append(qualified)
    assert not lacking, "Public names without an Examples section:\n" + "\n".join(lacking)
