"""Redact and annotate one evidence picture, without ever touching its file.

`open_mark_editor(library, item_id, parent)` opens the editor on an item. The picture is
decoded on a worker (a reduced decode for huge screenshots) and shown upright; every mark lives
in full-resolution upright pixels, the coordinates the export draws in. Marks are saved as data
on the item (`Library.update_evidence(item_id, marks=[...])`), so reopening shows them editable
and the original keeps its hash; the pack and the dossier burn them into a derived copy.

Every change is a command on the editor's own undo stack: add, move, resize, delete, edit text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QShowEvent,
    QUndoCommand,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.checklist import FLAG_PRIVACY_OK, PERSONAL_DATA_KINDS
from evidence_desk.core.marks import (
    MAX_TEXT,
    Mark,
    default_marker_size,
    marks_from_json,
    next_marker_number,
    note_font_size,
)
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import tr
from evidence_desk.ui.common.screens import device_size
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.marks.items import MarkItem

log = logging.getLogger(__name__)

# Shown at full resolution up to this many pixels; larger pictures (a 12000×12000 scrolling
# capture) are previewed from a reduced decode, as Qt's allocation limit would refuse them.
PREVIEW_PIXELS = 40_000_000
TOOLS = ("select", "redact", "highlight", "arrow", "marker", "note")
# A drag shorter than this many screen pixels is a click, not a box.
MIN_DRAG = 4
HANDLE_PX = 9.0


def can_mark(info: EvidenceInfo) -> bool:
    """Whether the editor can open this item (pictures only)."""
    return (info.mime or "").startswith("image/")


def load_picture(path: Any, max_pixels: int = PREVIEW_PIXELS) -> tuple[QImage, tuple[int, int]]:
    """Worker side: the upright preview (at most about `max_pixels`) as a QImage, and the
    full-resolution upright size. A screenful first opens the editor at once (a JPEG is
    decoded reduced in the decoder); the full preview follows for zooming in."""
    from evidence_desk.export.redact import load_upright_preview

    im, full = load_upright_preview(path, max_pixels)
    im = im.convert("RGB")
    image = QImage(im.tobytes(), im.width, im.height, 3 * im.width,
                   QImage.Format.Format_RGB888).copy()
    return image, full


# -- undo commands ---------------------------------------------------------------------------------


class _AddMark(QUndoCommand):
    def __init__(self, editor: MarkEditor, uid: int, mark: Mark, text: str) -> None:
        super().__init__(text)
        self.editor, self.uid, self.m = editor, uid, mark

    def redo(self) -> None:
        self.editor._put(self.uid, self.m)

    def undo(self) -> None:
        self.editor._take(self.uid)


class _RemoveMark(QUndoCommand):
    def __init__(self, editor: MarkEditor, uid: int, mark: Mark, text: str) -> None:
        super().__init__(text)
        self.editor, self.uid, self.m = editor, uid, mark

    def redo(self) -> None:
        self.editor._take(self.uid)

    def undo(self) -> None:
        self.editor._put(self.uid, self.m)


class _ChangeMark(QUndoCommand):
    def __init__(self, editor: MarkEditor, uid: int, before: Mark, after: Mark,
                 text: str) -> None:
        super().__init__(text)
        self.editor, self.uid, self.before, self.after = editor, uid, before, after

    def redo(self) -> None:
        self.editor._put(self.uid, self.after)

    def undo(self) -> None:
        self.editor._put(self.uid, self.before)


# -- the view ----------------------------------------------------------------------------------------


class MarkView(QGraphicsView):
    """Draws new marks by dragging in a drawing tool; selects and moves in the Select tool."""

    def __init__(self, editor: MarkEditor) -> None:
        super().__init__(editor)
        self.setObjectName("markView")
        self.editor = editor
        self._start: QPointF | None = None
        self._press_pos = None
        self._rubber: QGraphicsRectItem | None = None
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QColor("#2b2b2b"))
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)

    def scale_factor(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, e: QWheelEvent) -> None:
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = e.angleDelta().y() / 120.0
            if steps:
                self.editor.zoom_by(1.25 ** steps)
            e.accept()
            return
        super().wheelEvent(e)  # plain wheel scrolls: a tall chat screenshot reads downwards

    def _clamped(self, pos: Any) -> QPointF:
        p = self.mapToScene(pos)
        r = self.sceneRect()
        return QPointF(min(max(p.x(), r.left()), r.right()),
                       min(max(p.y(), r.top()), r.bottom()))

    def mousePressEvent(self, e: QMouseEvent) -> None:
        tool = self.editor.tool
        if tool != "select" and e.button() == Qt.MouseButton.LeftButton and self.editor.loaded:
            self._start = self._clamped(e.position().toPoint())
            self._press_pos = e.position().toPoint()
            self._rubber = QGraphicsRectItem()
            self._rubber.setPen(QPen(QColor("#1E88E5"), 0, Qt.PenStyle.DashLine))
            self._rubber.setZValue(100)
            self.scene().addItem(self._rubber)
            e.accept()
            return
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._start is not None and self._rubber is not None:
            end = self._clamped(e.position().toPoint())
            self._rubber.setRect(QRectF(self._start, end).normalized())
            e.accept()
            return
        super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._start is not None:
            start, self._start = self._start, None
            if self._rubber is not None:
                self.scene().removeItem(self._rubber)
                self._rubber = None
            end = self._clamped(e.position().toPoint())
            moved = (e.position().toPoint() - self._press_pos).manhattanLength() \
                if self._press_pos is not None else 0
            self.editor.finish_drawing(start, end, moved >= MIN_DRAG)
            e.accept()
            return
        super().mouseReleaseEvent(e)
        self.editor.commit_moves()


# -- the dialog --------------------------------------------------------------------------------------


class MarkEditor(QDialog):
    """Redaction boxes, highlights, arrows, numbered markers and notes on one picture."""

    saved = Signal(object)  # EvidenceInfo after the marks were stored
    loaded_changed = Signal(bool)  # the picture is shown (True) or could not be read (False)

    def __init__(self, library: Any, item_id: int, parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("markEditor")
        self.library = library
        self.item_id = item_id
        self.info: EvidenceInfo = library.get_evidence(item_id)
        self._own_runner = runner is None
        self.runner = runner or TaskRunner(self, max_threads=1)
        self._group = f"mark-editor-{item_id}-{id(self)}"
        self.undo_stack = QUndoStack(self)
        self.loaded = False
        self.detailed = False  # the preview on screen is the full one, not a screenful
        self.full_size: tuple[int, int] = (0, 0)
        self._marks: dict[int, Mark] = {}
        self._items: dict[int, MarkItem] = {}
        self._next_uid = 1
        self._syncing_text = False
        self.tool = "select"
        self._build()
        self.retranslate()
        self.resize(1000, 760)
        self._start_loading()

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("markTools")
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_actions: dict[str, QAction] = {}
        keys = {"select": "V", "redact": "R", "highlight": "H", "arrow": "A", "marker": "M",
                "note": "N"}
        for name in TOOLS:
            act = QAction(self)
            act.setObjectName(f"tool_{name}")
            act.setCheckable(True)
            act.setShortcut(QKeySequence(keys[name]))
            act.triggered.connect(lambda _checked=False, n=name: self.set_tool(n))
            self.tool_group.addAction(act)
            self.toolbar.addAction(act)
            self.tool_actions[name] = act
        self.tool_actions["select"].setChecked(True)
        self.toolbar.addSeparator()
        self.act_delete = QAction(self)
        self.act_delete.setObjectName("actionDeleteMark")
        self.act_delete.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                                      QKeySequence(Qt.Key.Key_Backspace)])
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_delete.triggered.connect(self.delete_selected)
        self.act_delete.setEnabled(False)
        self.act_undo = self.undo_stack.createUndoAction(self)
        self.act_undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.act_redo = self.undo_stack.createRedoAction(self)
        self.act_redo.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        for act in (self.act_delete, self.act_undo, self.act_redo):
            self.toolbar.addAction(act)
            self.addAction(act)
        self.toolbar.addSeparator()
        self.act_zoom_in = QAction(self)
        self.act_zoom_in.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn))
        self.act_zoom_in.triggered.connect(lambda: self.zoom_by(1.25))
        self.act_zoom_out = QAction(self)
        self.act_zoom_out.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.act_zoom_out.triggered.connect(lambda: self.zoom_by(0.8))
        self.act_fit = QAction(self)
        self.act_fit.triggered.connect(self.fit)
        self.act_fit_width = QAction(self)
        self.act_fit_width.triggered.connect(self.fit_width)
        self.act_actual = QAction(self)
        self.act_actual.setShortcut(QKeySequence("Ctrl+0"))
        self.act_actual.triggered.connect(self.actual_size)
        for act in (self.act_zoom_in, self.act_zoom_out, self.act_fit, self.act_fit_width,
                    self.act_actual):
            self.toolbar.addAction(act)
            self.addAction(act)

        self.note_label = QLabel(self)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("noteText")
        self.note_edit.setMaxLength(MAX_TEXT)
        self.note_edit.editingFinished.connect(self._note_text_edited)

        self.scene = QGraphicsScene(self)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.pixmap_item = QGraphicsPixmapItem()
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.pixmap_item.setZValue(-1)
        self.scene.addItem(self.pixmap_item)
        self.view = MarkView(self)
        self.view.setScene(self.scene)

        self.status = QLabel(self)
        self.status.setObjectName("markStatus")
        self.status.setWordWrap(True)
        self.privacy_ok = QCheckBox(self)
        self.privacy_ok.setObjectName("privacyOk")
        self.privacy_ok.setChecked(FLAG_PRIVACY_OK in self.info.flags)
        self.privacy_ok.setVisible(self.info.kind in PERSONAL_DATA_KINDS)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)

        note_row = QHBoxLayout()
        note_row.addWidget(self.note_label)
        note_row.addWidget(self.note_edit, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(note_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.privacy_ok, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.undo_stack.cleanChanged.connect(self._update_title)

    def retranslate(self) -> None:
        names = {"select": tr("Select"), "redact": tr("Redact"), "highlight": tr("Highlight"),
                 "arrow": tr("Arrow"), "marker": tr("Marker"), "note": tr("Note")}
        tips = {
            "select": tr("Select, move and resize marks (V)"),
            "redact": tr("Cover personal data with a solid black box (R)"),
            "highlight": tr("Highlight what matters with a yellow box (H)"),
            "arrow": tr("Draw an arrow from where you press to where you release (A)"),
            "marker": tr("Place a numbered marker (M)"),
            "note": tr("Draw a box for a short note; type its text above (N)"),
        }
        for name, act in self.tool_actions.items():
            act.setText(names[name])
            act.setToolTip(tips[name])
        self.act_delete.setText(tr("Delete"))
        self.act_delete.setToolTip(tr("Delete the selected marks (Del)"))
        self.act_undo.setText(tr("Undo"))
        self.act_redo.setText(tr("Redo"))
        self.act_zoom_in.setText(tr("Zoom in"))
        self.act_zoom_out.setText(tr("Zoom out"))
        self.act_fit.setText(tr("Fit"))
        self.act_fit_width.setText(tr("Fit width"))
        self.act_actual.setText(tr("100%"))
        self.note_label.setText(tr("Note text:"))
        self.note_edit.setPlaceholderText(tr("Text of the selected or next note"))
        self.privacy_ok.setText(tr("Checked: this picture shows no personal data that needs "
                                   "covering"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save marks"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        self._update_title()
        if not self.loaded:
            self.status.setText(tr("Loading the picture…"))
        else:
            self._show_hint()

    def _update_title(self, *_: object) -> None:
        name = self.info.original_name or f"#{self.info.id}"
        star = "" if self.undo_stack.isClean() else " *"
        self.setWindowTitle(tr("Redact / annotate – {name}", name=name) + star)

    def _show_hint(self) -> None:
        self.status.setText(tr("The original file is never changed: marks are saved with the "
                               "item and drawn into the copies that leave the desk. Black "
                               "boxes cover the pixels for good in the pack and the dossier."))

    # -- loading -----------------------------------------------------------------------------------

    def _start_loading(self) -> None:
        if not can_mark(self.info):
            self._failed(tr("Only pictures can be redacted or annotated here."))
            return
        lib, sha = self.library, self.info.sha256
        size = device_size(self)
        screen = size.width() * size.height()  # pixels a preview larger than that hides
        # blob_path itself may stream the whole original (a team desk keeps it in the
        # database): off the GUI thread, with the decoding. The editor's group runs ahead of
        # every queue; the picture comes at screen size first, in full detail after.
        self.runner.run(lambda _progress, _cancelled: load_picture(lib.blob_path(sha), screen),
                        group=self._group, context=self,
                        on_done=self._loaded, on_error=lambda exc: self._failed(
                            tr("The picture could not be read: {why}", why=str(exc))))

    def _load_detail(self) -> None:
        lib, sha = self.library, self.info.sha256
        self.runner.run(lambda _progress, _cancelled: load_picture(lib.blob_path(sha)),
                        group=self._group, context=self, on_done=self._sharpen,
                        on_error=lambda exc: log.info("full picture not read: %s", exc))

    def _sharpen(self, result: tuple[QImage, tuple[int, int]]) -> None:
        """The full preview replaces the screenful; marks, zoom and scroll stay (scene units
        are full-resolution pixels either way)."""
        image, full = result
        if full != self.full_size:
            return  # not the picture shown (cannot happen unless the file changed)
        self.pixmap_item.setPixmap(QPixmap.fromImage(image))
        self.pixmap_item.setScale(full[0] / max(1, image.width()))
        self.detailed = True

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        for act in self.tool_actions.values():
            act.setEnabled(False)
        self.loaded_changed.emit(False)

    def _loaded(self, result: tuple[QImage, tuple[int, int]]) -> None:
        image, full = result
        self.full_size = full
        self.pixmap_item.setPixmap(QPixmap.fromImage(image))
        # The preview may be reduced; scaled up, scene units are full-resolution pixels.
        self.pixmap_item.setScale(full[0] / max(1, image.width()))
        self.scene.setSceneRect(QRectF(0, 0, full[0], full[1]))
        self.detailed = image.width() * image.height() >= min(PREVIEW_PIXELS, full[0] * full[1])
        if not self.detailed:
            self._load_detail()
        self._show_hint()
        try:
            stored = marks_from_json(self.info.marks)
        except ValueError as exc:
            # Export refuses such an item, so the seller must be able to replace the marks.
            stored = ()
            self.status.setText(tr("The stored marks cannot be read ({why}); saving replaces "
                                   "them.", why=str(exc)))
        for mark in stored:
            self._put(self._new_uid(), mark)
        self.loaded = True
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        if full[1] > 1.6 * full[0]:
            self.fit_width()
        else:
            self.fit()
        self.loaded_changed.emit(True)

    # -- marks on the scene (called by the commands) -------------------------------------------

    def _new_uid(self) -> int:
        uid = self._next_uid
        self._next_uid += 1
        return uid

    def _put(self, uid: int, mark: Mark) -> None:
        self._marks[uid] = mark
        item = self._items.get(uid)
        if item is None:
            item = MarkItem(uid, mark, self.full_size, self._resized)
            item.set_handle_size(HANDLE_PX / max(1e-6, self.view.scale_factor()))
            self._set_item_interactive(item)
            self._items[uid] = item
            self.scene.addItem(item)
        else:
            item.set_mark(mark)
        if item.isSelected():
            self._selection_changed()

    def _take(self, uid: int) -> None:
        self._marks.pop(uid, None)
        item = self._items.pop(uid, None)
        if item is not None:
            self.scene.removeItem(item)

    def marks(self) -> list[Mark]:
        """The marks as they will be saved, in the order they were made."""
        return [self._marks[uid] for uid in sorted(self._marks)]

    def items(self) -> list[MarkItem]:
        return [self._items[uid] for uid in sorted(self._items)]

    def item_for(self, mark: Mark) -> MarkItem | None:
        return next((i for i in self._items.values() if i.stored_mark == mark), None)

    # -- tools and drawing ----------------------------------------------------------------------

    def set_tool(self, name: str) -> None:
        self.tool = name
        self.tool_actions[name].setChecked(True)
        drawing = name != "select"
        self.view.setDragMode(QGraphicsView.DragMode.NoDrag if drawing
                              else QGraphicsView.DragMode.RubberBandDrag)
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor if drawing
                                       else Qt.CursorShape.ArrowCursor)
        for item in self._items.values():
            self._set_item_interactive(item)
        if drawing:
            self.scene.clearSelection()

    def _set_item_interactive(self, item: QGraphicsItem) -> None:
        on = self.tool == "select"
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, on)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, on)

    def finish_drawing(self, start: QPointF, end: QPointF, dragged: bool) -> None:
        """A drag in a drawing tool ended: make the mark it describes."""
        tool = self.tool
        w, h = self.full_size
        if tool == "marker":
            d = default_marker_size(w, h)
            if dragged:
                d = max(d / 2, max(abs(end.x() - start.x()), abs(end.y() - start.y())))
                cx, cy = (start.x() + end.x()) / 2, (start.y() + end.y()) / 2
            else:
                cx, cy = start.x(), start.y()
            mark = Mark("marker", cx - d / 2, cy - d / 2, d, d,
                        number=next_marker_number(self._marks.values()))
        elif not dragged:
            if tool != "note":
                return  # a click is not a box; nothing to cover
            size = note_font_size(w, h)
            mark = Mark("note", start.x(), start.y(), min(w, size * 12.0), size * 3.0,
                        text=self._note_text())
        elif tool == "arrow":
            mark = Mark("arrow", start.x(), start.y(), end.x() - start.x(), end.y() - start.y())
        else:
            r = QRectF(start, end).normalized()
            if r.width() <= 0 or r.height() <= 0:
                return
            mark = Mark(tool, r.x(), r.y(), r.width(), r.height(),
                        text=self._note_text() if tool == "note" else "")
        self.add_mark(mark)

    def _note_text(self) -> str:
        return self.note_edit.text().strip() or tr("Note")

    def add_mark(self, mark: Mark) -> int:
        uid = self._new_uid()
        self.undo_stack.push(_AddMark(self, uid, mark, tr("Add {kind}", kind=self._kind(mark))))
        return uid

    def _kind(self, mark: Mark) -> str:
        return {"redact": tr("redaction"), "highlight": tr("highlight"), "arrow": tr("arrow"),
                "marker": tr("marker"), "note": tr("note")}[mark.kind]

    def commit_moves(self) -> None:
        """Record items dragged in the Select tool as one undoable move."""
        moved = [(uid, item.stored_mark, item.mark) for uid, item in self._items.items()
                 if item.mark != item.stored_mark]
        if not moved:
            return
        self._push_changes(moved, tr("Move marks") if len(moved) > 1 else tr("Move mark"))

    def _resized(self, uid: int, before: Mark, after: Mark) -> None:
        self.undo_stack.push(_ChangeMark(self, uid, before, after, tr("Resize mark")))

    def _push_changes(self, changes: Iterable[tuple[int, Mark, Mark]], text: str) -> None:
        # A macro of pushed commands, not child commands: a Python child of a QUndoCommand
        # loses its wrapper (and its redo) once the parent owns it.
        self.undo_stack.beginMacro(text)
        for uid, before, after in changes:
            self.undo_stack.push(_ChangeMark(self, uid, before, after, text))
        self.undo_stack.endMacro()

    def delete_selected(self) -> None:
        chosen = [i for i in self.items() if i.isSelected()]
        if not chosen:
            return
        text = tr("Delete marks") if len(chosen) > 1 else tr("Delete mark")
        self.undo_stack.beginMacro(text)
        for item in chosen:
            self.undo_stack.push(_RemoveMark(self, item.uid, item.stored_mark, text))
        self.undo_stack.endMacro()

    def _selected(self) -> list[MarkItem]:
        return [i for i in self.scene.selectedItems() if isinstance(i, MarkItem)]

    def _selection_changed(self) -> None:
        chosen = self._selected()
        self.act_delete.setEnabled(bool(chosen))
        notes = [i for i in chosen if i.stored_mark.kind == "note"]
        if len(notes) == 1 and len(chosen) == 1:
            self._syncing_text = True
            self.note_edit.setText(notes[0].stored_mark.text)
            self._syncing_text = False

    def _note_text_edited(self) -> None:
        if self._syncing_text:
            return
        chosen = self._selected()
        if len(chosen) != 1 or chosen[0].stored_mark.kind != "note":
            return
        item = chosen[0]
        text = self.note_edit.text().strip()
        if text and text != item.stored_mark.text:
            before = item.stored_mark
            self.undo_stack.push(_ChangeMark(self, item.uid, before, replace(before, text=text),
                                             tr("Edit note")))

    # -- zoom ---------------------------------------------------------------------------------

    def _zoomed(self) -> None:
        size = HANDLE_PX / max(1e-6, self.view.scale_factor())
        for item in self._items.values():
            item.set_handle_size(size)

    def zoom_by(self, factor: float) -> None:
        current = self.view.scale_factor()
        target = max(0.01, min(32.0, current * factor))
        self.view.scale(target / current, target / current)
        self._zoomed()

    def fit(self) -> None:
        """The whole picture in view, never enlarged beyond its real size."""
        if not self.full_size[0]:
            return
        self.view.resetTransform()
        view = self.view.viewport().rect().adjusted(8, 8, -8, -8)
        factor = min(1.0, view.width() / self.full_size[0], view.height() / self.full_size[1])
        self.view.scale(factor, factor)
        self._zoomed()

    def fit_width(self) -> None:
        """The picture as wide as the view, from its top: a tall chat screenshot scrolls."""
        if not self.full_size[0]:
            return
        self.view.resetTransform()
        width = self.view.viewport().width() - 24
        factor = min(1.0, max(0.01, width / self.full_size[0]))
        self.view.scale(factor, factor)
        self.view.centerOn(self.full_size[0] / 2, 0)
        self._zoomed()

    def actual_size(self) -> None:
        self.view.resetTransform()
        self._zoomed()

    # -- saving and closing -----------------------------------------------------------------------

    def save(self) -> bool:
        """Store the marks (and the privacy check) on the item; close the editor."""
        if not self.loaded:
            return False
        changes: dict[str, Any] = {"marks": [m.to_dict() for m in self.marks()]}
        flags = tuple(f for f in self.info.flags if f != FLAG_PRIVACY_OK)
        if self.privacy_ok.isVisible() and self.privacy_ok.isChecked():
            flags += (FLAG_PRIVACY_OK,)
        if flags != tuple(self.info.flags):
            changes["flags"] = list(flags)
        try:
            # One small row update: cheap enough for the GUI thread.
            self.info = self.library.update_evidence(self.item_id, **changes)
        except Exception as exc:  # the message is for the user; the dialog stays open
            log.warning("saving marks failed: %s", type(exc).__name__)
            QMessageBox.warning(self, tr("Redact / annotate"),
                                tr("The marks could not be saved: {why}", why=str(exc)))
            return False
        self.undo_stack.setClean()
        self.saved.emit(self.info)
        self.accept()
        return True

    def reject(self) -> None:
        if self.loaded and not self.undo_stack.isClean():
            answer = QMessageBox.question(
                self, tr("Redact / annotate"), tr("Save the changes to the marks?"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
        super().reject()

    def done(self, result: int) -> None:
        self._stop_work()
        super().done(result)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        # The picture takes the keys when the editor opens, so its one-key tools (R, H, A,
        # M, N) pick a tool instead of typing into the note field.
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, e: QCloseEvent) -> None:
        self._stop_work()
        super().closeEvent(e)

    def _stop_work(self) -> None:
        if self._own_runner:
            self.runner.shutdown()
        else:
            self.runner.cancel_group(self._group)


def open_mark_editor(library: Any, item_id: int, parent: QWidget | None = None,
                     runner: TaskRunner | None = None) -> MarkEditor:
    """Open the editor on evidence item `item_id` (window-modal) and return it.

    Connect to `saved(EvidenceInfo)` to refresh thumbnails or the checklist.
    """
    editor = MarkEditor(library, item_id, parent, runner)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.open()
    return editor
