"""Where things live on disk: the shipped resources and the default library."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
RULES_DIR = RESOURCES / "rules"
FONTS_DIR = RESOURCES / "fonts"
I18N_DIR = RESOURCES / "i18n"
CJK_FONT = FONTS_DIR / "DroidSansFallbackFull.ttf"

LIBRARY_ENV = "EVIDENCE_DESK_LIBRARY"
DB_URL_ENV = "EVIDENCE_DESK_DB_URL"


def default_library_dir() -> Path:
    """The library used when neither --library nor EVIDENCE_DESK_LIBRARY says otherwise."""
    chosen = os.environ.get(LIBRARY_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return Path(user_data_dir("EvidenceDesk", appauthor=False)) / "library"


def rules_dir_for(library_dir: Path) -> Path:
    """A library may carry its own edited copy of the rules; otherwise the shipped ones apply."""
    own = Path(library_dir) / "rules"
    return own if (own / "complaint_types.toml").is_file() else RULES_DIR
