"""The details panel beside the board: what the selected item is, and its editable facts.

It never writes to the library itself; it reports edits as (item id, old, new) so the board can
turn each into an undo command.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.capture import format_offset
from evidence_desk.core.rules import Rules
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import current_language, tr
from evidence_desk.ingest.probe import FLAG_MESSAGES
from evidence_desk.ui.labels import emphasize

# QDateTimeEdit cannot be empty; its minimum shown as "unknown" stands for "no capture time".
_NO_TIME = QDateTime.fromString("2000-01-01T00:00:00", Qt.DateFormat.ISODate)

_FROM = {
    "exif": "from the photo's EXIF data",
    "file_name": "from the file name",
    "file": "from the file's modification time",
    "clipboard": "when it was pasted",
    "user": "set by you",
}


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class EvidenceDetails(QWidget):
    caption_edited = Signal(int, str, str)  # item id, old, new
    time_edited = Signal(int, object, object)  # item id, old datetime|None, new datetime|None
    source_edited = Signal(int, str, str)
    kind_chosen = Signal(str)  # applies to every selected item
    open_requested = Signal(int)

    def __init__(self, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceDetails")
        self.rules = rules
        self._info: EvidenceInfo | None = None
        self._count = 0
        self.setMinimumWidth(220)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedHeight(150)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLabel()
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        emphasize(self.name)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.meta.setStyleSheet("color: palette(placeholder-text);")
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet("color: #b06000;")

        self.kind = QComboBox()
        self.kind.setObjectName("evidenceKindCombo")
        self.caption = QLineEdit()
        self.caption.setObjectName("evidenceCaption")
        self.caption.setClearButtonEnabled(True)
        self.captured = QDateTimeEdit()
        self.captured.setObjectName("evidenceCapturedAt")
        self.captured.setCalendarPopup(True)
        self.captured.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.captured.setMinimumDateTime(_NO_TIME)
        self.captured_from = QLabel()
        self.captured_from.setStyleSheet("color: palette(placeholder-text);")
        self.source = QComboBox()
        self.source.setObjectName("evidenceSource")
        self.open_button = QPushButton()

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.kind_label, self.caption_label = QLabel(), QLabel()
        self.time_label, self.source_label = QLabel(), QLabel()
        self.form.addRow(self.kind_label, self.kind)
        self.form.addRow(self.caption_label, self.caption)
        self.form.addRow(self.time_label, self.captured)
        self.form.addRow("", self.captured_from)
        self.form.addRow(self.source_label, self.source)

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text);")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.preview)
        layout.addWidget(self.name)
        layout.addWidget(self.meta)
        layout.addWidget(self.flags)
        layout.addLayout(self.form)
        layout.addWidget(self.open_button)
        layout.addWidget(self.empty)
        layout.addStretch(1)

        self.caption.editingFinished.connect(self._caption_done)
        self.captured.editingFinished.connect(self._time_done)
        self.source.activated.connect(self._source_done)
        self.kind.activated.connect(self._kind_done)
        self.open_button.clicked.connect(
            lambda: self._info is not None and self.open_requested.emit(self._info.id))
        self.retranslate()
        self.show_items([])

    def retranslate(self) -> None:
        lang = current_language()
        self.kind_label.setText(tr("Kind"))
        self.caption_label.setText(tr("Caption"))
        self.time_label.setText(tr("Captured"))
        self.source_label.setText(tr("Source"))
        self.caption.setPlaceholderText(tr("What does this show?"))
        self.captured.setSpecialValueText(tr("unknown"))
        self.open_button.setText(tr("Open viewer"))
        self.empty.setText(tr("Select an item to see and edit its details."))
        self.kind.clear()
        for key, kind in self.rules.kinds.items():
            self.kind.addItem(kind.label(lang), key)
        self.source.clear()
        self.source.addItem("—", "")
        for key, src in self.rules.sources.items():
            self.source.addItem(src.label(lang), key)
        self.show_items([] if self._info is None else [self._info], self._count)

    def current_id(self) -> int | None:
        return self._info.id if self._info is not None else None

    def show_items(self, items: list[EvidenceInfo], count: int | None = None,
                   pixmap: QPixmap | None = None) -> None:
        """Show one item's facts, or a summary of a multiple selection (only kind editable)."""
        self._count = len(items) if count is None else count
        one = items[0] if len(items) == 1 else None
        self._info = one
        has = bool(items)
        for w in (self.preview, self.name, self.meta, self.kind, self.kind_label):
            w.setVisible(has)
        for w in (self.caption, self.captured, self.source, self.caption_label,
                  self.time_label, self.source_label, self.captured_from, self.open_button,
                  self.flags):
            w.setVisible(one is not None)
        self.empty.setVisible(not has)
        if not has:
            return
        self._select(self.kind, items[0].kind if len({i.kind for i in items}) == 1 else None)
        if one is None:
            self.preview.clear()
            self.preview.setText(tr("{count} items selected", count=len(items)))
            self.name.setText("")
            self.meta.setText(tr("Choose a kind to move them all."))
            return
        self.set_preview(pixmap)
        self.name.setText(one.original_name)
        parts = [human_size(one.size)]
        if one.width and one.height:
            parts.append(f"{one.width} × {one.height}")
        if one.added_at:
            parts.append(tr("added {date}", date=one.added_at.strftime("%Y-%m-%d")))
        self.meta.setText(" · ".join(parts))
        warnings = [tr(FLAG_MESSAGES[f]) for f in one.flags if f in FLAG_MESSAGES]
        self.flags.setText("\n".join("⚠ " + w for w in warnings))
        self.flags.setVisible(bool(warnings))
        if not self.caption.hasFocus() or self.caption.text() != one.caption:
            self.caption.setText(one.caption)
        self.captured.setDateTime(QDateTime(one.captured_at) if one.captured_at else _NO_TIME)
        origin = tr(_FROM[one.captured_from]) if one.captured_from in _FROM else ""
        zone = format_offset(one.captured_offset)
        # The time is shown as taken; its zone, when the photo recorded one, goes beside it.
        self.captured_from.setText((f"{zone}, {origin}" if zone and origin else zone or origin)
                                   if one.captured_at else "")
        self._select(self.source, one.source)

    def set_preview(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.preview.clear()
            self.preview.setText(tr("No preview"))
            return
        self.preview.setPixmap(pixmap.scaled(
            self.preview.width() - 8 if self.preview.width() > 40 else 200, 142,
            Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        combo.setCurrentIndex(combo.findData(value) if value is not None else -1)

    def _caption_done(self) -> None:
        if self._info is not None and self.caption.text() != self._info.caption:
            self.caption_edited.emit(self._info.id, self._info.caption, self.caption.text())

    def _time_done(self) -> None:
        if self._info is None:
            return
        value = self.captured.dateTime()
        new: datetime | None = None if value <= _NO_TIME else value.toPython()
        if new != self._info.captured_at:
            self.time_edited.emit(self._info.id, self._info.captured_at, new)

    def _source_done(self, _row: int) -> None:
        if self._info is not None:
            new = self.source.currentData() or ""
            if new != self._info.source:
                self.source_edited.emit(self._info.id, self._info.source, new)

    def _kind_done(self, _row: int) -> None:
        kind = self.kind.currentData()
        if kind:
            self.kind_chosen.emit(kind)
