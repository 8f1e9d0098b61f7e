"""The status bar's word on text recognition: "Reading screenshots 3/10" and a Cancel button
while a run goes on, and what state OCR is in otherwise (off, not installed, all read)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from evidence_desk.i18n import tr


class OcrStatusWidget(QWidget):
    """A label and a cancel button; the background controller tells it what to say."""

    cancel_requested = Signal()
    help_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ocrStatus")
        self.label = QLabel(objectName="ocrStatusLabel")
        self.cancel = QToolButton(objectName="ocrCancel")
        self.cancel.setAutoRaise(True)
        self.cancel.clicked.connect(self.cancel_requested)
        self.help = QToolButton(objectName="ocrHelp")
        self.help.setAutoRaise(True)
        self.help.setText("?")
        self.help.clicked.connect(self.help_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel)
        layout.addWidget(self.help)
        self._state = ("idle", 0, 0)
        self.show_state("idle")

    def retranslate(self) -> None:
        self.cancel.setText(tr("Cancel"))
        self.cancel.setToolTip(tr("Stop reading screenshots; the rest are read at the next "
                                  "start or import"))
        self.help.setToolTip(tr("About text recognition (OCR)"))
        self.show_state(*self._state)

    def show_state(self, state: str, done: int = 0, total: int = 0) -> None:
        """state: "running" (done of total), "idle", "off", "missing", "cancelled",
        "failed" or "read-only"."""
        self._state = (state, done, total)
        texts = {
            "running": tr("Reading screenshots {done}/{total}", done=done, total=total),
            "idle": tr("Text recognition: on"),
            "off": tr("Text recognition: off"),
            "missing": tr("Text recognition: not installed"),
            "cancelled": tr("Text recognition: stopped ({left} left)", left=total - done),
            "failed": tr("Text recognition could not run"),
            "read-only": tr("Text recognition: read-only desk"),
        }
        self.label.setText(texts.get(state, ""))
        self.cancel.setVisible(state == "running")
        self.help.setVisible(state in ("missing", "failed", "off"))
