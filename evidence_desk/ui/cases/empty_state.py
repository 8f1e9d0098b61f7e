"""What a first start shows: what the desk is for, and the two ways to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from evidence_desk.i18n import tr
from evidence_desk.ui.common.labels import emphasize

SP = QStyle.StandardPixmap


class EmptyState(QWidget):
    """What a first start shows: what the desk is for, and the two ways to begin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(SP.SP_FileDialogContentsView).pixmap(64, 64))
        self.heading = QLabel()
        emphasize(self.heading, 1.6)
        self.body = QLabel()
        self.body.setWordWrap(True)
        # A wrapped label inside a centring layout shrinks to its narrowest; give it a measure.
        self.body.setFixedWidth(460)
        self.new_button = QPushButton(objectName="emptyNewCase")
        self.new_button.setDefault(True)
        self.demo_button = QPushButton(objectName="demoButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for w in (self.icon, self.heading, self.body):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
            if isinstance(w, QLabel):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("Your library is empty"))
        self.body.setText(tr("Create a case for the order you want to complain about, then add "
                             "chat screenshots, order screenshots and logistics records. The "
                             "checklist on the right shows what the complaint still needs and "
                             "how many days are left."))
        self.new_button.setText(tr("Create a case"))
        self.demo_button.setText(tr("Try the demo library"))
