"""Where the window keeps its preferences, and the dialog that edits them.

Settings live in an INI file whose folder is resolved at call time (EVIDENCE_DESK_SETTINGS, else
the platform's config folder), so tests that move HOME never see or change the user's real
settings; Qt's own default location is cached per process and cannot be redirected that way.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import system_language, tr

SETTINGS_ENV = "EVIDENCE_DESK_SETTINGS"
ORGANISATION = "EvidenceDesk"
APPLICATION = "Evidence Desk"
LANGUAGE_KEY = "ui/language"  # "system", "zh" or "en"
# A team database URL, stored without its password (that goes to the system keyring or is
# asked for at start); EVIDENCE_DESK_DB_URL wins over it.
TEAM_URL_KEY = "team/db_url"
# Whether the desk reads screenshots (OCR) in the background; on unless the seller turns it off.
OCR_ENABLED_KEY = "ocr/enabled"


def settings_path() -> Path:
    chosen = os.environ.get(SETTINGS_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return Path(user_config_dir(ORGANISATION, appauthor=False)) / "evidence-desk.ini"


def open_settings(path: Path | None = None) -> QSettings:
    target = path or settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(target), QSettings.Format.IniFormat)


def chosen_language(settings: QSettings) -> str:
    """The language to show: the one picked in the settings, else the system's."""
    value = str(settings.value(LANGUAGE_KEY, "system") or "system")
    return value if value in ("zh", "en") else system_language()


def ocr_enabled(settings: QSettings) -> bool:
    """Whether background text recognition is switched on (it is by default)."""
    value = settings.value(OCR_ENABLED_KEY, True)
    return value not in (False, "false", "0", 0)


def team_url(settings: QSettings) -> str:
    """The team database chosen in the settings ('' for the library's own SQLite file)."""
    return str(settings.value(TEAM_URL_KEY, "") or "").strip()


class SettingsDialog(QDialog):
    """Preferences: the language (applied live by the caller) and a team database."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.settings = settings
        self.setWindowTitle(tr("Settings"))
        self.language = QComboBox(objectName="languageCombo")
        self.language.addItem(tr("Follow the system"), "system")
        # Each language is named in itself so a user who cannot read the current one finds theirs.
        self.language.addItem("简体中文", "zh")
        self.language.addItem("English", "en")
        current = str(settings.value(LANGUAGE_KEY, "system") or "system")
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        from evidence_desk.library.credentials import keyring_available

        self.team_url = QLineEdit(objectName="teamUrlEdit")
        self.team_url.setPlaceholderText("postgresql+psycopg://user@server/evidence")
        self.team_url.setText(team_url(settings))
        self.team_password = QLineEdit(objectName="teamPasswordEdit")
        self.team_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(tr("Remember the password in the system keyring"),
                                  objectName="teamRememberCheck")
        self.remember.setEnabled(keyring_available())
        if not keyring_available():
            self.remember.setToolTip(tr("No system keyring here: the password is asked for "
                                        "at each start."))
        from evidence_desk.ocr import ocr_available

        self.ocr = QCheckBox(tr("Read screenshots in the background (text recognition)"),
                             objectName="ocrEnabledCheck")
        self.ocr.setChecked(ocr_enabled(settings))
        if not ocr_available():
            self.ocr.setEnabled(False)
            self.ocr.setToolTip(tr("Text recognition (OCR) is not installed; Help says how to "
                                   "turn it on."))
        form = QFormLayout()
        form.addRow(tr("Language"), self.language)
        form.addRow(tr("Text recognition"), self.ocr)
        hint = QLabel(tr("The window changes language as soon as you press OK."))
        hint.setWordWrap(True)
        hint.setEnabled(False)
        # A solo seller never needs the team database: it waits behind a toggle, open only
        # when one is already set up.
        self.advanced_toggle = QToolButton(objectName="advancedTeamToggle")
        self.advanced_toggle.setText(tr("Advanced / team"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced = QGroupBox(objectName="advancedTeamBox")
        self.advanced.setFlat(True)
        team = QFormLayout(self.advanced)
        team.addRow(tr("Team database"), self.team_url)
        team.addRow(tr("Password"), self.team_password)
        team.addRow("", self.remember)
        team_hint = QLabel(tr("For several desks sharing one PostgreSQL database. It is used "
                              "from the next start; leave it empty to keep this computer's "
                              "library. Passwords are never written to the settings file."))
        team_hint.setWordWrap(True)
        team_hint.setEnabled(False)
        team.addRow(team_hint)
        self.advanced_toggle.toggled.connect(self._show_advanced)
        self._show_advanced(bool(self.team_url.text()))
        self.advanced_toggle.setChecked(bool(self.team_url.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.advanced_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.advanced)
        layout.addWidget(buttons)

    def _show_advanced(self, on: bool) -> None:
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if on
                                          else Qt.ArrowType.RightArrow)
        self.advanced.setVisible(on)
        self.adjustSize()

    def accept(self) -> None:
        from evidence_desk.library.credentials import public_url, save_password

        self.settings.setValue(LANGUAGE_KEY, self.language.currentData())
        self.settings.setValue(OCR_ENABLED_KEY, self.ocr.isChecked())
        url = self.team_url.text().strip()
        if url:
            try:
                stored = public_url(url)
            except Exception:  # not a URL at all: say so instead of saving it
                self.team_url.setFocus()
                self.team_url.setToolTip(tr("Not a database URL."))
                return
            self.settings.setValue(TEAM_URL_KEY, stored)
            password = self.team_password.text()
            if password and self.remember.isChecked():
                save_password(stored, password)
        else:
            self.settings.remove(TEAM_URL_KEY)
        self.settings.sync()
        super().accept()
