"""The layers stay apart: no Qt below ui/, no SQL in ui/ or core/, core imports only itself."""

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
