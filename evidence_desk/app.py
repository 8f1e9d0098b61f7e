"""QApplication start-up: settings, translations, fonts, main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QMessageBox

from evidence_desk.paths import default_library_dir
from evidence_desk.ui.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:  # importing the window module at start-up would pull in every widget
    from evidence_desk.ui.main_window import MainWindow


def build_main_window(library_dir: Path | str | None = None) -> MainWindow:
    """The main window on a library, without running the event loop (a QApplication exists)."""
    from evidence_desk.library.service import Library
    from evidence_desk.ui.i18n_qt import apply_language, install_cjk_fallback
    from evidence_desk.ui.main_window import MainWindow
    from evidence_desk.ui.settings import chosen_language, open_settings

    install_cjk_fallback()
    settings = open_settings()
    apply_language(chosen_language(settings))
    lib = Library.open(Path(library_dir) if library_dir else default_library_dir())
    return MainWindow(lib, settings)


def main(library_dir: Path | str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANISATION)
    from evidence_desk.i18n import tr
    from evidence_desk.library.db import LibraryOpenError

    try:
        window = build_main_window(library_dir)
    except LibraryOpenError as exc:
        QMessageBox.critical(None, tr("Evidence Desk"), str(exc))
        return 1
    window.show()
    code = app.exec()
    window.library.close()
    return code
