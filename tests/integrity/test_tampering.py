"""Tampering done straight in the database file, as someone with the file (not the app) would:
each kind must make `verify` exit 1 and name what it found, and an export must warn."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import factories
import pytest

from evidence_desk.library import audit

# The database file is edited directly, as someone holding it would.
pytestmark = [pytest.mark.folder_blobs, pytest.mark.sqlite_only]


def run(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    lib = tmp_path / "library"
    case = run(lib, "case", "new", "--type", "fake_transaction", "--order", "T-1",
               "--amount", "120.50")
    assert case.returncode == 0, case.stderr
    for name, color in (("a.png", (200, 10, 10)), ("b.png", (10, 200, 10))):
        path = tmp_path / name
        factories.marked_image((320, 200), color).save(path)
        assert run(lib, "add", "1", str(path)).returncode == 0
    assert run(lib, "case", "edit", "1", "--demand", "Refund the deposit").returncode == 0
    first = run(lib, "verify")
    assert first.returncode == 0, first.stdout
    return lib


def sql(lib: Path, *statements: str) -> None:
    con = sqlite3.connect(lib / "library.sqlite3")
    try:
        for st in statements:
            con.execute(st)
        con.commit()
    finally:
        con.close()


def rows(lib: Path, query: str) -> list[tuple]:
    con = sqlite3.connect(lib / "library.sqlite3")
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def assert_found(lib: Path, *words: str) -> str:
    out = run(lib, "verify")
    assert out.returncode == 1, out.stdout
    assert "PROBLEMS FOUND" in out.stdout
    for w in words:
        assert w in out.stdout, out.stdout
    # And an export from this library warns that its record cannot be trusted.
    exp = run(lib, "export", "1", "-o", str(lib.parent / "d.pdf"))
    assert exp.returncode == 0, exp.stderr
    assert "warning" in exp.stderr and "audit log" in exp.stderr, exp.stderr
    return out.stdout


def test_deleting_the_whole_log_with_its_head_row_shows(lib: Path) -> None:
    sql(lib, "DELETE FROM audit_log", "DELETE FROM audit_head")
    assert_found(lib, "entries were deleted", "case 1 has no record of its creation")


def test_deleting_the_head_row_and_the_newest_entries_shows(lib: Path) -> None:
    sql(lib, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)",
        "DELETE FROM audit_head")
    assert_found(lib, "entries were deleted")


def test_deleting_the_newest_entries_and_fixing_the_head_shows(lib: Path) -> None:
    sql(lib, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)",
        "UPDATE audit_head SET hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), "
        "count = (SELECT count(*) FROM audit_log)")
    assert_found(lib, "entries were deleted")


def test_rewriting_the_whole_chain_shows(lib: Path) -> None:
    # A consistent forgery: one entry's detail changed, every hash after it recomputed, the head
    # row fixed. The chain and the head row agree; only the copy outside the database does not.
    entries = rows(lib, "SELECT id, at, actor, action, case_id, detail FROM audit_log ORDER BY id")
    prev = audit.GENESIS
    updates = []
    for eid, at, actor, action, case_id, detail in entries:
        data = json.loads(detail)
        if action == "case.create":
            data["order_no"] = "FORGED"
        moment = datetime.fromisoformat(at)
        h = audit.entry_hash(prev, moment, actor, action, case_id, data)
        updates.append((json.dumps(data), prev, h, eid))
        prev = h
    con = sqlite3.connect(lib / "library.sqlite3")
    con.executemany("UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    updates)
    con.execute("UPDATE audit_head SET hash = ?", (prev,))
    con.commit()
    con.close()
    assert_found(lib, "the log was rewritten or replaced")


def test_an_item_pointed_at_another_stored_original_shows(lib: Path) -> None:
    (a, sha_a), (b, sha_b) = rows(lib, "SELECT id, sha256 FROM evidence ORDER BY id")
    sql(lib, f"UPDATE evidence SET sha256 = '{sha_b}' WHERE id = {a}")
    assert_found(lib, f"item {a} of case 1 points at original {sha_b[:12]}",
                 f"recorded {sha_a[:12]}")


def test_an_item_pointed_at_a_forged_original_shows(lib: Path, tmp_path: Path) -> None:
    # The forger plants a well-formed original with its own correct hash and file record.
    forged = tmp_path / "forged.png"
    factories.marked_image((320, 200), (0, 0, 250)).save(forged)
    data = forged.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    blob = lib / "blobs" / sha[:2] / sha
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    [(item, old)] = rows(lib, "SELECT id, sha256 FROM evidence ORDER BY id LIMIT 1")
    sql(lib, "INSERT INTO stored_files (sha256, size, mime, ext, category, width, height, "
             f"orientation, pages, created_at) SELECT '{sha}', {len(data)}, mime, ext, category, "
             f"width, height, orientation, pages, created_at FROM stored_files "
             f"WHERE sha256 = '{old}'",
        f"UPDATE evidence SET sha256 = '{sha}' WHERE id = {item}")
    assert_found(lib, f"item {item} of case 1 points at original {sha[:12]}",
                 "swapped or forged")


def test_a_case_field_edited_in_the_database_shows(lib: Path) -> None:
    sql(lib, "UPDATE cases SET amount = 99999 WHERE id = 1")
    assert_found(lib, "case 1 was changed outside the app")


def test_edits_through_the_app_keep_verify_green(lib: Path, tmp_path: Path) -> None:
    # The cross-checks must not cry wolf: every kind of change the app makes still verifies.
    for args in (("case", "edit", "1", "--amount", "7", "--currency", "cny"),
                 ("case", "statement", "1"), ("case", "new", "--type", "quality_dispute",
                                              "--order", "Q-2", "--buyer", "Ann"),
                 ("bundle", "export", "1", "-o", str(tmp_path / "c.bundle")),
                 ("bundle", "import", str(tmp_path / "c.bundle")), ("backup", "now"),
                 ("case", "resubmit", "1")):
        out = run(lib, *args)
        assert out.returncode in (0, 1), out.stderr
    out = run(lib, "verify")
    assert out.returncode == 0, out.stdout
    assert "It cannot prove" in out.stdout


def test_a_restored_backup_is_not_taken_for_tampering(lib: Path) -> None:
    assert run(lib, "backup", "now").returncode == 0
    name = json.loads(run(lib, "backup", "list", "--json").stdout)[0]["name"]
    assert run(lib, "case", "edit", "1", "--title", "after the backup").returncode == 0
    assert run(lib, "backup", "restore", name).returncode == 0
    out = run(lib, "verify")
    assert out.returncode == 0, out.stdout


def test_a_library_without_a_head_copy_starts_one(lib: Path) -> None:
    (lib / audit.HEAD_FILE).unlink()
    out = run(lib, "verify")
    assert out.returncode == 0, out.stdout
    assert "no copy of the audit head" in out.stdout
    assert (lib / audit.HEAD_FILE).is_file()
    sql(lib, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 2 FROM audit_log)",
        "DELETE FROM audit_head")
    assert run(lib, "verify").returncode == 1


def test_old_orphans_are_cleaned_on_request_and_young_ones_kept(lib: Path) -> None:
    old = lib / "blobs" / ("ab" * 32)[:2] / ("ab" * 32)
    young = lib / "blobs" / ("cd" * 32)[:2] / ("cd" * 32)
    for path in (old, young):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left behind by a killed import")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    out = run(lib, "verify")
    assert out.returncode == 0 and out.stdout.count("orphan") == 2
    out = run(lib, "verify", "--clean-orphans")
    assert out.returncode == 0, out.stdout
    assert f"removed  unused file {'ab' * 6}" in out.stdout
    assert not old.exists() and young.exists()
    # Every original in use is still there and whole.
    assert "all intact" in run(lib, "verify").stdout
    refused = run(lib, "verify", "1", "--clean-orphans")
    assert refused.returncode == 2 and "whole library" in refused.stderr


def test_purging_a_case_with_a_later_attempt_keeps_verify_green(tmp_path: Path) -> None:
    from evidence_desk.library.service import Library

    with Library.open(tmp_path / "lib") as lib:
        first = lib.create_case("fake_transaction", "P-1")
        child = lib.duplicate_case(first.id, as_attempt=True)
        lib.delete_case(first.id)
        lib.purge_case(first.id)
        assert lib.get_case(child.id).parent_id is None
        report = lib.verify()
        assert report.ok, report.problems
