"""Backups, rotation and restore; and libraries that must be refused rather than opened."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import factories
import pytest

from evidence_desk.library import backup
from evidence_desk.library.db import LibraryOpenError
from evidence_desk.library.service import Library

# Backups copy the SQLite file; a server's database is backed up with pg_dump.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


def _fill(lib: Library, tmp_path: Path, order: str) -> int:
    case = lib.create_case("fake_transaction", order, buyer_name="Lucas")
    src = tmp_path / f"src-{order}"
    src.mkdir()
    lib.add_paths(case.id, [factories.order_screenshot(src / "order.png", order),
                            factories.photo(src / "p.jpg", color=(len(order) * 20 % 255, 9, 9))])
    return case.id


def test_backup_is_consistent_and_links_originals(lib: Library, tmp_path: Path) -> None:
    case_id = _fill(lib, tmp_path, "A-1")
    info = backup.backup_now(lib)
    assert info.cases == 1 and info.files == 2 and not info.missing
    con = sqlite3.connect(info.path / "library.sqlite3")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    for e in lib.list_evidence(case_id):
        copy = info.path / "blobs" / e.sha256[:2] / e.sha256
        assert copy.read_bytes() == lib.blob_path(e.sha256).read_bytes()
        # Immutable originals are shared, not duplicated, where the file system allows.
        assert os.path.samefile(copy, lib.blob_path(e.sha256))
    assert [b.name for b in backup.list_backups(lib.folder)] == [info.name]


def test_rotation_keeps_the_newest(lib: Library, tmp_path: Path) -> None:
    _fill(lib, tmp_path, "A-1")
    made = [backup.backup_now(lib, keep=3).name for _ in range(5)]
    assert [b.name for b in backup.list_backups(lib.folder)] == made[::-1][:3]
    # A half-made backup from a crash is never listed and is swept by the next rotation.
    (lib.folder / "backups" / ".20990101T000000Z.part").mkdir()
    assert len(backup.list_backups(lib.folder)) == 3
    backup.rotate(lib.folder, keep=3)
    assert not (lib.folder / "backups" / ".20990101T000000Z.part").exists()


def test_maybe_backup_follows_the_schedule(lib: Library, tmp_path: Path) -> None:
    assert backup.maybe_backup(lib) is None  # nothing to protect yet
    _fill(lib, tmp_path, "A-1")
    first = backup.maybe_backup(lib, every=timedelta(days=1))
    assert first is not None
    assert backup.maybe_backup(lib, every=timedelta(days=1)) is None
    assert backup.maybe_backup(lib, every=timedelta(seconds=0)) is not None


def test_restore_brings_back_cases_and_keeps_the_broken_database(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    lib = Library.open(folder)
    first = _fill(lib, tmp_path, "A-1")
    shas = {e.sha256 for e in lib.list_evidence(first)}
    info = backup.backup_now(lib)
    _fill(lib, tmp_path, "B-22")  # after the backup: lost by the restore, as expected
    lib.close()
    db = folder / "library.sqlite3"
    damaged = bytearray(db.read_bytes())
    damaged[4096:8192] = bytes(random.Random(5).randrange(256) for _ in range(4096))
    db.write_bytes(bytes(damaged))
    for sha in shas:  # one original lost too
        blob = folder / "blobs" / sha[:2] / sha
        os.chmod(blob, 0o600)
        blob.unlink()
        break
    with pytest.raises(LibraryOpenError):
        Library.open(folder)
    result = backup.restore_backup(info.name, folder)
    assert result.files_restored == 1
    aside = [p for p in result.moved_aside if p.name.startswith("library.sqlite3.broken-")]
    assert aside and aside[0].read_bytes() == bytes(damaged)
    lib = Library.open(folder)
    try:
        assert [c.order_no for c in lib.list_cases()] == ["A-1"]
        report = lib.verify()
        assert report.ok
        assert {p.kind for p in report.problems} <= {"orphan"}  # B-22's files remain on disk
    finally:
        lib.close()


def test_restore_refuses_an_unknown_or_damaged_backup(lib: Library, tmp_path: Path) -> None:
    _fill(lib, tmp_path, "A-1")
    info = backup.backup_now(lib)
    with pytest.raises(backup.BackupError, match="no backup named"):
        backup.restore_backup("20000101T000000Z", lib.folder)
    (info.path / "library.sqlite3").write_bytes(b"garbage" * 100)
    before = (lib.folder / "library.sqlite3").read_bytes()
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore_backup(info.name, lib.folder)
    assert (lib.folder / "library.sqlite3").read_bytes() == before


def _cli(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_cli_backup_now_list_restore(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    lib = Library.open(folder)
    _fill(lib, tmp_path, "A-1")
    lib.close()
    made = _cli(folder, "backup", "now")
    assert made.returncode == 0, made.stderr
    name = made.stdout.split()[0]
    (folder / "library.sqlite3").write_bytes(b"not a database any more" * 50)
    for suffix in ("-wal", "-shm"):
        Path(f"{folder / 'library.sqlite3'}{suffix}").unlink(missing_ok=True)
    broken = _cli(folder, "case", "list")
    assert broken.returncode == 1 and "not an SQLite database" in broken.stderr
    listed = _cli(folder, "backup", "list")
    assert listed.returncode == 0 and name in listed.stdout
    restored = _cli(folder, "backup", "restore", name)
    assert restored.returncode == 0, restored.stderr
    assert "A-1" in _cli(folder, "case", "list").stdout
    missing = _cli(folder, "backup", "restore", "nope")
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1


# ---- libraries that are not ours --------------------------------------------------------------

def _make_library_db(folder: Path, tmp_path: Path) -> Path:
    lib = Library.open(folder)
    _fill(lib, tmp_path, "A-1")
    for i in range(200):  # enough rows for the file to span many pages
        lib.update_case(lib.list_cases()[0].id, notes=f"note {i} " * 20)
    lib.close()
    return folder / "library.sqlite3"


def _refused_untouched(folder: Path, match: str) -> None:
    db = folder / "library.sqlite3"
    before = db.read_bytes()
    with pytest.raises(LibraryOpenError, match=match):
        Library.open(folder)
    assert db.read_bytes() == before


def test_truncated_database_is_refused(tmp_path: Path) -> None:
    db = _make_library_db(tmp_path / "lib", tmp_path)
    data = db.read_bytes()
    assert len(data) > 16384
    db.write_bytes(data[: len(data) // 3])
    _refused_untouched(tmp_path / "lib", "damaged")


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.sqlite3").write_bytes(
        bytes(random.Random(2).randrange(256) for _ in range(65536)))
    _refused_untouched(folder, "not an SQLite database")


def test_random_bytes_behind_a_valid_header_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    junk = bytes(random.Random(4).randrange(256) for _ in range(65536 - 16))
    (folder / "library.sqlite3").write_bytes(b"SQLite format 3\x00" + junk)
    _refused_untouched(folder, "damaged")


def test_another_apps_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    con = sqlite3.connect(folder / "library.sqlite3")
    con.executescript("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);"
                      "INSERT INTO moz_places (url) VALUES ('https://example.com');")
    con.commit()
    con.close()
    _refused_untouched(folder, "another program")
    # Even one that happens to use a table name of ours.
    con = sqlite3.connect(folder / "library.sqlite3")
    con.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    _refused_untouched(folder, "did not create")


def test_a_zero_byte_database_starts_fresh_only_in_an_empty_folder(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "library.sqlite3").write_bytes(b"")
    Library.open(fresh).close()  # a crash before the first write: nothing to lose
    db = _make_library_db(tmp_path / "lib", tmp_path)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"")
    # The folder still holds originals: an empty database would hide every case.
    _refused_untouched(tmp_path / "lib", "missing or empty")
    db.unlink()
    with pytest.raises(LibraryOpenError, match="missing or empty"):
        Library.open(tmp_path / "lib")
    assert not db.exists()
