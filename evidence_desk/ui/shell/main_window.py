"""The main window: a thin shell that lays out what the features contribute.

Cases on the left, the open case in the middle (its form over the evidence board and the flow's
pages), its checklist and timeline on the right. The features are built from one desk context
(ui.common.context) and never see this window; the shell puts their widgets and actions in
place, wires the few places where one feature's event is another's cue, and owns the ordered
close: save pending edits, stop the features and every task, then the close-time backup.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import current_language, tr
from evidence_desk.library.service import Library
from evidence_desk.ui.cases.controller import CasesController
from evidence_desk.ui.checks.controller import ChecksController
from evidence_desk.ui.common.context import ALL, EVIDENCE, DeskContext
from evidence_desk.ui.common.heap import settle_after_start
from evidence_desk.ui.common.i18n_qt import apply_language
from evidence_desk.ui.common.labels import emphasize
from evidence_desk.ui.common.settings import SettingsDialog, chosen_language, open_settings
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.common.undo import CaseUndo
from evidence_desk.ui.evidence.board import EvidenceBoard
from evidence_desk.ui.export.actions import ExportActions
from evidence_desk.ui.flow.controller import FlowUI
from evidence_desk.ui.flow.help_dialogs import ocr_dialog
from evidence_desk.ui.integrity.actions import IntegrityActions
from evidence_desk.ui.ocr.background import OcrBackground
from evidence_desk.ui.shell.launcher import Launcher
from evidence_desk.ui.shell.shortcuts import ShortcutsDialog, board_keys, shortcut_rows
from evidence_desk.ui.team.sync import TeamSync

PAGE_EMPTY, PAGE_NO_CASE, PAGE_CASE = range(3)
# Widths of the three columns: the case list never below a rail of order no., status and days
# left; the middle (the board) never below what a row of cards and a section header need.
LIST_MIN = 250
MIDDLE_MIN = 420
RIGHT_MIN = 210
# Windows shorter than this (a 1366x768 laptop, less its task bar) give the case form less height.
SHORT_WINDOW = 900
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


class MainWindow(QMainWindow):
    """The desk's window. Owns the desk context its features are built from."""

    demo_filled = Signal()

    def __init__(self, library: Library, settings: QSettings | None = None, *,
                 launcher: Launcher | None = None) -> None:
        super().__init__()
        self.library = library
        self.settings = settings if settings is not None else open_settings()
        # A window built on its own (build_main_window, tests) gets a launcher of its own for
        # Open library… and restores; it goes when its last window has closed.
        self.launcher = launcher or Launcher(MainWindow, self.settings, dispose_when_idle=True)
        self.launcher.adopt(self)
        self.close_backup = False  # start_scheduled_backups turns it on
        self._closed = False
        self._closing = False
        self.setObjectName("mainWindow")
        self.ctx = DeskContext(library, self.settings,
                               TaskRunner(self, explain=library.plain_failure), CaseUndo(self),
                               self)
        self.ctx.dialog_parent = self
        self.runner = self.ctx.runner
        self._default_size()
        self._build_features()
        self._build_panels()
        self._build_actions()
        self._build_menus()
        self._connect()
        self.retranslate()
        self._restore_state()
        self.cases.reload()
        self._update_middle()
        self._update_actions()
        self.team_sync.apply_read_only(self)
        # What an earlier session left unread is picked up once the window is up.
        self.ocr.start()
        settle_after_start()

    # ---- building ----------------------------------------------------------------------
    def _build_features(self) -> None:
        ctx = self.ctx
        self.case_ui = CasesController(ctx)
        self.cases = self.case_ui.panel
        self.header = self.case_ui.header
        self.editor = self.case_ui.editor
        self.editor_scroll = self.case_ui.editor_scroll
        self.empty = self.case_ui.empty
        self.board = EvidenceBoard(ctx.library, ctx.runner, ctx.undo)
        self.checks = ChecksController(ctx)
        self.checklist = self.checks.checklist
        self.timeline = self.checks.timeline
        self.checks_updated = self.checks.checks_updated
        self.flow_ui = FlowUI(ctx)
        self.flow_ui.set_evidence_page(self.board)
        self.integrity = IntegrityActions(ctx)
        self.exports = ExportActions(ctx)
        self.team_sync = TeamSync(ctx)
        ctx.on_stop(self.board.shutdown)
        # Reads screenshots in the background; holds while an import runs, and while the
        # desk's interactive reads (a case being opened, views following a change) run.
        runner, board = ctx.runner, self.board
        self.ocr = OcrBackground(
            ctx, yield_to=lambda: board.is_importing() or runner.interactive_busy())

    def _build_panels(self) -> None:
        self.case_split = QSplitter(Qt.Orientation.Vertical, objectName="caseSplitter")
        self.case_split.addWidget(self.editor_scroll)
        self.case_split.addWidget(self.flow_ui.tabs)
        self.case_split.setStretchFactor(0, 0)
        self.case_split.setStretchFactor(1, 1)
        self.case_split.setSizes([200, 500])
        self.case_split.setChildrenCollapsible(False)
        case_page = QWidget()
        cl = QVBoxLayout(case_page)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.case_ui.trash_banner)
        cl.addWidget(self.header)
        cl.addWidget(self.case_split, 1)

        self.no_case = QLabel(objectName="noCaseLabel")
        self.no_case.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_case.setEnabled(False)
        self.no_case.setWordWrap(True)
        self.middle = QStackedWidget(objectName="middleStack")
        self.middle.addWidget(self.empty)
        self.middle.addWidget(self.no_case)
        self.middle.addWidget(case_page)
        # What a page holds (a long title, a tall details pane) must never widen the middle
        # and so move the splitter: the splitter alone decides its width.
        self.middle.setMinimumWidth(MIDDLE_MIN)
        self.middle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.checklist_panel = _TitledPanel(self.checklist)
        self.timeline_panel = _TitledPanel(self.timeline)
        # The selected item's details sit in the right column, not beside the cards: the
        # cards keep the middle's whole width, and a tall pane scrolls on its own.
        self.details_panel = _TitledPanel(self.board.detach_details())
        self.details_panel.setObjectName("itemDetailsPanel")
        self.right_split = QSplitter(Qt.Orientation.Vertical, objectName="rightSplitter")
        self.right_split.addWidget(self.checklist_panel)
        self.right_split.addWidget(self.details_panel)
        self.right_split.addWidget(self.timeline_panel)
        self.right_split.setSizes([300, 300, 160])
        self.right_split.setChildrenCollapsible(False)

        self.cases.layout().insertWidget(0, self.flow_ui.reminder_bar)
        self.main_split = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.main_split.addWidget(self.cases)
        self.main_split.addWidget(self.middle)
        self.main_split.addWidget(self.right_split)
        self.main_split.setStretchFactor(0, 0)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setStretchFactor(2, 0)
        self.main_split.setCollapsible(1, False)
        self.main_split.setCollapsible(2, False)
        # The case list may be dragged down to a narrow rail (order no., status, days left).
        self.cases.setMinimumWidth(LIST_MIN)
        self.main_split.setSizes(self._default_split(self.width()))
        self.setCentralWidget(self.main_split)

        self.library_label = QLabel()
        self.library_label.setEnabled(False)
        self.statusBar().addPermanentWidget(self.ocr.status)
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
        c = self.case_ui
        # The cases feature's actions, under the names tests and embedders have always used.
        self.actionNewCase = c.actionNewCase
        self.actionDelete = c.actionDelete
        self.actionFind = c.actionFind
        self.actionDuplicate = c.actionDuplicate
        self.actionArchive = c.actionArchive
        self.actionTrash = c.actionTrash
        self.actionRestore = c.actionRestore
        self.actionPurge = c.actionPurge
        self.actionShowOpen = c.actionShowOpen
        self.actionShowTrash = c.actionShowTrash
        self.actionDemo = c.actionDemo
        self.actionOpenLibrary = a("actionOpenLibrary", SP.SP_DirOpenIcon, K.Open,
                                   self.open_library)
        self.actionAddEvidence = a("actionAddEvidence", SP.SP_FileDialogNewFolder, "Ctrl+Shift+A",
                                   lambda: self.add_evidence(None))
        self.actionPasteEvidence = a("actionPasteEvidence", SP.SP_DialogApplyButton, K.Paste,
                                     self.paste_evidence)
        self.actionExportDossier = a("actionExportDossier", SP.SP_DialogSaveButton, "Ctrl+E",
                                     self.exports.export_dossier)
        self.actionExportPack = a("actionExportPack", SP.SP_DriveFDIcon, "Ctrl+Shift+E",
                                  self.exports.export_pack)
        self.actionSettings = a("actionSettings", SP.SP_FileDialogDetailedView, K.Preferences,
                                self.open_settings_dialog)
        self.actionQuit = a("actionQuit", None, K.Quit, self.close)
        if not self.actionQuit.shortcuts():
            # The platform has no standard Quit key (Windows, offscreen): use the common one.
            self.actionQuit.setShortcut(QKeySequence("Ctrl+Q"))
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        # Own actions rather than createUndoAction: their prefix could not change language.
        self.actionUndo = a("actionUndo", SP.SP_ArrowBack, K.Undo, self.undo)
        self.actionRedo = a("actionRedo", SP.SP_ArrowForward, K.Redo, self.redo)
        self.actionRefresh = a("actionRefresh", SP.SP_BrowserReload, K.Refresh, self.refresh_all)
        self.actionAbout = a("actionAbout", None, None, self.about)
        self.actionShortcuts = a("actionShortcuts", None, "F1", self.show_shortcuts)
        # Ctrl+1… switch the open case's tabs (evidence, statement, submission, buyer).
        self.tab_actions = [
            a(f"actionTab{n + 1}", None, f"Ctrl+{n + 1}",
              lambda n=n: self.flow_ui.tabs.setCurrentIndex(n))
            for n in range(self.flow_ui.tabs.count())]
        # The statement feature owns the copy; the desk gives it its key.
        self.flow_ui.actionCopyStatement.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.actionOcrHelp = a("actionOcrHelp", None, None, self.ocr_help)
        self.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)
        self.actionExportDossier.setEnabled(_export_ready(EXPORT_JOBS, "export_dossier"))
        self.actionExportPack.setEnabled(_export_ready(EXPORT_JOBS, "export_pack"))
        self._exports_built = (self.actionExportDossier.isEnabled(),
                               self.actionExportPack.isEnabled())
        group = self.ctx.undo.group
        self.actionUndo.setEnabled(group.canUndo())
        self.actionRedo.setEnabled(group.canRedo())
        group.canUndoChanged.connect(self.actionUndo.setEnabled)
        group.canRedoChanged.connect(self.actionRedo.setEnabled)
        # Bound slots, not lambdas: Qt drops them before the group dies with the window.
        group.undoTextChanged.connect(self._undo_texts)
        group.redoTextChanged.connect(self._undo_texts)
        # The features' own actions get the window's shortcuts.
        for action in (*c.actions, *self.flow_ui.help_actions,
                       *(x for x in self.flow_ui.case_actions if x is not None),
                       *self.integrity.menu.actions(), *self.integrity.file_actions):
            if not action.isSeparator():
                self.addAction(action)

    @staticmethod
    def _fill(menu: QMenu | QToolBar, items: Sequence[QAction | None]) -> None:
        for item in items:
            if item is None:
                menu.addSeparator()
            else:
                menu.addAction(item)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self._fill(self.menu_file, (self.actionNewCase, self.actionOpenLibrary, None,
                                    self.actionExportDossier, self.actionExportPack,
                                    *self.integrity.file_actions, None, self.actionSettings, None,
                                    self.actionQuit))
        self.menu_edit = bar.addMenu("")
        self._fill(self.menu_edit, (self.actionUndo, self.actionRedo, None,
                                    self.actionPasteEvidence, self.actionDelete, None,
                                    self.actionFind))
        self.menu_case = bar.addMenu("")
        self._fill(self.menu_case, (self.actionNewCase, self.actionDuplicate, None,
                                    self.actionAddEvidence, self.actionPasteEvidence, None,
                                    self.actionArchive, self.actionTrash, self.actionRestore,
                                    self.actionPurge, None, *self.flow_ui.case_actions))
        self.menu_view = bar.addMenu("")
        self._fill(self.menu_view, (self.actionShowOpen, self.actionShowTrash, None,
                                    *self.tab_actions, None, self.actionRefresh))
        bar.addMenu(self.integrity.menu)
        self.menu_help = bar.addMenu("")
        self._fill(self.menu_help, (*self.flow_ui.help_actions, self.actionOcrHelp, None,
                                    self.actionShortcuts, None, self.actionDemo, None,
                                    self.actionAbout))

        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._fill(self.toolbar, (self.actionNewCase, None, self.actionAddEvidence,
                                  self.actionPasteEvidence, None, self.actionUndo,
                                  self.actionRedo, None, self.actionExportDossier,
                                  self.actionExportPack))
        self.addToolBar(self.toolbar)

    def _connect(self) -> None:
        ctx = self.ctx
        ctx.status.connect(self._status)
        ctx.current_changed.connect(self._case_opened)
        ctx.case_changed.connect(self._changed)
        self.cases.model.modelReset.connect(self._update_middle)
        # The list knows whether the open case is in the trash: read-only follows it at once.
        self.cases.model.modelReset.connect(self._update_actions)
        self.checklist.add_requested.connect(self.add_evidence)
        self.case_ui.demo_filled.connect(self.demo_filled)
        self.case_ui.delete_board_selection = self.board.remove_selected
        # One feature's event, another's cue.
        self.board.evidence_changed.connect(self._board_changed)
        self.board.status_message.connect(self.statusBar().showMessage)
        self.checks.checks_updated.connect(self.flow_ui.show_checks)
        self.flow_ui.edit_buyer_requested.connect(self._edit_buyer)
        self.flow_ui.export_pack_requested.connect(self.actionExportPack.trigger)
        self.integrity.marks.changed.connect(self.push_marks)
        self.integrity.restore_requested.connect(lambda b: self.launcher.restore(self, b))
        self.exports.originals_refused.connect(self.integrity.recheck_case)
        self.ocr.status.help_requested.connect(self.ocr_help)
        self.board.import_finished.connect(lambda outcome: self.ocr.kick() if outcome.added
                                           else None)

    def retranslate(self) -> None:
        texts = {
            self.actionOpenLibrary: tr("&Open library…"),
            self.actionAddEvidence: tr("&Add evidence…"),
            self.actionPasteEvidence: tr("&Paste evidence"),
            self.actionExportDossier: tr("Export &dossier (PDF)…"),
            self.actionExportPack: tr("Export upload &pack…"),
            self.actionSettings: tr("&Settings…"), self.actionQuit: tr("&Quit"),
            self.actionRefresh: tr("&Refresh"), self.actionAbout: tr("&About Evidence Desk"),
            self.actionShortcuts: tr("&Keyboard shortcuts"),
            self.actionOcrHelp: tr("Text &recognition (OCR)…"),
        }
        for action, text in texts.items():
            action.setText(text)
        # Toolbar labels without the menu mnemonics ("新建案件(N)" reads badly on a button).
        for action, text in ((self.actionAddEvidence, tr("Add evidence")),
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
        self.details_panel.caption.setText(tr("Selected item"))
        self.timeline_panel.caption.setText(tr("Timeline"))
        self.no_case.setText(tr("Select a case on the left, or create a new one."))
        for n, action in enumerate(self.tab_actions):
            action.setText(tr("Show tab {n}: {name}", n=n + 1,
                              name=self.flow_ui.tabs.tabText(n).replace("&", "")))
        self.board.retranslate()
        self.case_ui.retranslate()
        self.checks.retranslate()
        self.flow_ui.retranslate()
        self.integrity.retranslate()
        self.ocr.retranslate()
        self.setWindowTitle(tr("{library} — Evidence Desk", library=self.library.folder.name))
        self.library_label.setText(tr("Library: {path}", path=str(self.library.folder)))
        self._update_actions()

    # ---- undo --------------------------------------------------------------------------
    @property
    def undo_stack(self) -> QUndoStack:
        """The open case's undo stack (the library's own while no case is open)."""
        return self.ctx.undo.active()

    def undo(self) -> None:
        group = self.ctx.undo.group
        what = group.undoText()
        if group.canUndo():
            group.undo()
            self.statusBar().showMessage(tr("Undone: {what}", what=what), 6000)

    def redo(self) -> None:
        group = self.ctx.undo.group
        what = group.redoText()
        if group.canRedo():
            group.redo()
            self.statusBar().showMessage(tr("Redone: {what}", what=what), 6000)

    @Slot()
    def _undo_texts(self) -> None:
        group = self.ctx.undo.group
        undo, redo = group.undoText(), group.redoText()
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
    def _screen_key(self) -> str:
        """Splitter sizes are remembered per screen size: a laptop and a monitor differ."""
        screen = self.screen()
        size = screen.availableGeometry().size() if screen is not None else None
        return f"{size.width()}x{size.height()}" if size is not None else "default"

    @staticmethod
    def _default_split(width: int) -> list[int]:
        """First-start widths: the case list and the checklist as narrow as reads well, the
        middle (the evidence) everything else."""
        width = max(width, LIST_MIN + MIDDLE_MIN + RIGHT_MIN)
        left = max(LIST_MIN, min(340, int(width * 0.2)))
        right = max(RIGHT_MIN, min(300, int(width * 0.2)))
        return [left, max(MIDDLE_MIN, width - left - right), right]

    def _restore_state(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        self.main_split.setSizes(self._default_split(self.width()))
        # The form as tall as it needs up to a third of the window (a quarter on a laptop's
        # short screen, where it scrolls); the board and the statement get the rest.
        share = 4 if self.height() < SHORT_WINDOW else 3
        form = min(self.editor.sizeHint().height(), max(160, self.height() // share))
        self.case_split.setSizes([form, max(200, self.height() - form)])
        key = self._screen_key()
        self._user_split = False
        for name, splitter in (("main", self.main_split), ("case", self.case_split),
                               ("right", self.right_split)):
            state = s.value(f"window/{key}/splitter_{name}")
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)
                self._user_split |= name == "main"
        # Until the seller drags the columns, they keep their proportions at every size.
        self.main_split.splitterMoved.connect(self._split_dragged)

    def _split_dragged(self, _pos: int, _index: int) -> None:
        self._user_split = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not getattr(self, "_user_split", True):
            self.main_split.setSizes(self._default_split(self.main_split.width()
                                                         or self.width()))

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        key = self._screen_key()
        s.setValue(f"window/{key}/splitter_main", self.main_split.saveState())
        s.setValue(f"window/{key}/splitter_case", self.case_split.saveState())
        s.setValue(f"window/{key}/splitter_right", self.right_split.saveState())
        s.sync()

    def open_settings_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        was_on = self.ocr.enabled
        if dialog.exec():
            self.set_language(chosen_language(self.settings))
            if self.ocr.enabled != was_on:
                self.ocr.set_enabled(self.ocr.enabled)

    def set_language(self, lang: str) -> None:
        """Switch the whole window to `lang` without a restart."""
        if lang != current_language():
            apply_language(lang)
            self.retranslate()

    # ---- the ordered close -------------------------------------------------------------
    def detach(self) -> None:
        """Shut this desk in order and let go of its library (a restore replaces it): typing
        not yet saved goes into it first, then the features and every task stop."""
        if self.ctx.closed:
            return
        self.save_state()
        self.ctx.stop()
        self.library.close()

    def is_detached(self) -> bool:
        return self.ctx.closed

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            super().closeEvent(event)
            return
        if self._closing:
            event.ignore()
            return  # the close-time backup is still being made
        self._closing = True
        backup = self.close_backup and not self.ctx.closed and self.library.is_sqlite
        if not self.ctx.closed:
            # 1. the seller's last typing, 2. every feature and task stopped ...
            self.save_state()
            self.ctx.stop()
        if backup:
            # 3. ... and only then the backup, so it holds that typing. The window stays
            # until it is made, then closes for good.
            event.ignore()
            self.launcher.backup_then(self.library, self, self._finish_close)
            return
        self._closed = True
        super().closeEvent(event)
        self.launcher.window_closed(self)

    def replaced_by(self, window: MainWindow) -> None:
        """The launcher opened `window` in this one's place (a restore, Open library…)."""
        self.integrity.reopened.emit(window)

    def _finish_close(self) -> None:
        self._closed = True
        self.close()
        self.launcher.window_closed(self)

    # ---- the open case -----------------------------------------------------------------
    def current_case(self) -> int | None:
        return self.ctx.current_case

    def _status(self, text: str, ms: int) -> None:
        if text:
            self.statusBar().showMessage(text, ms)
        else:
            self.statusBar().clearMessage()

    def _case_opened(self, case_id: int | None) -> None:
        # Its items are read on the task runner: a case of hundreds must not stall the desk.
        self.board.set_case(case_id, in_background=True)
        self._update_middle()
        self._update_actions()

    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 origin: object) -> None:
        cid = self.current_case()
        if (cid is not None and origin is not self.board and EVIDENCE in aspects
                and (ids is None or cid in ids)):
            # Changed elsewhere (recognised text, another desk, Refresh): read off the
            # GUI thread; the cards update in place when the answer comes.
            self.board.refresh_in_background()
        self._update_actions()

    def _board_changed(self) -> None:
        """The board added, removed or re-kinded evidence: the desk follows; marks too (a
        reload may add a section for a kind the rules do not list)."""
        cid = self.current_case()
        if cid is not None:
            self.ctx.announce({cid}, (EVIDENCE,), origin=self.board)
        self.push_marks()

    def push_marks(self) -> None:
        for section in self.board.sections.values():
            section.model.set_integrity(self.integrity.marks.marks)

    def _edit_buyer(self) -> None:
        editor = self.editor
        editor.buyer_toggle.setChecked(True)
        self.editor_scroll.ensureWidgetVisible(editor.buyer_box)
        editor.buyer_edits["credit_level"].setFocus()

    def _update_middle(self) -> None:
        if self.current_case() is not None:
            page = PAGE_CASE
        elif self.cases.model.rowCount() == 0 and self.library.is_empty():
            page = PAGE_EMPTY
        else:
            page = PAGE_NO_CASE
        self.middle.setCurrentIndex(page)

    def _update_actions(self) -> None:
        has_case = self.current_case() is not None
        in_trash = has_case and self.case_ui.in_trash()
        board_ready = has_case and not in_trash
        self.actionAddEvidence.setEnabled(board_ready)
        self.actionPasteEvidence.setEnabled(board_ready)
        self.case_ui.update_actions()
        self.board.set_read_only(in_trash)
        # A trashed case is not sent anywhere: restore it first.
        self.actionExportDossier.setEnabled(self._exports_built[0] and board_ready)
        self.actionExportPack.setEnabled(self._exports_built[1] and board_ready)

    def refresh_checks(self) -> None:
        self.checks.refresh()

    def evidence_changed(self) -> None:
        self._board_changed()

    def refresh_all(self) -> None:
        self.ctx.announce(None, ALL)

    def new_case(self) -> int:
        return self.case_ui.new_case()

    def load_demo(self) -> None:
        self.case_ui.load_demo()

    # ---- evidence (the board does the work) --------------------------------------------
    def add_evidence(self, kind: str | None = None) -> None:
        if self.current_case() is not None:
            self.board.add_files_dialog(kind)

    def paste_evidence(self) -> None:
        if self.current_case() is not None:
            self.board.paste_from_clipboard()

    # ---- library -----------------------------------------------------------------------
    def open_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Open library"),
                                                  str(self.library.folder.parent))
        if folder:
            self.launcher.open_other(self, folder)

    def show_shortcuts(self) -> ShortcutsDialog:
        for n, action in enumerate(self.tab_actions):  # tab titles carry live counts
            action.setText(tr("Show tab {n}: {name}", n=n + 1,
                              name=self.flow_ui.tabs.tabText(n).replace("&", "")))
        menus = (self.menu_file, self.menu_edit, self.menu_case, self.menu_view,
                 self.integrity.menu, self.menu_help)
        actions = [a for m in menus for a in m.actions() if not a.isSeparator()]
        dialog = ShortcutsDialog(shortcut_rows(actions) + board_keys(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ocr_help(self) -> QDialog:
        dialog = ocr_dialog(self.ocr.available, self.ocr.enabled, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def about_text(self) -> str:
        from evidence_desk.ocr import install_hint

        text = tr("Evidence Desk collects and checks evidence for complaints against "
                  "buyers on Alibaba.com, and exports the dossier and upload pack.")
        if self.ocr.available:
            ocr = tr("Text recognition (OCR) is installed.")
        else:
            ocr = install_hint("zh" if current_language() == "zh" else "en")
        return f"{text}\n\n{ocr}"

    def about(self) -> None:
        QMessageBox.about(self, tr("About Evidence Desk"), self.about_text())
