"""QApplication start-up: settings, translations, fonts, main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from evidence_desk.paths import default_library_dir
from evidence_desk.ui.common.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:  # importing the window module at start-up would pull in every widget
    from evidence_desk.library.service import Library
    from evidence_desk.ui.shell.main_window import MainWindow


def build_main_window(library_dir: Path | str | None = None,
                      library: Library | None = None) -> MainWindow:
    """The main window on a library, without running the event loop (a QApplication exists).

    `library`, when given, is an already open library (app.main opens it interactively).
    """
    from evidence_desk.library.service import Library
    from evidence_desk.ui.common.i18n_qt import apply_language, install_cjk_fallback
    from evidence_desk.ui.common.settings import chosen_language, open_settings
    from evidence_desk.ui.shell.main_window import MainWindow

    install_cjk_fallback()
    settings = open_settings()
    apply_language(chosen_language(settings))
    lib = library or Library.open(Path(library_dir) if library_dir else default_library_dir())
    return MainWindow(lib, settings)


def main(library_dir: Path | str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANISATION)
    from evidence_desk.ui.common.i18n_qt import apply_language, install_cjk_fallback
    from evidence_desk.ui.common.settings import chosen_language, open_settings
    from evidence_desk.ui.shell.startup import open_library_interactively, start_scheduled_backups

    # Language first, so the dialog shown when the library will not open speaks it.
    install_cjk_fallback()
    apply_language(chosen_language(open_settings()))
    lib = open_library_interactively(library_dir)
    if lib is None:
        return 1
    window = build_main_window(lib.folder, library=lib)
    start_scheduled_backups(window)
    window.show()
    code = app.exec()
    lib.close()
    return code
