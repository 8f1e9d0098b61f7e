"""The main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from evidence_desk.library.service import Library


class MainWindow(QMainWindow):
    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.setWindowTitle("Evidence Desk 证据台")
        self.setCentralWidget(QLabel(str(library.folder)))
