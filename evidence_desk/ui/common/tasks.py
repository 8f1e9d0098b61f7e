"""The one way the GUI runs work in the background.

A job is a plain function `fn(progress, cancelled) -> result` run on a QThreadPool; its progress,
result and error always come back on the GUI thread through queued signals. Jobs can be grouped
(for example "thumbnails of case 7") so that leaving a case cancels the work it started.

A job may be bound to a context object (the controller or widget its callbacks belong to): when
that object is deleted first, the job is cancelled and its callbacks are never called, so a late
answer cannot touch a view that is gone. There is no other way to run work off the GUI thread:
no thread of its own, no nested event loop waiting for one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from evidence_desk.logs import log_failure

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]
Job = Callable[[ProgressFn, CancelledFn], Any]
Explain = Callable[[Exception], Exception]


class Cancelled(Exception):
    """Raised by a job that noticed it was cancelled."""


class TaskHandle(QObject):
    """Signals of one job; lives on the GUI thread so its slots run there."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled_sig = Signal()
    ended = Signal()

    def __init__(self, group: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.group = group
        self._cancel = threading.Event()
        self.running = True

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()


class _Runnable(QRunnable):
    def __init__(self, fn: Job, handle: TaskHandle, explain: Explain | None = None) -> None:
        super().__init__()
        self.fn = fn
        self.handle = handle
        self.explain = explain
        self.setAutoDelete(True)

    def run(self) -> None:
        h = self.handle
        if h.is_cancelled():
            h.cancelled_sig.emit()
            return
        try:
            result = self.fn(lambda d, t, m: h.progressed.emit(d, t, m), h.is_cancelled)
        except (Cancelled, InterruptedError):
            h.cancelled_sig.emit()
        except Exception as exc:  # reported to the user as a message; the traceback is logged
            log_failure(log, "background job failed", exc)
            h.failed.emit(self.explain(exc) if self.explain is not None else exc)
        else:
            if h.is_cancelled():
                h.cancelled_sig.emit()
            else:
                h.succeeded.emit(result)


# Jobs that can run for seconds or minutes. They get their own pool so that a big import or a
# verify never makes a click wait for its checklist or statement.
BULK_GROUPS = ("board-import", "export", "verify", "integrity", "backup", "bundle", "demo",
               "thumbs", "board-thumbs")


# What the seller opened and is looking at: the viewer's and the mark editor's picture. They
# run on a pool of their own, ahead of every queue (interactive or bulk), so a picture never
# waits behind thumbnails, checklists or an import.
URGENT_GROUPS = ("viewer", "mark-editor")


def is_bulk(group: str) -> bool:
    return group.startswith(BULK_GROUPS)


def is_urgent(group: str) -> bool:
    return group.startswith(URGENT_GROUPS)


# Work that runs for as long as there is something to do, in the background (reading
# screenshots): a pool of one of its own, so it never takes a thread an import or a checklist
# waits for, and never two at once.
BACKGROUND_GROUPS = ("ocr",)


def is_background(group: str) -> bool:
    return group.startswith(BACKGROUND_GROUPS)


# The read that fills what the seller just opened (the board's cards): ahead of the other
# queued interactive jobs (checklist, statement, flow) that the same click started.
FIRST_GROUPS = ("board-load",)

# Quiet re-checks that may as well wait until the desk's interactive reads are answered: run
# beside them they only compete for the interpreter (one at a time runs Python) with the
# reads, and with the GUI thread drawing their answers. They start when no interactive job
# is left.
AFTER_INTERACTIVE_GROUPS = ("integrity-case",)


def is_first(group: str) -> bool:
    return group.startswith(FIRST_GROUPS)


def waits_for_interactive(group: str) -> bool:
    return group.startswith(AFTER_INTERACTIVE_GROUPS)


def is_interactive(group: str) -> bool:
    return not (is_urgent(group) or is_bulk(group) or is_background(group))


class TaskRunner(QObject):
    """Owns the worker pools; on shutdown cancels everything and waits, so no thread dies mid-run."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2,
                 explain: Explain | None = None) -> None:
        """`explain` turns a job's failure into what the seller is told (a team server that
        stopped answering: one sentence in their language, not the driver's text)."""
        super().__init__(parent)
        self.explain = explain
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.bulk_pool = QThreadPool(self)
        self.bulk_pool.setMaxThreadCount(max_threads)
        self.urgent_pool = QThreadPool(self)
        self.urgent_pool.setMaxThreadCount(1)
        self.background_pool = QThreadPool(self)
        self.background_pool.setMaxThreadCount(1)
        self._handles: set[TaskHandle] = set()
        self._interactive = 0  # interactive jobs started and not yet ended
        self._waiting: list[tuple[QThreadPool, _Runnable]] = []  # for the interactive ones
        # Jobs handed to their pool once the GUI thread is back in its event loop: a click
        # that starts five reads finishes its own work (filling the form, clearing the board)
        # before they run, instead of sharing the interpreter with them while it does.
        self._starting: list[tuple[QThreadPool, _Runnable, int]] = []
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(0)
        self._start_timer.timeout.connect(self._start_pending)

    def run(self, fn: Job, *, group: str = "", on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None,
            on_progress: ProgressFn | None = None,
            on_cancelled: Callable[[], None] | None = None,
            context: QObject | None = None) -> TaskHandle:
        handle = TaskHandle(group, self)

        def bound(fn: Callable[..., Any]) -> Callable[..., Any]:
            if context is None:
                return fn
            return lambda *args: fn(*args) if shiboken6.isValid(context) else None

        if on_done:
            handle.succeeded.connect(bound(on_done))
        if on_error:
            handle.failed.connect(bound(on_error))
        if on_progress:
            handle.progressed.connect(bound(on_progress))
        if on_cancelled:
            handle.cancelled_sig.connect(bound(on_cancelled))
        if context is not None:
            # Nobody is left to take the answer: stop the work rather than finish it unseen.
            context.destroyed.connect(
                lambda *_a: handle.cancel() if shiboken6.isValid(handle) else None)
        for sig in (handle.succeeded, handle.failed, handle.cancelled_sig):
            # A slot of the runner, not a lambda: should the runner go first, Qt drops the
            # queued call instead of running it on a deleted object.
            sig.connect(self._sender_finished)
        was_idle = not self._handles
        self._handles.add(handle)
        runnable = _Runnable(fn, handle, self.explain)
        if is_urgent(group):
            self._start(self.urgent_pool, runnable, 10)
        elif is_interactive(group):
            self._interactive += 1
            self._start(self.pool, runnable, 5 if is_first(group) else 0)
        else:
            pool = self.background_pool if is_background(group) else self.bulk_pool
            if waits_for_interactive(group) and self._interactive:
                self._waiting.append((pool, runnable))
            else:
                self._start(pool, runnable, 0)
        if was_idle:
            self.busy_changed.emit(True)
        return handle

    def _start(self, pool: QThreadPool, runnable: _Runnable, priority: int) -> None:
        self._starting.append((pool, runnable, priority))
        self._start_timer.start()

    @Slot()
    def _start_pending(self) -> None:
        starting, self._starting = self._starting, []
        for pool, runnable, priority in starting:
            pool.start(runnable, priority)

    @Slot()
    def _sender_finished(self) -> None:
        handle = self.sender()
        if isinstance(handle, TaskHandle):
            self._finish(handle)

    def _finish(self, handle: TaskHandle) -> None:
        if handle in self._handles:
            handle.running = False
            self._handles.discard(handle)
            if is_interactive(handle.group):
                self._interactive -= 1
                if not self._interactive:
                    waiting, self._waiting = self._waiting, []
                    for pool, runnable in waiting:
                        self._start(pool, runnable, 0)
            handle.ended.emit()
            handle.deleteLater()
            if not self._handles:
                self.busy_changed.emit(False)

    def cancel_group(self, group: str) -> None:
        for h in list(self._handles):
            if h.group == group:
                h.cancel()

    def cancel_all(self) -> None:
        for h in list(self._handles):
            h.cancel()

    def is_busy(self) -> bool:
        return bool(self._handles)

    def interactive_busy(self) -> bool:
        """Whether interactive jobs (what the seller just asked for) are running or queued.
        Safe to ask from a worker thread (one int read)."""
        return self._interactive > 0

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        self.cancel_all()
        # Jobs not handed to a pool yet are dropped, as pool.clear() drops those queued there.
        self._start_timer.stop()
        self._starting, self._waiting = [], []
        pools = (self.pool, self.bulk_pool, self.urgent_pool, self.background_pool)
        for pool in pools:
            pool.clear()
        return all([pool.waitForDone(timeout_ms) for pool in pools])
