"""Ask for one capture time to give several selected evidence items."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import tr


class CaptureTimeDialog(QDialog):
    """`when()` is the chosen local wall time once the dialog is accepted."""

    def __init__(self, count: int, start: datetime | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("captureTimeDialog")
        self.setWindowTitle(tr("Set capture time"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("When were these {count} items captured?", count=count)
                                if count != 1 else tr("When was this item captured?")))
        self.edit = QDateTimeEdit()
        self.edit.setObjectName("captureTimeEdit")
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setDateTime(QDateTime(start) if start else QDateTime.currentDateTime())
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def when(self) -> datetime:
        return self.edit.dateTime().toPython().replace(second=0, microsecond=0)
