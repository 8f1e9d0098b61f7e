"""Thumbnails for the evidence board: made on worker threads, kept in a small LRU by sha256.

The board paints only what is visible, so requests arrive from the delegate as items scroll into
view; they are coalesced into small batches (one TaskRunner job each) so a case of 500 items
never floods the pool, and a batch checks `cancelled()` between files so leaving a case stops it.
Workers produce QImage (safe off the GUI thread); the QPixmap is made on the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from evidence_desk.ui.common.tasks import Cancelled, TaskRunner

log = logging.getLogger(__name__)

BATCH = 12
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
    """LRU of pixmaps by sha256; `get` answers at once and asks a worker for what is missing."""

    ready = Signal(str)  # sha256

    def __init__(self, library: object, runner: TaskRunner, box: QSize,
                 capacity: int = 800, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.box = box
        self.capacity = capacity
        self.group = "thumbs"
        self._cache: OrderedDict[str, Thumb] = OrderedDict()
        self._queued: OrderedDict[str, ThumbRequest] = OrderedDict()
        self._in_flight: set[str] = set()
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._submit)

    def set_group(self, group: str) -> None:
        """Start a new generation of work (a new case): what was queued or running is dropped."""
        self.runner.cancel_group(self.group)
        self._queued.clear()
        self._in_flight.clear()
        self.group = group

    def peek(self, sha256: str) -> Thumb | None:
        thumb = self._cache.get(sha256)
        if thumb is not None:
            self._cache.move_to_end(sha256)
        return thumb

    def get(self, sha256: str, mime: str) -> Thumb | None:
        """The thumbnail if made; otherwise None now and `ready(sha256)` later."""
        thumb = self.peek(sha256)
        if thumb is None and sha256 not in self._in_flight and sha256 not in self._queued:
            self._queued[sha256] = ThumbRequest(sha256, mime)
            self._flush.start()
        return thumb

    def is_pending(self, sha256: str) -> bool:
        return sha256 in self._queued or sha256 in self._in_flight

    def _submit(self) -> None:
        while self._queued:
            batch: list[ThumbRequest] = []
            # Newest first: cards ask when they are painted, so the latest requests are the
            # cards on screen now; those scrolled past wait.
            while self._queued and len(batch) < BATCH:
                batch.append(self._queued.popitem(last=True)[1])
            shas = {r.sha256 for r in batch}
            self._in_flight |= shas
            self.runner.run(
                self._job(batch, QSize(self.box)), group=self.group,
                on_done=self._arrived,
                on_error=lambda _exc, s=shas: self._dropped(s, failed=True),
                on_cancelled=lambda s=shas: self._dropped(s))

    def _job(self, batch: list[ThumbRequest], box: QSize) -> Callable[..., object]:
        library = self.library

        def run(_progress: Callable[[int, int, str], None],
                cancelled: Callable[[], bool]) -> list[tuple[str, QImage | None, bool]]:
            out: list[tuple[str, QImage | None, bool]] = []
            for req in batch:
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

    def _arrived(self, results: list[tuple[str, QImage | None, bool]]) -> None:
        for sha, image, animated in results:
            if sha not in self._in_flight:
                continue  # a previous case's result that finished just as it was cancelled
            self._in_flight.discard(sha)
            pixmap = QPixmap.fromImage(image) if image is not None else None
            self._store(sha, Thumb(pixmap, animated))
            self.ready.emit(sha)

    def _dropped(self, shas: set[str], failed: bool = False) -> None:
        for sha in shas:
            if sha in self._in_flight:
                self._in_flight.discard(sha)
                if failed:
                    self._store(sha, Thumb(None))
                    self.ready.emit(sha)

    def _store(self, sha: str, thumb: Thumb) -> None:
        self._cache[sha] = thumb
        self._cache.move_to_end(sha)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)

    def clear(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.runner.cancel_group(self.group)
        self._cache.clear()
        self._queued.clear()
        self._in_flight.clear()
