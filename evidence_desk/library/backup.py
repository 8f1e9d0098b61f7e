"""Backups of a library folder: a consistent database copy plus the originals, and a restore.

`<library>/backups/<stamp>/` holds `library.sqlite3` (SQLite's online backup, safe while the app
runs), `blobs/ab/<sha256>` for every original the copied database knows, and `backup.json`. A
backup is built under a hidden temporary name and renamed when complete, so a half-made backup
is never listed. Originals are immutable, so they are hard-linked (no extra space) and copied
only where the file system cannot link.

Listing and restoring never open the library: they are what the app offers when it cannot.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_desk import __version__
from evidence_desk.library import audit
from evidence_desk.library.db import LibraryOpenError, backup_sqlite, check_sqlite_file

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

DB_FILE = "library.sqlite3"
BACKUPS = "backups"
INFO = "backup.json"
KEEP = 7
_NAME = re.compile(r"\d{8}T\d{6}Z(-\d+)?")


class BackupError(RuntimeError):
    """A backup could not be made or restored; the message is for the user."""


@dataclass(frozen=True)
class BackupInfo:
    name: str
    path: Path
    created_at: datetime
    cases: int
    files: int
    missing: tuple[str, ...] = ()  # originals the database knew but the store no longer had


@dataclass(frozen=True)
class RestoreResult:
    backup: str
    moved_aside: tuple[Path, ...]  # the damaged database files, kept under new names
    files_restored: int


def backups_dir(library_dir: Path) -> Path:
    return Path(library_dir) / BACKUPS


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        # Another file system, FAT, or no link permission: a copy costs space, not safety.
        shutil.copy2(src, dest)
        with contextlib.suppress(OSError):
            os.chmod(dest, stat.S_IRUSR | stat.S_IRGRP)


def _rmtree(path: Path) -> None:
    def make_writable(func, p, _exc):  # type: ignore[no-untyped-def]
        # Originals are read-only; Windows refuses to delete read-only files.
        with contextlib.suppress(OSError):
            os.chmod(p, stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
            func(p)

    shutil.rmtree(path, onerror=make_writable)


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def backup_now(lib: Library, *, keep: int = KEEP) -> BackupInfo:
    """Back up the library now, then keep only the newest `keep` backups."""
    if not lib.is_sqlite or lib.db_path is None:
        raise BackupError("This library lives on a database server (originals included); back "
                          "it up there, with pg_dump --format=custom, not from this desk.")
    root = backups_dir(lib.folder)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = datetime.now(UTC)
    name = _stamp(now)
    n = 1
    while (root / name).exists():
        n += 1
        name = f"{_stamp(now)}-{n}"
    work = root / f".{name}.part"
    if work.exists():
        _rmtree(work)
    work.mkdir(mode=0o700)
    try:
        db_copy = backup_sqlite(lib.db_path, work / DB_FILE)
        # The copied database says which originals belong to this moment; those are linked.
        con = sqlite3.connect(f"file:{db_copy}?mode=ro", uri=True)
        try:
            hashes = [r[0] for r in con.execute("SELECT sha256 FROM stored_files")]
            cases = con.execute("SELECT count(*) FROM cases").fetchone()[0]
            head = _head_of(con)
        finally:
            con.close()
        if head is not None:
            # The backup's own copy of the audit head: a restore puts it back with the database.
            audit.write_head_copy(work / audit.HEAD_FILE, *head)
        missing = []
        for sha in hashes:
            src = lib.blobs.path_for(sha)
            if src.is_file():
                _link_or_copy(src, work / "blobs" / sha[:2] / sha)
            else:
                missing.append(sha)
        info = {"created_at": now.isoformat(timespec="microseconds"), "app_version": __version__,
                "cases": cases, "files": len(hashes) - len(missing), "missing": missing}
        (work / INFO).write_text(json.dumps(info, indent=1), encoding="utf-8")
        os.replace(work, root / name)
    except BaseException:
        _rmtree(work)
        raise
    rotate(lib.folder, keep=keep)
    return BackupInfo(name, root / name, now, cases, len(hashes) - len(missing), tuple(missing))


def _head_of(con: sqlite3.Connection) -> tuple[str, str, int] | None:
    """(library id, newest entry's hash, entry count) of a copied database; None if empty."""
    try:
        lib_id = con.execute("SELECT value FROM library_meta WHERE key = 'library_id'").fetchone()
        count = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        last = con.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    if not lib_id or not last:
        return None
    return str(lib_id[0]), str(last[0]), int(count)


def _restore_head_copy(src: Path, library_dir: Path) -> None:
    """The library's copy of the audit head goes back to the restored database's."""
    target = library_dir / audit.HEAD_FILE
    data = audit.read_head_copy(target) or {}
    con = sqlite3.connect(f"file:{src / DB_FILE}?mode=ro", uri=True)
    try:
        head = _head_of(con)
    finally:
        con.close()
    if head is None:
        return
    lib_id, last, count = head
    saved = (audit.read_head_copy(src / audit.HEAD_FILE) or {}).get(lib_id)
    data[lib_id] = saved if isinstance(saved, dict) else {"count": count, "hash": last}
    tmp = target.with_name(f".{target.name}.restore.part")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)


def _read_info(path: Path) -> BackupInfo | None:
    try:
        data = json.loads((path / INFO).read_text(encoding="utf-8"))
        created = datetime.fromisoformat(data["created_at"])
        return BackupInfo(path.name, path, created, int(data["cases"]), int(data["files"]),
                          tuple(data.get("missing", ())))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def list_backups(library_dir: Path) -> list[BackupInfo]:
    """Complete backups of the library at `library_dir`, newest first; works on a broken one."""
    root = backups_dir(library_dir)
    if not root.is_dir():
        return []
    found = []
    for sub in root.iterdir():
        if sub.is_dir() and _NAME.fullmatch(sub.name) and (sub / DB_FILE).is_file():
            info = _read_info(sub)
            if info is not None:
                found.append(info)
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def rotate(library_dir: Path, *, keep: int = KEEP) -> list[str]:
    """Delete all but the newest `keep` backups, and unfinished ones a crash left."""
    removed = []
    for old in list_backups(library_dir)[max(1, keep):]:
        _rmtree(old.path)
        removed.append(old.name)
    root = backups_dir(library_dir)
    for stale in root.glob(".*.part") if root.is_dir() else ():
        _rmtree(stale)
    return removed


def maybe_backup(lib: Library, every: timedelta = timedelta(days=1), *,
                 keep: int = KEEP) -> BackupInfo | None:
    """Back up when the newest backup is older than `every` (call at app start and close)."""
    if not lib.is_sqlite or lib.is_empty():
        return None
    latest = list_backups(lib.folder)
    if latest and datetime.now(UTC) - latest[0].created_at < every:
        return None
    return backup_now(lib, keep=keep)


def _resolve(library_dir: Path, backup: Path | str) -> Path:
    path = Path(backup)
    if not path.is_absolute() and len(path.parts) == 1:
        path = backups_dir(library_dir) / path
    if not (path / DB_FILE).is_file():
        raise BackupError(f"There is no backup named {Path(backup).name!r}.")
    return path


def restore_backup(backup: Path | str, library_dir: Path) -> RestoreResult:
    """Put a backup's database back in place; the current one is moved aside, never deleted.

    `backup` is a backup's name (as `list_backups` gives) or its folder. The library must not be
    open anywhere while this runs. Originals missing from the store are brought back; the store's
    other files are left alone (a later verify reports them as orphans).
    """
    library_dir = Path(library_dir)
    src = _resolve(library_dir, backup)
    try:
        check_sqlite_file(src / DB_FILE)
    except LibraryOpenError as exc:
        raise BackupError(f"The backup {src.name} is itself damaged: {exc}") from None
    db = library_dir / DB_FILE
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    moved: list[Path] = []
    # The -wal file must move with the database: left behind, SQLite would replay it into the
    # restored copy.
    for suffix in ("", "-wal", "-shm", "-journal"):
        current = Path(f"{db}{suffix}")
        if current.exists():
            aside = Path(f"{db}.broken-{stamp}{suffix}")
            os.replace(current, aside)
            moved.append(aside)
    tmp = library_dir / f".{DB_FILE}.restore.part"
    shutil.copyfile(src / DB_FILE, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, db)
    _restore_head_copy(src, library_dir)
    restored = 0
    blobs = src / "blobs"
    if blobs.is_dir():
        for sub in blobs.iterdir():
            for f in sub.iterdir():
                dest = library_dir / "blobs" / sub.name / f.name
                if not dest.is_file():
                    _link_or_copy(f, dest)
                    restored += 1
    return RestoreResult(src.name, tuple(moved), restored)
