"""The three ways to start the desk (the `evidence-desk` command, `python -m evidence_desk`,
`python main.py`) are one: each runs evidence_desk.__main__.main, which calls
multiprocessing.freeze_support() before anything else (a frozen app's dossier workers need it)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("start", [["-m", "evidence_desk"], [str(ROOT / "main.py")]])
def test_each_start_takes_the_command_line(start: list[str], tmp_path: Path) -> None:
    shown = _run([*start, "--help"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "usage: evidence-desk" in shown.stdout and "rules" in shown.stdout
    listed = _run([*start, "--library", str(tmp_path / "lib"), "rules", "--json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert '"logistics_service_dispute"' in listed.stdout
    assert not (tmp_path / "lib").exists()  # read-only


def test_the_command_and_main_py_go_through_the_same_main() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts == {"evidence-desk": "evidence_desk.__main__:main"}
    assert "from evidence_desk.__main__ import main" in (ROOT / "main.py").read_text("utf-8")


def test_freeze_support_comes_first() -> None:
    tree = ast.parse((ROOT / "evidence_desk" / "__main__.py").read_text("utf-8"))
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    first = main.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
    assert ast.unparse(first.value.func) == "multiprocessing.freeze_support"
