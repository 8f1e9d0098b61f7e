"""The evidence viewer: one item large, with zoom and pan, upright, and a fair look at files
that are not pictures (PDF first page, CSV rows, e-mail text) or a way to open them outside.

Everything is decoded on a worker through the TaskRunner; the window only shows the result.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QImageIOHandler,
    QImageReader,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import tr
from evidence_desk.ingest.sniff import csv_delimiter, decode_text
from evidence_desk.ingest.thumbs import ThumbnailUnavailable, open_upright_reduced
from evidence_desk.ui.common.labels import emphasize
from evidence_desk.ui.common.screens import device_size
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.evidence.delegate import type_label
from evidence_desk.ui.evidence.model import format_time, title_of
from evidence_desk.ui.evidence.thumbnail_cache import PDFTOPPM, render_pdf_page
from evidence_desk.ui.evidence.viewer_text import RecognisedTextTools

log = logging.getLogger(__name__)

# Above this, Qt's 256 MB image allocation limit is near (4 bytes a pixel); Pillow decodes a
# reduced copy instead.
QT_MAX_PIXELS = 40_000_000
REDUCED_SIDE = 4096
PDF_SIDE = 1600
CSV_ROWS = 200
TEXT_BYTES = 256 * 1024
# Pillow, not Qt, for files Qt cannot read or would read wrongly (damaged: Qt warns and greys).
PILLOW_FLAGS = {"damaged_image", "high_bit_depth", "cmyk"}


@dataclass
class Preview:
    mode: str  # "image", "table", "text" or "none"
    image: QImage | None = None
    rows: list[list[str]] = field(default_factory=list)
    text: str = ""
    animated: bool = False
    pages: int | None = None
    reduced: bool = False
    note: str = ""
    # Scene pixels per image pixel: a picture decoded at screen size is drawn scaled up, so
    # zoom and "actual size" keep meaning the picture's own pixels.
    scale: float = 1.0
    # A screen-sized decode shown first; the full-resolution one follows (for zooming in).
    partial: bool = False
    # The full picture with the item's marks burnt in, made on the worker with it (burning
    # them into a 12-MP photo on the GUI thread would stall the window).
    marked: QImage | None = None


def qimage_from_pil(im: Any) -> QImage:
    im = im.convert("RGB") if im.mode != "RGB" else im
    data = im.tobytes()
    return QImage(data, im.width, im.height, 3 * im.width, QImage.Format.Format_RGB888).copy()


def load_image(path: Path, info: EvidenceInfo, fit: QSize | None = None) -> Preview:
    """Worker-side: the picture of an image item, upright.

    With `fit` (the screen, in device pixels) a larger picture is decoded straight to that
    size: JPEG decodes scaled down in the decoder itself, and the GUI thread turns a screenful
    into a pixmap instead of the whole picture. Such a preview is `partial`; the full one is
    the same call without `fit`.
    """
    pixels = (info.width or 0) * (info.height or 0)
    use_pillow = pixels > QT_MAX_PIXELS or bool(PILLOW_FLAGS & set(info.flags)) or \
        info.mime in ("image/heic", "image/heif")
    if not use_pillow:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)  # EXIF orientation: the picture as the camera held it
        size = reader.size()
        if size.isValid() and size.width() * size.height() > QT_MAX_PIXELS:
            use_pillow = True
        else:
            animated = reader.supportsAnimation() and reader.imageCount() > 1
            scale = 1.0
            if fit is not None and size.isValid() and not animated:
                # The scaled size is applied before the EXIF turn: a turned picture is fitted
                # into the screen turned the same way.
                turned = bool(reader.transformation()
                              & QImageIOHandler.Transformation.TransformationRotate90)
                box = fit.transposed() if turned else fit
                if size.width() > box.width() or size.height() > box.height():
                    target = size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio)
                    reader.setScaledSize(target)
                    scale = size.width() / max(1, target.width())
            image = reader.read()
            if not image.isNull():
                return Preview("image", image=image, animated=animated, scale=scale,
                               partial=scale > 1.0)
            log.info("Qt could not read %s (%s); trying Pillow", info.original_name,
                     reader.errorString())
    longest = max(info.width or 0, info.height or 0)
    side = REDUCED_SIDE
    if fit is not None and longest:
        side = min(REDUCED_SIDE, max(fit.width(), fit.height()))
    try:
        im = open_upright_reduced(path, side)
    except ThumbnailUnavailable as exc:
        return Preview("none", note=str(exc))
    image = qimage_from_pil(im)
    reduced = bool(info.width and longest > REDUCED_SIDE)
    scale = 1.0
    if fit is not None and side < min(longest, REDUCED_SIDE):
        # What the scene stands for: the picture, or its 4096-pixel reduction when huge.
        scale = min(longest, REDUCED_SIDE) / max(1, image.width(), image.height())
    return Preview("image", image=image, reduced=reduced, animated="animated" in info.flags,
                   scale=max(1.0, scale), partial=scale > 1.0)


def _pdf_pages(path: Path) -> int | None:
    from evidence_desk.ingest.probe import probe

    try:
        return probe(path).pages
    except Exception:
        return None


def _read_text(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(TEXT_BYTES)
    decoded = decode_text(head)
    return decoded[0] if decoded else head.decode("utf-8", errors="replace")


def load_preview(path: Path, info: EvidenceInfo, fit: QSize | None = None) -> Preview:
    """Worker-side: what the viewer shows for one stored item, turned as the seller turned it
    (a picture decoded to fit `fit` when given, see load_image)."""
    preview = _load_stored(path, info, fit)
    if preview.image is not None and info.rotation % 360:
        preview.image = preview.image.transformed(QTransform().rotate(info.rotation),
                                                  Qt.TransformationMode.SmoothTransformation)
    return preview


def _load_stored(path: Path, info: EvidenceInfo, fit: QSize | None = None) -> Preview:
    """What the stored file itself shows, before the item's rotation."""
    if info.mime.startswith("image/"):
        return load_image(path, info, fit)
    if info.mime == "application/pdf":
        pages = _pdf_pages(path)
        image = render_pdf_page(path, PDF_SIDE)
        if image is None:
            return Preview("none", pages=pages)
        return Preview("image", image=image, pages=pages)
    if info.mime == "text/csv":
        text = _read_text(path)
        lines = text.splitlines()
        delimiter = csv_delimiter(lines[:40]) or ","
        rows = [row for _, row in zip(range(CSV_ROWS + 1),
                                      csv.reader(io.StringIO(text), delimiter=delimiter),
                                      strict=False)]
        return Preview("table", rows=rows)
    if info.mime == "message/rfc822":
        msg = email.message_from_bytes(path.read_bytes()[:4 * TEXT_BYTES],
                                       policy=email.policy.default)
        head = "\n".join(f"{k}: {msg[k]}" for k in ("From", "To", "Date", "Subject") if msg[k])
        body = msg.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
        text = body.get_content() if body is not None else ""
        return Preview("text", text=f"{head}\n\n{text}")
    if info.mime.startswith("text/"):
        return Preview("text", text=_read_text(path))
    return Preview("none")


class RowsModel(QAbstractTableModel):
    """The first rows of a table file; its first row is the header."""

    def __init__(self, rows: Sequence[Sequence[str]] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.set_rows(rows)

    def set_rows(self, rows: Sequence[Sequence[str]]) -> None:
        self.beginResetModel()
        self._header = list(rows[0]) if rows else []
        self._rows = [list(r) for r in rows[1:]]
        self._cols = max([len(self._header), *(len(r) for r in self._rows)], default=0)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._cols

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._header[section] if 0 <= section < len(self._header) else ""
        return str(section + 1)


class ImageCanvas(QGraphicsView):
    """Zoom with the wheel or keys, pan by dragging; fits the window until the user zooms."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewerCanvas")
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self._image = QImage()
        self._fit = True
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(QColor("#2b2b2b"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)

    def image(self) -> QImage:
        return self._image

    def set_image(self, image: QImage, scale: float = 1.0) -> None:
        """Show `image`, drawn `scale` times its size (a screen-sized decode stands for the
        whole picture), fitted to the window."""
        self._put(image, scale)
        self.fit()

    def replace_image(self, image: QImage, scale: float = 1.0) -> None:
        """The same picture in more detail: the zoom and the place looked at stay."""
        self._put(image, scale)
        if self._fit:
            self.fit()

    def _put(self, image: QImage, scale: float) -> None:
        self._image = image
        self._item.setPixmap(QPixmap.fromImage(image))
        self._item.setScale(scale)
        self._scene.setSceneRect(self._item.sceneBoundingRect())

    def scale_factor(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """Whole picture in view, never enlarged beyond its real size."""
        self._fit = True
        self.resetTransform()
        rect = self._item.sceneBoundingRect()
        if rect.isEmpty():
            return
        view = self.viewport().rect().adjusted(8, 8, -8, -8)
        factor = min(1.0, view.width() / rect.width(), view.height() / rect.height())
        self.scale(factor, factor)
        self.centerOn(self._item)
        self.zoom_changed.emit(self.scale_factor())

    def actual_size(self) -> None:
        self._fit = False
        self.resetTransform()
        self.zoom_changed.emit(1.0)

    def zoom_by(self, factor: float) -> None:
        current = self.scale_factor()
        target = max(0.02, min(32.0, current * factor))
        self._fit = False
        self.scale(target / current, target / current)
        self.zoom_changed.emit(self.scale_factor())

    def wheelEvent(self, e: QWheelEvent) -> None:
        steps = e.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps)
        e.accept()

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        if self._fit:
            self.fit()


class EvidenceViewer(QWidget):
    """A window over the board's items; Left/Right (or the arrows) step through them."""

    def __init__(self, library: Any, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("evidenceViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.library = library
        self.runner = runner
        self._items: list[EvidenceInfo] = []
        self._index = 0
        self._token = 0
        self.preview: Preview | None = None
        self.resize(980, 720)

        self.prev_button = QToolButton()
        self.prev_button.setText("‹")
        self.next_button = QToolButton()
        self.next_button.setText("›")
        self.title = QLabel()
        emphasize(self.title)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_out = QToolButton()
        self.zoom_out.setText("−")
        self.zoom_in = QToolButton()
        self.zoom_in.setText("+")
        self.fit_button = QToolButton()
        self.actual_button = QToolButton()
        self.actual_button.setText("1:1")
        self.open_button = QPushButton()
        self.mark_button = QPushButton()
        self.mark_button.setObjectName("viewerRedact")
        # Marks are shown burnt in, as the exported copy will look; this shows the original.
        self.original_toggle = QCheckBox(objectName="viewerShowOriginal")
        self.original_toggle.toggled.connect(self._show_marks)
        self.recognised = RecognisedTextTools(self)  # highlights and Copy text
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 6)
        for w in (self.prev_button, self.next_button):
            top.addWidget(w)
        top.addWidget(self.title, 1)
        for w in (self.zoom_out, self.zoom_label, self.zoom_in, self.fit_button,
                  self.actual_button, self.original_toggle, self.recognised.copy_button,
                  self.mark_button,
                  self.open_button):
            top.addWidget(w)
        self.note = QLabel()
        self.note.setObjectName("viewerNote")
        self.note.setContentsMargins(10, 2, 10, 4)
        self.note.setStyleSheet("color: #b06000;")

        self.canvas = ImageCanvas()
        self.table_model = RowsModel()
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.panel = QWidget()
        self.panel_label = QLabel()
        self.panel_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.panel_label.setWordWrap(True)
        self.panel_open = QPushButton()
        self.panel_open.setObjectName("viewerOpenExternally")
        box = QVBoxLayout(self.panel)
        box.addStretch(1)
        box.addWidget(self.panel_label)
        box.addWidget(self.panel_open, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(1)
        self.loading = QLabel()
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        for w in (self.loading, self.canvas, self.table, self.text, self.panel):
            self.pages.addWidget(w)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.pages, 1)

        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.zoom_in.clicked.connect(lambda: self.canvas.zoom_by(1.25))
        self.zoom_out.clicked.connect(lambda: self.canvas.zoom_by(0.8))
        self.fit_button.clicked.connect(self.canvas.fit)
        self.actual_button.clicked.connect(self.canvas.actual_size)
        self.open_button.clicked.connect(self.open_externally)
        self.mark_button.clicked.connect(self.open_marks)
        self.panel_open.clicked.connect(self.open_externally)
        self.canvas.zoom_changed.connect(lambda f: self.zoom_label.setText(f"{f * 100:.0f}%"))
        keys: list[tuple[QKeySequence | str, Callable[[], None]]] = [
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), lambda: self.canvas.zoom_by(1.25)),
            ("Ctrl+=", lambda: self.canvas.zoom_by(1.25)),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), lambda: self.canvas.zoom_by(0.8)),
            ("Ctrl+0", self.canvas.fit),
            ("Ctrl+1", self.canvas.actual_size),
            ("Left", lambda: self.step(-1)),
            ("Right", lambda: self.step(1)),
            ("Escape", self.close),
            ("Space", self.close),  # Space opened the preview on the board; Space shuts it
        ]
        seen: set[str] = set()
        for key, slot in keys:
            seq = QKeySequence(key)
            if seq.isEmpty() or seq.toString() in seen:  # ZoomIn may already be Ctrl+=
                continue
            seen.add(seq.toString())
            QShortcut(seq, self, slot)
        self.retranslate()

    def retranslate(self) -> None:
        self.prev_button.setToolTip(tr("Previous"))
        self.next_button.setToolTip(tr("Next"))
        self.zoom_in.setToolTip(tr("Zoom in"))
        self.zoom_out.setToolTip(tr("Zoom out"))
        self.fit_button.setText(tr("Fit"))
        self.fit_button.setToolTip(tr("Fit to window"))
        self.actual_button.setToolTip(tr("Actual size"))
        self.open_button.setText(tr("Open with the default app"))
        self.mark_button.setText(tr("Redact / annotate…"))
        self.original_toggle.setText(tr("Show original"))
        self.original_toggle.setToolTip(tr("Marks are shown as the exported copy will carry "
                                           "them; tick to see the picture without them."))
        self.panel_open.setText(tr("Open with the default app"))
        self.loading.setText(tr("Loading…"))
        self.recognised.retranslate()

    def _marked(self, info: EvidenceInfo, image: QImage) -> QImage:
        if self.original_toggle.isChecked() or not info.marks:
            return image
        from evidence_desk.ui.marks.overlay import shown_size, with_marks

        return with_marks(image, info.marks, shown_size(info))

    def _show_marks(self, *_args: Any) -> None:
        info = self.current()
        pv = self.preview
        if info is not None and pv is not None and pv.mode == "image" and pv.image is not None:
            self.original_toggle.setVisible(bool(info.marks))
            self.canvas.set_image(self._marked(info, pv.image), pv.scale)

    def open_marks(self) -> Any:
        """The redaction and annotation editor on the item shown; the original stays as it is."""
        from evidence_desk.ui.marks.editor import open_mark_editor

        info = self.current()
        if info is None:
            return None
        editor = open_mark_editor(self.library, info.id, self, self.runner)
        editor.saved.connect(self._marks_saved)
        return editor

    def _marks_saved(self, info: EvidenceInfo) -> None:
        self._items = [info if i.id == info.id else i for i in self._items]
        self._show_marks()
        board = self.parent()
        if board is not None and hasattr(board, "marks_saved"):
            board.marks_saved(info)

    # ---- items ------------------------------------------------------------------------
    def current(self) -> EvidenceInfo | None:
        return self._items[self._index] if self._items else None

    def show_items(self, items: Sequence[EvidenceInfo], index: int) -> None:
        self._items = list(items)
        self._index = max(0, min(index, len(self._items) - 1))
        self._load()

    def show_item(self, info: EvidenceInfo) -> None:
        self.show_items([info], 0)

    def step(self, delta: int) -> None:
        if self._items:
            self._index = (self._index + delta) % len(self._items)
            self._load()

    def current_image(self) -> QImage:
        """The picture on screen (null when the item is not shown as a picture)."""
        return self.canvas.image() if self.pages.currentWidget() is self.canvas else QImage()

    def _load(self) -> None:
        info = self.current()
        if info is None:
            return
        self._token += 1
        token = self._token
        many = len(self._items) > 1
        self.prev_button.setEnabled(many)
        self.next_button.setEnabled(many)
        from evidence_desk.ui.marks.editor import can_mark

        self.mark_button.setEnabled(can_mark(info))
        caption = f" — {info.caption}" if info.caption else ""
        self.title.setText(f"{info.original_name}{caption}")
        self.title.setToolTip(title_of(info))
        self.setWindowTitle(f"{title_of(info)} · {format_time(info.captured_at)}".strip(" ·"))
        self.note.hide()
        self.recognised.clear()
        self.preview = None
        self.pages.setCurrentWidget(self.loading)
        self.runner.cancel_group("viewer")
        lib = self.library
        fit = device_size(self)  # a screenful is all a window can show
        # blob_path itself may stream the whole original (a team desk keeps it in the
        # database): off the GUI thread, with the reading. The "viewer" group runs ahead of
        # every queue; a picture comes at screen size first, in full detail after.
        self.runner.run(lambda _p, _c: load_preview(lib.blob_path(info.sha256), info, fit),
                        group="viewer", context=self,
                        on_done=lambda pv: self._show(token, info, pv),
                        on_error=lambda exc: self._show(token, info, Preview("none",
                                                                           note=str(exc))))

    def _load_full(self, token: int, info: EvidenceInfo) -> None:
        lib = self.library

        def job(_p: Any, _c: Any) -> Preview:
            pv = load_preview(lib.blob_path(info.sha256), info)
            if info.marks and pv.image is not None:
                from evidence_desk.ui.marks.overlay import shown_size, with_marks

                pv.marked = with_marks(pv.image, info.marks, shown_size(info))
            return pv

        self.runner.run(job, group="viewer", context=self,
                        on_done=lambda pv: self._show_full(token, info, pv),
                        on_error=lambda exc: log.info("full picture not read: %s", exc))

    def _show_full(self, token: int, info: EvidenceInfo, pv: Preview) -> None:
        shown = self.preview
        if token != self._token or shown is None or shown.mode != "image" \
                or pv.mode != "image" or pv.image is None:
            return  # moved on, or the detail could not be read: the screen-sized one stays
        self.preview = pv
        if self.original_toggle.isChecked() or not info.marks:
            shown = pv.image
        else:
            shown = pv.marked if pv.marked is not None else self._marked(info, pv.image)
        self.canvas.replace_image(shown, pv.scale)
        self.recognised.show_for(info, pv)  # its outlines are drawn on the picture item

    def _show(self, token: int, info: EvidenceInfo, pv: Preview) -> None:
        if token != self._token:
            return  # the user already moved on
        self.preview = pv
        notes: list[str] = []
        image_tools = pv.mode == "image"
        for w in (self.zoom_in, self.zoom_out, self.zoom_label, self.fit_button,
                  self.actual_button):
            w.setVisible(image_tools)
        self.original_toggle.setVisible(pv.mode == "image" and bool(info.marks))
        if pv.mode == "image" and pv.image is not None:
            self.canvas.set_image(self._marked(info, pv.image), pv.scale)
            self.pages.setCurrentWidget(self.canvas)
            if pv.partial:
                self._load_full(token, info)
            if pv.animated:
                notes.append(tr("Animated image: the first frame is shown."))
            if pv.pages and pv.pages > 1:
                notes.append(tr("Page 1 of {pages}. Open the PDF to read the rest.",
                                pages=pv.pages))
            if pv.reduced:
                notes.append(tr("Very large picture: shown reduced to {side} pixels.",
                                side=REDUCED_SIDE))
        elif pv.mode == "table":
            self.table_model.set_rows(pv.rows)
            self.table.resizeColumnsToContents()
            self.pages.setCurrentWidget(self.table)
            if len(pv.rows) > CSV_ROWS:
                notes.append(tr("The first {rows} rows are shown.", rows=CSV_ROWS))
        elif pv.mode == "text":
            self.text.setPlainText(pv.text)
            self.pages.setCurrentWidget(self.text)
        else:
            label = type_label(info)
            if info.mime == "application/pdf":
                message = (tr("PDF, {pages} pages.", pages=pv.pages) if pv.pages
                           else tr("PDF document."))
                if PDFTOPPM is None:
                    message += " " + tr("No PDF renderer is installed here.")
            else:
                message = tr("{type} file.", type=label)
            if pv.note:
                message += "\n" + tr(pv.note)
            self.panel_label.setText(message + "\n" + tr("Open it with the default app to "
                                                         "read it."))
            self.pages.setCurrentWidget(self.panel)
        if notes:
            self.note.setText("  ".join(notes))
            self.note.show()
        self.recognised.show_for(info, pv)

    def open_externally(self) -> None:
        info = self.current()
        parent = self.parentWidget()
        if info is None:
            return
        if parent is not None and hasattr(parent, "open_externally"):
            parent.open_externally(info)
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.library.blob_path(info.sha256))))

    def closeEvent(self, e: Any) -> None:
        self.runner.cancel_group("viewer")
        super().closeEvent(e)
