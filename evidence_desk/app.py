"""QApplication start-up: settings, translations, fonts, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from evidence_desk.paths import CJK_FONT, default_library_dir


def load_fonts() -> None:
    # Chinese must render even where the system has no CJK font.
    QFontDatabase.addApplicationFont(str(CJK_FONT))


def build_main_window(library_dir: Path | str | None = None) -> QMainWindow:
    """The main window on a library, without running the event loop."""
    from evidence_desk.library.service import Library
    from evidence_desk.ui.main_window import MainWindow

    load_fonts()
    lib = Library.open(Path(library_dir) if library_dir else default_library_dir())
    return MainWindow(lib)


def main(library_dir: Path | str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Evidence Desk")
    app.setOrganizationName("EvidenceDesk")
    from evidence_desk.library.db import LibraryOpenError

    try:
        window = build_main_window(library_dir)
    except LibraryOpenError as exc:
        QMessageBox.critical(None, "Evidence Desk", str(exc))
        return 1
    window.show()
    return app.exec()
