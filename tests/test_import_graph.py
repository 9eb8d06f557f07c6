"""
The package's own import graph: no cycles, and data flowing one way through the layers.

Every module of irispy_plus is parsed (not imported), and every import counts, those
inside functions included: ``from package import name`` is an import of
``package.name`` when that is a module, else of ``package``; relative imports are
resolved. Only edges between irispy_plus modules are kept.
"""

import ast
import sys
from pathlib import Path

import pytest

import irispy_plus

PACKAGE = Path(irispy_plus.__file__).parent

#: The layers, lowest first: nothing in one imports anything in a higher one. The cube
#: classes (types, with no knowledge of files or viewers) sit below the readers that
#: build them; the viewers are reached from the cubes only through ``irispy_plus._viewers``,
#: a lazy seam outside the layers. Modules outside them (utils, data, units, the CLI,
#: archive, maps, cleaning, testing...) are not checked.
LAYERS = {
    "net": ("irispy_plus.net",),
    "cubes": (
        "irispy_plus.cubes",
        "irispy_plus.meta",
        "irispy_plus._cube_repr",
        "irispy_plus._sequence_index",
        "irispy_plus._lazy",
        "irispy_plus._keywords",
    ),
    "io": ("irispy_plus.io",),
    "analysis": (
        "irispy_plus.fitting",
        "irispy_plus.calibration",
        "irispy_plus.physics",
        "irispy_plus.diagnostics",
    ),
    "visualization": ("irispy_plus.visualization",),
    "asdf": ("irispy_plus.asdf",),
}


def _modules():
    """{module name: (path, is_package)} of every module of irispy_plus."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["irispy_plus", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _resolve(module, is_package, node):
    """The absolute module named by an ``ImportFrom`` node of ``module``."""
    if not node.level:
        return node.module
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name, modules):
    """``name`` or the closest enclosing module that is one of ``modules``, else None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph():
    """{module: set of the irispy_plus modules it imports}."""
    modules = _modules()
    graph = {}
    for module, (path, is_package) in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(module, is_package, node)
                names = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                    for alias in node.names
                ]
            else:
                continue
            imported.update(
                target for name in names if (target := _known(name, modules)) not in (None, module)
            )
        graph[module] = imported
    return graph


def strongly_connected(graph):
    """The strongly connected sets of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(members)
    return found


def a_cycle(graph, members):
    """One cycle through ``members`` (a strongly connected set), as a list of modules."""
    start = min(members)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return sorted(members)


def _layer(module):
    for rank, prefixes in enumerate(LAYERS.values()):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    return None


def layer_violations(graph):
    """(importer, imported) pairs where a lower layer imports a higher one."""
    violations = set()
    for module, imported in graph.items():
        rank = _layer(module)
        if rank is None:
            continue
        for target in imported:
            target_rank = _layer(target)
            if target_rank is not None and target_rank > rank:
                violations.add((module, target))
    return violations


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_graph_is_read_as_python_reads_imports(graph):
    # "from package import module" is the module; "from package import name", the package.
    assert "irispy_plus.net.attrs" in graph["irispy_plus.net.client"]
    assert "irispy_plus.io" in graph["irispy_plus.cli._info"]
    assert "irispy_plus.io._sources" not in graph["irispy_plus.cli._info"]
    # Imports inside functions count.
    assert "irispy_plus.fitting" in graph["irispy_plus.calibration._wavecorr"]
    assert "irispy_plus.io._describe" in graph["irispy_plus.io._level2_file"]
    assert len(graph) > 150


@pytest.mark.parametrize(
    ("module", "is_package", "code", "expected"),
    [
        ("irispy_plus.io.read", False, "from . import wcs", "irispy_plus.io"),
        ("irispy_plus.io.read", False, "from ._sources import open_sources", "irispy_plus.io._sources"),
        ("irispy_plus.io", True, "from .read import read_files", "irispy_plus.io.read"),
        ("irispy_plus.io.read", False, "from ..utils import log", "irispy_plus.utils"),
        ("irispy_plus.io.read", False, "from irispy_plus.cubes import X", "irispy_plus.cubes"),
    ],
)
def test_relative_imports_are_resolved(module, is_package, code, expected):
    assert _resolve(module, is_package, ast.parse(code).body[0]) == expected


def test_the_cycle_finder_finds_a_cycle():
    toy = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(toy) == [{"a", "b", "c"}]
    assert a_cycle(toy, {"a", "b", "c"}) == ["a", "b", "c", "a"]


def test_no_import_cycles(graph):
    cycles = strongly_connected(graph)
    described = "\n".join(" -> ".join(a_cycle(graph, members)) for members in cycles)
    assert not cycles, f"Import cycles in irispy_plus:\n{described}"


def test_lower_layers_never_import_higher_ones(graph):
    new = sorted(layer_violations(graph))
    described = "\n".join(f"{module} imports {target}" for module, target in new)
    layers = " -> ".join(LAYERS)
    assert not new, f"Imports against the layers ({layers}; lower never imports higher):\n{described}"


if __name__ == "__main__":  # print the cycles and the layer violations
    found = import_graph()
    for members in strongly_connected(found):
        sys.stdout.write(" -> ".join(a_cycle(found, members)) + "\n")
    for module, target in sorted(layer_violations(found)):
        sys.stdout.write(f"{module} imports {target}\n")
