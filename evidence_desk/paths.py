"""Where things live on disk: the shipped resources and the default library."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
RULES_DIR = RESOURCES / "rules"
FONTS_DIR = RESOURCES / "fonts"
I18N_DIR = RESOURCES / "i18n"
STATEMENTS_DIR = RESOURCES / "statements"
PHRASES_DIR = RESOURCES / "phrases"
GUIDANCE_DIR = RESOURCES / "guidance"
# Droid Sans Fallback carries the Chinese glyphs but no Latin ones; DejaVu Sans carries Latin.
# Text that mixes both must switch font per run (see export.fonts).
CJK_FONT = FONTS_DIR / "DroidSansFallbackFull.ttf"
LATIN_FONT = FONTS_DIR / "DejaVuSans.ttf"
LATIN_FONT_BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"

LIBRARY_ENV = "EVIDENCE_DESK_LIBRARY"
DB_URL_ENV = "EVIDENCE_DESK_DB_URL"
# Where originals live: "folder" (<library>/blobs) or "db" (in the database; default on PostgreSQL).
BLOBS_ENV = "EVIDENCE_DESK_BLOBS"


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
