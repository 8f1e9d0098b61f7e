"""File names the seller is offered, and the folder they last chose (kept in the settings)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings

LAST_FOLDER_KEY = "export/last_folder"


def safe_file_part(text: str) -> str:
    """An order number made safe for a file name on every platform (it is typed by the user)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", text).strip(" .-")
    return cleaned[:60] or "case"


def default_name(prefix: str, order_no: str, suffix: str = "", today: date | None = None) -> str:
    day = (today or date.today()).isoformat()
    return f"{prefix}-{safe_file_part(order_no)}-{day}{suffix}"


def last_folder(settings: QSettings) -> Path:
    value = str(settings.value(LAST_FOLDER_KEY, "") or "")
    folder = Path(value) if value else Path.home()
    return folder if folder.is_dir() else Path.home()


def remember_folder(settings: QSettings, folder: Path) -> None:
    settings.setValue(LAST_FOLDER_KEY, str(folder))
    settings.sync()
