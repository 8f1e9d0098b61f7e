"""The evidence board: a case's files as thumbnails, grouped by evidence kind.

One section per kind (header with label, count and whether the complaint type needs it; an
icon grid over a hand-written id model). Files arrive by drag and drop, the add dialog or a
pasted screenshot; items move between kinds by drag or the context menu; every change is an
undo command on the window's shared stack. Slow work (imports, thumbnails, PNG encoding of a
pasted image) runs through the TaskRunner; the GUI thread only talks to the Library for the
small reads and writes of one edit.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QItemSelection,
    QMimeData,
    QModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QResizeEvent,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.rules import EvidenceKind
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import current_language, localized, tr
from evidence_desk.ui.common.labels import emphasize
from evidence_desk.ui.common.tasks import TaskHandle, TaskRunner
from evidence_desk.ui.evidence.board_filter import BoardFilter
from evidence_desk.ui.evidence.commands import (
    AddEvidenceCommand,
    EditEvidenceCommand,
    MoveEvidenceCommand,
    RemoveEvidenceCommand,
    plan_moves,
)
from evidence_desk.ui.evidence.delegate import CELL, THUMB_BOX, EvidenceDelegate, rotated
from evidence_desk.ui.evidence.details import EvidenceDetails
from evidence_desk.ui.evidence.import_dialog import (
    ImportProgress,
    ImportSummaryDialog,
    file_dialog,
)
from evidence_desk.ui.evidence.model import EvidenceListModel, InfoRole, decode_ids
from evidence_desk.ui.evidence.thumbnail_cache import ThumbnailCache

log = logging.getLogger(__name__)

_LETTER_COLOURS = ["#e8710a", "#1a73e8", "#188038", "#9334e6", "#d01884", "#c5221f",
                   "#007b83", "#5f6368"]

_STYLE = """
QFrame#kindHeader { border-bottom: 1px solid palette(mid); }
QFrame#kindSection[dropTarget="true"] { background: palette(alternate-base);
    border: 2px dashed palette(highlight); border-radius: 8px; }
QLabel#kindLetter { color: white; border-radius: 11px; font-weight: bold; }
QLabel#kindCount { color: palette(window-text); background: palette(midlight);
    border-radius: 9px; padding: 0 7px; }
QLabel#kindNeedMissing { color: #b3261e; border: 1px solid #f2b8b5; background: #fceeee;
    border-radius: 9px; padding: 0 7px; }
QLabel#kindNeedMet { color: #137333; border: 1px solid #a8dab5; background: #e6f4ea;
    border-radius: 9px; padding: 0 7px; }
QLabel#kindOther, QLabel#kindEmptyHint, QLabel#boardMessage { color: palette(placeholder-text); }
QLabel#boardEmpty { color: palette(placeholder-text); border: 2px dashed palette(mid);
    border-radius: 10px; padding: 22px; }
QWidget#boardContent { background: palette(base); }
"""


@dataclass
class ImportOutcome:
    """What one import, paste or drop did; `board.import_finished` carries it."""

    case_id: int
    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False
    error: str = ""


def local_paths(mime: QMimeData) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class KindListView(QListView):
    """The icon grid of one kind; as tall as its contents, the board's scroll area scrolls."""

    def __init__(self, section: KindSection) -> None:
        super().__init__(section)
        self.section = section
        self.setObjectName(f"kindView_{section.kind.key}")
        self.setViewMode(QListView.ViewMode.ListMode)  # ListMode keeps drops going to the model
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setGridSize(CELL)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(EvidenceDelegate(self))

    def columns(self) -> int:
        return max(1, self.viewport().width() // CELL.width())

    def fit_height(self) -> None:
        n = self.model().rowCount() if self.model() is not None else 0
        if self.section.board.filter.matches is not None:
            # Only the board filter hides cards, and only while it holds an answer: asking
            # every row of every kind on each refresh was a measurable part of opening a
            # case of hundreds of items.
            n -= sum(1 for r in range(n) if self.isRowHidden(r))
        rows = max(1, math.ceil(n / self.columns()))
        height = rows * CELL.height() + 2 * self.frameWidth() + 4
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.fit_height()

    def wheelEvent(self, e: QWheelEvent) -> None:
        e.ignore()  # the board's scroll area scrolls; this grid never does

    def keyPressEvent(self, e: QKeyEvent) -> None:
        board = self.section.board
        current = self.currentIndex()
        n = self.model().rowCount()
        plain = e.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                  Qt.KeyboardModifier.KeypadModifier)
        if e.key() == Qt.Key.Key_Space and plain:
            # Space previews the item, as in a file manager's quick look.
            if current.isValid():
                board.open_viewer(current.data(InfoRole).id)
            return
        if plain and current.isValid() and n:
            forward = e.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down)
            backward = e.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up)
            last_row = current.row() >= n - self.columns() if e.key() == Qt.Key.Key_Down \
                else current.row() == n - 1
            first_row = current.row() < self.columns() if e.key() == Qt.Key.Key_Up \
                else current.row() == 0
            # At the edge of one kind the arrows go on into the next kind's cards.
            edge = (forward and last_row) or (backward and first_row)
            if edge and board.step_section(self.section, 1 if forward else -1):
                return
        super().keyPressEvent(e)

    def drop_row(self, pos: QPoint) -> int:
        """The row a drop at `pos` inserts before (grid maths, so gaps and edges work too)."""
        n = self.model().rowCount()
        if n == 0:
            return 0
        origin = self.visualRect(self.model().index(0, 0)).topLeft()
        col = min(self.columns(), max(0, round((pos.x() - origin.x()) / CELL.width())))
        row = max(0, (pos.y() - origin.y()) // CELL.height())
        return min(n, row * self.columns() + col)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if self.section.board.accepts(e.mimeData()):
            super().dragEnterEvent(e)
            e.acceptProposedAction()
            self.section.set_drop_target(True)
        else:
            e.ignore()

    def dragMoveEvent(self, e: QDragMoveEvent) -> None:
        super().dragMoveEvent(e)  # draws the drop indicator
        if self.section.board.accepts(e.mimeData()):
            e.acceptProposedAction()
            self.section.board.autoscroll(self.mapTo(self.section.board,
                                                     e.position().toPoint()))
        else:
            e.ignore()

    def dragLeaveEvent(self, e: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(e)
        self.section.set_drop_target(False)

    def dropEvent(self, e: QDropEvent) -> None:
        # Handled here rather than by QListView: its move logic would shuffle rows itself.
        self.section.set_drop_target(False)
        row = self.drop_row(e.position().toPoint())
        ok = self.section.board.handle_drop(e.mimeData(), self.section.kind.key, row)
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()
        if ok:
            e.acceptProposedAction()
        else:
            e.ignore()


class KindSection(QFrame):
    """Header (letter, label, count, need) and the grid of one evidence kind."""

    def __init__(self, board: EvidenceBoard, kind: EvidenceKind, colour: str) -> None:
        super().__init__()
        self.board = board
        self.kind = kind
        self.setObjectName("kindSection")
        self.setProperty("dropTarget", False)
        self.setAcceptDrops(True)
        self.model = EvidenceListModel(kind.key, board.thumbs, self)
        self.model.drop_handler = lambda mime, row: board.handle_drop(mime, kind.key, row)

        header = QFrame()
        header.setObjectName("kindHeader")
        self.header = header
        self.letter = QLabel(kind.letter)
        self.letter.setObjectName("kindLetter")
        self.letter.setFixedSize(22, 22)
        self.letter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.letter.setStyleSheet(f"background: {colour};")
        self.title = QLabel()
        emphasize(self.title, 1.08)
        self.other = QLabel()
        self.other.setObjectName("kindOther")
        self.count = QLabel("0")
        self.count.setObjectName("kindCount")
        self.need = QLabel()
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("kindEmptyHint")
        self.add = QToolButton()
        self.add.setObjectName(f"addKind_{kind.key}")
        self.add.setText("+")
        self.add.setAutoRaise(True)
        self.add.clicked.connect(lambda: board.add_files_dialog(kind.key))
        row = QHBoxLayout(header)
        row.setContentsMargins(6, 6, 6, 6)
        row.setSpacing(8)
        row.addWidget(self.letter)
        row.addWidget(self.title)
        row.addWidget(self.other)
        row.addWidget(self.count)
        row.addWidget(self.need)
        row.addStretch(1)
        row.addWidget(self.empty_hint)
        row.addWidget(self.add)

        self.view = KindListView(self)
        self.view.setModel(self.model)
        for sig in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            sig.connect(self.view.fit_height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(2)
        layout.addWidget(header)
        layout.addWidget(self.view)

    def retranslate(self) -> None:
        lang = current_language()
        self.title.setText(self.kind.label(lang))
        other = self.kind.label("en" if lang == "zh" else "zh")
        self.other.setText(other if other != self.title.text() else "")
        self.setToolTip(self.kind.hint(lang))
        self.add.setToolTip(tr("Add files as {kind}", kind=self.kind.label(lang)))
        self.empty_hint.setText(tr("Drop files here"))
        self._fit_header()

    def refresh(self, need: str) -> None:
        """need: "" (not required by the case type), "met" or "missing"."""
        n = self.model.rowCount()
        self.count.setText(str(n))
        self.view.setVisible(n > 0)
        self.empty_hint.setVisible(n == 0)
        self.need.setVisible(bool(need))
        if need:
            self.need.setObjectName("kindNeedMet" if need == "met" else "kindNeedMissing")
            self.need.setText("✓ " + tr("required") if need == "met" else tr("required"))
            self.need.setStyleSheet("")  # re-polish after the objectName changed
        self.view.fit_height()

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._fit_header()

    def _fit_header(self) -> None:
        """A narrow board drops the name in the other language first, so the count, the
        required badge and the + button never get cut."""
        scroll = self.board.scroll
        if not self.other.text() or not isinstance(scroll, QScrollArea):
            return  # the board is still being built (QWidget.scroll is a method till then)
        # Measured against the board's viewport: the content is never narrower than its
        # minimum, so the section's own width would keep the long header for ever.
        margins = self.board.sections_layout.contentsMargins()
        room = scroll.viewport().width() - margins.left() - margins.right()
        self.other.setVisible(True)
        needed = self.header.minimumSizeHint().width()
        self.other.setVisible(room >= needed)

    def set_drop_target(self, on: bool) -> None:
        if self.property("dropTarget") != on:
            self.setProperty("dropTarget", on)
            self.style().unpolish(self)
            self.style().polish(self)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if self.board.accepts(e.mimeData()):
            e.acceptProposedAction()
            self.set_drop_target(True)
        else:
            e.ignore()

    def dragMoveEvent(self, e: QDragMoveEvent) -> None:
        if self.board.accepts(e.mimeData()):
            e.acceptProposedAction()
            self.board.autoscroll(self.mapTo(self.board, e.position().toPoint()))

    def dragLeaveEvent(self, e: QDragLeaveEvent) -> None:
        self.set_drop_target(False)

    def dropEvent(self, e: QDropEvent) -> None:
        self.set_drop_target(False)
        if self.board.handle_drop(e.mimeData(), self.kind.key, self.model.rowCount()):
            e.acceptProposedAction()
        else:
            e.ignore()


class EvidenceBoard(QWidget):
    """A case's evidence. Construct with the window's Library, TaskRunner and QUndoStack."""

    evidence_changed = Signal()
    status_message = Signal(str)
    import_finished = Signal(object)  # ImportOutcome
    selection_changed = Signal()

    def __init__(self, library: Any, runner: TaskRunner, undo_stack: QUndoStack,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceView")
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(_STYLE)
        self.library = library
        self.runner = runner
        self.undo_stack = undo_stack
        self._case_id: int | None = None
        self._read_only = False
        self._type_key: str | None = None
        self._queue: list[tuple[int, list[str], str | None]] = []
        self._import: TaskHandle | None = None
        self._loading: TaskHandle | None = None  # items of the case being opened
        self._load_generation = 0
        self._read_again = False  # a change came while a background read was running
        self._viewer: Any = None
        self.last_summary: ImportSummaryDialog | None = None
        dpr = max(1.0, self.devicePixelRatioF())
        self.thumbs = ThumbnailCache(library, runner,
                                     QSize(int(THUMB_BOX.width() * dpr),
                                           int(THUMB_BOX.height() * dpr)), parent=self)
        self._build()
        self.retranslate()
        self.set_case(None)

    # ---- construction -----------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel()
        emphasize(self.heading, 1.25)
        self.message = QLabel()
        self.message.setObjectName("boardMessage")
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(8000)
        self._message_timer.timeout.connect(self.message.clear)
        self.add_button = QToolButton()
        self.add_button.setObjectName("boardAdd")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.add_menu = QMenu(self.add_button)
        self.act_files = QAction(self.add_menu)
        self.act_files.triggered.connect(lambda: self.add_files_dialog())
        self.act_folder = QAction(self.add_menu)
        self.act_folder.triggered.connect(lambda: self.add_folder_dialog())
        self.add_menu.addAction(self.act_files)
        self.add_menu.addAction(self.act_folder)
        self.add_button.setMenu(self.add_menu)
        self.add_button.clicked.connect(lambda: self.add_files_dialog())
        self.paste_button = QToolButton()  # same height as the split Add button beside it
        self.paste_button.setObjectName("boardPaste")
        self.paste_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.paste_button.clicked.connect(self.paste_from_clipboard)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 6)
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.message, 1)
        self.filter = BoardFilter(self)
        top.addWidget(self.filter)
        top.addWidget(self.add_button)
        top.addWidget(self.paste_button)

        self.progress = ImportProgress()
        self.progress.cancel_requested.connect(self.cancel_import)

        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("boardEmpty")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        content = QWidget()
        content.setObjectName("boardContent")
        self.sections_layout = QVBoxLayout(content)
        self.sections_layout.setContentsMargins(10, 8, 10, 8)
        self.sections_layout.setSpacing(6)
        self.sections_layout.addWidget(self.empty_hint)
        self.sections: dict[str, KindSection] = {}
        for n, kind in enumerate(self.library.rules.kinds.values()):
            self._add_section(kind, _LETTER_COLOURS[n % len(_LETTER_COLOURS)])
        self.sections_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("boardScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)

        self.details = EvidenceDetails(self.library.rules)
        self.details.caption_edited.connect(
            lambda i, old, new: self._edit(i, "caption", old, new))
        self.details.time_edited.connect(lambda i, old, new: self._edit(i, "captured_at", old, new))
        self.details.source_edited.connect(lambda i, old, new: self._edit(i, "source", old, new))
        self.details.kind_chosen.connect(lambda k: self.move_items(self.selected_ids(), k))
        self.details.open_requested.connect(self.open_viewer)
        self.thumbs.ready.connect(self._thumb_ready)
        # The cards on screen get their thumbnails before those scrolled past.
        self.thumbs.visible = self.visible_shas
        self.scroll.verticalScrollBar().valueChanged.connect(self.thumbs.reprioritise)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("boardSplitter")
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([640, 240])

        self.no_case = QLabel()
        self.no_case.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_case.setObjectName("boardMessage")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.no_case)
        self.stack.addWidget(self.splitter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)

    def detach_details(self) -> QScrollArea:
        """Hand the details pane to a window that shows it elsewhere (the desk puts it in its
        right column so the cards keep the board's whole width). It comes in a scroll area of
        its own: however tall one item's details are, nothing around them moves."""
        holder = QScrollArea()
        holder.setObjectName("detailsScroll")
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details.setMinimumWidth(0)
        # A wide picture or file name must not widen the column: they shrink and wrap.
        self.details.preview.setSizePolicy(QSizePolicy.Policy.Ignored,
                                           QSizePolicy.Policy.Fixed)
        self.details.preview.setFixedHeight(120)
        for label in (self.details.name, self.details.meta, self.details.flags,
                      self.details.captured_from):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for combo in (self.details.kind, self.details.source):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        holder.setWidget(self.details)  # takes it out of the board's splitter
        return holder

    def _add_section(self, kind: EvidenceKind, colour: str) -> KindSection:
        section = KindSection(self, kind, colour)
        view = section.view
        view.selectionModel().selectionChanged.connect(
            lambda *_a, s=section: self._selection_changed(s))
        view.activated.connect(lambda idx: self.open_viewer(idx.data(InfoRole).id))
        view.customContextMenuRequested.connect(
            lambda pos, s=section: self._context_menu(s, pos))
        # Before the trailing stretch (if there is one yet).
        at = self.sections_layout.count()
        if at and self.sections_layout.itemAt(at - 1).spacerItem() is not None:
            at -= 1
        self.sections_layout.insertWidget(at, section)
        self.sections[kind.key] = section
        section.retranslate()
        return section

    def retranslate(self) -> None:
        """Re-read every visible string (after i18n.set_language)."""
        self.act_files.setText(tr("Add files…"))
        self.act_folder.setText(tr("Add a folder…"))
        self.add_button.setText(tr("Add files…"))
        self.add_button.setToolTip(tr("Add files or a whole folder to this case"))
        self.paste_button.setText(tr("Paste screenshot"))
        self.paste_button.setToolTip(tr("Add the picture on the clipboard (Ctrl+V)"))
        self.no_case.setText(tr("Choose a case to see its evidence."))
        self.empty_hint.setText(tr(
            "No evidence yet. Drag files or folders here, paste a screenshot with Ctrl+V, "
            "or click “Add files…”."))
        for section in self.sections.values():
            section.retranslate()
        self.filter.retranslate()
        self.details.retranslate()
        self._refresh_headers()

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        for section in self.sections.values():
            section._fit_header()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    # ---- the case ---------------------------------------------------------------------
    def case_id(self) -> int | None:
        return self._case_id

    def set_case(self, case_id: int | None, *, in_background: bool = False) -> None:
        """Show another case (None: none); thumbnail work for the previous one is cancelled.

        `in_background` reads its items on the task runner (the window does, so that opening
        a case of hundreds of items never stalls it); otherwise they are read at once.
        """
        self.thumbs.set_group(f"thumbs-case-{case_id}")
        if case_id != self._case_id:
            self.filter.clear()
        self._case_id = case_id
        self._type_key = None
        if case_id is not None:
            try:
                self._type_key = self.library.get_case(case_id).type_key
            except Exception:  # a case deleted under us shows as no case
                log.info("case %s is gone", case_id)
                self._case_id = None
        self.stack.setCurrentIndex(0 if self._case_id is None else 1)
        for w in (self.add_button, self.paste_button):
            w.setEnabled(self._case_id is not None and not self._read_only)
        if in_background and self._case_id is not None:
            self._load_in_background(self._case_id)
        else:
            self.reload()
        self.scroll.verticalScrollBar().setValue(0)

    def is_loading(self) -> bool:
        return self._loading is not None

    def refresh_in_background(self) -> None:
        """Re-read the open case's items on the task runner and update the cards in place.

        For changes made elsewhere (recognised text, another desk, Refresh): they can come
        every few hundred milliseconds, and reading hundreds of rows on the GUI thread each
        time made scrolling stutter. A change while a read runs asks for one more read after
        it (the running one may have missed it); several such changes share that one read.
        """
        if self._case_id is None:
            return
        if self._loading is not None:
            self._read_again = True
            return
        self._load_in_background(self._case_id, clear=False)

    def _load_in_background(self, case_id: int, clear: bool = True) -> None:
        if clear:
            self._show_items([])  # the case left must not show meanwhile
        self._read_again = False
        lib = self.library
        self._load_generation += 1
        generation = self._load_generation

        def done(items: list[EvidenceInfo]) -> None:
            if generation == self._load_generation and case_id == self._case_id:
                self._loading = None
                self._show_items(items)

        self.runner.cancel_group("board-load")
        self._loading = self.runner.run(lambda _p, _c: lib.list_evidence(case_id),
                                        group="board-load", context=self, on_done=done,
                                        on_error=lambda exc: self.show_message(localized(exc)))
        self._loading.ended.connect(lambda g=generation: self._load_ended(g))

    def _load_ended(self, generation: int) -> None:
        if generation == self._load_generation:
            self._loading = None
            if self._read_again:
                self.refresh_in_background()

    def reload(self) -> None:
        """Re-read the case's items and update the sections in place (selection survives)."""
        self._load_generation += 1  # an answer still on its way is older than this
        self._loading = None
        self._read_again = False
        items: list[EvidenceInfo] = (self.library.list_evidence(self._case_id)
                                     if self._case_id is not None else [])
        self._show_items(items)

    def _show_items(self, items: list[EvidenceInfo]) -> None:
        by_kind: dict[str, list[EvidenceInfo]] = {}
        for info in items:
            by_kind.setdefault(info.kind, []).append(info)
        for key in by_kind:
            if key not in self.sections:  # a kind the rules no longer list: still show it
                self._add_section(EvidenceKind(key, "?", key, key, "", "", ()),
                                  _LETTER_COLOURS[-1])
        for key, section in self.sections.items():
            section.model.set_items(by_kind.get(key, []), self._case_id or 0)
        self._refresh_headers()
        self._update_details()
        if self.filter.query():  # the rows changed: hide by the last answer, then ask again
            self.filter.apply()
            self.filter.run()

    def _refresh_headers(self) -> None:
        if not hasattr(self, "sections"):
            return
        counts = {k: s.model.rowCount() for k, s in self.sections.items()}
        ctype = self.library.rules.types.get(self._type_key) if self._type_key else None
        need: dict[str, str] = {}
        for req in (ctype.requirements if ctype else ()):
            if not req.required:
                continue
            met = sum(counts.get(k, 0) for k in req.kinds) >= req.min
            for k in req.kinds:
                need[k] = "missing" if not met or need.get(k) == "missing" else "met"
        for key, section in self.sections.items():
            section.refresh(need.get(key, ""))
        total = sum(counts.values())
        self.heading.setText(tr("Evidence") + (f"  ·  {total}" if self._case_id else ""))
        self.empty_hint.setVisible(self._case_id is not None and total == 0)

    def items(self) -> list[EvidenceInfo]:
        """Every item on the board, in board order (kind by kind)."""
        return [s.model.item(r) for s in self.sections.values()
                for r in range(s.model.rowCount())]

    def section(self, kind: str) -> KindSection:
        return self.sections[kind]

    def visible_shas(self) -> set[str]:
        """The originals of the cards inside the board's viewport now."""
        area = self.scroll.viewport()
        shown: set[str] = set()
        for section in self.sections.values():
            view, model = section.view, section.model
            n = model.rowCount()
            if not n or not view.isVisible():
                continue
            port = view.viewport()
            # The part of this grid the scroll area shows, in the grid's own coordinates.
            seen = port.rect().intersected(area.rect().translated(-port.mapTo(area, QPoint())))
            if seen.isEmpty():
                continue
            rows = [r for r in range(n) if not view.isRowHidden(r)] \
                if self.filter.matches is not None else range(n)
            if not rows:
                continue
            # A uniform grid (see KindListView): the cells from the first visible line to the
            # last, in the order the view lays them out.
            origin = view.visualRect(model.index(rows[0])).top()
            cols = view.columns()
            first = max(0, (seen.top() - origin) // CELL.height())
            last = max(first, (seen.bottom() - origin) // CELL.height())
            for row in rows[first * cols:(last + 1) * cols]:
                shown.add(model.item(row).sha256)
        return shown

    # ---- selection --------------------------------------------------------------------
    def _selection_changed(self, section: KindSection) -> None:
        if section.view.selectionModel().hasSelection():
            # One kind at a time: a selection is always "these items of this kind".
            for other in self.sections.values():
                if other is not section and other.view.selectionModel().hasSelection():
                    other.view.selectionModel().clearSelection()
        self._update_details()
        self.selection_changed.emit()

    def selected_items(self) -> list[EvidenceInfo]:
        for section in self.sections.values():
            rows = sorted(i.row() for i in section.view.selectionModel().selectedIndexes())
            if rows:
                return [section.model.item(r) for r in rows]
        return []

    def selected_ids(self) -> list[int]:
        return [i.id for i in self.selected_items()]

    def select_ids(self, ids: Iterable[int]) -> None:
        wanted = set(ids)
        for section in self.sections.values():
            sm = section.view.selectionModel()
            # One selection per section, applied at once: selecting item by item fired the
            # details update once per item (200 imported files stalled the window).
            selection = QItemSelection()
            last = None
            for row, item_id in enumerate(section.model.ids()):
                if item_id in wanted:
                    last = section.model.index(row)
                    selection.select(last, last)
            sm.select(selection, sm.SelectionFlag.ClearAndSelect)
            if last is not None:
                # Not view.setCurrentIndex: it reads the keyboard modifiers and a held Ctrl
                # would toggle the selection off again.
                sm.setCurrentIndex(last, sm.SelectionFlag.NoUpdate)

    def step_section(self, section: KindSection, step: int) -> bool:
        """Move the keyboard to the first (or last) card of the next (or previous) kind that
        has any; False at the end of the board."""
        order = [s for s in self.sections.values() if s.model.rowCount()]
        if section not in order:
            return False
        at = order.index(section) + step
        if not 0 <= at < len(order):
            return False
        target = order[at]
        row = 0 if step > 0 else target.model.rowCount() - 1
        self.select_ids([target.model.item(row).id])
        target.view.setFocus(Qt.FocusReason.TabFocusReason)
        self.scroll.ensureWidgetVisible(target.view, 0, 40)
        return True

    def active_kind(self) -> str | None:
        """The kind of the selected items: a paste lands there; None lets the file decide."""
        chosen = self.selected_items()
        return chosen[0].kind if chosen else None

    def _update_details(self) -> None:
        chosen = self.selected_items()
        thumb = self.thumbs.peek(chosen[0].sha256) if len(chosen) == 1 else None
        pixmap = rotated(thumb.pixmap, chosen[0].rotation) if thumb and thumb.pixmap else None
        self.details.show_items(chosen, pixmap=pixmap)

    def _thumb_ready(self, sha: str) -> None:
        current = self.details.current_id()
        if current is None:
            return
        chosen = self.selected_items()
        if len(chosen) == 1 and chosen[0].sha256 == sha:
            thumb = self.thumbs.peek(sha)
            self.details.set_preview(rotated(thumb.pixmap, chosen[0].rotation)
                                     if thumb and thumb.pixmap else None)

    # ---- commands ---------------------------------------------------------------------
    def _after(self, case_id: int, _counts_change: bool) -> None:
        if case_id == self._case_id:
            self.reload()
        self.evidence_changed.emit()

    def _edit(self, item_id: int, name: str, old: Any, new: Any) -> None:
        if self._case_id is None or self._read_only:
            return
        command = EditEvidenceCommand(self.library, self._case_id, item_id, name, old, new,
                                      self._after)
        self.undo_stack.push(command)
        if command.refusal:
            self.show_message(command.refusal)

    def move_items(self, ids: Sequence[int], kind: str, row: int | None = None) -> bool:
        """Put items of this case into `kind` at `row` (default: the end) as one undo step."""
        if self._case_id is None or self._read_only or kind not in self.sections:
            return False
        current = {k: s.model.ids() for k, s in self.sections.items()}
        where = {i: k for k, lst in current.items() for i in lst}
        moving = [i for k, lst in current.items() for i in lst if i in set(ids)]
        if not moving:
            return False
        target = current[kind]
        row = len(target) if row is None else max(0, min(row, len(target)))
        row -= sum(1 for i in target[:row] if i in set(moving))
        final = {k: [i for i in lst if i not in set(moving)] for k, lst in current.items()}
        final[kind][row:row] = moving
        if final == current:
            return False
        sources = {where[i] for i in moving}
        forward = plan_moves(current, {kind: final[kind]}, moving)
        backward = plan_moves(final, {k: current[k] for k in sources}, moving)
        label = self.library.rules.kinds[kind].label(current_language()) \
            if kind in self.library.rules.kinds else kind
        changes_kind = sources != {kind}
        text = tr("Move to {kind}", kind=label) if changes_kind else tr("Reorder evidence")
        self.undo_stack.push(MoveEvidenceCommand(self.library, self._case_id, forward, backward,
                                                 changes_kind, self._after, text))
        self.select_ids(moving)
        if changes_kind:
            self.show_message(tr("Moved {count} to {kind}.", count=len(moving), kind=label))
        return True

    def ask_capture_time(self, items: Sequence[EvidenceInfo]) -> None:
        from evidence_desk.ui.evidence.capture_time_dialog import CaptureTimeDialog

        dialog = CaptureTimeDialog(len(items), items[0].captured_at if items else None, self)
        if dialog.exec() == CaptureTimeDialog.DialogCode.Accepted:
            self.set_capture_time(items, dialog.when())

    def set_capture_time(self, items: Sequence[EvidenceInfo], when: datetime | None) -> None:
        """Give all `items` one capture time, as one undo step."""
        if not items or self._case_id is None or self._read_only:
            return
        from evidence_desk.ui.evidence.commands import SetCaptureTimesCommand

        command = SetCaptureTimesCommand(self.library, self._case_id, items, when, self._after)
        self.undo_stack.push(command)
        if command.refusal:
            self.show_message(command.refusal)

    def rotate_items(self, ids: Sequence[int], degrees: int) -> None:
        """Turn how the items are shown (stored as data; the originals never change)."""
        if not ids or self._case_id is None or self._read_only:
            return
        from evidence_desk.ui.evidence.commands import RotateEvidenceCommand

        command = RotateEvidenceCommand(self.library, self._case_id, ids, degrees, self._after)
        self.undo_stack.push(command)
        if command.refusal:
            self.show_message(command.refusal)

    def remove_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self._case_id is None or self._read_only:
            return
        self.undo_stack.push(RemoveEvidenceCommand(self.library, self._case_id, ids,
                                                   self._after))
        self.show_message(tr("Removed {count} items. Undo brings them back.", count=len(ids)))

    # ---- drops ------------------------------------------------------------------------
    def set_read_only(self, on: bool) -> None:
        """A case in the trash: its evidence can be looked at, not added to or changed."""
        self._read_only = on
        for w in (self.add_button, self.paste_button, *(s.add for s in self.sections.values())):
            w.setEnabled(not on and self._case_id is not None)
        self.details.setEnabled(not on)
        for section in self.sections.values():
            section.view.setDragEnabled(not on)

    def is_read_only(self) -> bool:
        return self._read_only

    def accepts(self, mime: QMimeData) -> bool:
        if self._case_id is None or self._read_only:
            return False
        moved = decode_ids(mime)
        if moved is not None:
            return moved[0] == self._case_id
        return bool(local_paths(mime)) or mime.hasImage()

    def handle_drop(self, mime: QMimeData, kind: str | None, row: int) -> bool:
        """Everything dropped on the board ends here: items moved, files or a picture added."""
        if not self.accepts(mime):
            return False
        moved = decode_ids(mime)
        if moved is not None:
            if kind is None:
                return False
            self.move_items(moved[1], kind, row)
            return True
        paths = local_paths(mime)
        if paths:
            self.import_paths(paths, kind)
            return True
        image = QImage(mime.imageData())
        if not image.isNull():
            self._add_image(image, kind)
            return True
        return False

    def autoscroll(self, pos: QPoint) -> None:
        """Scroll while an item is dragged near the top or bottom of the board."""
        area = self.scroll.viewport()
        y = area.mapFrom(self, pos).y()
        bar = self.scroll.verticalScrollBar()
        if y < 40:
            bar.setValue(bar.value() - 24)
        elif y > area.height() - 40:
            bar.setValue(bar.value() + 24)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if self.accepts(e.mimeData()) and decode_ids(e.mimeData()) is None:
            e.acceptProposedAction()
        else:
            e.ignore()

    def dragMoveEvent(self, e: QDragMoveEvent) -> None:
        self.dragEnterEvent(e)

    def dropEvent(self, e: QDropEvent) -> None:
        # Files dropped outside any kind group: each file gets the kind its content suggests.
        if decode_ids(e.mimeData()) is None and self.handle_drop(e.mimeData(), None, -1):
            e.acceptProposedAction()
        else:
            e.ignore()

    # ---- adding -----------------------------------------------------------------------
    def add_files_dialog(self, kind: str | None = None) -> QFileDialog | None:
        """Ask for files (the dialog returns at once; the import starts when files are chosen).

        `kind` puts every chosen file in that kind; None lets each file's content decide.
        """
        return self._open_chooser(kind, folder=False)

    def add_folder_dialog(self, kind: str | None = None) -> QFileDialog | None:
        """Ask for a folder; every file in it (and below) is imported."""
        return self._open_chooser(kind, folder=True)

    def _open_chooser(self, kind: str | None, folder: bool) -> QFileDialog | None:
        if self._case_id is None or self._read_only:
            return None
        dialog = file_dialog(self, folder)
        if folder:
            dialog.fileSelected.connect(lambda path: self.import_paths([path], kind))
        else:
            dialog.filesSelected.connect(lambda files: self.import_paths(files, kind))
        dialog.open()
        return dialog

    def import_paths(self, paths: Iterable[str | Path], kind: str | None = None) -> None:
        """Import files and folders into the current case in the background."""
        if self._read_only:
            self.show_message(tr("This case is in the trash; restore it to add evidence."))
            return
        if self._case_id is None:
            self.show_message(tr("Choose or create a case first."))
            return
        job = (self._case_id, [str(p) for p in paths], kind)
        if not job[1]:
            return
        if self._import is not None:
            self._queue.append(job)
            return
        self._start_import(*job)

    def _start_import(self, case_id: int, paths: list[str], kind: str | None) -> None:
        library = self.library
        partial: dict[str, list[Any]] = {}

        def run(progress: Any, cancelled: Any) -> list[Any]:
            partial["results"] = library.add_paths(case_id, paths, kind=kind,
                                                   progress=progress, cancel=cancelled)
            return partial["results"]

        self.progress.start(tr("Preparing import…"))
        self._import = self.runner.run(
            run, group="board-import",
            on_done=lambda res: self._import_done(case_id, res, False),
            on_error=lambda exc: self._import_failed(case_id, exc),
            on_progress=self.progress.update_progress,
            # A cancelled import keeps what it committed; those items become one undo step.
            on_cancelled=lambda: self._import_done(case_id, partial.get("results", []), True))

    def cancel_import(self) -> None:
        """Stop the running import (what was added so far stays, undoable) and drop the queue."""
        self._queue.clear()
        if self._import is not None:
            self._import.cancel()

    def is_importing(self) -> bool:
        return self._import is not None

    def _import_failed(self, case_id: int, exc: Exception) -> None:
        self._finish_import(ImportOutcome(case_id, error=localized(exc)))

    def _import_done(self, case_id: int, results: Sequence[Any], cancelled: bool,
                     pasted: bool = False) -> None:
        outcome = ImportOutcome(case_id, cancelled=cancelled)
        for r in results:
            if r.status == "added" and r.item_id is not None:
                outcome.added.append(r.item_id)
            elif r.status == "duplicate":
                outcome.duplicates.append((r.path, localized(r.reason)))
            else:
                outcome.refused.append((r.path, localized(r.reason)))
        self._finish_import(outcome, pasted)

    def _finish_import(self, outcome: ImportOutcome, pasted: bool = False) -> None:
        if not pasted:
            self._import = None
            self.progress.hide()
        if outcome.added:
            # The import already happened; the command only makes it undoable.
            self.undo_stack.push(AddEvidenceCommand(self.library, outcome.case_id,
                                                    outcome.added, self._after))
            # Nothing is selected afterwards: a selection left armed would let the kind box
            # move every imported file at once.
            self._after(outcome.case_id, True)
        if outcome.error:
            self.show_message(tr("Import failed: {error}", error=outcome.error))
        elif outcome.refused or outcome.duplicates or outcome.cancelled:
            self._show_summary(outcome)
        elif pasted:
            self.show_message(tr("Pasted picture added."))
        else:
            self.show_message(tr("Added {count} files.", count=len(outcome.added)))
        self.import_finished.emit(outcome)
        if not pasted and self._queue and self._import is None:
            self._start_import(*self._queue.pop(0))

    def _show_summary(self, outcome: ImportOutcome) -> None:
        if self.last_summary is not None:
            self.last_summary.close()
        dialog = ImportSummaryDialog(len(outcome.added), outcome.duplicates, outcome.refused,
                                     outcome.cancelled, self)
        dialog.destroyed.connect(lambda *_: setattr(self, "last_summary", None))
        self.last_summary = dialog
        self.show_message(ImportSummaryDialog.headline(
            len(outcome.added), len(outcome.duplicates), len(outcome.refused), outcome.cancelled))
        dialog.show()

    def paste_from_clipboard(self) -> None:
        """Add what is on the clipboard: files copied in a file manager, or a picture."""
        if self._case_id is None:
            self.show_message(tr("Choose or create a case first."))
            return
        mime = QGuiApplication.clipboard().mimeData()
        paths = local_paths(mime) if mime is not None else []
        if paths:
            self.import_paths(paths, self.active_kind())
            return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.show_message(tr("The clipboard holds no picture or files."))
            return
        self._add_image(image, self.active_kind())

    def _add_image(self, image: QImage, kind: str | None) -> None:
        if self._case_id is None or self._read_only:
            return
        case_id = self._case_id
        library = self.library
        now = datetime.now().replace(microsecond=0)
        name = f"clipboard-{now:%Y%m%d-%H%M%S}.png"
        image = image.copy()  # detached from the clipboard before it changes again

        def run(_progress: Any, _cancelled: Any) -> Any:
            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            image.save(buffer, "PNG")
            buffer.close()
            return library.add_bytes(case_id, bytes(data.data()), name, kind=kind,
                                     captured_at=now)

        self.show_message(tr("Adding the pasted picture…"))
        self.runner.run(run, group="board-paste",
                        on_done=lambda res: self._import_done(case_id, [res], False, True),
                        on_error=lambda exc: self._finish_import(
                            ImportOutcome(case_id, error=localized(exc)), True))

    # ---- viewer and menus -------------------------------------------------------------
    def open_viewer(self, item_id: int) -> Any:
        from evidence_desk.ui.evidence.viewer import EvidenceViewer

        items = self.items()
        index = next((n for n, i in enumerate(items) if i.id == item_id), None)
        if index is None:
            return None
        if self._viewer is None:
            self._viewer = EvidenceViewer(self.library, self.runner, self)
            self._viewer.destroyed.connect(lambda *_: setattr(self, "_viewer", None))
        self._viewer.recognised.set_query(self.filter.query())
        self._viewer.show_items(items, index)
        self._viewer.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self._viewer.raise_()  # headless platforms warn that they cannot
        return self._viewer

    def open_mark_editor(self, item_id: int) -> Any:
        from evidence_desk.ui.marks.editor import open_mark_editor

        editor = open_mark_editor(self.library, item_id, self.window(), self.runner)
        editor.saved.connect(self.marks_saved)
        return editor

    def marks_saved(self, _info: EvidenceInfo) -> None:
        # Marks change what the checklist says (privacy warning) but not the original.
        self.reload()
        self.evidence_changed.emit()

    def open_externally(self, info: EvidenceInfo) -> None:
        """Open a copy with the system's app: the stored original must never be edited."""
        library = self.library

        def run(_p: Any, _c: Any) -> str:
            folder = Path(tempfile.mkdtemp(prefix="evidence-desk-open-"))
            target = folder / (Path(info.original_name).name or info.sha256)
            shutil.copyfile(library.blob_path(info.sha256), target)
            return str(target)

        self.runner.run(run, group="board-open",
                        on_done=lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(path)),
                        on_error=lambda exc: self.show_message(localized(exc)))

    def context_menu_for(self, section: KindSection, pos: QPoint) -> QMenu:
        """The menu a right click at `pos` (view coordinates) in `section` shows."""
        view = section.view
        index = view.indexAt(pos)
        if index.isValid() and not view.selectionModel().isSelected(index):
            sm = view.selectionModel()
            sm.select(index, sm.SelectionFlag.ClearAndSelect)
            sm.setCurrentIndex(index, sm.SelectionFlag.NoUpdate)
        menu = QMenu(self)
        menu.setObjectName("evidenceContextMenu")
        chosen = self.selected_items() if index.isValid() else []
        lang = current_language()
        if chosen:
            first = chosen[0]
            act = menu.addAction(tr("Open"))
            act.setObjectName("actionOpenEvidence")
            act.triggered.connect(lambda: self.open_viewer(first.id))
            act = menu.addAction(tr("Open with the default app"))
            act.triggered.connect(lambda: self.open_externally(first))
            from evidence_desk.ui.marks.editor import can_mark

            act = menu.addAction(tr("Redact / annotate…"))
            act.setObjectName("actionRedactEvidence")
            act.setEnabled(can_mark(first))
            act.triggered.connect(lambda: self.open_mark_editor(first.id))
            act = menu.addAction(tr("Set capture time…"))
            act.setObjectName("actionSetCaptureTime")
            act.triggered.connect(lambda: self.ask_capture_time(chosen))
            for name, text, degrees in (("actionRotateRight", tr("Rotate right"), 90),
                                        ("actionRotateLeft", tr("Rotate left"), -90)):
                act = menu.addAction(text)
                act.setObjectName(name)
                act.triggered.connect(
                    lambda _=False, d=degrees: self.rotate_items([i.id for i in chosen], d))
            move = menu.addMenu(tr("Move to"))
            move.setObjectName("menuMoveTo")
            for key, kind in self.library.rules.kinds.items():
                act = move.addAction(f"{kind.letter}  {kind.label(lang)}")
                act.setObjectName(f"actionMoveTo_{key}")
                act.setEnabled(any(i.kind != key for i in chosen))
                act.triggered.connect(
                    lambda _=False, k=key: self.move_items([i.id for i in chosen], k))
            menu.addSeparator()
            act = menu.addAction(tr("Remove"))
            act.setObjectName("actionRemoveEvidence")
            act.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(self.remove_selected)
        else:
            label = section.kind.label(lang)
            act = menu.addAction(tr("Add files as {kind}…", kind=label))
            act.triggered.connect(lambda: self.add_files_dialog(section.kind.key))
            act = menu.addAction(tr("Paste as {kind}", kind=label))
            act.triggered.connect(lambda: self._paste_into(section.kind.key))
        return menu

    def _paste_into(self, kind: str) -> None:
        image = QGuiApplication.clipboard().image()
        mime = QGuiApplication.clipboard().mimeData()
        paths = local_paths(mime) if mime is not None else []
        if paths:
            self.import_paths(paths, kind)
        elif not image.isNull():
            self._add_image(image, kind)
        else:
            self.show_message(tr("The clipboard holds no picture or files."))

    def _context_menu(self, section: KindSection, pos: QPoint) -> None:
        menu = self.context_menu_for(section, pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(section.view.viewport().mapToGlobal(pos))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)
        self._message_timer.start()
        self.status_message.emit(text)

    # ---- keys -------------------------------------------------------------------------
    def keyPressEvent(self, e: QKeyEvent) -> None:
        # Reached when no window action claimed the key (the board used on its own).
        if e.matches(QKeySequence.StandardKey.Paste):
            self.paste_from_clipboard()
        elif e.matches(QKeySequence.StandardKey.Delete) or e.key() == Qt.Key.Key_Backspace:
            self.remove_selected()
        elif e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_ids():
            self.open_viewer(self.selected_ids()[0])
        else:
            super().keyPressEvent(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(e)

    def shutdown(self) -> None:
        """Stop background work this board started (the window calls it before closing)."""
        self.cancel_import()
        self.thumbs.clear()

    def index_of(self, item_id: int) -> QModelIndex:
        for section in self.sections.values():
            row = section.model.row_of(item_id)
            if row >= 0:
                return section.model.index(row)
        return QModelIndex()
