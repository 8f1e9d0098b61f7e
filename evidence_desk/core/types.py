"""Plain values that cross layers and threads: never live ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class BuyerInfo:
    id: int | None
    name: str
    company: str = ""
    country: str = ""
    member_id: str = ""
    credit_level: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CaseInfo:
    id: int
    type_key: str
    order_no: str
    title: str = ""
    buyer: BuyerInfo | None = None
    completed_on: date | None = None
    paid_on: date | None = None
    accepted_on: date | None = None
    refund_requested_on: date | None = None
    amount: Decimal | None = None
    currency: str = "USD"
    reason: str = ""
    demand: str = ""
    notes: str = ""
    state: str = "draft"
    state_reason: str = ""
    other_channel_agreed: bool = False
    carrier_changed: bool = False
    statement_en: str = ""
    statement_zh: str = ""
    statement_edited: bool = False
    # Hash of the English statement as the composer last wrote it (core.statement.text_hash).
    statement_composed_sha256: str = ""
    # The phrases chosen for the statement, in order (core.phrases.Chosen.to_json each).
    statement_phrases: tuple[dict, ...] = ()
    parent_id: int | None = None
    attempt_no: int = 1
    submitted_on: date | None = None
    submitted_dossier_sha256: str = ""
    submitted_pack_sha256: str = ""
    result_on: date | None = None
    archived: bool = False
    deleted: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    case_id: int
    kind: str
    sha256: str
    size: int
    mime: str
    original_name: str
    caption: str = ""
    captured_at: datetime | None = None
    # Where the capture time came from: "exif", "file_name", "file", "clipboard" or "user".
    captured_from: str = "file"
    source: str = ""
    position: int = 0
    width: int | None = None
    height: int | None = None
    orientation: int = 1
    pages: int | None = None
    added_at: datetime | None = None
    # Problems found when the file was read (damaged image, future date ...): codes.
    flags: tuple[str, ...] = ()
    # Redaction and annotation marks, stored as data; the original is never changed.
    marks: tuple[dict, ...] = field(default_factory=tuple)
    # Quarter turns clockwise in degrees (0, 90, 180, 270) to apply whenever the item is shown.
    rotation: int = 0
    # Minutes east of UTC of the clock that wrote `captured_at`; None when not recorded.
    # `captured_at` is always the wall time as taken, never shifted to the desk's zone.
    captured_offset: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    case_id: int | None
    detail: dict
    prev_hash: str
    hash: str
