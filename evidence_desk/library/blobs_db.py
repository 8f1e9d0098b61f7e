"""The database blob backend: originals kept in `blob_chunks` (1 MiB per row) beside the cases.

A team then needs nothing but the database server. Nothing ever holds a whole file in memory:
staging copies into a local temporary file while hashing (as the folder store does), storing
inserts one chunk per statement, and reading streams one chunk per query. Whatever reads an
original (thumbnails, the viewer, exports, bundles) gets a local file: `path_for` streams the
chunks into `<library>/cache/blobs/ab/<sha256>`, checks the hash on the way, and only then puts
the file in place, read-only. A chunk that no longer hashes right is never cached; `rehash`
(for verify) always reads the database, never the cache. A cached copy is hashed again before
its first use in a session (and whenever the file changed since), so the viewer or the system
app never opens a copy altered on this disk: a bad copy is fetched again from the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import stat
from collections.abc import Iterator
from itertools import count
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from evidence_desk.library.blobstore import CHUNK, BlobStore, Staged, hash_file, place_read_only
from evidence_desk.library.db import serialize_writes
from evidence_desk.library.models import BlobChunk

log = logging.getLogger(__name__)


class DbBlobStore(BlobStore):
    kind = "db"

    def __init__(self, engine: Engine, cache_root: Path) -> None:
        super().__init__(cache_root)
        self.engine = engine
        # Cached copies hashed in this session, by the file's identity when it was hashed.
        self._verified: dict[str, tuple[int, int, int]] = {}

    # ---- reading ------------------------------------------------------------------------
    def has(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(BlobChunk.seq).where(
                BlobChunk.sha256 == sha256, BlobChunk.seq == 0)).first() is not None

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        # One query per chunk, on one connection: constant memory on both database drivers
        # (a single SELECT of every chunk would be fetched whole by the SQLite driver).
        with self.engine.connect() as conn:
            for seq in count():
                data = conn.execute(select(BlobChunk.data).where(
                    BlobChunk.sha256 == sha256, BlobChunk.seq == seq)).scalar()
                if data is None:
                    if seq == 0:
                        raise FileNotFoundError(f"original {sha256[:12]}… is not in the database")
                    return
                yield bytes(data)

    def rehash(self, sha256: str) -> str | None:
        digest = hashlib.sha256()
        try:
            for chunk in self.iter_chunks(sha256):
                digest.update(chunk)
        except FileNotFoundError:
            return None
        return digest.hexdigest()

    def cached_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def path_for(self, sha256: str) -> Path:
        """A verified local copy of the original, fetched from the database when not cached.

        When the database lacks it, or holds bytes that no longer match the name, the path
        returned does not exist (as the folder store's would for a missing file)."""
        dest = self.cached_path(sha256)
        if dest.is_file() and self.check_cached(sha256) != "repair_failed":
            return dest
        try:
            self._materialise(sha256, dest)
        except (FileNotFoundError, ValueError) as exc:
            log.warning("original %s… cannot be read from the database: %s", sha256[:12], exc)
        return dest

    def check_cached(self, sha256: str, *, force: bool = False) -> str:
        """Hash the local copy: "absent", "ok", "repaired" (it was altered or damaged and has
        been fetched again from the database) or "repair_failed" (removed; the database copy
        cannot be read either)."""
        dest = self.cached_path(sha256)
        try:
            st = dest.stat()
        except FileNotFoundError:
            return "absent"
        identity = (st.st_ino, st.st_size, st.st_mtime_ns)
        if not force and self._verified.get(sha256) == identity:
            return "ok"
        if hash_file(dest) == sha256:
            self._verified[sha256] = identity
            return "ok"
        self._verified.pop(sha256, None)
        log.warning("the cached copy of original %s… was altered; fetching it again", sha256[:12])
        with contextlib.suppress(FileNotFoundError):
            os.chmod(dest, stat.S_IWUSR | stat.S_IRUSR)
            dest.unlink()
        try:
            self._materialise(sha256, dest)
        except (FileNotFoundError, ValueError) as exc:
            log.warning("original %s… cannot be read from the database: %s", sha256[:12], exc)
            return "repair_failed"
        return "repaired"

    def _materialise(self, sha256: str, dest: Path) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)
        tmp = self.tmp / f"{secrets.token_hex(8)}.part"
        digest = hashlib.sha256()
        try:
            with tmp.open("xb") as out:
                for chunk in self.iter_chunks(sha256):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise ValueError("its bytes in the database were altered")
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
            # Another thread may have fetched it meanwhile; the same bytes either way.
            os.replace(tmp, dest)
            st = dest.stat()
            self._verified[sha256] = (st.st_ino, st.st_size, st.st_mtime_ns)
        finally:
            tmp.unlink(missing_ok=True)

    def all_hashes(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(BlobChunk.sha256).where(BlobChunk.seq == 0)))

    # ---- writing ------------------------------------------------------------------------
    def commit(self, staged: Staged, session: Session | None = None) -> Path:
        """Store the staged copy's chunks in the caller's transaction (or in one of its own),
        then keep the staged file as the local cached copy."""
        if session is None:
            with Session(self.engine) as s, s.begin():
                self.store_file(s, staged.tmp_path, staged.sha256)
        else:
            self.store_file(session, staged.tmp_path, staged.sha256)
        return place_read_only(staged.tmp_path, self.cached_path(staged.sha256))

    @staticmethod
    def store_file(session: Session, path: Path, sha256: str) -> bool:
        """Insert the file's chunks unless the original is stored already; True when inserted.

        The caller has hashed `path`. An empty file still gets one (empty) chunk, so that
        "chunk 0 exists" means "stored"."""
        return DbBlobStore.store_chunks(session, sha256, _read_chunks(path))

    @staticmethod
    def store_chunks(session: Session, sha256: str, chunks: Iterator[bytes]) -> bool:
        serialize_writes(session)
        if session.execute(select(BlobChunk.seq).where(
                BlobChunk.sha256 == sha256, BlobChunk.seq == 0)).first() is not None:
            return False
        seq = -1
        for seq, chunk in enumerate(chunks):
            session.execute(insert(BlobChunk), {"sha256": sha256, "seq": seq, "data": chunk})
        if seq < 0:
            session.execute(insert(BlobChunk), {"sha256": sha256, "seq": 0, "data": b""})
        return True

    def remove(self, sha256: str) -> None:
        with Session(self.engine) as s, s.begin():
            serialize_writes(s)
            s.execute(delete(BlobChunk).where(BlobChunk.sha256 == sha256))
        path = self.cached_path(sha256)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
            path.unlink()


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk
