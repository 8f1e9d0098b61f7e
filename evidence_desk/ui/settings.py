"""Where the window keeps its preferences, and the dialog that edits them.

Settings live in an INI file whose folder is resolved at call time (EVIDENCE_DESK_SETTINGS, else
the platform's config folder), so tests that move HOME never see or change the user's real
settings; Qt's own default location is cached per process and cannot be redirected that way.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import system_language, tr

SETTINGS_ENV = "EVIDENCE_DESK_SETTINGS"
ORGANISATION = "EvidenceDesk"
APPLICATION = "Evidence Desk"
LANGUAGE_KEY = "ui/language"  # "system", "zh" or "en"


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


class SettingsDialog(QDialog):
    """Preferences; only the language for now, applied live by the caller."""

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
        form = QFormLayout()
        form.addRow(tr("Language"), self.language)
        hint = QLabel(tr("The window changes language as soon as you press OK."))
        hint.setWordWrap(True)
        hint.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settings.setValue(LANGUAGE_KEY, self.language.currentData())
        self.settings.sync()
        super().accept()
