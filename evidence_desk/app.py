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
    from evidence_desk.ui.shell.launcher import Launcher
    from evidence_desk.ui.shell.main_window import MainWindow
    from evidence_desk.ui.shell.startup import team_database_url

    # Language first, so the dialog shown when the library will not open speaks it.
    install_cjk_fallback()
    settings = open_settings()
    apply_language(chosen_language(settings))
    # The launcher decides when the desk is done: a busy dialog closing before the window is
    # up, or the old window closing as a restored one opens, must not end the application.
    app.setQuitOnLastWindowClosed(False)
    launcher = Launcher(MainWindow, settings, scheduled_backups=True)
    launcher.gave_up.connect(lambda: app.exit(1))
    launcher.all_closed.connect(app.quit)
    launcher.start(library_dir or default_library_dir(), db_url=team_database_url())
    code = app.exec()
    launcher.shutdown()
    for window in list(launcher.windows):
        window.library.close()
    if launcher.last_library is not None:
        launcher.last_library.close()
    return code
