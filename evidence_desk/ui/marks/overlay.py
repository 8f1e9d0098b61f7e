"""The marks drawn over a picture on screen, in the burnt-in look of the exported copy.

The cards and the viewer show an item as it will leave the desk: redaction boxes solid, a
highlight as a tint, arrows, numbered markers and notes on top. The original is never
touched; this paints over a copy (or straight onto a painter) at whatever scale it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from evidence_desk.core.marks import DEFAULT_COLORS
from evidence_desk.core.types import EvidenceInfo

# Drawn in this order, so nothing laid over a redaction can let a tint of it show.
_ORDER = {"highlight": 0, "arrow": 1, "marker": 2, "note": 3, "redact": 4}


def shown_size(info: EvidenceInfo) -> tuple[int, int] | None:
    """The picture's size as shown (after the item's rotation), which marks are measured in."""
    if not info.width or not info.height:
        return None
    if (info.rotation or 0) % 180 == 90:
        return info.height, info.width
    return info.width, info.height


def paint_marks(p: QPainter, target: QRectF, marks: Iterable[Mapping[str, Any]],
                size: tuple[int, int], *, redactions_only: bool = False) -> None:
    """Paint `marks` (measured in a picture of `size`) onto `target`, where that picture is
    drawn. A card shows only the redactions: at thumbnail size the rest is noise."""
    if size[0] <= 0 or size[1] <= 0:
        return
    sx, sy = target.width() / size[0], target.height() / size[1]
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    ordered = sorted((m for m in marks if m.get("kind") in _ORDER),
                     key=lambda m: _ORDER[str(m.get("kind"))])
    for m in ordered:
        kind = str(m.get("kind"))
        if redactions_only and kind != "redact":
            continue
        x, y, w, h = (float(m.get(k, 0) or 0) for k in ("x", "y", "w", "h"))
        colour = QColor(str(m.get("color") or DEFAULT_COLORS.get(kind, "#000000")))
        rect = QRectF(target.left() + x * sx, target.top() + y * sy, w * sx, h * sy)
        if kind == "redact":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRect(rect.normalized())
        elif kind == "highlight":
            tint = QColor(colour)
            tint.setAlpha(90)
            p.setPen(QPen(colour, max(1.0, 2 * sx)))
            p.setBrush(tint)
            p.drawRect(rect.normalized())
        elif kind == "arrow":
            p.setPen(QPen(colour, max(1.5, 4 * sx), Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.RoundCap))
            p.drawLine(QLineF(rect.topLeft(), rect.bottomRight()))
        elif kind == "marker":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(rect.normalized())
            font = QFont(p.font())
            font.setBold(True)
            font.setPixelSize(max(6, int(rect.height() * 0.6)))
            p.setFont(font)
            p.setPen(QColor("white"))
            p.drawText(rect.normalized(), Qt.AlignmentFlag.AlignCenter, str(m.get("number", "")))
        elif kind == "note":
            p.setPen(QPen(QColor("#b08800"), 1))
            p.setBrush(QColor(255, 244, 179, 235))
            p.drawRect(rect.normalized())
            font = QFont(p.font())
            font.setPixelSize(max(6, int(14 * sy * 2)))
            p.setFont(font)
            p.setPen(QColor("#202124"))
            p.drawText(rect.normalized().adjusted(3, 2, -3, -2),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                           | Qt.TextFlag.TextWordWrap), str(m.get("text", "")))
    p.restore()


def with_marks(image: QImage, marks: Iterable[Mapping[str, Any]],
               size: tuple[int, int] | None) -> QImage:
    """A copy of `image` with the marks burnt in (the image may be a reduced preview of a
    picture of `size`; None means the image is that picture at full size)."""
    marks = list(marks)
    if not marks or image.isNull():
        return image
    out = image.convertToFormat(QImage.Format.Format_ARGB32)
    p = QPainter(out)
    paint_marks(p, QRectF(QPointF(0, 0), QPointF(out.width(), out.height())), marks,
                size or (out.width(), out.height()))
    p.end()
    return out
