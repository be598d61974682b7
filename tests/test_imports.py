"""No import cycle among nastutor's modules: each module is read with `ast` (every import, at
module level and inside functions; relative ones resolved; those under `if TYPE_CHECKING:` are
left out, since they never run), the module graph is built, and any cycle fails the test, printed.

Importing `a.b.c` runs the packages `a.b` and `a` first, so an import of a module also counts
as an import of the packages above it, except those that hold the importing module itself
(they are already running when it is imported)."""
from __future__ import annotations

import ast
from importlib.util import resolve_name
from pathlib import Path

import pytest

import nastutor

ROOT = Path(nastutor.__file__).resolve().parent

def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("nastutor", *path.relative_to(ROOT).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every Import and ImportFrom node that may run, wherever it is."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that module `name` imports, with the packages above them."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = resolve_name("." * node.level + (node.module or ""), package) if node.level else node.module
        targets.add(base)
        for alias in node.names:  # `from . import records` imports the module nastutor.records
            if f"{base}.{alias.name}" in known:
                targets.add(f"{base}.{alias.name}")
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    out = set()
    for target in targets:
        if target.split(".")[0] != "nastutor":
            continue
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # the module and the packages above it
            above = ".".join(parts[:i])
            if above in known and above not in ancestors:
                out.add(above)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) - {name} for name, path in known.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_module_graph_is_read():
    edges = graph()
    assert "nastutor.evaluators" in edges["nastutor"]
    assert "nastutor.benchmark" in edges["nastutor.evaluators"]  # at module level, no lazy import
    assert "nastutor.benchmark.datacard" in edges["nastutor.benchmark.build"]
    assert "nastutor.benchmark" in edges["nastutor.interactive.search_dashboard"]  # a package it is not in
    assert "nastutor.spaces" not in edges["nastutor.spaces.cell"]  # its own package is already running


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"a"}}, ["a", "a"]),
])
def test_find_cycle_finds_cycles(edges, expected):
    assert find_cycle(edges) == expected


def test_a_lazy_import_inside_a_function_counts(tmp_path):
    known = {"nastutor.x": tmp_path / "x.py", "nastutor.y": tmp_path / "y.py"}
    known["nastutor.x"].write_text("def f():\n    from .y import g\n")
    known["nastutor.y"].write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import x\n")
    assert imported("nastutor.x", known["nastutor.x"], known) == {"nastutor.y"}
    assert imported("nastutor.y", known["nastutor.y"], known) == set()  # never runs


# -- layers (DESIGN.md, section 3: "what must never be") ----------------------------------------

def reach(edges: dict[str, set[str]], start: str) -> set[str]:
    """Every module that importing `start` runs, itself excluded."""
    seen, stack = set(), [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen - {start}


def third_party(path: Path) -> set[str]:
    """The top-level names of the outside packages a module imports."""
    names = set()
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif not node.level:
            names.add(node.module.split(".")[0])
    return names - {"nastutor"}


DRAWING = {"matplotlib", "plotly", "ipywidgets", "anywidget", "IPython"}


def _under(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_strategies_import_neither_training_nor_drawing_nor_evaluators():
    edges = graph()
    for name in (n for n in edges if _under(n, "nastutor.strategies")):
        bad = {t for t in edges[name] if _under(t, "nastutor.training", "nastutor.plots", "nastutor.interactive",
                                                 "nastutor.evaluators", "nastutor.benchmark", "nastutor.search")}
        assert not bad, f"{name} imports {sorted(bad)}: a strategy sees only spaces and evaluations"


def test_spaces_never_reach_strategies_and_data_knows_no_architectures():
    edges = graph()
    for name in (n for n in edges if _under(n, "nastutor.spaces")):
        assert not {t for t in reach(edges, name) if _under(t, "nastutor.strategies")}, name
    assert not {t for t in reach(edges, "nastutor.data") if _under(t, "nastutor.spaces")}


def test_training_search_and_benchmark_code_do_not_draw():
    edges, paths = graph(), modules()
    for name in (n for n in edges if _under(n, "nastutor.training", "nastutor.search", "nastutor.benchmark",
                                            "nastutor.history", "nastutor.searchlog")):
        for module in {name} | reach(edges, name):
            drawn = third_party(paths[module]) & DRAWING
            assert not drawn and not _under(module, "nastutor.plots", "nastutor.interactive"), \
                f"{name} runs {module}, which draws ({sorted(drawn) or module})"


def test_the_layer_checks_see_a_violation(tmp_path):
    """`third_party` and `reach` find what they look for (so the layer tests can fail)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import matplotlib.pyplot as plt\n")
    assert third_party(module) == {"matplotlib"}
    assert reach({"a": {"b"}, "b": {"c"}, "c": set()}, "a") == {"b", "c"}
