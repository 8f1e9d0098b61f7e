"""The database blob backend: chunked, streamed, verified, on PostgreSQL and on SQLite."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path

import factories
import pytest
from sqlalchemy import text

from evidence_desk.library.blobs_db import DbBlobStore
from evidence_desk.library.service import Library

FIVE_MB = 5 * 1024 * 1024 + 123


@pytest.fixture(params=["postgresql", "sqlite"])
def db_lib(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVIDENCE_DESK_BLOBS", "db")
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database")
    else:
        url = f"sqlite:///{tmp_path / 'lib' / 'library.sqlite3'}"
    lib = Library(tmp_path / "lib", db_url=url)
    assert isinstance(lib.blobs, DbBlobStore)
    yield lib
    lib.close()


def test_a_5_mb_original_round_trips_in_chunks_with_flat_memory(db_lib: Library,
                                                                 tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    with src.open("wb") as fh:
        for _ in range(FIVE_MB // 65536 + 1):
            fh.write(os.urandom(65536))
        fh.truncate(FIVE_MB)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    store = db_lib.blobs
    tracemalloc.start()
    try:
        staged = store.stage_file(src)
        store.commit(staged)
        assert store.has(sha)
        store.cached_path(sha).unlink()  # force a fetch from the database
        os.chmod(store.cached_path(sha).parent, 0o700)
        path = store.path_for(sha)
        rehashed = store.rehash(sha)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert staged.sha256 == sha and rehashed == sha
    assert path.read_bytes() == src.read_bytes()
    # A chunk is 1 MiB; the file is 5: holding it whole would show as > 5 MiB.
    assert peak < 3.5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    with db_lib.engine.connect() as con:
        sizes = con.execute(text("SELECT seq, length(data) FROM blob_chunks "
                                 "WHERE sha256 = :s ORDER BY seq"), {"s": sha}).all()
    assert [s for s, _ in sizes] == list(range(6))
    assert all(n == 1024 * 1024 for _, n in sizes[:-1])


def test_evidence_lives_in_the_database_and_verify_reads_it_there(db_lib: Library,
                                                                 tmp_path: Path) -> None:
    case = db_lib.create_case("fake_transaction", "B-1")
    added = db_lib.add_paths(case.id, [factories.photo(tmp_path / "p.jpg"),
                                       factories.chat_screenshot(tmp_path / "c.png", ["hi"])])
    assert [r.status for r in added] == ["added", "added"]
    assert not (db_lib.folder / "blobs").exists() or not db_lib.blobs.root.samefile(
        db_lib.folder / "blobs")
    photo, chat = db_lib.list_evidence(case.id)[0], db_lib.list_evidence(case.id)[1]
    assert db_lib.thumbnail(photo.sha256) is not None
    assert db_lib.verify().ok
    with db_lib.engine.begin() as con:
        con.execute(text("UPDATE blob_chunks SET data = :d WHERE sha256 = :s AND seq = 0"),
                    {"d": b"tampered", "s": photo.sha256})
        con.execute(text("DELETE FROM blob_chunks WHERE sha256 = :s"), {"s": chat.sha256})
    # A cached copy does not hide what happened in the database.
    report = db_lib.verify()
    kinds = {p.kind: p for p in report.problems}
    assert not report.ok
    assert photo.id in kinds["altered"].item_ids and chat.id in kinds["missing"].item_ids
    # A desk without a cached copy never caches the altered bytes.
    db_lib.blobs.cached_path(photo.sha256).chmod(0o600)
    db_lib.blobs.cached_path(photo.sha256).unlink()
    assert not db_lib.blob_path(photo.sha256).exists()


def test_purge_removes_chunks_no_item_uses(db_lib: Library, tmp_path: Path) -> None:
    case = db_lib.create_case("fake_transaction", "B-2")
    [res] = db_lib.add_paths(case.id, [factories.photo(tmp_path / "p.jpg")])
    sha = db_lib.get_evidence(res.item_id).sha256
    db_lib.delete_case(case.id)
    db_lib.purge_case(case.id)
    assert not db_lib.blobs.has(sha)
    assert db_lib.blobs.all_hashes() == set()
