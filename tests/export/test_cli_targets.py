"""The reviewer's reproductions, through the command line as a user types them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import factories
import pytest


def run(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    # One library per test: on the PostgreSQL pass each test has a database of its own.
    root = tmp_path_factory.mktemp("cli")
    lib = root / "library"
    new = run(lib, "case", "new", "--type", "fake_transaction", "--order", "2026110500123",
              "--completed", date.today().isoformat(), "--reason", "买家不付款")
    assert new.returncode == 0, new.stderr
    case_id = new.stdout.strip()
    added = run(lib, "add", case_id, str(factories.photo(root / "p.jpg")))
    assert added.returncode == 0, added.stderr
    return lib, case_id


def test_pack_into_a_folder_of_other_files_is_refused(case, tmp_path) -> None:
    lib, case_id = case
    desktop = tmp_path / "Desktop"
    desktop.mkdir()
    (desktop / "notes.txt").write_text("my notes", encoding="utf-8")
    proc = run(lib, "pack", case_id, "-o", str(desktop))
    assert proc.returncode != 0
    assert "already holds other files" in proc.stderr
    assert "choose an empty folder or a new name" in proc.stderr
    assert [p.name for p in desktop.iterdir()] == ["notes.txt"]
    assert (desktop / "notes.txt").read_text(encoding="utf-8") == "my notes"
    # A new name works, and so does exporting over that pack again.
    pack = tmp_path / "pack"
    assert run(lib, "pack", case_id, "-o", str(pack)).returncode == 0
    assert run(lib, "pack", case_id, "-o", str(pack)).returncode == 0
    assert sorted(pack.glob("*.zip"))


def test_export_into_a_missing_folder_is_refused(case, tmp_path) -> None:
    lib, case_id = case
    out = tmp_path / "nonexistent" / "dir" / "x.pdf"
    proc = run(lib, "export", case_id, "-o", str(out))
    assert proc.returncode != 0
    assert "does not exist" in proc.stderr and "nonexistent" in proc.stderr
    assert not (tmp_path / "nonexistent").exists()
