"""Thumbnails for the evidence board: made on worker threads, kept in a small LRU by sha256.

The board paints only what is visible, so requests arrive from the delegate as cards are
painted. They wait in one queue that the GUI thread keeps in order: the cards in the board's
viewport now first (the most recently painted of them first), then those scrolled past. A few
pump jobs (one TaskRunner job each) take the next small batch from the front when they start,
so whatever the seller scrolled to jumps the cards scrolled past, even those asked for earlier;
a batch checks `cancelled()` between files so leaving a case stops it. Workers produce QImage
(safe off the GUI thread); the QPixmap is made on the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from evidence_desk.ui.common.tasks import Cancelled, TaskRunner

log = logging.getLogger(__name__)

# Files a pump job makes before the queue's order is looked at again, and how many pumps run
# at once (the bulk pool has two threads; an import may hold one).
BATCH = 8
PUMPS = 2
# The PDF first page is rendered with poppler when it is installed; Qt for Python's Essentials
# wheel has no QtPdf module.
PDFTOPPM = shutil.which("pdftoppm")


@dataclass(frozen=True)
class ThumbRequest:
    sha256: str
    mime: str


@dataclass(frozen=True)
class Thumb:
    """What the board shows for one file: a picture, or nothing (then a type badge)."""

    pixmap: QPixmap | None
    animated: bool = False


def _scaled(image: QImage, box: QSize) -> QImage:
    if image.width() <= box.width() and image.height() <= box.height():
        return image
    return image.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def render_pdf_page(path: Path, max_side: int) -> QImage | None:
    """First page of a PDF as a QImage, through poppler's pdftoppm; None when impossible."""
    if PDFTOPPM is None:
        return None
    with tempfile.TemporaryDirectory(prefix="evidence-desk-pdf-") as tmp:
        out = Path(tmp) / "page"
        try:
            subprocess.run(
                [PDFTOPPM, "-f", "1", "-l", "1", "-singlefile", "-png",
                 "-scale-to", str(max_side), str(path), str(out)],
                check=True, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            log.info("pdftoppm could not render %s", path.name)
            return None
        image = QImage(str(out.with_suffix(".png")))
        return None if image.isNull() else image


def make_thumb_image(library: object, req: ThumbRequest, box: QSize) -> tuple[QImage | None, bool]:
    """Worker-side: the picture for one request, scaled to fit `box`, and its animation flag."""
    if req.mime.startswith(("image/", "video/")):
        # A video has a poster frame only where a decoder is installed; else None.
        thumb = library.thumbnail(req.sha256)  # type: ignore[attr-defined]
        if thumb is None:
            return None, False
        image = QImage(str(thumb))
        if image.isNull():
            return None, False
        return _scaled(image, box), False
    if req.mime == "application/pdf":
        image = render_pdf_page(library.blob_path(req.sha256),  # type: ignore[attr-defined]
                                max(box.width(), box.height()))
        return (None if image is None else _scaled(image, box)), False
    return None, False


class ThumbnailCache(QObject):
    """LRU of pixmaps by sha256; `get` answers at once and asks a worker for what is missing.

    `visible`, when set, names the shas of the cards on screen now (the board sets it); they
    are made before any other waiting request.
    """

    ready = Signal(str)  # sha256

    def __init__(self, library: object, runner: TaskRunner, box: QSize,
                 capacity: int = 800, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.box = box
        self.capacity = capacity
        self.group = "thumbs"
        self.visible: Callable[[], set[str]] | None = None
        self._cache: OrderedDict[str, Thumb] = OrderedDict()
        # Shared with the pump jobs, under the lock: what waits (front first) and what a job
        # has taken. The order is the GUI thread's to make; a job only takes from the front.
        self._lock = threading.Lock()
        self._queued: OrderedDict[str, ThumbRequest] = OrderedDict()
        self._in_flight: set[str] = set()
        self._asked: dict[str, int] = {}  # sha -> when its card last asked (a counter)
        self._asks = 0
        self._generation = 0  # a new case starts a new one; older jobs take nothing
        self._pumps = 0  # pump jobs of this generation started and not yet answered
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._submit)

    def set_group(self, group: str) -> None:
        """Start a new generation of work (a new case): what was queued or running is dropped."""
        self.runner.cancel_group(self.group)
        self._forget_work()
        self.group = group

    def _forget_work(self) -> None:
        with self._lock:
            self._queued.clear()
            self._in_flight.clear()
            self._generation += 1
        self._asked.clear()
        self._pumps = 0

    def peek(self, sha256: str) -> Thumb | None:
        thumb = self._cache.get(sha256)
        if thumb is not None:
            self._cache.move_to_end(sha256)
        return thumb

    def get(self, sha256: str, mime: str) -> Thumb | None:
        """The thumbnail if made; otherwise None now and `ready(sha256)` later."""
        thumb = self.peek(sha256)
        if thumb is None:
            with self._lock:
                if sha256 in self._in_flight:
                    return None
                if sha256 not in self._queued:
                    self._queued[sha256] = ThumbRequest(sha256, mime)
            self._asks += 1
            self._asked[sha256] = self._asks  # painted again: asked again, later
            self._flush.start()
        return thumb

    def is_pending(self, sha256: str) -> bool:
        with self._lock:
            return sha256 in self._queued or sha256 in self._in_flight

    def reprioritise(self) -> None:
        """The cards on screen changed (a scroll): put theirs first before the next batch."""
        if self._queued:
            self._flush.start()

    def _reorder(self) -> None:
        visible = self.visible() if self.visible is not None else set()
        asked = self._asked
        with self._lock:
            # On screen first; among each, the card that asked last first.
            order = sorted(self._queued, key=lambda sha: (sha not in visible,
                                                          -asked.get(sha, 0)))
            self._queued = OrderedDict((sha, self._queued[sha]) for sha in order)

    def _submit(self) -> None:
        if not self._queued:
            return
        self._reorder()
        while self._pumps < PUMPS and len(self._queued) > self._pumps * BATCH:
            self._pumps += 1
            generation = self._generation
            self.runner.run(
                self._job(generation, QSize(self.box)), group=self.group, context=self,
                on_done=lambda results, g=generation: self._arrived(g, results),
                on_error=lambda _exc, g=generation: self._pump_ended(g),
                on_cancelled=lambda g=generation: self._pump_ended(g))

    def _take(self, generation: int) -> list[ThumbRequest]:
        """Worker side: the next batch from the front of the queue."""
        with self._lock:
            if generation != self._generation:
                return []
            batch = [self._queued.popitem(last=False)[1]
                     for _ in range(min(BATCH, len(self._queued)))]
            self._in_flight.update(r.sha256 for r in batch)
        return batch

    def _job(self, generation: int, box: QSize) -> Callable[..., object]:
        library = self.library

        def run(_progress: Callable[[int, int, str], None],
                cancelled: Callable[[], bool]) -> list[tuple[str, QImage | None, bool]]:
            if cancelled():
                raise Cancelled
            out: list[tuple[str, QImage | None, bool]] = []
            for req in self._take(generation):
                if cancelled():
                    raise Cancelled
                try:
                    image, animated = make_thumb_image(library, req, box)
                except Exception:  # one broken file must not cost the batch its thumbnails
                    log.warning("thumbnail failed", exc_info=True)
                    image, animated = None, False
                out.append((req.sha256, image, animated))
            return out

        return run

    def _arrived(self, generation: int,
                 results: list[tuple[str, QImage | None, bool]]) -> None:
        if generation != self._generation:
            return  # a previous case's batch that finished just as it was cancelled
        self._pumps -= 1
        for sha, image, animated in results:
            with self._lock:
                if sha not in self._in_flight:
                    continue
                self._in_flight.discard(sha)
            self._asked.pop(sha, None)
            pixmap = QPixmap.fromImage(image) if image is not None else None
            self._store(sha, Thumb(pixmap, animated))
            self.ready.emit(sha)
        self._submit()

    def _pump_ended(self, generation: int) -> None:
        if generation == self._generation:
            self._pumps -= 1
            self._flush.start()

    def _store(self, sha: str, thumb: Thumb) -> None:
        self._cache[sha] = thumb
        self._cache.move_to_end(sha)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)

    def clear(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.runner.cancel_group(self.group)
        self._cache.clear()
        self._forget_work()
