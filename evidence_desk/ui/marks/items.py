"""The marks on the editor's scene: one graphics item per mark, drawn as the export draws it.

Scene coordinates are the picture's full-resolution upright pixels (the preview pixmap is
scaled up to match), so an item's geometry *is* its mark's geometry and saving needs no
conversion. An item never changes its mark itself: moves and resizes are reported to the
editor, which records them as undoable commands and sets the new mark back on the item.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from evidence_desk.core.marks import Mark, note_font_size, stroke_width

HIGHLIGHT_ALPHA = 80
# Draw order matches the export: a redaction always ends up on top.
Z_ORDER = {"highlight": 1, "arrow": 2, "marker": 3, "note": 4, "redact": 5}
MIN_SIZE = 1.0

# (uid, mark before, mark after): the user finished resizing an item.
ResizeHandler = Callable[[int, Mark, Mark], None]


class MarkItem(QGraphicsItem):
    """One mark; movable and selectable in the Select tool, with resize handles when selected."""

    def __init__(self, uid: int, mark: Mark, image_size: tuple[int, int],
                 on_resized: ResizeHandler) -> None:
        super().__init__()
        self.uid = uid
        self._mark = mark
        self._image_size = image_size
        self._on_resized = on_resized
        self._handle = 8.0  # handle size in scene units; follows the zoom
        self._drag: int | None = None  # index of the handle being dragged
        self._drag_start: Mark | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setAcceptHoverEvents(True)
        self.setZValue(Z_ORDER[mark.kind])
        self.setPos(mark.x, mark.y)

    # -- the mark -------------------------------------------------------------------------------

    @property
    def mark(self) -> Mark:
        """The mark as shown now: the stored one moved to where the item was dragged."""
        return replace(self._mark, x=self.pos().x(), y=self.pos().y())

    @property
    def stored_mark(self) -> Mark:
        return self._mark

    def set_mark(self, mark: Mark) -> None:
        self.prepareGeometryChange()
        self._mark = mark
        self.setPos(mark.x, mark.y)
        self.update()

    def set_handle_size(self, size: float) -> None:
        if size != self._handle:
            self.prepareGeometryChange()
            self._handle = size

    @property
    def _lw(self) -> float:
        return stroke_width(*self._image_size)

    # -- geometry (local coordinates: the mark's x, y is the origin) ----------------------------

    def _rect(self) -> QRectF:
        return QRectF(0, 0, self._mark.w, self._mark.h).normalized()

    def _handles(self) -> list[QPointF]:
        m = self._mark
        if m.kind == "arrow":
            return [QPointF(0, 0), QPointF(m.w, m.h)]
        r = self._rect()
        return [r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()]

    def _handle_rect(self, p: QPointF) -> QRectF:
        s = self._handle
        return QRectF(p.x() - s / 2, p.y() - s / 2, s, s)

    def boundingRect(self) -> QRectF:
        margin = self._handle + 3 * self._lw + self._head_length()
        return self._rect().adjusted(-margin, -margin, margin, margin)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        if self._mark.kind == "arrow":
            line = QPainterPath(QPointF(0, 0))
            line.lineTo(self._mark.w, self._mark.h)
            stroker = QPainterPathStroker()
            stroker.setWidth(max(self._lw * 4, self._handle))
            path = stroker.createStroke(line)
        else:
            path.addRect(self._rect())
        if self.isSelected():
            for p in self._handles():
                path.addRect(self._handle_rect(p))
        return path

    def _head_length(self) -> float:
        if self._mark.kind != "arrow":
            return 0.0
        length = math.hypot(self._mark.w, self._mark.h)
        return min(length * 0.6, max(6.0 * max(1, round(self._lw)), 12.0))

    # -- painting: keep in step with export.redact.draw_marks ----------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        m = self._mark
        color = QColor(m.fill_color)
        lw = max(1.0, round(self._lw))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._rect()
        if m.kind == "redact":
            painter.fillRect(r, color)
        elif m.kind == "highlight":
            tint = QColor(color)
            tint.setAlpha(HIGHLIGHT_ALPHA)
            painter.fillRect(r, tint)
            painter.setPen(QPen(color, lw))
            painter.drawRect(r)
        elif m.kind == "note":
            self._paint_note(painter, r, color, lw)
        elif m.kind == "marker":
            painter.setPen(QPen(QColor("white"), max(1.0, lw // 2)))
            painter.setBrush(QBrush(color))
            painter.drawEllipse(r)
            font = QFont()
            text = str(m.number)
            font.setPixelSize(max(8, round(min(r.width(), r.height())
                                           * (0.6 if len(text) < 2 else 0.48))))
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        elif m.kind == "arrow":
            self._paint_arrow(painter, color, lw)
        if self.isSelected():
            self._paint_selection(painter, r)

    def _paint_note(self, painter: QPainter, r: QRectF, color: QColor, lw: float) -> None:
        painter.setPen(QPen(QColor(90, 90, 90), max(1.0, lw // 2)))
        painter.setBrush(QBrush(color))
        painter.drawRect(r)
        size = note_font_size(*self._image_size)
        pad = max(4, size // 3)
        font = QFont()
        font.setPixelSize(size)
        painter.setFont(font)
        painter.setPen(QColor(20, 20, 20))
        inner = r.adjusted(pad, pad, -pad, -pad)
        painter.save()
        painter.setClipRect(inner)
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                                    | Qt.TextFlag.TextWrapAnywhere), self._mark.text)
        painter.restore()

    def _paint_arrow(self, painter: QPainter, color: QColor, lw: float) -> None:
        m = self._mark
        length = math.hypot(m.w, m.h)
        if length == 0:
            return
        head = self._head_length()
        ux, uy = m.w / length, m.h / length
        tip = QPointF(m.w, m.h)
        painter.setPen(QPen(color, max(2.0, round(lw * 1.5)), Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.FlatCap))
        painter.drawLine(QLineF(QPointF(0, 0), QPointF(m.w - ux * head * 0.8,
                                                        m.h - uy * head * 0.8)))
        base = QPointF(m.w - ux * head, m.h - uy * head)
        side = QPointF(-uy * head / 2, ux * head / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(color))
        painter.drawPolygon(QPolygonF([tip, base + side, base - side]))

    def _paint_selection(self, painter: QPainter, r: QRectF) -> None:
        pen = QPen(QColor("#1E88E5"), 0, Qt.PenStyle.DashLine)  # cosmetic: 1 screen pixel
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._mark.kind != "arrow":
            painter.drawRect(r)
        painter.setPen(QPen(QColor("#1E88E5"), 0))
        painter.setBrush(QBrush(QColor("white")))
        for p in self._handles():
            painter.drawRect(self._handle_rect(p))

    # -- resizing by the handles ---------------------------------------------------------------

    def handle_at(self, local: QPointF) -> int | None:
        if not self.isSelected():
            return None
        for i, p in enumerate(self._handles()):
            if self._handle_rect(p).adjusted(-2, -2, 2, 2).contains(local):
                return i
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        handle = self.handle_at(event.pos())
        if event.button() == Qt.MouseButton.LeftButton and handle is not None:
            self._drag = handle
            self._drag_start = self.mark
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is None or self._drag_start is None:
            super().mouseMoveEvent(event)
            return
        self.set_mark(resized(self._drag_start, self._drag, event.scenePos()))
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is None or self._drag_start is None:
            super().mouseReleaseEvent(event)
            return
        before, after = self._drag_start, self.mark
        self._drag = self._drag_start = None
        event.accept()
        if after != before:
            self._on_resized(self.uid, before, after)


def resized(start: Mark, handle: int, to: QPointF) -> Mark:
    """`start` with handle `handle` dragged to scene point `to` (the opposite corner stays)."""
    if start.kind == "arrow":
        x0, y0, x1, y1 = start.x, start.y, start.x + start.w, start.y + start.h
        if handle == 0:
            x0, y0 = to.x(), to.y()
        else:
            x1, y1 = to.x(), to.y()
        if x0 == x1 and y0 == y1:
            return start
        return replace(start, x=x0, y=y0, w=x1 - x0, h=y1 - y0)
    left, top, right, bottom = start.bounds()
    fixed = {0: (right, bottom), 1: (left, bottom), 2: (left, top), 3: (right, top)}[handle]
    fx, fy = fixed
    w, h = abs(to.x() - fx), abs(to.y() - fy)
    if start.kind == "marker":
        w = h = max(w, h)  # markers stay round
    w, h = max(MIN_SIZE, w), max(MIN_SIZE, h)
    x = fx - w if to.x() < fx else fx
    y = fy - h if to.y() < fy else fy
    return replace(start, x=x, y=y, w=w, h=h)
