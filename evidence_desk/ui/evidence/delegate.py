"""How one evidence card is painted: thumbnail (or a document glyph with its type), caption
elided under it, capture time, badges for animation and problems, and the selection frame."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePath

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from evidence_desk.core.checklist import FLAG_PRIVACY_OK, PERSONAL_DATA_KINDS
from evidence_desk.core.marks import has_redaction
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import tr
from evidence_desk.ui.evidence.model import (
    InfoRole,
    IntegrityRole,
    ThumbRole,
    format_time,
    title_of,
)
from evidence_desk.ui.evidence.thumbnail_cache import Thumb
from evidence_desk.ui.marks.overlay import paint_marks, shown_size

CELL = QSize(172, 206)
# Combined once, not on every paint of every card.
_CENTRED = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
THUMB_BOX = QSize(148, 128)
MARGIN = 6

# Problems worth a warning mark on the card; "no_exif_time" is normal for screenshots.
WARN_FLAGS = {"damaged_image", "future_capture", "wrong_extension", "has_gps",
              "encrypted_pdf", "damaged_pdf", "deceptive_name"}

_MIME_LABEL = {
    "application/pdf": "PDF", "text/csv": "CSV", "text/plain": "TXT",
    "message/rfc822": "EML", "application/vnd.ms-outlook": "MSG",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.ms-excel": "XLS",
}
_TYPE_COLOUR = {"PDF": "#d93025", "CSV": "#188038", "XLSX": "#188038", "XLS": "#188038",
                "EML": "#1a73e8", "MSG": "#1a73e8", "TXT": "#5f6368"}


def type_label(info: EvidenceInfo) -> str:
    """Short file-type badge text (PDF, CSV, XLSX, EML ...)."""
    return _type_label(info.mime, info.original_name)


@lru_cache(maxsize=4096)
def _type_label(mime: str, original_name: str) -> str:
    # Kept by (type, name): every paint of a card asks, and parsing the name as a path each
    # time was a good part of what a card costs to draw.
    if mime in _MIME_LABEL:
        return _MIME_LABEL[mime]
    suffix = PurePath(original_name).suffix.lstrip(".").upper()
    if suffix:
        return suffix[:5]
    return mime.split("/")[-1].upper()[:5] or "FILE"


def type_colour(label: str) -> QColor:
    return QColor(_TYPE_COLOUR.get(label, "#5f6368"))


def rotated(pixmap: QPixmap, degrees: int) -> QPixmap:
    """The picture as the seller turned it (EvidenceInfo.rotation); thumbnails stay upright."""
    if not degrees % 360:
        return pixmap
    return pixmap.transformed(QTransform().rotate(degrees),
                              Qt.TransformationMode.SmoothTransformation)


def is_picture(info: EvidenceInfo) -> bool:
    return info.mime.startswith("image/")


def draw_document_glyph(p: QPainter, box: QRect, label: str) -> None:
    """A page with a folded corner and the file type across it, for files without a picture."""
    h = min(box.height() - 8, 104)
    w = int(h * 0.78)
    page = QRectF(box.center().x() - w / 2, box.center().y() - h / 2, w, h)
    fold = w * 0.26
    path = QPainterPath()
    path.moveTo(page.topLeft())
    path.lineTo(page.right() - fold, page.top())
    path.lineTo(page.right(), page.top() + fold)
    path.lineTo(page.bottomRight())
    path.lineTo(page.bottomLeft())
    path.closeSubpath()
    p.setPen(QPen(QColor("#c4c7c5"), 1.2))
    p.setBrush(QColor("#ffffff"))
    p.drawPath(path)
    corner = QPainterPath()
    corner.moveTo(page.right() - fold, page.top())
    corner.lineTo(page.right() - fold, page.top() + fold)
    corner.lineTo(page.right(), page.top() + fold)
    p.setBrush(QColor("#e8eaed"))
    p.drawPath(corner)
    colour = type_colour(label)
    band = QRectF(page.left() - 6, page.center().y() - 2, w * 0.82, 22)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawRoundedRect(band, 3, 3)
    font = QFont(p.font())
    font.setBold(True)
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(band, Qt.AlignmentFlag.AlignCenter, label)


def draw_pill(p: QPainter, anchor: QPointF, text: str, colour: QColor,
              right: bool = False) -> float:
    """Draw a rounded badge at `anchor`; returns its right edge (to place the next one)."""
    font = QFont(p.font())
    font.setBold(True)
    font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
    fm = QFontMetrics(font)
    w, h = fm.horizontalAdvance(text) + 10, fm.height() + 2
    x = anchor.x() - w if right else anchor.x()
    rect = QRectF(x, anchor.y(), w, h)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawRoundedRect(rect, h / 2, h / 2)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect.right()


def redaction_badge(info: EvidenceInfo) -> str:
    """"redacted" when the item carries a redaction box; "needed" for an identity document or
    a transaction record that has none (and was not marked as checked); else ""."""
    if has_redaction(info.marks):
        return "redacted"
    if info.kind in PERSONAL_DATA_KINDS and FLAG_PRIVACY_OK not in info.flags:
        return "needed"
    return ""


class EvidenceDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(CELL)

    def paint(self, p: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        info: EvidenceInfo | None = index.data(InfoRole)
        if info is None:
            return
        thumb: Thumb | None = index.data(ThumbRole)
        pal = option.palette  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        card = QRectF(rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
        highlight = pal.color(QPalette.ColorRole.Highlight)
        if selected:
            tint = QColor(highlight)
            tint.setAlpha(38)
            p.setBrush(tint)
            p.setPen(QPen(highlight, 2))
        else:
            p.setBrush(pal.color(QPalette.ColorRole.Base))
            border = QColor("#9aa0a6") if hovered else QColor("#dadce0")
            p.setPen(QPen(border, 1))
        p.drawRoundedRect(card.adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)

        box = QRect(int(card.left()) + (int(card.width()) - THUMB_BOX.width()) // 2,
                    int(card.top()) + 8, THUMB_BOX.width(), THUMB_BOX.height())
        label = type_label(info)
        if thumb is not None and thumb.pixmap is not None:
            pm = rotated(thumb.pixmap, info.rotation)
            size = pm.deviceIndependentSize().toSize().scaled(
                box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            if size.width() > pm.width() or size.height() > pm.height():
                size = pm.size()  # never blow a small picture up
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(box.center())
            p.setPen(QPen(QColor("#e0e0e0"), 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPixmap(target, pm)
            marked_size = shown_size(info)
            if info.marks and marked_size is not None:
                # The redactions as the export burns them in: a card never shows what the
                # buyer will not see.
                paint_marks(p, QRectF(target), info.marks, marked_size, redactions_only=True)
            p.drawRect(QRectF(target).adjusted(-0.5, -0.5, 0.5, 0.5))
            if not is_picture(info):
                draw_pill(p, QPointF(box.left() + 2, box.bottom() - 18), label,
                          type_colour(label))
        elif is_picture(info) and (thumb is None):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#f1f3f4"))
            p.drawRoundedRect(QRectF(box).adjusted(10, 4, -10, -4), 6, 6)
            p.setPen(QColor("#9aa0a6"))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, "…")
        else:
            draw_document_glyph(p, box, label)

        if "animated" in info.flags:
            draw_pill(p, QPointF(box.right() - 2, box.top() + 2), tr("animated"),
                      QColor(0, 0, 0, 150), right=True)
        warnings = [f for f in info.flags if f in WARN_FLAGS]
        integrity = index.data(IntegrityRole) or ""
        left = float(box.left() + 2)
        if integrity:
            # Red and worded, not a bare "!": this exhibit must not go into a complaint as is.
            text = tr("altered") if integrity == "altered" else tr("missing")
            left = draw_pill(p, QPointF(left, box.top() + 2), text, QColor("#c5221f")) + 4
        if warnings:
            draw_pill(p, QPointF(left, box.top() + 2), "!", QColor("#e37400"))
        badge = redaction_badge(info)
        if badge == "redacted":
            draw_pill(p, QPointF(box.right() - 2, box.bottom() - 18), tr("redacted"),
                      QColor("#202124"), right=True)
        elif badge == "needed":
            draw_pill(p, QPointF(box.right() - 2, box.bottom() - 18), tr("needs redaction"),
                      QColor("#b3261e"), right=True)

        text_rect = QRect(int(card.left()) + 8, box.bottom() + 8, int(card.width()) - 16, 20)
        fm = QFontMetrics(option.font)  # type: ignore[attr-defined]
        p.setFont(option.font)  # type: ignore[attr-defined]
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.drawText(text_rect, _CENTRED,
                   fm.elidedText(title_of(info), Qt.TextElideMode.ElideMiddle,
                                 text_rect.width()))
        small = QFont(option.font)  # type: ignore[attr-defined]
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        p.setFont(small)
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        when = format_time(info.captured_at) or tr("no capture time")
        sub = QRect(text_rect.left(), text_rect.bottom() + 1, text_rect.width(), 18)
        p.drawText(sub, _CENTRED,
                   QFontMetrics(small).elidedText(when, Qt.TextElideMode.ElideRight, sub.width()))
        p.restore()
