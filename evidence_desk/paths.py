"""Where things live on disk: the shipped resources and the default library."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from platformdirs import user_data_dir


def _resources_root() -> Path:
    """The shipped resources, wherever the desk runs from.

    An installed wheel and the one-folder app carry them inside the package
    (`evidence_desk/resources`, mapped from the repository's top-level `resources/` at build
    time); a source checkout and an editable install read the repository's folder itself.
    """
    packaged = Path(str(files("evidence_desk") / "resources"))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "resources"
    # Neither there: name the packaged place, so the "rules file is missing" message points
    # at the installation that lacks them.
    return checkout if checkout.is_dir() else packaged


RESOURCES = _resources_root()
RULES_DIR = RESOURCES / "rules"
FONTS_DIR = RESOURCES / "fonts"
I18N_DIR = RESOURCES / "i18n"
STATEMENTS_DIR = RESOURCES / "statements"
PHRASES_DIR = RESOURCES / "phrases"
GUIDANCE_DIR = RESOURCES / "guidance"
PHRASES_DIR = RESOURCES / "phrases"
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


def rules_dir_for(library_dir: Path | None) -> Path:
    """A library may carry its own edited copy of the rules; otherwise the shipped ones apply."""
    if library_dir is None:
        return RULES_DIR
    own = Path(library_dir).expanduser() / "rules"
    return own if (own / "complaint_types.toml").is_file() else RULES_DIR
