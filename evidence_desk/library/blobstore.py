"""Content-addressed store of original files: `blobs/ab/abcdef…`, named by SHA-256, never modified.

A file is written under a temporary name, synced, then renamed into place, so a crash can leave
at most a stray temporary file, never a half-written original under a real name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CHUNK = 1 << 20


@dataclass(frozen=True)
class Staged:
    """A copy hashed into the store's temporary area, not yet committed under its name."""

    tmp_path: Path
    sha256: str
    size: int


def fsync_dir(path: Path) -> None:
    # Directory fsync makes the rename itself durable; not every platform allows it.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def place_read_only(tmp: Path, dest: Path, sync_dir: bool = True) -> Path:
    """Rename a finished temporary file to `dest`, read-only; when `dest` already holds the
    same content (it is named by its hash), the temporary file is dropped instead.
    `sync_dir` False leaves the directory's fsync to the caller (see BlobStore.commit)."""
    if dest.is_file():
        tmp.unlink(missing_ok=True)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
    os.replace(tmp, dest)
    if sync_dir:
        fsync_dir(dest.parent)
    return dest


_PENDING_DIRS = "blobstore.fsync_dirs"


def _sync_before_commit(session: Session) -> None:
    """Make every rename of this transaction durable, once per directory, before the rows
    that name the files are committed."""
    for folder in sorted(session.info.pop(_PENDING_DIRS, ())):
        fsync_dir(folder)


def hash_file(path: Path, cancel: Callable[[], bool] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if cancel is not None and cancel():
                raise InterruptedError("cancelled")
    return digest.hexdigest()


class BlobStore:
    """The folder backend; `DbBlobStore` (library.blobs_db) keeps originals in the database.

    Both stage copies in a local temporary folder (hashing while reading), and both answer
    `path_for` with a local file, so thumbnails, exports and bundles work on paths either way.
    """

    kind = "folder"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        """The original's bytes, a chunk at a time; FileNotFoundError when it is not stored."""
        with self.path_for(sha256).open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def rehash(self, sha256: str) -> str | None:
        """The SHA-256 of what is stored under this name now; None when nothing is."""
        path = self.path_for(sha256)
        return hash_file(path) if path.is_file() else None

    def stage_file(self, src: Path) -> Staged:
        """Copy src into the temporary area while hashing it (one read of the source)."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        tmp = self.tmp / f"{secrets.token_hex(8)}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with src.open("rb") as fin, tmp.open("xb") as fout:
                while chunk := fin.read(CHUNK):
                    digest.update(chunk)
                    fout.write(chunk)
                    size += len(chunk)
                fout.flush()
                os.fsync(fout.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Staged(tmp, digest.hexdigest(), size)

    def stage_bytes(self, data: bytes) -> Staged:
        self.tmp.mkdir(parents=True, exist_ok=True)
        tmp = self.tmp / f"{secrets.token_hex(8)}.part"
        try:
            with tmp.open("xb") as fout:
                fout.write(data)
                fout.flush()
                os.fsync(fout.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Staged(tmp, hashlib.sha256(data).hexdigest(), len(data))

    def commit(self, staged: Staged, session: Session | None = None) -> Path:
        """Move a staged copy under its content name; the same content is kept only once.

        `session` is the caller's transaction, which a database backend writes into; a folder
        has no transaction to join: with one, the directory's fsync waits for its commit
        (one per directory, not one per file of a large import)."""
        dest = self.path_for(staged.sha256)
        if session is None:
            return place_read_only(staged.tmp_path, dest)
        pending = session.info.get(_PENDING_DIRS)
        if pending is None:
            from sqlalchemy import event

            pending = session.info[_PENDING_DIRS] = set()
            event.listen(session, "before_commit", _sync_before_commit, once=True)
        place_read_only(staged.tmp_path, dest, sync_dir=False)
        pending.add(dest.parent)
        return dest

    def discard(self, staged: Staged) -> None:
        staged.tmp_path.unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        path = self.path_for(sha256)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
            path.unlink()

    def clear_stale_temporaries(self, older_than: float = 3600.0) -> int:
        """Remove temporary files a crash left behind (they are never taken for originals).

        Only old ones: another process (the app beside a command) may be importing right now.
        """
        if not self.tmp.is_dir():
            return 0
        count = 0
        cutoff = time.time() - older_than
        for p in self.tmp.glob("*.part"):
            with contextlib.suppress(FileNotFoundError):
                if p.stat().st_mtime < cutoff:
                    p.unlink()
                    count += 1
        return count

    def all_hashes(self) -> set[str]:
        found: set[str] = set()
        if not self.root.is_dir():
            return found
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                found.update(p.name for p in sub.iterdir() if len(p.name) == 64)
        return found
