"""Team mode under stress: a damaged cached copy is found and repaired and never shown, and a
server that is down or dies mid-command gets one plain sentence, with nothing changed."""

from __future__ import annotations

import hashlib
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import factories
import psycopg
import pytest
from sqlalchemy.engine import make_url

from evidence_desk.library.blobs_db import DbBlobStore
from evidence_desk.library.db import libpq_conninfo
from evidence_desk.library.service import Library


def cli(folder: Path, url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, EVIDENCE_DESK_DB_URL=url, EVIDENCE_DESK_BLOBS="db",
               EVIDENCE_DESK_LOG_DIR=str(folder.parent / "logs"))
    return subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(folder),
                           *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=timeout)


def _flip(path: Path) -> None:
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_finds_and_repairs_a_damaged_cached_copy(pg_database: str,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    assert cli(folder, pg_database, "case", "new", "--type", "fake_transaction",
               "--order", "C-1").returncode == 0
    photo = factories.photo(tmp_path / "p.jpg")
    assert cli(folder, pg_database, "add", "1", str(photo)).returncode == 0
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    cached = folder / "cache" / "blobs" / sha[:2] / sha
    assert cached.is_file()
    _flip(cached)
    out = cli(folder, pg_database, "verify")
    assert out.returncode == 1, out.stdout
    assert "cached on this computer was altered" in out.stdout
    assert "fetched again from the database" in out.stdout
    assert cached.read_bytes() == photo.read_bytes()
    again = cli(folder, pg_database, "verify")
    assert again.returncode == 0, again.stdout


def test_the_viewer_and_system_app_never_get_an_unverified_copy(pg_database: str,
                                                                tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    monkeypatch.setenv("EVIDENCE_DESK_BLOBS", "db")
    lib = Library(tmp_path / "desk", db_url=pg_database)
    try:
        assert isinstance(lib.blobs, DbBlobStore)
        case = lib.create_case("fake_transaction", "V-1")
        photo = factories.photo(tmp_path / "p.jpg")
        [added] = lib.add_paths(case.id, [photo])
        sha = lib.get_evidence(added.item_id).sha256
        # What the viewer and "open with the system app" are handed: always the true bytes.
        assert lib.blob_path(sha).read_bytes() == photo.read_bytes()
        _flip(lib.blobs.cached_path(sha))
        assert lib.blob_path(sha).read_bytes() == photo.read_bytes()
        # A desk started afresh (nothing verified yet in its session) checks before use too.
        _flip(lib.blobs.cached_path(sha))
        other = Library(tmp_path / "desk", db_url=pg_database)
        try:
            assert other.blob_path(sha).read_bytes() == photo.read_bytes()
        finally:
            other.close()
    finally:
        lib.close()


def test_a_server_that_is_down_gets_one_plain_sentence(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/evidence"
    for args in (("case", "list"), ("verify",), ("case", "new", "--type", "fake_transaction",
                                                 "--order", "D-1")):
        out = cli(tmp_path / "desk", url, *args)
        assert out.returncode == 1
        assert out.stderr.strip() == (f"evidence-desk: The team database at 127.0.0.1:{port} "
                                      "is not answering; nothing was changed.")


def test_a_server_killed_mid_import_gets_one_plain_sentence(pg_database: str,
                                                           tmp_path: Path) -> None:
    # A bundle big enough that its import takes a while: many originals.
    src = tmp_path / "src"
    assert cli(src, pg_database, "case", "new", "--type", "fake_transaction",
               "--order", "K-1").returncode == 0
    rng = random.Random(7)
    files = []
    for i in range(12):
        f = tmp_path / f"chat{i}.txt"
        f.write_text("".join(f"{rng.getrandbits(128):032x} said hello\n"
                             for _ in range(70_000)), encoding="utf-8")
        files.append(f)
    assert cli(src, pg_database, "add", "1", *map(str, files)).returncode == 0
    bundle = tmp_path / "k.bundle"
    assert cli(src, pg_database, "bundle", "export", "1", "-o", str(bundle)).returncode == 0
    db = make_url(pg_database).database

    def kill_when_importing(killed: threading.Event) -> None:
        with psycopg.connect(libpq_conninfo(pg_database), autocommit=True) as con:
            deadline = time.monotonic() + 100
            while time.monotonic() < deadline:
                # Looked for and stopped in one statement, and only while a chunk is being
                # written: a connection that has just finished is idle in the desk's pool and
                # would be replaced unseen (pre-ping), the import rightly carrying on.
                rows = con.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'evidence-desk' AND datname = %s "
                    "AND state = 'active' AND query ILIKE '%%insert into blob_chunks%%' "
                    "AND pid <> pg_backend_pid()", (db,)).fetchall()
                if rows:
                    killed.set()
                    return
                time.sleep(0.002)

    dest = tmp_path / "dest"
    host = make_url(pg_database)
    # A stop can still land between two statements, after a chunk was written: that import
    # goes through, and is tried again; the one whose write was cut is the one judged.
    for _attempt in range(5):
        # The receiving desk is another library, so its import starts afresh.
        with psycopg.connect(libpq_conninfo(pg_database), autocommit=True) as con:
            con.execute("DELETE FROM evidence")
            con.execute("DELETE FROM stored_files")
            con.execute("DELETE FROM blob_chunks")
            cases_before = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        killed = threading.Event()
        watcher = threading.Thread(target=kill_when_importing, args=(killed,))
        watcher.start()
        out = cli(dest, pg_database, "bundle", "import", str(bundle))
        watcher.join()
        assert killed.is_set(), "the import finished before it could be interrupted"
        if out.returncode != 0:
            break
    assert out.returncode == 1, out.stdout
    assert out.stderr.strip() == (f"evidence-desk: The team database at {host.host}:{host.port} "
                                  "is not answering; nothing was changed.")
    with psycopg.connect(libpq_conninfo(pg_database), autocommit=True) as con:
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == cases_before
        assert con.execute("SELECT count(*) FROM blob_chunks").fetchone()[0] == 0


def test_the_window_is_told_in_chinese_that_the_server_is_down(tmp_path: Path) -> None:
    from evidence_desk.i18n import localized
    from evidence_desk.library.db import LibraryOpenError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/evidence"
    with pytest.raises(LibraryOpenError) as caught:
        Library(tmp_path / "desk", db_url=url)
    # What the start-up dialog shows on a Chinese desk, and what the command line prints.
    assert localized(caught.value, "zh") == f"团队数据库 127.0.0.1:{port} 没有响应;未做任何改动。"
    assert str(caught.value) == (f"The team database at 127.0.0.1:{port} is not answering; "
                                 "nothing was changed.")
