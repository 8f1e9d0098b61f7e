"""The main window: cases on the left, the open case in the middle, its checklist on the right."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.checklist import Checklist
from evidence_desk.i18n import current_language, tr
from evidence_desk.library.service import Library, LibraryError
from evidence_desk.ui.cases.case_editor import CaseEditor, CaseHeader
from evidence_desk.ui.cases.case_list import SCOPE_OPEN, SCOPE_TRASH, CaseListPanel
from evidence_desk.ui.checks.checklist_view import ChecklistView
from evidence_desk.ui.checks.timeline_view import TimelineView
from evidence_desk.ui.common.i18n_qt import apply_language
from evidence_desk.ui.common.labels import emphasize
from evidence_desk.ui.common.settings import SettingsDialog, chosen_language, open_settings
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.common.undo import CaseEdits, CaseListCommand
from evidence_desk.ui.flow.panel import install_flow_ui
from evidence_desk.ui.integrity.actions import install_integrity_actions
from evidence_desk.ui.team.sync import install_team_sync

try:  # the evidence board is built alongside this window; until it lands, a placeholder shows
    from evidence_desk.ui.evidence.board import EvidenceBoard
except ImportError:  # pragma: no cover - only while the board is not in the tree
    EvidenceBoard = None  # type: ignore[assignment,misc]

PAGE_EMPTY, PAGE_NO_CASE, PAGE_CASE = range(3)
EXPORT_JOBS = "evidence_desk.export.jobs"
SP = QStyle.StandardPixmap


def _export_ready(module: str, name: str) -> bool:
    # Checked without importing, so reportlab is not loaded before the first export.
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return False
    try:
        return f"def {name}(" in Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return False


class _TitledPanel(QWidget):
    """A bold caption over a child widget, used for the right-hand column."""

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel()
        emphasize(self.caption)
        self.caption.setContentsMargins(10, 8, 10, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(child, 1)


class EmptyState(QWidget):
    """What a first start shows: what the desk is for, and the two ways to begin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(SP.SP_FileDialogContentsView).pixmap(64, 64))
        self.heading = QLabel()
        emphasize(self.heading, 1.6)
        self.body = QLabel()
        self.body.setWordWrap(True)
        # A wrapped label inside a centring layout shrinks to its narrowest; give it a measure.
        self.body.setFixedWidth(460)
        self.new_button = QPushButton(objectName="emptyNewCase")
        self.new_button.setDefault(True)
        self.demo_button = QPushButton(objectName="demoButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for w in (self.icon, self.heading, self.body):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
            if isinstance(w, QLabel):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("Your library is empty"))
        self.body.setText(tr("Create a case for the order you want to complain about, then add "
                             "chat screenshots, order screenshots and logistics records. The "
                             "checklist on the right shows what the complaint still needs and "
                             "how many days are left."))
        self.new_button.setText(tr("Create a case"))
        self.demo_button.setText(tr("Try the demo library"))


class MainWindow(QMainWindow):
    """The desk. Owns the undo stack, the background runner and the settings it is given."""

    checks_updated = Signal(object)  # Checklist of the open case, after each refresh
    demo_filled = Signal()

    def __init__(self, library: Library, settings: QSettings | None = None) -> None:
        super().__init__()
        self.library = library
        self.settings = settings if settings is not None else open_settings()
        self.runner = TaskRunner(self)
        self.undo_stack = QUndoStack(self)
        self.edits = CaseEdits(library, self)
        self._check_generation = 0
        self._demo_running = False
        self.setObjectName("mainWindow")
        self._default_size()
        self._build_panels()
        self._build_actions()
        self._build_menus()
        self._connect()
        self.retranslate()
        self._restore_state()
        self.cases.reload()
        self._show_case(None)
        install_integrity_actions(self)
        self.flow_ui = install_flow_ui(self)
        install_team_sync(self)

    # ---- building ----------------------------------------------------------------------
    def _build_panels(self) -> None:
        lib = self.library
        self.cases = CaseListPanel(lib)
        self.header = CaseHeader(lib)
        self.editor = CaseEditor(lib, self.edits, self.undo_stack)
        self.editor_scroll = QScrollArea()
        self.editor_scroll.setWidget(self.editor)
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The fields shrink to the width instead; a sideways scrollbar hides half a form.
        self.editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if EvidenceBoard is not None:
            self.board: QWidget = EvidenceBoard(lib, self.runner, self.undo_stack)
        else:
            self.board = QLabel(objectName="evidenceView")
            self.board.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.board.setEnabled(False)
        self.case_split = QSplitter(Qt.Orientation.Vertical, objectName="caseSplitter")
        self.case_split.addWidget(self.editor_scroll)
        self.case_split.addWidget(self.board)
        self.case_split.setStretchFactor(0, 0)
        self.case_split.setStretchFactor(1, 1)
        self.case_split.setSizes([330, 470])
        self.case_split.setChildrenCollapsible(False)
        case_page = QWidget()
        cl = QVBoxLayout(case_page)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.header)
        cl.addWidget(self.case_split, 1)

        self.empty = EmptyState()
        self.no_case = QLabel(objectName="noCaseLabel")
        self.no_case.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_case.setEnabled(False)
        self.middle = QStackedWidget(objectName="middleStack")
        self.middle.addWidget(self.empty)
        self.middle.addWidget(self.no_case)
        self.middle.addWidget(case_page)

        self.checklist = ChecklistView(lib.rules)
        self.timeline = TimelineView()
        self.checklist_panel = _TitledPanel(self.checklist)
        self.timeline_panel = _TitledPanel(self.timeline)
        self.right_split = QSplitter(Qt.Orientation.Vertical, objectName="rightSplitter")
        self.right_split.addWidget(self.checklist_panel)
        self.right_split.addWidget(self.timeline_panel)
        self.right_split.setSizes([480, 300])
        self.right_split.setChildrenCollapsible(False)

        self.main_split = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.main_split.addWidget(self.cases)
        self.main_split.addWidget(self.middle)
        self.main_split.addWidget(self.right_split)
        self.main_split.setStretchFactor(0, 0)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setStretchFactor(2, 0)
        # The list gets room for its columns; the middle takes what the window adds beyond this.
        self.main_split.setSizes([560, 560, 280])
        self.main_split.setChildrenCollapsible(False)
        self.setCentralWidget(self.main_split)

        self.library_label = QLabel()
        self.library_label.setEnabled(False)
        self.statusBar().addPermanentWidget(self.library_label)

    def _action(self, name: str, icon: SP | None = None,
                shortcut: QKeySequence.StandardKey | str | None = None,
                slot: Callable[[], object] | None = None) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)
        elif shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self._action
        self.actionNewCase = a("actionNewCase", SP.SP_FileIcon, K.New, self.new_case)
        self.actionOpenLibrary = a("actionOpenLibrary", SP.SP_DirOpenIcon, K.Open,
                                   self.open_library)
        self.actionAddEvidence = a("actionAddEvidence", SP.SP_FileDialogNewFolder, "Ctrl+Shift+A",
                                   lambda: self.add_evidence(None))
        self.actionPasteEvidence = a("actionPasteEvidence", SP.SP_DialogApplyButton, K.Paste,
                                     self.paste_evidence)
        self.actionExportDossier = a("actionExportDossier", SP.SP_DialogSaveButton, "Ctrl+E",
                                     self.export_dossier)
        self.actionExportPack = a("actionExportPack", SP.SP_DriveFDIcon, "Ctrl+Shift+E",
                                  self.export_pack)
        self.actionSettings = a("actionSettings", SP.SP_FileDialogDetailedView, K.Preferences,
                                self.open_settings_dialog)
        self.actionQuit = a("actionQuit", None, K.Quit, self.close)
        if not self.actionQuit.shortcuts():
            # The platform has no standard Quit key (Windows, offscreen): use the common one.
            self.actionQuit.setShortcut(QKeySequence("Ctrl+Q"))
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        # Own actions rather than createUndoAction: their prefix could not change language.
        self.actionUndo = a("actionUndo", SP.SP_ArrowBack, K.Undo, self.undo_stack.undo)
        self.actionRedo = a("actionRedo", SP.SP_ArrowForward, K.Redo, self.undo_stack.redo)
        self.actionUndo.setEnabled(False)
        self.actionRedo.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.actionUndo.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.actionRedo.setEnabled)
        # Bound slots, not lambdas: Qt drops them before the stack dies with the window.
        self.undo_stack.undoTextChanged.connect(self._undo_texts)
        self.undo_stack.redoTextChanged.connect(self._undo_texts)
        self.actionDelete = a("actionDelete", SP.SP_TrashIcon, K.Delete, self.delete_selected)
        self.actionFind = a("actionFind", None, K.Find, self.focus_search)
        self.actionDuplicate = a("actionDuplicateCase", None, "Ctrl+D", self.duplicate_case)
        self.actionArchive = a("actionArchiveCase", None, None, self.toggle_archive)
        self.actionTrash = a("actionTrashCase", SP.SP_TrashIcon, None, self.trash_case)
        self.actionRestore = a("actionRestoreCase", None, None, self.restore_case)
        self.actionPurge = a("actionPurgeCase", None, None, self.purge_case)
        self.actionShowOpen = a("actionShowOpen", None, None,
                                lambda: self.cases.filters.show_scope(SCOPE_OPEN))
        self.actionShowTrash = a("actionShowTrash", None, None,
                                 lambda: self.cases.filters.show_scope(SCOPE_TRASH))
        self.actionRefresh = a("actionRefresh", SP.SP_BrowserReload, K.Refresh, self.refresh_all)
        self.actionDemo = a("actionDemo", None, None, self.load_demo)
        self.actionAbout = a("actionAbout", None, None, self.about)
        self.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)
        self.actionExportDossier.setEnabled(_export_ready(EXPORT_JOBS, "export_dossier"))
        self.actionExportPack.setEnabled(_export_ready(EXPORT_JOBS, "export_pack"))
        self._exports_built = (self.actionExportDossier.isEnabled(),
                               self.actionExportPack.isEnabled())
        for action in (self.actionDuplicate, self.actionArchive, self.actionTrash,
                       self.actionRestore, self.actionPurge):
            self.cases.view.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        for item in (self.actionNewCase, self.actionOpenLibrary, None, self.actionExportDossier,
                     self.actionExportPack, None, self.actionSettings, None, self.actionQuit):
            self.menu_file.addAction(item) if item else self.menu_file.addSeparator()
        self.menu_edit = bar.addMenu("")
        for item in (self.actionUndo, self.actionRedo, None, self.actionPasteEvidence,
                     self.actionDelete, None, self.actionFind):
            self.menu_edit.addAction(item) if item else self.menu_edit.addSeparator()
        self.menu_case = bar.addMenu("")
        for item in (self.actionNewCase, self.actionDuplicate, None, self.actionAddEvidence,
                     self.actionPasteEvidence, None, self.actionArchive, self.actionTrash,
                     self.actionRestore, self.actionPurge):
            self.menu_case.addAction(item) if item else self.menu_case.addSeparator()
        self.menu_view = bar.addMenu("")
        for item in (self.actionShowOpen, self.actionShowTrash, None, self.actionRefresh):
            self.menu_view.addAction(item) if item else self.menu_view.addSeparator()
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.actionDemo)
        self.menu_help.addSeparator()
        self.menu_help.addAction(self.actionAbout)

        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for item in (self.actionNewCase, None, self.actionAddEvidence, self.actionPasteEvidence,
                     None, self.actionUndo, self.actionRedo, None, self.actionExportDossier,
                     self.actionExportPack):
            self.toolbar.addAction(item) if item else self.toolbar.addSeparator()
        self.addToolBar(self.toolbar)

    def _connect(self) -> None:
        self.cases.current_case_changed.connect(self._show_case)
        self.cases.model.modelReset.connect(self._update_middle)
        self.edits.case_changed.connect(self._case_edited)
        self.edits.buyer_changed.connect(lambda _b: self.cases.model.reload())
        self.edits.stale.connect(self._stale)
        self.edits.failed.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.checklist.add_requested.connect(self.add_evidence)
        self.empty.new_button.clicked.connect(self.new_case)
        self.empty.demo_button.clicked.connect(self.load_demo)
        changed = getattr(self.board, "evidence_changed", None)
        if changed is not None:
            changed.connect(self.evidence_changed)
        message = getattr(self.board, "status_message", None)
        if message is not None:
            message.connect(self.statusBar().showMessage)

    def retranslate(self) -> None:
        texts = {
            self.actionNewCase: tr("&New case"), self.actionOpenLibrary: tr("&Open library…"),
            self.actionAddEvidence: tr("&Add evidence…"),
            self.actionPasteEvidence: tr("&Paste evidence"),
            self.actionExportDossier: tr("Export &dossier (PDF)…"),
            self.actionExportPack: tr("Export upload &pack…"),
            self.actionSettings: tr("&Settings…"), self.actionQuit: tr("&Quit"),
            self.actionDelete: tr("&Delete"), self.actionFind: tr("&Find case"),
            self.actionDuplicate: tr("D&uplicate case"),
            self.actionTrash: tr("Move to &trash…"), self.actionRestore: tr("&Restore from trash"),
            self.actionPurge: tr("Delete &forever…"), self.actionShowOpen: tr("&Open cases"),
            self.actionShowTrash: tr("&Trash"), self.actionRefresh: tr("&Refresh"),
            self.actionDemo: tr("Try the &demo library"), self.actionAbout: tr("&About Evidence Desk"),
        }
        for action, text in texts.items():
            action.setText(text)
        # Toolbar labels without the menu mnemonics ("新建案件(N)" reads badly on a button).
        for action, text in ((self.actionNewCase, tr("New case")),
                             (self.actionAddEvidence, tr("Add evidence")),
                             (self.actionPasteEvidence, tr("Paste evidence")),
                             (self.actionExportDossier, tr("Export dossier")),
                             (self.actionExportPack, tr("Export upload pack"))):
            action.setIconText(text)
        self.actionAddEvidence.setToolTip(tr("Add files or folders to the open case"))
        self.actionPasteEvidence.setToolTip(tr("Paste a screenshot from the clipboard (Ctrl+V)"))
        self._undo_texts()
        if not self._exports_built[0]:
            self.actionExportDossier.setToolTip(tr("The dossier export is not installed"))
        if not self._exports_built[1]:
            self.actionExportPack.setToolTip(tr("The upload pack export is not installed"))
        self.menu_file.setTitle(tr("&File"))
        self.menu_edit.setTitle(tr("&Edit"))
        self.menu_case.setTitle(tr("&Case"))
        self.menu_view.setTitle(tr("&View"))
        self.menu_help.setTitle(tr("&Help"))
        self.toolbar.setWindowTitle(tr("Toolbar"))
        self.checklist_panel.caption.setText(tr("Checklist"))
        self.timeline_panel.caption.setText(tr("Timeline"))
        self.no_case.setText(tr("Select a case on the left, or create a new one."))
        if isinstance(self.board, QLabel):
            self.board.setText(tr("The evidence board is not available in this build."))
        elif hasattr(self.board, "retranslate"):
            self.board.retranslate()
        self.empty.retranslate()
        self.editor.retranslate()
        self.checklist.retranslate()
        self.timeline.retranslate()
        self.cases.retranslate()
        self.header.show_case(self.editor.case)
        self.setWindowTitle(tr("{library} — Evidence Desk", library=self.library.folder.name))
        self.library_label.setText(tr("Library: {path}", path=str(self.library.folder)))
        self._update_actions()
        if hasattr(self, "flow_ui"):  # built after the first retranslate, in __init__
            self.flow_ui.retranslate()

    @Slot()
    def _undo_texts(self) -> None:
        undo, redo = self.undo_stack.undoText(), self.undo_stack.redoText()
        self.actionUndo.setText(tr("&Undo {what}", what=undo) if undo else tr("&Undo"))
        self.actionRedo.setText(tr("&Redo {what}", what=redo) if redo else tr("&Redo"))
        self.actionUndo.setIconText(tr("Undo"))
        self.actionRedo.setIconText(tr("Redo"))

    def _default_size(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1360, 820
        if screen is not None:
            width = min(width, int(screen.width() * 0.92))
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # ---- settings ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        for key, splitter in (("main", self.main_split), ("case", self.case_split),
                              ("right", self.right_split)):
            state = s.value(f"window/splitter_{key}")
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter_main", self.main_split.saveState())
        s.setValue("window/splitter_case", self.case_split.saveState())
        s.setValue("window/splitter_right", self.right_split.saveState())
        s.sync()

    def open_settings_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.set_language(chosen_language(self.settings))

    def set_language(self, lang: str) -> None:
        """Switch the whole window to `lang` without a restart."""
        if lang != current_language():
            apply_language(lang)
            self.retranslate()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.editor.flush()
        self.save_state()
        self.runner.shutdown()
        super().closeEvent(event)

    # ---- the open case -----------------------------------------------------------------
    def current_case(self) -> int | None:
        return self.cases.current_case()

    def _show_case(self, case_id: int | None) -> None:
        self.editor.set_case(case_id)
        if hasattr(self.board, "set_case"):
            self.board.set_case(case_id)
        self.header.show_case(self.editor.case)
        self.checklist.show_checklist(None)
        self.timeline.set_events([])
        self._update_middle()
        self._update_actions()
        if case_id is not None:
            self.refresh_checks()

    def _update_middle(self) -> None:
        if self.current_case() is not None:
            page = PAGE_CASE
        elif self.cases.model.rowCount() == 0 and self.library.is_empty():
            page = PAGE_EMPTY
        else:
            page = PAGE_NO_CASE
        self.middle.setCurrentIndex(page)

    def _update_actions(self) -> None:
        cid = self.current_case()
        summary = None
        if cid is not None:
            row = self.cases.model.row_of(cid)
            summary = self.cases.model.summary(row) if row is not None else None
        in_trash = bool(summary and summary.deleted)
        has_case = cid is not None
        board_ready = has_case and not isinstance(self.board, QLabel) and not in_trash
        self.actionAddEvidence.setEnabled(board_ready)
        self.actionPasteEvidence.setEnabled(board_ready)
        self.actionDuplicate.setEnabled(has_case and not in_trash)
        self.actionArchive.setEnabled(has_case and not in_trash)
        self.actionArchive.setText(tr("Un&archive case") if summary and summary.archived
                                   else tr("&Archive case"))
        self.actionTrash.setEnabled(has_case and not in_trash)
        self.actionRestore.setEnabled(in_trash)
        self.actionPurge.setEnabled(in_trash)
        self.actionExportDossier.setEnabled(self._exports_built[0] and has_case)
        self.actionExportPack.setEnabled(self._exports_built[1] and has_case)

    def refresh_checks(self) -> None:
        """Recompute checklist and timeline off the GUI thread; stale answers are dropped."""
        cid = self.current_case()
        if cid is None:
            return
        self._check_generation += 1
        generation = self._check_generation
        lib = self.library

        def job(_progress: Any, _cancelled: Any) -> tuple[Checklist, list[Any], Any]:
            return lib.check(cid), lib.timeline(cid), lib.get_case(cid)

        self.runner.cancel_group("checks")
        self.runner.run(job, group="checks",
                        on_done=lambda result: self._checks_done(cid, generation, result),
                        on_error=self._report_error)

    def _checks_done(self, case_id: int, generation: int,
                     result: tuple[Checklist, list, Any]) -> None:
        if generation != self._check_generation or case_id != self.current_case():
            return
        checklist, events, case = result
        editor_case = self.editor.case
        if editor_case is not None and editor_case.id == case.id \
                and editor_case.version != case.version:
            # The library moved the case itself (draft <-> ready as evidence came and went):
            # every view, and the version the next edit is checked against, must follow.
            self.edits.seen(case)
            self.edits.case_changed.emit(case)
        self.checklist.show_checklist(checklist)
        self.timeline.set_events(events)
        self.checks_updated.emit(checklist)

    def evidence_changed(self) -> None:
        """The board added, removed or re-kinded evidence: readiness and the list row follow."""
        cid = self.current_case()
        if cid is not None:
            self.cases.model.refresh_case(cid)
        self.refresh_checks()

    def _case_edited(self, case: Any) -> None:
        self.cases.model.refresh_case(case.id)
        if case.id == self.current_case():
            self.header.show_case(case)
            self.refresh_checks()

    def _stale(self, case_id: int, message: str) -> None:
        if case_id == self.current_case():
            self.editor.reload()
            self.header.show_case(self.editor.case)
            self.refresh_checks()
        self.cases.model.refresh_case(case_id)
        self.statusBar().showMessage(message, 10000)

    def _report_error(self, exc: Exception) -> None:
        self.statusBar().showMessage(str(exc), 10000)

    def refresh_all(self) -> None:
        self.cases.reload()
        self.editor.reload()
        self.refresh_checks()

    # ---- case commands -----------------------------------------------------------------
    def new_case(self) -> int:
        """Create a case straight away and put the cursor in its order number."""
        type_key = str(self.cases.filters.type_combo.currentData() or "") or \
            next(iter(self.library.rules.types))
        n = len(self.library.case_ids(archived=None)) + 1
        case = self.library.create_case(type_key, f"NEW-{n}")
        self.cases.filters.search.clear()
        self.cases.filters.show_scope(SCOPE_OPEN)
        self.cases.reload(keep=case.id)
        self.cases.select_case(case.id)
        self.editor.order_no.setFocus()
        self.editor.order_no.selectAll()
        self.statusBar().showMessage(tr("New case created: type its order number."), 6000)
        return case.id

    def duplicate_case(self) -> None:
        cid = self.current_case()
        if cid is None:
            return
        copy = self.library.duplicate_case(cid)
        self.cases.reload(keep=copy.id)
        self.statusBar().showMessage(tr("Case duplicated with its evidence."), 6000)

    def _list_command(self, text: str, forward: Callable[[], object],
                      backward: Callable[[], object], keep: int | None = None) -> None:
        def after() -> None:
            self.cases.reload(keep=keep)
            self._update_actions()

        try:
            self.undo_stack.push(CaseListCommand(text, forward, backward, after))
        except LibraryError as exc:
            self.statusBar().showMessage(str(exc), 8000)

    def toggle_archive(self) -> None:
        cid = self.current_case()
        row = self.cases.model.row_of(cid) if cid is not None else None
        summary = self.cases.model.summary(row) if row is not None else None
        if cid is None or summary is None:
            return
        lib = self.library
        now = not summary.archived
        self._list_command(tr("Archive case") if now else tr("Unarchive case"),
                           lambda: lib.update_case(cid, archived=now),
                           lambda: lib.update_case(cid, archived=not now))

    def trash_case(self) -> None:
        cid = self.current_case()
        if cid is None:
            return
        case = self.library.get_case(cid)
        answer = QMessageBox.question(
            self, tr("Move to trash"),
            tr("Move case {order} to the trash? You can restore it from the trash later.",
               order=case.order_no))
        if answer != QMessageBox.StandardButton.Yes:
            return
        lib = self.library
        self._list_command(tr("Move case {order} to trash", order=case.order_no),
                           lambda: lib.delete_case(cid), lambda: lib.restore_case(cid))
        self.statusBar().showMessage(tr("Case moved to the trash."), 6000)

    def restore_case(self) -> None:
        cid = self.current_case()
        if cid is None:
            return
        lib = self.library
        self._list_command(tr("Restore case"), lambda: lib.restore_case(cid),
                           lambda: lib.delete_case(cid))
        self.statusBar().showMessage(tr("Case restored; it is back among the open cases."), 6000)

    def purge_case(self) -> None:
        cid = self.current_case()
        if cid is None:
            return
        case = self.library.get_case(cid)
        answer = QMessageBox.warning(
            self, tr("Delete forever"),
            tr("Delete case {order} and its evidence forever? This cannot be undone.",
               order=case.order_no),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.library.purge_case(cid)
        except LibraryError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        # Older commands may name the purged case; they can no longer be undone.
        self.undo_stack.clear()
        self.cases.reload()

    def delete_selected(self) -> None:
        """Delete: the selected evidence on the board, or the case when the list has focus."""
        focus = QApplication.focusWidget()
        if focus is self.cases.view:
            if self.actionPurge.isEnabled():
                self.purge_case()
            else:
                self.trash_case()
        elif hasattr(self.board, "remove_selected"):
            self.board.remove_selected()

    def focus_search(self) -> None:
        self.cases.filters.search.setFocus()
        self.cases.filters.search.selectAll()

    # ---- evidence (the board does the work) --------------------------------------------
    def add_evidence(self, kind: str | None = None) -> None:
        if self.current_case() is not None and hasattr(self.board, "add_files_dialog"):
            self.board.add_files_dialog(kind)

    def paste_evidence(self) -> None:
        if self.current_case() is not None and hasattr(self.board, "paste_from_clipboard"):
            self.board.paste_from_clipboard()

    # ---- exports -----------------------------------------------------------------------
    def export_dossier(self) -> None:
        from evidence_desk.ui.export.actions import exports_for

        exports_for(self).export_dossier()

    def export_pack(self) -> None:
        from evidence_desk.ui.export.actions import exports_for

        exports_for(self).export_pack()

    # ---- library -----------------------------------------------------------------------
    def load_demo(self) -> None:
        """Fill the library with the sample cases, in the background."""
        if self._demo_running:
            return
        self._demo_running = True
        self.empty.demo_button.setEnabled(False)
        self.actionDemo.setEnabled(False)
        self.statusBar().showMessage(tr("Creating the demo cases…"))
        lib = self.library

        def job(_progress: Any, _cancelled: Any) -> list[int]:
            from evidence_desk.demo import fill_demo

            return fill_demo(lib)

        def done(ids: list[int]) -> None:
            self._demo_finished()
            self.cases.filters.show_scope(SCOPE_OPEN)
            self.cases.reload(keep=ids[0] if ids else None)
            self.statusBar().showMessage(tr("Demo cases created: {n}", n=len(ids)), 8000)
            self.demo_filled.emit()

        def failed(exc: Exception) -> None:
            self._demo_finished()
            self._report_error(exc)

        self.runner.run(job, group="demo", on_done=done, on_error=failed)

    def _demo_finished(self) -> None:
        self._demo_running = False
        self.empty.demo_button.setEnabled(True)
        self.actionDemo.setEnabled(True)

    def open_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Open library"),
                                                  str(self.library.folder.parent))
        if not folder:
            return
        try:
            other = Library.open(folder)
        except Exception as exc:  # any refusal to open is shown, the current window stays
            QMessageBox.critical(self, tr("Open library"), str(exc))
            return
        window = MainWindow(other, self.settings)
        window.show()
        self.close()

    def about(self) -> None:
        QMessageBox.about(self, tr("About Evidence Desk"),
                          tr("Evidence Desk collects and checks evidence for complaints against "
                             "buyers on Alibaba.com, and exports the dossier and upload pack."))
