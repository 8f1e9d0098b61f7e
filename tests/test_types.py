"""The type checker passes on the parts that promise types (pyproject's [tool.mypy] files)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "pyproject.toml")


def test_mypy_passes_on_the_checked_packages() -> None:
    out, err, code = api.run(["--config-file", CONFIG, "--no-incremental",
                              str(ROOT / "evidence_desk" / "core"),
                              str(ROOT / "evidence_desk" / "library")])
    assert code == 0, out + err


def test_mypy_would_catch_a_type_error(tmp_path: Path) -> None:
    # Guards the guard: with the same settings, a wrong type is reported.
    bad = tmp_path / "bad.py"
    bad.write_text("def days(n: int) -> int:\n    return str(n)\n", encoding="utf-8")
    out, _err, code = api.run(["--config-file", CONFIG, "--no-incremental", str(bad)])
    assert code == 1 and "Incompatible return value" in out
