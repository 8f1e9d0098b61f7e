"""Text recognition in the window: the open library's pending screenshots are read in the
background, one at a time, in the worker process of evidence_desk.ocr.worker.

Never on the GUI thread: the job runs on the task runner's background pool (one thread of its
own), which only waits for the worker process; the engine is never imported in the desk's
process. It starts a moment after the desk opens (so what a restart left pending is picked
up) and after every change of evidence (an import, a bundle, another desk), and holds while an
import runs (`yield_to`), so the seller never waits for it. Each picture read announces
`case_changed` for the cases that use it, so the checklist shows what the text says.
"""

from __future__ import annotations

import contextlib
import logging
import queue
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from evidence_desk.i18n import tr
from evidence_desk.ocr import install_hint, ocr_available
from evidence_desk.ui.common.context import EVIDENCE, DeskContext
from evidence_desk.ui.common.settings import OCR_ENABLED_KEY, ocr_enabled
from evidence_desk.ui.common.tasks import TaskHandle
from evidence_desk.ui.ocr.status import OcrStatusWidget

log = logging.getLogger(__name__)

GROUP = "ocr"
# After the window opens: time for it to draw and for the first case to load first.
START_DELAY_MS = 1500
# Several evidence changes in a row (a drop of many files, undo) start one run.
KICK_DELAY_MS = 400
# Pictures read in a row are announced together, at most this often: each announcement makes
# the open case's board, checklist, statement and flow read the case again, and doing that for
# every picture of a case of hundreds kept the desk busy (scrolling stuttered) while OCR ran.
ANNOUNCE_EVERY_MS = 1000


class _Recording:
    """The library as run_pending sees it, noting the cases each stored result concerns (the
    GUI thread announces them). Everything else goes straight to the library."""

    def __init__(self, library: Any, changed: queue.SimpleQueue[int]) -> None:
        self._library = library
        self._changed = changed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._library, name)

    def save_recognised(self, sha256: str, **values: Any) -> bool:
        saved = self._library.save_recognised(sha256, **values)
        if saved and not values.get("error"):
            for case_id in self._library.cases_using(sha256):
                self._changed.put(case_id)
        return saved


class OcrBackground(QObject):
    """Runs OCR of what is pending; `status` is its status bar widget."""

    progressed = Signal(int, int)  # done, total (tests and views wait on it)
    finished = Signal(object)  # the OcrReport of a run that ended, or the error

    def __init__(self, ctx: DeskContext, yield_to: Callable[[], bool] | None = None) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.yield_to = yield_to
        self.available = ocr_available()
        self.status = OcrStatusWidget()
        self.status.cancel_requested.connect(self.cancel)
        self._handle: TaskHandle | None = None
        self._again = False
        self._changed: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start)
        self._announce_timer = QTimer(self)
        self._announce_timer.setSingleShot(True)
        self._announce_timer.setInterval(ANNOUNCE_EVERY_MS)
        self._announce_timer.timeout.connect(self._announce_read)
        self.last_error = ""
        ctx.case_changed.connect(self._case_changed)
        ctx.on_stop(self.stop)
        self.retranslate()
        self._show_idle()

    # ---- state -------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return ocr_enabled(self.ctx.settings)

    def set_enabled(self, on: bool) -> None:
        """The settings' off-switch: off stops a run at once; on reads what is pending."""
        self.ctx.settings.setValue(OCR_ENABLED_KEY, bool(on))
        if on:
            self.kick(0)
        else:
            self.cancel()
            self._show_idle()

    def can_run(self) -> bool:
        return (self.available and self.enabled and not self.ctx.closed
                and not getattr(self.ctx.library, "read_only", False))

    def is_running(self) -> bool:
        return self._handle is not None

    def retranslate(self) -> None:
        self.status.retranslate()
        if not self.available:
            self.status.setToolTip(install_hint("zh" if _zh() else "en"))
        elif self.last_error:
            self.status.setToolTip(self.last_error)
        else:
            self.status.setToolTip(tr("Chat and order screenshots are read offline, one at a "
                                      "time, so search and the checklist see what they say."))

    def _show_idle(self) -> None:
        if not self.available:
            self.status.show_state("missing")
        elif getattr(self.ctx.library, "read_only", False):
            self.status.show_state("read-only")
        elif not self.enabled:
            self.status.show_state("off")
        else:
            self.status.show_state("idle")

    # ---- starting ----------------------------------------------------------------------
    def start(self) -> None:
        """Pick up what an earlier session left pending, once the window is up."""
        self.kick(START_DELAY_MS)

    def kick(self, delay_ms: int = KICK_DELAY_MS) -> None:
        """Read what is pending soon (a run already going reads the newcomers after)."""
        if not self.can_run():
            self._show_idle()
            return
        if self._handle is not None:
            self._again = True
            return
        self._timer.start(max(0, delay_ms))

    def _case_changed(self, _ids: Any, aspects: frozenset[str], origin: object) -> None:
        if origin is not self and EVIDENCE in aspects:
            self.kick()

    def _start(self) -> None:
        if self._handle is not None or not self.can_run():
            return
        from evidence_desk.ocr.worker import run_pending

        self._again = False
        self.last_error = ""
        library = _Recording(self.ctx.library, self._changed)
        yield_to = self.yield_to

        def job(progress: Any, cancelled: Callable[[], bool]) -> Any:
            pending = len(library.ocr_pending(None))
            if pending:
                progress(0, pending, "")  # the status bar says so before the first picture
            return run_pending(library, None, cancel=cancelled, yield_to=yield_to,
                               progress=lambda p: progress(p.done, p.total, p.name))

        self._handle = self.ctx.runner.run(
            job, group=GROUP, context=self, on_progress=self._progress, on_done=self._done,
            on_error=self._failed, on_cancelled=self._cancelled)

    # ---- answers (GUI thread) ----------------------------------------------------------
    def _announce_soon(self) -> None:
        """Announce what was read now if nothing was announced lately, else when the pause
        runs out (what is read meanwhile goes along)."""
        if not self._announce_timer.isActive():
            self._announce_read()

    def _announce_read(self) -> None:
        ids: set[int] = set()
        while True:
            try:
                ids.add(self._changed.get_nowait())
            except queue.Empty:
                break
        if ids:
            self._announce_timer.start()  # the next announcement waits at least this long
            self.ctx.announce(ids, (EVIDENCE,), origin=self)

    def _progress(self, done: int, total: int, _name: str) -> None:
        self._announce_soon()
        if self._handle is not None:
            self.status.show_state("running", done, total)
        self.progressed.emit(done, total)

    def _release(self) -> None:
        """The run is over (whoever waits on `finished` sees it so); newcomers meanwhile get
        a run of their own."""
        self._handle = None
        if self._again and self.can_run():
            self.kick()

    def _done(self, report: Any) -> None:
        self._release()
        self._announce_read()
        if report.failed:
            log.info("OCR: %s of %s pictures could not be read", report.failed,
                     report.failed + report.read)
        if report.read or report.failed:
            self.ctx.show_status(tr("Text recognition read {read} screenshots.",
                                    read=report.read), 6000)
        self._show_idle()
        self.finished.emit(report)

    def _failed(self, exc: Exception) -> None:
        self._again = False  # the same error would come again: wait for the next change
        self._release()
        self._announce_read()
        self.last_error = str(exc)
        log.warning("OCR could not run: %s", exc)
        self.status.show_state("failed")
        self.retranslate()
        self.finished.emit(exc)

    def _cancelled(self) -> None:
        self._release()
        self._announce_read()
        if self.ctx.closed:
            return
        left = 0
        with contextlib.suppress(Exception):  # the library is closing: nothing to say
            left = len(self.ctx.library.ocr_pending(None))
        self.status.show_state("cancelled", 0, left)
        self.finished.emit(None)

    # ---- stopping ----------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the run (the worker process is ended); what was read stays stored."""
        self._timer.stop()
        self._again = False
        if self._handle is not None:
            self._handle.cancel()

    def stop(self) -> None:
        self.cancel()


def _zh() -> bool:
    from evidence_desk.i18n import current_language

    return current_language() == "zh"
