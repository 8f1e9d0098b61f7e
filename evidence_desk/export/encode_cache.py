"""Encoded exhibits kept between exports, so a second export of the same case reuses them.

An entry is named by the SHA-256 of everything that decides its bytes: the original's hash,
its marks, its rotation, the pixel box and the byte target, the encoder's quality and this
module's format version. Beside the JPEG a small JSON file records its own SHA-256 and pixel
size; an entry is used only when the JPEG still hashes to that, so a damaged or half-written
cache costs a re-encode, never a wrong picture. The folder is bounded: the least recently used
entries, encoded exhibits and stripped JPEGs (stripped/) alike, go once it holds more than
`max_bytes`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from evidence_desk.export import budget
from evidence_desk.export import dossier_images as di

log = logging.getLogger(__name__)

# 2: budgeted copies choose their quality (export.budget) instead of always 85.
VERSION = 2
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


def exhibit_key(sha256: str, marks: str, rotation: int, frame: int, job: di.DeriveJob) -> str:
    """The cache name of one derived picture (frame: its position among the item's pictures)."""
    parts = [VERSION, sha256, marks or "", int(rotation), frame, list(job.cap),
             list(job.floor), job.target_bytes, job.rotation, di.QUALITY, list(budget.QUALITY_RANGE),
             list(di.LOW_QUALITIES)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class EncodeCache:
    """A folder of encoded exhibits (typically <library>/cache/exhibits)."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.jpg", self.folder / f"{key}.json"

    def get(self, key: str, job: di.DeriveJob) -> di.Derived | None:
        """The cached copy put at job.dst, or None (nothing cached, or it failed its hash)."""
        pic, meta = self._paths(key)
        try:
            info = json.loads(meta.read_text("utf-8"))
            data = pic.read_bytes()
        except (OSError, ValueError):
            self.misses += 1
            return None
        if not isinstance(info, dict) or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            log.warning("cached exhibit %s… is damaged; encoding it again", key[:12])
            self._drop(key)
            self.misses += 1
            return None
        job.dst.write_bytes(data)
        self._touch(meta)
        self.hits += 1
        return di.Derived(job.index, job.dst, int(info["width"]), int(info["height"]),
                          len(data), bool(info["fits"]))

    @staticmethod
    def _touch(meta: Path) -> None:
        with contextlib.suppress(OSError):
            os.utime(meta)  # recently used: kept longest

    def put(self, key: str, derived: di.Derived) -> None:
        """Keep a freshly derived copy; a cache that cannot be written only costs speed."""
        if derived.error or not derived.path.is_file():
            return
        pic, meta = self._paths(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = derived.path.read_bytes()
            tmp = self.folder / f".{secrets.token_hex(6)}.part"
            tmp.write_bytes(data)
            os.replace(tmp, pic)
            tmp.write_text(json.dumps({"sha256": hashlib.sha256(data).hexdigest(),
                                       "width": derived.width, "height": derived.height,
                                       "fits": derived.fits}), "utf-8")
            os.replace(tmp, meta)  # the JSON last: an entry without it is never read
        except OSError as exc:
            log.info("exhibit cache not written: %s", exc)

    def stripped(self, sha256: str, src: Path, out: Path,
                 strip: Callable[[Path, Path], Path]) -> Path:
        """`strip(src, out)` (a JPEG without its metadata), remembered by the JPEG's SHA-256.

        An original without metadata is remembered as such and never read again; a stripped
        copy is kept in the folder's stripped/ part and used only while it still hashes to
        what was recorded. A JPEG `strip` cannot follow raises as it would uncached.
        """
        part = self.folder / "stripped"
        pic, meta = part / f"{sha256}.jpg", part / f"{sha256}.json"
        try:
            info = json.loads(meta.read_text("utf-8"))
            if isinstance(info, dict) and info.get("clean") is True:
                self._touch(meta)
                return src
            if isinstance(info, dict) and isinstance(info.get("sha256"), str):
                data = pic.read_bytes()
                if hashlib.sha256(data).hexdigest() == info["sha256"]:
                    self._touch(meta)
                    return pic
        except (OSError, ValueError):
            pass
        made = strip(src, out)
        try:
            part.mkdir(parents=True, exist_ok=True)
            tmp = part / f".{secrets.token_hex(6)}.part"
            if made == src:
                record = {"clean": True}
            else:
                data = made.read_bytes()
                tmp.write_bytes(data)
                os.replace(tmp, pic)
                record = {"sha256": hashlib.sha256(data).hexdigest()}
            tmp.write_text(json.dumps(record), "utf-8")
            os.replace(tmp, meta)
        except OSError as exc:
            log.info("stripped copy not cached: %s", exc)
        return made

    def _drop(self, key: str) -> None:
        for p in self._paths(key):
            with contextlib.suppress(OSError):
                p.unlink()

    def _entries(self) -> list[tuple[float, int, tuple[Path, Path]]]:
        """(last use, bytes, files) of every entry, encoded exhibits and stripped JPEGs alike:
        one bound covers both. An entry whose record is gone or unreadable counts nothing."""
        entries = []
        for part in (self.folder, self.folder / "stripped"):
            for meta in part.glob("*.json"):
                pic = meta.with_suffix(".jpg")
                try:
                    used = meta.stat()
                    size = used.st_size + (pic.stat().st_size if pic.exists() else 0)
                except OSError:
                    continue
                entries.append((used.st_mtime, size, (pic, meta)))
        return entries

    def prune(self) -> None:
        """Remove the least recently used entries beyond max_bytes, and stray parts."""
        try:
            entries = sorted(self._entries(), key=lambda e: e[0], reverse=True)
        except OSError:
            return
        total = 0
        for _used, size, files in entries:
            total += size
            if total > self.max_bytes:
                for f in files:
                    with contextlib.suppress(OSError):
                        f.unlink()
        for part in (self.folder, self.folder / "stripped"):
            for stray in part.glob(".*.part"):
                with contextlib.suppress(OSError):
                    stray.unlink()
            for pic in part.glob("*.jpg"):
                if not pic.with_suffix(".json").exists():
                    with contextlib.suppress(OSError):
                        pic.unlink()

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def from_cache(jobs: list[di.DeriveJob], keys: dict[int, str], cache: EncodeCache | None,
               progress: Callable[[str], None]
               ) -> tuple[dict[int, di.Derived], list[di.DeriveJob]]:
    """The jobs' pictures found in `cache` (put in place), and the jobs still to derive."""
    if cache is None:
        return {}, list(jobs)
    results: dict[int, di.Derived] = {}
    todo: list[di.DeriveJob] = []
    for job in jobs:
        hit = cache.get(keys[job.index], job) if job.index in keys else None
        if hit is None:
            todo.append(job)
        else:
            results[job.index] = hit
            progress(job.src.name)
    return results, todo


def keep(made: dict[int, di.Derived], keys: dict[int, str], cache: EncodeCache | None) -> None:
    """Put freshly derived pictures in `cache` (bound it with prune() once the export no
    longer reads its stripped copies)."""
    if cache is None:
        return
    for index, d in made.items():
        if index in keys:
            cache.put(keys[index], d)


def derive_cached(jobs: list[di.DeriveJob], keys: dict[int, str], cache: EncodeCache | None,
                  derive_all: Callable[[list[di.DeriveJob]], dict[int, di.Derived]],
                  progress: Callable[[str], None]) -> dict[int, di.Derived]:
    """Derive `jobs`, taking those whose key is cached from the cache and the rest through
    `derive_all` (the worker pool), then keeping what was made."""
    results, todo = from_cache(jobs, keys, cache, progress)
    made = derive_all(todo) if todo else {}
    keep(made, keys, cache)
    results.update(made)
    return results
