"""The open case's events in time order, with the complaint deadline standing out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from evidence_desk.core.timeline import TimelineEvent
from evidence_desk.i18n import current_language, tr
from evidence_desk.ui.common import labels

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
HIGHLIGHT = ("deadline", "result_expected")


class TimelineModel(QAbstractTableModel):
    # No flags() of its own: QAbstractTableModel's (enabled, selectable, never has children)
    # is what a row needs, and answered in C++ it spares the view a call into Python for every
    # row each time it lays out a case of hundreds of events.

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._events: list[TimelineEvent] = []
        self._today = date.today()

    def set_events(self, events: Sequence[TimelineEvent], today: date | None = None) -> None:
        self.beginResetModel()
        self._events = list(events)
        self._today = today or date.today()
        self.endResetModel()

    def event_at(self, row: int) -> TimelineEvent:
        return self._events[row]

    def rowCount(self, parent: ModelIndex = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: ModelIndex = _NO_INDEX) -> int:
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and section in (0, 1):
            return (tr("Date"), tr("Event"))[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        e = self._events[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == 0:
                return e.when.strftime("%Y-%m-%d" if e.is_date_only else "%Y-%m-%d %H:%M")
            return e.label_zh if current_language() == "zh" else e.label
        if e.kind in HIGHLIGHT:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole and e.kind == "deadline":
                left = (e.when.date() - self._today).days
                return QBrush(labels.days_left_colour(left) or labels.GREEN)
        if role == Qt.ItemDataRole.ForegroundRole and e.when.date() > self._today:
            # Still to come: quieter than what has happened.
            return QBrush(labels.GREY)
        return None


class TimelineView(QTreeView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineView")
        self.timeline_model = TimelineModel(self)
        self.setModel(self.timeline_model)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.header()
        # A fixed date width, measured once: ResizeToContents asks every row (a case of 500
        # items has 500 events) on each change and held up opening a big case.
        bold = QFont(self.font())
        bold.setBold(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, QFontMetrics(bold).horizontalAdvance("2026-12-31 23:59") + 16)
        # The event takes all the width the date leaves; what still does not fit is in the
        # row's tooltip.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def set_events(self, events: Sequence[TimelineEvent]) -> None:
        self.timeline_model.set_events(events)

    def retranslate(self) -> None:
        self.timeline_model.set_events(list(self.timeline_model._events))
        self.timeline_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)
