"""What the seller is asked while a library opens: why it will not, and a team password.

When the library refuses to open (damaged, foreign, or its database gone while originals
remain) the seller sees why and, when backups exist, can put one back; or choose another
folder. The launcher (ui.shell.launcher) acts on the answer; nothing here ever overwrites the
refused database (restore_backup moves it aside).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import tr
from evidence_desk.library.backup import BackupInfo
from evidence_desk.ui.common.labels import emphasize
from evidence_desk.ui.integrity.backup_list import RESTORE_EXPLAINED, BackupList

log = logging.getLogger(__name__)


class StartupDialog(QDialog):
    """The library will not open: why, and what the seller can do about it."""

    RESTORE, OTHER_FOLDER, QUIT = "restore", "other", "quit"

    def __init__(self, folder: Path, message: str, backups: Sequence[BackupInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startupDialog")
        self.setWindowTitle(tr("The library cannot be opened"))
        self.choice = self.QUIT
        layout = QVBoxLayout(self)
        heading = QLabel(tr("Evidence Desk cannot open the library in {folder}.",
                            folder=str(folder)))
        emphasize(heading)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        reason = QLabel(message, objectName="startupMessage")
        reason.setWordWrap(True)
        reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(reason)
        self.backup_list: BackupList | None = None
        buttons = QDialogButtonBox()
        self.restore_button: QPushButton | None = None
        if backups:
            offer = QLabel(tr("This library has backups. Restore one?"))
            offer.setWordWrap(True)
            layout.addWidget(offer)
            self.backup_list = BackupList(backups)
            layout.addWidget(self.backup_list, 1)
            note = QLabel(tr(RESTORE_EXPLAINED))
            note.setWordWrap(True)
            layout.addWidget(note)
            self.restore_button = buttons.addButton(tr("Restore this backup"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setObjectName("startupRestore")
            self.restore_button.setDefault(True)
            self.restore_button.clicked.connect(lambda: self._choose(self.RESTORE))
        else:
            none = QLabel(tr("There is no backup of this library to restore."))
            none.setWordWrap(True)
            layout.addWidget(none)
        other = buttons.addButton(tr("Choose another folder…"),
                                  QDialogButtonBox.ButtonRole.ActionRole)
        other.setObjectName("startupOtherFolder")
        other.clicked.connect(lambda: self._choose(self.OTHER_FOLDER))
        quit_button = buttons.addButton(tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("startupQuit")
        quit_button.clicked.connect(lambda: self._choose(self.QUIT))
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == self.QUIT:
            self.reject()
        else:
            self.accept()

    def chosen_backup(self) -> BackupInfo | None:
        return self.backup_list.chosen() if self.backup_list is not None else None


def team_database_url() -> str | None:
    """The team database to open, if any: EVIDENCE_DESK_DB_URL, else the one in the settings,
    with its password from the keyring when one is kept there (never from the settings file)."""
    import os

    from evidence_desk.library.credentials import with_password
    from evidence_desk.paths import DB_URL_ENV
    from evidence_desk.ui.common.settings import open_settings, team_url

    url = os.environ.get(DB_URL_ENV) or team_url(open_settings())
    return with_password(url) if url else None


def needs_password(message: str) -> bool:
    # libpq's words when the server wants a password it did not get (or got wrong).
    return "password authentication failed" in message or "no password supplied" in message


def ask_password(db_url: str, parent: QWidget | None) -> str | None:
    """The URL with a password the seller types now; None when they cancel."""
    from evidence_desk.library.credentials import public_url, with_typed_password

    text, ok = QInputDialog.getText(
        parent, tr("Team database"), tr("Password for {url}", url=public_url(db_url)),
        QLineEdit.EchoMode.Password)
    if not ok or not text:
        return None
    return with_typed_password(db_url, text)
