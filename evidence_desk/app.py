"""QApplication start-up: settings, translations, fonts, main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QMainWindow

from evidence_desk.paths import default_library_dir
from evidence_desk.ui.common.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:
    from evidence_desk.library.service import Library


def build_main_window(library_dir: Path | str | None = None,
                      library: Library | None = None) -> QMainWindow:
    """The main window on a library, without running the event loop (a QApplication exists).

    `library`, when given, is an already open library.
    """
    from evidence_desk.library.service import Library
    from evidence_desk.ui.common.i18n_qt import apply_language, install_cjk_fallback
    from evidence_desk.ui.common.settings import chosen_language, open_settings
    from evidence_desk.ui.shell import make_window

    install_cjk_fallback()
    settings = open_settings()
    apply_language(chosen_language(settings))
    lib = library or Library.open(Path(library_dir) if library_dir else default_library_dir())
    return make_window(lib, settings)


def main(library_dir: Path | str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANISATION)
    from evidence_desk.ui.common.i18n_qt import apply_language, install_cjk_fallback
    from evidence_desk.ui.common.settings import chosen_language, open_settings
    from evidence_desk.ui.shell import run_desk

    # Language first, so the dialog shown when the library will not open speaks it.
    install_cjk_fallback()
    settings = open_settings()
    apply_language(chosen_language(settings))
    return run_desk(library_dir, settings)
