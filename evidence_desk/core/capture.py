"""How a capture time is described: the wall time as taken, its zone when known, its origin."""

from __future__ import annotations

# Where a capture time came from (EvidenceInfo.captured_from), a stable contract like kind keys.
ORIGINS = ("exif", "file_name", "file", "clipboard", "user")


def format_offset(minutes: int | None) -> str:
    """ "UTC+01:00" for 60, "UTC-05:30" for -330, "" when the zone is not known."""
    if minutes is None:
        return ""
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
