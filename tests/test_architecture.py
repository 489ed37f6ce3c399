"""The map in ``docs/architecture.md`` holds: imports point down the layers, there is no import
cycle (function-level imports included), no module outside ``vfs/`` reaches into the S3 backend,
and modules stay readable in one sitting.

Layers, bottom to top (a module may import its own layer and those below it)::

    base        errors, formatting, _yaml, localpaths
    credentials credentials
    config      config           (it parses credential references, so it sits above them)
    urls        urls
    vfs         vfs.*
    surfaces    tables, fsspec_adapter, protocols, transfers, runner, inventories, _inventory_dask, synchronize
    api         api, engines     (engines hands remotes to polars, pyarrow, DuckDB)
    testing     testing.*        (the reference model, test servers, the conformance suite)
    ui          magics.*, widget.*, cli, checks, demo, demo_data (the demo runs a test server)

Imports under ``if TYPE_CHECKING:`` are annotations, not dependencies, and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dumont_nb"
LAYERS = [
    ("base", ["errors", "formatting", "_yaml", "localpaths"]),
    ("credentials", ["credentials"]),
    ("config", ["config"]),
    ("urls", ["urls"]),
    ("vfs", ["vfs"]),
    ("surfaces", ["tables", "fsspec_adapter", "protocols", "transfers", "runner", "inventories", "_inventory_dask",
                  "synchronize"]),
    ("api", ["api", "engines"]),
    ("testing", ["testing"]),
    ("ui", ["magics", "widget", "cli", "checks", "demo", "demo_data"]),
]
MAX_LINES = 420  # "readable in one sitting" (~400)


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out[".".join(parts)] = path
    return out


def test_every_module_has_a_layer():
    assert [m for m in _modules() if m and _layer(m) is None] == []


def _layer(module: str) -> int | None:
    top = module.split(".")[0]
    for i, (_, members) in enumerate(LAYERS):
        if top in members:
            return i
    return None  # the package's public face (__init__), which imports lazily


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path) -> set[str]:
    """dumont_nb modules ``module`` imports at run time (module- or function-level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".") if module else []
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - (child.level - 1)] if child.level > 1 else package
                    target = ".".join(base + ([child.module] if child.module else []))
                elif child.module and child.module.startswith("dumont_nb"):
                    target = child.module[len("dumont_nb."):] if child.module != "dumont_nb" else ""
                else:
                    target = None
                if target is not None:
                    subs = [n for n in (f"{target}.{a.name}" if target else a.name for a in child.names) if n in MODULES]
                    found.update(subs)  # "from . import commands" imports the submodule
                    if len(subs) < len(child.names) and target in MODULES:
                        found.add(target)  # a name defined by the module (or package) itself
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.startswith("dumont_nb."):
                        found.add(a.name[len("dumont_nb."):])
            visit(child)

    visit(tree)
    found.discard(module)
    return {m for m in found if m}


MODULES = _modules()
GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) is not None))
def test_imports_point_down(module):
    mine = _layer(module)
    up = sorted(t for t in GRAPH[module] if _layer(t) is not None and _layer(t) > mine)
    assert not up, f"{module} ({LAYERS[mine][0]}) imports upward: {up}"


def test_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(GRAPH.get(m, ())):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if t not in state:
                walk(t)
        stack.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            walk(m)


def test_surfaces_use_the_contract_not_the_s3_backend():
    offenders = []
    for module, path in MODULES.items():
        if module.startswith(("vfs", "testing")) or module == "":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("S3Backend", ".client.call", ".client.run", ".journal.", "vfs.s3"):
            if needle in text:
                offenders.append(f"{module}: {needle}")
    assert not offenders, offenders


def test_the_graph_sees_known_edges():
    """Guards the parser above: edges that exist must be found."""
    assert "vfs.registry" in GRAPH["api"] and "errors" in GRAPH["config"]
    assert "transfers" in GRAPH["widget.ops"] and "vfs.copy" in GRAPH["vfs.s3"]  # function-level imports count


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_readable_in_one_sitting(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it by concern"
