"""Plain input and output values of the dossier and the upload pack.

The library layer builds a `DossierData` from its rows; export code never sees a session or a
widget, so it can run in a worker thread or a test without either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence_desk.core.recognised import RecognisedText
from evidence_desk.core.rules import Rules
from evidence_desk.core.types import CaseInfo, EvidenceInfo

if TYPE_CHECKING:
    from evidence_desk.core.checklist import Checklist
    from evidence_desk.core.timeline import TimelineEvent
else:  # the core modules are optional at import time so export stays importable on its own
    Checklist = Any
    TimelineEvent = Any


class ExportError(Exception):
    """An export could not be made; the message is meant for the user."""


class BudgetTooSmall(ExportError):
    """The size budget cannot be met without making evidence illegible."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was written and any earlier file is intact."""


@dataclass(frozen=True)
class Exhibit:
    info: EvidenceInfo
    # The original bytes (e.g. the blob store path); read only, never modified.
    path: Path
    # "A-1", from core.statement.exhibit_numbers.
    number: str
    # Set when `path` is a derived copy with the item's marks burned in (export.redact):
    # the copy's SHA-256, and whether any mark covers personal data. `info.sha256` stays the
    # original's.
    derived_sha256: str = ""
    redacted: bool = False


@dataclass(frozen=True)
class StatementText:
    """The statement as the dossier prints it: the English the platform receives, the reason and
    demand in English (from the chosen phrases), and the Chinese reading version of the English."""

    en: str
    reading_zh: str
    reason_en: str
    demand_en: str
    # The same reason and demand in Chinese (the phrases' twins, or the case's own text).
    reason_zh: str = ""
    demand_zh: str = ""


@dataclass(frozen=True)
class DossierData:
    case: CaseInfo
    exhibits: tuple[Exhibit, ...]
    checklist: Checklist
    timeline: tuple[TimelineEvent, ...]
    rules: Rules
    generated_at: datetime
    # Hash at the head of the case's audit chain when the dossier was made (printed on the cover).
    audit_head: str = ""
    # The statement as it stands (library.workflow.current_statement); None: from the case.
    statement: StatementText | None = None
    # Text recognised in the originals (OCR), by SHA-256: drawn invisibly over screenshots.
    recognised: Mapping[str, RecognisedText] = field(default_factory=dict)


@dataclass(frozen=True)
class Affected:
    """An exhibit the export could not show or pack as it should, and why (for the seller)."""

    number: str
    name: str
    reason: str
    # Whether the original is in the upload pack (False: left out, and the line says why).
    in_pack: bool = True

    def line(self) -> str:
        return f"{self.number} ({self.name}): {self.reason}"


@dataclass(frozen=True)
class DossierResult:
    path: Path
    sha256: str
    pages: int
    size_bytes: int
    notes: tuple[str, ...] = ()
    # Exhibits shown on a "could not be drawn" page (whole or some of their pages).
    affected: tuple[Affected, ...] = ()
