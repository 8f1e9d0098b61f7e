"""The viewer's recognised text: the lines that match the board's filter outlined on the
picture, and a "Copy text" button for everything OCR read in it.

Boxes are stored in pixels of the upright full-resolution original (core.recognised); the viewer
may show a reduced copy, turned by the item's rotation, so each corner is scaled and turned the
same way the picture was.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsPolygonItem, QPushButton

from evidence_desk.core.recognised import RecognisedText, normalise
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import tr

HIGHLIGHT_FILL = QColor(255, 214, 0, 90)
HIGHLIGHT_EDGE = QColor(230, 120, 0)


def box_polygon(box: Any, rec_width: int, shown: QImage, rotation: int) -> QPolygonF:
    """A recognised box in the coordinates of `shown` (the picture as the viewer shows it: maybe
    reduced, turned by `rotation` degrees clockwise)."""
    turned = rotation % 180 == 90
    width = shown.height() if turned else shown.width()
    height = shown.width() if turned else shown.height()
    scale = width / rec_width if rec_width else 1.0
    # The same matrix QImage.transformed used for the rotation (it moves the result to 0,0).
    matrix = QImage.trueMatrix(QTransform().rotate(rotation % 360), width, height)
    return QPolygonF([matrix.map(QPointF(x * scale, y * scale)) for x, y in box])


class RecognisedTextTools(QObject):
    """Belongs to one EvidenceViewer; `highlighted` fires after the boxes were drawn."""

    highlighted = Signal(int)  # how many lines are outlined

    def __init__(self, viewer: Any) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.query = ""
        self.text: RecognisedText | None = None
        self.boxes: list[QGraphicsPolygonItem] = []
        self._token = 0
        self.copy_button = QPushButton(objectName="viewerCopyText")
        self.copy_button.clicked.connect(self.copy)
        self.copy_button.setEnabled(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.copy_button.setText(tr("Copy text"))
        self.copy_button.setToolTip(tr("Copy the text recognised in this picture"))

    def set_query(self, text: str) -> None:
        """The words to outline (the board's filter); "" outlines nothing."""
        self.query = text.strip()

    def clear(self) -> None:
        self._token += 1
        self.text = None
        self.copy_button.setEnabled(False)
        self._remove_boxes()

    def _remove_boxes(self) -> None:
        for item in self.boxes:
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
        self.boxes = []

    def show_for(self, info: EvidenceInfo, preview: Any) -> None:
        """Read the item's recognised text (off the GUI thread) and outline the matches."""
        self._token += 1
        token = self._token
        lib = self.viewer.library
        if not info.mime.startswith("image/"):
            return
        self.viewer.runner.run(
            lambda _p, _c: lib.recognised_texts([info.sha256]).get(info.sha256),
            group="viewer-text", context=self,
            on_done=lambda rec: self._loaded(token, info, preview, rec))

    def _loaded(self, token: int, info: EvidenceInfo, preview: Any,
                rec: RecognisedText | None) -> None:
        if token != self._token:
            return  # the viewer moved on
        self.text = rec
        self.copy_button.setEnabled(bool(rec and rec.text.strip()))
        self._remove_boxes()
        wanted = normalise(self.query)
        image = getattr(preview, "image", None)
        if rec is None or not wanted or image is None or image.isNull():
            self.highlighted.emit(0)
            return
        canvas = self.viewer.canvas
        parent = canvas._item  # the picture: boxes move and scale with it
        for line in rec.lines:
            if wanted not in normalise(line.text):
                continue
            box = QGraphicsPolygonItem(box_polygon(line.box, rec.width, image, info.rotation),
                                       parent)
            box.setBrush(QBrush(HIGHLIGHT_FILL))
            pen = QPen(HIGHLIGHT_EDGE)
            pen.setWidthF(3)
            pen.setCosmetic(True)
            box.setPen(pen)
            box.setToolTip(line.text)
            self.boxes.append(box)
        if self.boxes:
            canvas.centerOn(self.boxes[0])
        self.highlighted.emit(len(self.boxes))

    def copy(self) -> None:
        if self.text is not None:
            QGuiApplication.clipboard().setText(self.text.text)
            self.viewer.note.setText(tr("Recognised text copied ({lines} lines).",
                                        lines=len(self.text.lines)))
            self.viewer.note.show()
