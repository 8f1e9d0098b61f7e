"""The rules in force, loaded one way for every part of the desk.

A library may carry its own edited copy of the rules in `<library>/rules/`; otherwise the shipped
ones (`resources/rules`) apply. The library (`Library.rules`) holds the rules in force and hands
them to ingest (the suggested kind must be one they accept), the checklist and the exports; the
command line's read-only `rules` reads them here without opening, let alone creating, a library.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from evidence_desk.core.rules import Rules, load_rules
from evidence_desk.paths import RULES_DIR, rules_dir_for


def rules_for(library_dir: Path | str | None) -> Rules:
    """The rules a library at `library_dir` works by (the shipped ones for None)."""
    folder = rules_dir_for(Path(library_dir) if library_dir is not None else None)
    return shipped_rules() if folder == RULES_DIR else load_rules(folder)


@lru_cache(maxsize=1)
def shipped_rules() -> Rules:
    """The rules shipped with the desk; read once, as they never change while it runs."""
    return load_rules(RULES_DIR)
