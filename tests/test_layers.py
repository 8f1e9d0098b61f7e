"""The layers stay apart: no Qt below ui/, no SQL in ui/ or core/, core imports only itself;
no import circles anywhere in the package, and no feature of ui/ reaches into the shell."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "evidence_desk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["core", "library", "ingest", "export"])
def test_no_qt_below_the_gui(folder: str) -> None:
    offenders = {p.relative_to(PACKAGE).as_posix(): sorted(i for i in _imports(p)
                                                           if i.split(".")[0] == "PySide6")
                 for p in _modules(folder)}
    assert not {k: v for k, v in offenders.items() if v}


@pytest.mark.parametrize("folder", ["ui", "core"])
def test_no_sql_in_the_gui_or_the_core(folder: str) -> None:
    offenders = {p.relative_to(PACKAGE).as_posix(): sorted(i for i in _imports(p)
                                                           if i.split(".")[0] in
                                                           ("sqlalchemy", "alembic", "sqlite3",
                                                            "psycopg"))
                 for p in _modules(folder)}
    assert not {k: v for k, v in offenders.items() if v}


def test_core_imports_nothing_of_ours_but_itself() -> None:
    offenders = {}
    for path in _modules("core"):
        ours = {i for i in _imports(path) if i.startswith("evidence_desk")}
        outside = sorted(i for i in ours if not i.startswith("evidence_desk.core"))
        if outside:
            offenders[path.name] = outside
    assert not offenders


def test_the_check_sees_imports_at_all() -> None:
    # Guards the guards: a broken scan would pass every test above.
    assert "PySide6.QtWidgets" in _imports(PACKAGE / "ui" / "shell" / "main_window.py")
    assert any(i.startswith("sqlalchemy") for i in _imports(PACKAGE / "library" / "service.py"))


# ---- import circles -------------------------------------------------------------------------
# Imports inside functions count: they run too, only later, and a circle through one is still a
# circle (the reason it was moved into the function). Imports under `if TYPE_CHECKING:` never
# run and are left out. Importing a submodule imports its packages first; those edges are
# implied by the layout and are left out too.

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(path: Path, name: str, *, type_checking: bool = False) -> set[str]:
    """Every dotted name `path` imports (with `from a import b` also as a.b), anywhere in it."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child) and not type_checking:
                for branch in child.orelse:
                    visit_node(branch)
                continue
            visit_node(child)

    def visit_node(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _module_graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for imported in _imported_names(path, name, type_checking=type_checking):
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                edges.add(target)
        graph[name] = edges
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_no_import_circles_anywhere() -> None:
    assert _circles(_module_graph()) == []


def test_the_circle_check_finds_a_circle_through_a_function_level_import() -> None:
    graph = _module_graph()
    # A deferred import is an edge (the service opens bundles inside a method) ...
    assert "evidence_desk.library.bundle" in graph["evidence_desk.library.service"]
    # ... a TYPE_CHECKING one is not (the workflow names the service only in annotations).
    assert "evidence_desk.library.service" not in graph["evidence_desk.library.workflow"]
    looped = {k: set(v) for k, v in graph.items()}
    looped["evidence_desk.library.bundle"].add("evidence_desk.library.service")
    assert ["evidence_desk.library.bundle", "evidence_desk.library.service"] in _circles(looped)


# ---- the shell ------------------------------------------------------------------------------
SHELL = "evidence_desk.ui.shell"


def test_no_feature_imports_the_shell() -> None:
    # Not even for annotations: a feature is given the desk context, never the window.
    offenders = {}
    for path in _modules("ui"):
        name = _module_name(path)
        if name == SHELL or name.startswith(SHELL + "."):
            continue
        hits = sorted(i for i in _imported_names(path, name, type_checking=True)
                      if i == SHELL or i.startswith(SHELL + "."))
        if hits:
            offenders[name] = hits
    assert not offenders


def test_only_the_shell_imports_the_main_window() -> None:
    window = SHELL + ".main_window"
    offenders = sorted(
        _module_name(p) for p in PACKAGE.rglob("*.py")
        if not _module_name(p).startswith(SHELL)
        and any(i == window or i.startswith(window + ".")
                for i in _imported_names(p, _module_name(p), type_checking=True)))
    assert offenders == []
