"""The cases feature: the list, the open case's header and form, and the case commands.

It turns the list's selection into the desk's open case, keeps the list in step with the change
event, and owns the commands on whole cases (new, duplicate, archive, trash, restore, purge,
the demo library).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QWidget,
)

from evidence_desk.i18n import localized, tr
from evidence_desk.library.service import LibraryError
from evidence_desk.ui.cases.case_editor import CaseEditor, CaseHeader
from evidence_desk.ui.cases.case_list import SCOPE_OPEN, SCOPE_TRASH, CaseListPanel
from evidence_desk.ui.cases.empty_state import EmptyState
from evidence_desk.ui.common.context import BUYER, FIELDS, LIST, STATE, DeskContext
from evidence_desk.ui.common.undo import CaseListCommand

SP = QStyle.StandardPixmap


class TrashBanner(QFrame):
    """Over a case in the trash: it is read-only, and a button brings it back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trashBanner")
        self.setStyleSheet("QFrame#trashBanner { background: #fdecea; border-bottom: 1px solid "
                           "#f2b8b5; } QFrame#trashBanner QLabel { color: #8c1d18; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.restore_button = QPushButton(objectName="trashRestoreButton")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.restore_button)
        self.setVisible(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(tr("This case is in the trash and cannot be changed. Restore it to "
                              "work on it again."))
        self.restore_button.setText(tr("Restore"))


class CasesController(QObject):
    """Owns the case list, header, form and first-start page, and the whole-case commands."""

    demo_filled = Signal()
    purged = Signal(int)

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        lib = ctx.library
        self.panel = CaseListPanel(lib)
        self.header = CaseHeader(lib)
        self.editor = CaseEditor(ctx)
        self.editor_scroll = QScrollArea()
        self.editor_scroll.setWidget(self.editor)
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The fields shrink to the width instead; a sideways scrollbar hides half a form.
        self.editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = EmptyState()
        self.trash_banner = TrashBanner()
        self.trash_banner.restore_button.clicked.connect(self.restore_case)
        self._demo_running = False
        self.actions: list[QAction] = []
        self._build_actions()
        self.panel.current_case_changed.connect(self._opened)
        ctx.case_changed.connect(self._changed)
        ctx.open_requested.connect(self.open_case)
        self.empty.new_button.clicked.connect(self.new_case)
        self.empty.demo_button.clicked.connect(self.load_demo)

    # ---- actions -------------------------------------------------------------------------
    def _action(self, name: str, icon: SP | None, shortcut: QKeySequence.StandardKey | str | None,
                slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if icon is not None:
            action.setIcon(self.panel.style().standardIcon(icon))
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)
        elif shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.actions.append(action)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self._action
        self.actionNewCase = a("actionNewCase", SP.SP_FileIcon, K.New, self.new_case)
        self.actionDelete = a("actionDelete", SP.SP_TrashIcon, K.Delete, self.delete_selected)
        self.actionFind = a("actionFind", None, K.Find, self.focus_search)
        self.actionDuplicate = a("actionDuplicateCase", None, "Ctrl+D", self.duplicate_case)
        self.actionArchive = a("actionArchiveCase", None, None, self.toggle_archive)
        self.actionTrash = a("actionTrashCase", SP.SP_TrashIcon, None, self.trash_case)
        self.actionRestore = a("actionRestoreCase", None, None, self.restore_case)
        self.actionPurge = a("actionPurgeCase", None, None, self.purge_case)
        self.actionShowOpen = a("actionShowOpen", None, None,
                                lambda: self.panel.filters.show_scope(SCOPE_OPEN))
        self.actionShowTrash = a("actionShowTrash", None, None,
                                 lambda: self.panel.filters.show_scope(SCOPE_TRASH))
        self.actionDemo = a("actionDemo", None, None, self.load_demo)
        for action in (self.actionDuplicate, self.actionArchive, self.actionTrash,
                       self.actionRestore, self.actionPurge):
            self.panel.view.addAction(action)
        # The delete key belongs to the board or the list, whichever has focus.
        self.delete_board_selection: Callable[[], object] | None = None

    def retranslate(self) -> None:
        for action, text in {
            self.actionNewCase: tr("&New case"), self.actionDelete: tr("&Delete"),
            self.actionFind: tr("&Find case"), self.actionDuplicate: tr("D&uplicate case"),
            self.actionTrash: tr("Move to &trash…"), self.actionRestore: tr("&Restore from trash"),
            self.actionPurge: tr("Delete &forever…"), self.actionShowOpen: tr("&Open cases"),
            self.actionShowTrash: tr("&Trash"), self.actionDemo: tr("Try the &demo library"),
        }.items():
            action.setText(text)
        self.actionNewCase.setIconText(tr("New case"))
        self.empty.retranslate()
        self.trash_banner.retranslate()
        self.editor.retranslate()
        self.panel.retranslate()
        self.header.show_case(self.editor.case)
        self.update_actions()

    def summary(self) -> Any:
        cid = self.ctx.current_case
        row = self.panel.model.row_of(cid) if cid is not None else None
        return self.panel.model.summary(row) if row is not None else None

    def in_trash(self) -> bool:
        summary = self.summary()
        return bool(summary and summary.deleted)

    def update_actions(self) -> None:
        summary = self.summary()
        has_case = self.ctx.current_case is not None
        in_trash = bool(summary and summary.deleted)
        self.actionDuplicate.setEnabled(has_case and not in_trash)
        self.actionArchive.setEnabled(has_case and not in_trash)
        self.actionArchive.setText(tr("Un&archive case") if summary and summary.archived
                                   else tr("&Archive case"))
        self.actionTrash.setEnabled(has_case and not in_trash)
        self.actionRestore.setEnabled(in_trash)
        self.actionPurge.setEnabled(in_trash)
        # A case in the trash is read-only: restoring it is the one thing to do with it.
        self.trash_banner.setVisible(in_trash)
        self.editor.set_read_only(in_trash)

    # ---- following the list and the change event ----------------------------------------
    def _opened(self, case_id: int | None) -> None:
        # The form first: typing still pending in the case being left is saved to that case.
        self.editor.set_case(case_id)
        self.header.show_case(self.editor.case)
        self.ctx.set_current_case(case_id)

    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 _origin: object) -> None:
        model = self.panel.model
        if ids is None or LIST in aspects or any(model.row_of(c) is None for c in ids):
            # Rows may come or go (or a buyer's name shows in many): ask the list again.
            self.panel.reload()
        else:
            for cid in ids:
                model.refresh_case(cid)
        cid = self.ctx.current_case
        if cid is not None and (ids is None or cid in ids) and aspects & {FIELDS, STATE, BUYER}:
            self.header.show_case(self.editor.case)
        self.update_actions()

    def open_case(self, case_id: int) -> None:
        """Select a case in the list, widening the list's filter if it hides the case."""
        if self.panel.model.row_of(case_id) is None:
            self.panel.filters.search.clear()
            self.panel.filters.show_scope(SCOPE_OPEN)
            self.panel.reload(keep=case_id)
        self.panel.select_case(case_id)

    # ---- case commands -------------------------------------------------------------------
    def new_case(self) -> int:
        """Create a case straight away and put the cursor in its order number."""
        lib = self.ctx.library
        type_key = str(self.panel.filters.type_combo.currentData() or "") or \
            next(iter(lib.rules.types))
        n = len(lib.case_ids(archived=None)) + 1
        case = lib.create_case(type_key, f"NEW-{n}")
        self.panel.filters.search.clear()
        self.panel.filters.show_scope(SCOPE_OPEN)
        self.panel.reload(keep=case.id)
        self.panel.select_case(case.id)
        self.editor.order_no.setFocus()
        self.editor.order_no.selectAll()
        self.ctx.show_status(tr("New case created: type its order number."), 6000)
        return case.id

    def duplicate_case(self) -> None:
        cid = self.ctx.current_case
        if cid is None:
            return
        copy = self.ctx.library.duplicate_case(cid)
        self.panel.reload(keep=copy.id)
        self.ctx.show_status(tr("Case duplicated with its evidence."), 6000)

    def _list_command(self, text: str, case_id: int, forward: Callable[[], object],
                      backward: Callable[[], object]) -> None:
        ctx = self.ctx

        def after() -> None:
            ctx.announce({case_id}, (LIST,))

        try:
            ctx.undo.push_list(CaseListCommand(text, forward, backward, after))
        except LibraryError as exc:
            ctx.show_status(localized(exc), 8000)

    def toggle_archive(self) -> None:
        cid = self.ctx.current_case
        summary = self.summary()
        if cid is None or summary is None:
            return
        lib = self.ctx.library
        now = not summary.archived
        self._list_command(tr("Archive case") if now else tr("Unarchive case"), cid,
                           lambda: lib.update_case(cid, archived=now),
                           lambda: lib.update_case(cid, archived=not now))

    def trash_case(self) -> None:
        cid = self.ctx.current_case
        if cid is None:
            return
        lib = self.ctx.library
        case = lib.get_case(cid)
        answer = QMessageBox.question(
            self.ctx.dialog_parent, tr("Move to trash"),
            tr("Move case {order} to the trash? You can restore it from the trash later.",
               order=case.order_no))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._list_command(tr("Move case {order} to trash", order=case.order_no), cid,
                           lambda: lib.delete_case(cid), lambda: lib.restore_case(cid))
        self.ctx.show_status(tr("Case moved to the trash."), 6000)

    def restore_case(self) -> None:
        cid = self.ctx.current_case
        if cid is None:
            return
        lib = self.ctx.library
        self._list_command(tr("Restore case"), cid, lambda: lib.restore_case(cid),
                           lambda: lib.delete_case(cid))
        self.ctx.show_status(tr("Case restored; it is back among the open cases."), 6000)

    def purge_case(self) -> None:
        cid = self.ctx.current_case
        if cid is None:
            return
        lib = self.ctx.library
        case = lib.get_case(cid)
        answer = QMessageBox.warning(
            self.ctx.dialog_parent, tr("Delete forever"),
            tr("Delete case {order} and its evidence forever? This cannot be undone.",
               order=case.order_no),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            lib.purge_case(cid)
        except LibraryError as exc:
            self.ctx.show_status(localized(exc), 8000)
            return
        # Its own commands, and the list's that may name it, can no longer be undone.
        self.ctx.undo.forget(cid)
        self.ctx.announce({cid}, (LIST,))
        self.purged.emit(cid)

    def delete_selected(self) -> None:
        """Delete: the selected evidence on the board, or the case when the list has focus."""
        if QApplication.focusWidget() is self.panel.view:
            if self.actionPurge.isEnabled():
                self.purge_case()
            else:
                self.trash_case()
        elif self.delete_board_selection is not None:
            self.delete_board_selection()

    def focus_search(self) -> None:
        self.panel.filters.search.setFocus()
        self.panel.filters.search.selectAll()

    # ---- the demo library ----------------------------------------------------------------
    def load_demo(self) -> None:
        """Fill the library with the sample cases, in the background."""
        if self._demo_running:
            return
        self._demo_running = True
        self.empty.demo_button.setEnabled(False)
        self.actionDemo.setEnabled(False)
        self.ctx.show_status(tr("Creating the demo cases…"))
        lib = self.ctx.library

        def job(_progress: Any, _cancelled: Any) -> list[int]:
            from evidence_desk.demo import fill_demo

            return fill_demo(lib)

        def done(ids: list[int]) -> None:
            self._demo_finished()
            self.panel.filters.show_scope(SCOPE_OPEN)
            self.panel.reload(keep=ids[0] if ids else None)
            self.ctx.show_status(tr("Demo cases created: {n}", n=len(ids)), 8000)
            self.demo_filled.emit()

        def failed(exc: Exception) -> None:
            self._demo_finished()
            self.ctx.report_error(exc)

        self.ctx.runner.run(job, group="demo", context=self, on_done=done, on_error=failed)

    def _demo_finished(self) -> None:
        self._demo_running = False
        self.empty.demo_button.setEnabled(True)
        self.actionDemo.setEnabled(True)
