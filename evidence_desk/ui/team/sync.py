"""A desk among others: live refresh from the team database, and a read-only reviewer's desk.

On a PostgreSQL library a `TeamListener` thread hears every committed change (library.team); its
callback only emits a signal, which Qt queues to the GUI thread, where changes are gathered for a
moment and then announced on the desk's one change event, like any change made here: the case
list, the open case's form, evidence and checklist follow from it. For a reviewer (`library.read_only`) every editing
action is disabled, the case form is made read-only and the evidence board takes no edits or
drops; the database refuses such writes anyway, this only spares the reviewer the error.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from evidence_desk.i18n import tr
from evidence_desk.ui.common.context import ALL, DeskContext

log = logging.getLogger(__name__)

# Actions that change the library; a reviewer's desk disables them (by objectName).
EDITING_ACTIONS = (
    "actionNewCase", "actionAddEvidence", "actionPasteEvidence", "actionDelete",
    "actionDuplicateCase", "actionArchiveCase", "actionTrashCase", "actionRestoreCase",
    "actionPurgeCase", "actionDemo", "actionImportBundle", "actionRestoreBackup",
    "actionComposeStatement", "actionSubmitCase", "actionRecordResult", "actionResubmitCase",
    "actionEscalate", "actionRemoveEvidence", "actionDeleteMark", "actionUndo", "actionRedo",
)
DEBOUNCE_MS = 300


class TeamSync(QObject):
    """Given the desk context; stops its listener thread when the desk stops."""

    changed = Signal(object, int)  # case id or None, server pid; from the listener's thread

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.library = ctx.library
        self.listener: Any = None
        self._pending: set[int | None] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._apply)
        # Queued: the listener thread only hands over an id; widgets are touched here.
        self.changed.connect(self._collect, Qt.ConnectionType.QueuedConnection)
        self._stopped = False
        if not getattr(self.library, "is_sqlite", True):
            self._start_listening()
            # Closing the desk ends this session; nothing may refresh it afterwards.
            ctx.on_stop(self.stop)

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.library, "read_only", False))

    def apply_read_only(self, root: QWidget) -> None:
        """On a reviewer's desk, make everything under `root` (the window) read-only."""
        if not self.read_only:
            return
        self._make_read_only(root)
        # Actions re-enabled on case changes stay off (see _keep_disabled); widgets a feature
        # adds after the window is built get the same treatment once the loop runs.
        QTimer.singleShot(0, lambda: self._make_read_only(root) if not self._stopped else None)

    # ---- hearing other desks -------------------------------------------------------------
    def _start_listening(self) -> None:
        from evidence_desk.library.team import TeamListener

        try:
            listener = TeamListener(self.library.db_url, self.changed.emit).start()
        except Exception:  # the desk works without live refresh; Refresh (F5) still does
            log.warning("team listener could not start", exc_info=True)
            return
        self.listener = listener
        # Not a slot of this object: it is destroyed together with the desk.
        self.ctx.destroyed.connect(lambda *_: listener.stop())

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        self._pending.clear()
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    @Slot(object, int)
    def _collect(self, case_id: int | None, pid: int) -> None:
        if self._stopped or pid in self.library.own_backend_pids:
            return  # this desk's own change: its views follow it already
        self._pending.add(case_id)
        self._timer.start()

    def _apply(self) -> None:
        changed, self._pending = self._pending, set()
        ids = None if None in changed else {c for c in changed if c is not None}
        try:
            self.ctx.announce(ids, ALL, origin=self)
        except Exception as exc:  # e.g. the open case was purged elsewhere
            log.info("refresh after a change elsewhere failed: %s", type(exc).__name__)
            self.ctx.show_status(tr("The library changed elsewhere; press Refresh."), 10000)

    # ---- a reviewer's desk ---------------------------------------------------------------
    def _make_read_only(self, w: QWidget) -> None:
        for action in w.findChildren(QAction):
            if action.objectName() in EDITING_ACTIONS:
                action.setEnabled(False)
                if not action.property("teamReadOnly"):
                    action.setProperty("teamReadOnly", True)
                    action.changed.connect(lambda a=action: _keep_disabled(a))
        for name in ("caseEditor", "evidenceView"):
            root = w.findChild(QWidget, name)
            if root is not None:
                _read_only_widgets(root, drops=name == "evidenceView")
        board = w.findChild(QWidget, "evidenceView")
        for attr in ("add_button", "paste_button"):
            button = getattr(board, attr, None)
            if isinstance(button, QAbstractButton):
                button.setVisible(False)
        self.ctx.show_status(tr("Read-only desk (reviewer): you can open, check and "
                                     "export cases, not change them."))


def _keep_disabled(action: QAction) -> None:
    if action.isEnabled():
        action.setEnabled(False)


def _read_only_widgets(root: QWidget, *, drops: bool) -> None:
    for edit in root.findChildren(QLineEdit):
        edit.setReadOnly(True)
    for text in (*root.findChildren(QPlainTextEdit), *root.findChildren(QTextEdit)):
        text.setReadOnly(True)
    for spin in root.findChildren(QAbstractSpinBox):
        spin.setReadOnly(True)
    for combo in root.findChildren(QComboBox):
        combo.setEnabled(False)
    for box in root.findChildren(QCheckBox):
        box.setEnabled(False)
    for view in root.findChildren(QAbstractItemView):
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        view.setAcceptDrops(False)
    if drops:
        root.setAcceptDrops(False)
