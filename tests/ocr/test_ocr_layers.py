"""Where the engine may be: only ocr/engine.py imports it, only the worker process runs it, and
the ocr package talks to the library through Library methods (no Qt, no SQL)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "evidence_desk"
ENGINE = ("rapidocr", "onnxruntime", "cv2", "numpy")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_engine_module_imports_the_engine() -> None:
    users = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                   if _imports(p) & set(ENGINE))
    assert users == ["ocr/engine.py"]


def test_the_ocr_package_has_no_qt_and_no_sql() -> None:
    for path in (PACKAGE / "ocr").rglob("*.py"):
        assert not _imports(path) & {"PySide6", "sqlalchemy", "alembic", "sqlite3"}, path


def test_the_desk_starts_without_loading_the_engine() -> None:
    code = ("import sys, evidence_desk.cli, evidence_desk.library.service, "
            "evidence_desk.ocr.worker, evidence_desk.export.dossier;"
            f"print(sorted(m for m in {ENGINE!r} if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr
