"""The shell: the thin main window, the launcher (one path to a library) and start-up dialogs.

Only app.py comes in here, through the two functions below; no feature imports the shell.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from evidence_desk.library.service import Library


def make_window(library: Library, settings: QSettings) -> QMainWindow:
    """The main window on an open library (its own launcher for Open library… and restores)."""
    from evidence_desk.ui.shell.main_window import MainWindow

    return MainWindow(library, settings)


def run_desk(library_dir: Path | str | None, settings: QSettings) -> int:
    """Open the library through the launcher (with its dialogs when it will not open), show
    the desk and run the event loop until its last window has closed."""
    from PySide6.QtWidgets import QApplication

    from evidence_desk.paths import default_library_dir
    from evidence_desk.ui.shell.launcher import Launcher
    from evidence_desk.ui.shell.main_window import MainWindow
    from evidence_desk.ui.shell.startup import team_database_url

    app = QApplication.instance()
    assert isinstance(app, QApplication)
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
