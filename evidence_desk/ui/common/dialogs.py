"""Dialog helpers every feature uses: a progress dialog that stops its task, kept dialogs."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from evidence_desk.i18n import tr
from evidence_desk.ui.common.tasks import TaskHandle


@dataclass(frozen=True)
class Failed:
    """An expected failure carried back as a value, so the task runner does not log its text
    (export messages name files and order numbers; the log gets only ids and types)."""

    error: Exception


class ProgressDialog(QProgressDialog):
    """A window-modal progress dialog whose Cancel stops the task it watches.

    Cancel sets the task's own stop flag rather than the runner's handle: the runner reports
    any job whose handle was cancelled as cancelled, even one that had already finished
    writing, and "nothing was written" must never be said of a file that was. Closing the
    dialog from code also emits `canceled`; it only counts while the task still runs.
    """

    def __init__(self, title: str, label: str, parent: QWidget | None,
                 cancellable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("taskProgressDialog")
        self.setWindowTitle(title)
        self.setLabelText(label)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setRange(0, 0)
        self.setMinimumWidth(420)
        if cancellable:
            self.setCancelButtonText(tr("Cancel"))
        else:
            self.setCancelButton(None)  # type: ignore[arg-type]
        self.handle: TaskHandle | None = None
        self.stop = threading.Event()
        self._latest: tuple[int, int, str] | None = None
        self._stepping = False
        self.canceled.connect(self.request_cancel)

    def watch(self, handle: TaskHandle) -> None:
        self.handle = handle
        handle.ended.connect(self.finish)

    def stopped(self) -> bool:
        """For the job: True once the user pressed Cancel (safe to call from any thread)."""
        return self.stop.is_set()

    def request_cancel(self) -> None:
        if self.handle is not None and self.handle.running:
            self.stop.set()
            self.setLabelText(tr("Cancelling…"))

    def step(self, done: int, total: int, label: str) -> None:
        """Show one count on the bar and in the label, always the same one.

        A window-modal QProgressDialog runs the event loop inside setValue(), which delivers
        the next queued progress report there: handled in place, the older report's label
        would be written last and stay behind the bar. Nested reports are only noted here;
        the outer call shows the latest.
        """
        self._latest = (done, total, label)
        if self._stepping:
            return
        self._stepping = True
        try:
            while self._latest is not None:
                done, total, label = self._latest
                self._latest = None
                self.setLabelText(label)
                if total > 0:
                    self.setRange(0, total)
                    self.setValue(min(done, total))
        finally:
            self._stepping = False

    def finish(self) -> None:
        self.handle = None
        self.close()
        self.deleteLater()


class kept:  # noqa: N801 - used like a property
    """An attribute holding a dialog, read back as None once Qt has deleted it.

    Used instead of clearing the attribute from the dialog's `destroyed` signal: when the window
    is torn down its children die in turn, and a slot that touched an already deleted
    controller there would crash.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = f"_kept_{name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        widget = obj.__dict__.get(self.key)
        return widget if widget is not None and shiboken6.isValid(widget) else None

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.key] = value


class BusyDialog(QProgressDialog):
    """A small "please wait" shown only when a task takes a while; closes when the task ends.

    For the moments no window can show progress: opening a library, restoring a backup, the
    backup made as the window closes. The task itself runs on the task runner like any other.
    """

    def __init__(self, label: str, parent: QWidget | None, show_after_ms: int = 400) -> None:
        super().__init__(parent)
        self.setObjectName("busyDialog")
        self.setWindowTitle(tr("Evidence Desk"))
        self.setLabelText(label)
        self.setRange(0, 0)
        self.setCancelButton(None)  # type: ignore[arg-type]
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(360)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(1_000_000)  # shown by the timer below, not by setValue
        self.reset()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.show)
        self._timer.start(show_after_ms)

    def watch(self, handle: TaskHandle) -> None:
        handle.ended.connect(self.finish)

    def finish(self) -> None:
        self._timer.stop()
        self.close()
        self.deleteLater()
