"""Reading files for import: probe, hash-copy into the store and thumbnail, on worker threads.

Hashing and Pillow's decoders release the GIL, so two threads use both cores without the start-up
cost and pickling of worker processes; the database work stays on the calling thread.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from evidence_desk.i18n import Message
from evidence_desk.ingest.kinds import KindsArg
from evidence_desk.ingest.probe import Probe, Refused, probe
from evidence_desk.ingest.thumbs import ThumbnailUnavailable, make_thumbnail
from evidence_desk.library.blobstore import BlobStore, Staged
from evidence_desk.logs import log_failure

log = logging.getLogger(__name__)

THUMB_SIZE = 256
WORKERS = 2


@dataclass(frozen=True)
class Prepared:
    source: Path
    staged: Staged
    facts: Probe


@dataclass(frozen=True)
class Rejected:
    source: Path
    reason: str


def thumbnail_path(thumbs_root: Path, sha256: str, size: int = THUMB_SIZE) -> Path:
    return thumbs_root / sha256[:2] / f"{sha256}-{size}.jpg"


def ensure_thumbnail(src: Path, thumbs_root: Path, sha256: str, size: int = THUMB_SIZE) -> Path:
    dest = thumbnail_path(thumbs_root, sha256, size)
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        make_thumbnail(src, dest, size)
    return dest


def prepare_one(src: Path, store: BlobStore, thumbs_root: Path,
                kinds: KindsArg | None = None) -> Prepared | Rejected:
    """Everything an import needs from one file, done where it may run on any thread.

    `kinds` is the library's rules in force (`Rules.kinds`), so the suggested kind is one of
    theirs; the shipped rules when None.
    """
    try:
        before = src.stat()
        facts = probe(src, kinds=kinds)
    except Refused as exc:
        return Rejected(src, exc.args[0] if exc.args else str(exc))
    except OSError as exc:
        return Rejected(src, Message("cannot read the file ({why})",
                                     why=exc.strerror or str(exc)))
    except Exception as exc:  # a decoder bug must cost one file, not the import
        log_failure(log, "probe failed", exc)
        return Rejected(src, Message("the file could not be read as evidence (damaged or "
                                      "unsupported)"))
    try:
        staged = store.stage_file(src)
    except OSError as exc:
        return Rejected(src, f"cannot copy the file ({exc.strerror or exc})")
    after = src.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or (
            staged.size != before.st_size):
        # What was probed must be what was stored; a file still being written is not evidence yet.
        store.discard(staged)
        return Rejected(src, "the file changed while it was being imported; try again")
    if facts.filetype.category == "image":
        try:
            ensure_thumbnail(staged.tmp_path, thumbs_root, staged.sha256)
        except Exception as exc:  # no thumbnail is a cosmetic loss; the original is kept
            log_failure(log, "thumbnail failed for an imported image", exc)
    elif facts.filetype.category == "video":
        # A poster frame only where a decoder is at hand; without one the card shows its type.
        try:
            ensure_thumbnail(staged.tmp_path, thumbs_root, staged.sha256)
        except ThumbnailUnavailable:
            pass
        except Exception as exc:
            log_failure(log, "poster frame failed for an imported video", exc)
    return Prepared(src, staged, facts)


def prepare_many(
    sources: Iterable[Path],
    store: BlobStore,
    thumbs_root: Path,
    cancel: Callable[[], bool] | None = None,
    kinds: KindsArg | None = None,
) -> Iterator[Prepared | Rejected]:
    """Yield results in the order of `sources` (so exhibits keep the order the user chose),
    keeping only a few files in flight so memory stays flat."""
    pending: deque[Future[Prepared | Rejected]] = deque()
    it = iter(sources)
    exhausted = False
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="import") as pool:
        try:
            while True:
                while not exhausted and len(pending) < WORKERS * 2:
                    if cancel is not None and cancel():
                        exhausted = True
                        break
                    try:
                        src = next(it)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.append(pool.submit(prepare_one, src, store, thumbs_root, kinds))
                if not pending:
                    return
                yield pending.popleft().result()
        finally:
            # Cancelled or abandoned: discard copies that were staged but never committed.
            for fut in pending:
                fut.cancel()
            for fut in pending:
                if not fut.cancelled():
                    res = fut.result()
                    if isinstance(res, Prepared):
                        store.discard(res.staged)
