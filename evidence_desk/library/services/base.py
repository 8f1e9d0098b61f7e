"""What the domain services share: the write guard, row-to-dataclass conversions, the
limits every stored value passes, and the base naming what the facade provides."""

from __future__ import annotations

import contextlib
import functools
import getpass
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy.orm import Session

from evidence_desk.core.checklist import Checklist
from evidence_desk.core.limits import (
    LimitError,
    check_case_values,
    check_text,
)
from evidence_desk.core.recognised import RecognisedText
from evidence_desk.core.rules import Rules
from evidence_desk.core.statement import is_edited
from evidence_desk.core.types import AuditEntry, BuyerInfo, CaseInfo, EvidenceInfo
from evidence_desk.library.blobs_db import DbBlobStore
from evidence_desk.library.blobstore import BlobStore
from evidence_desk.library.errors import LibraryError
from evidence_desk.library.models import (
    Buyer,
    Case,
    Evidence,
)

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


_F = TypeVar("_F", bound=Callable[..., Any])


def _writes(method: _F) -> _F:
    """Marks a method that changes the library: a read-only desk refuses it before trying."""

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_read_only()
        return method(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


CASE_FIELDS = {
    "type_key", "order_no", "title", "completed_on", "paid_on", "accepted_on",
    "refund_requested_on", "amount", "currency", "reason", "demand", "notes", "state_reason",
    "other_channel_agreed", "carrier_changed", "statement_en", "statement_zh", "archived",
}
EVIDENCE_FIELDS = {"kind", "caption", "captured_at", "captured_from", "source", "marks",
                   "position", "flags", "rotation", "captured_offset"}
ROTATIONS = (0, 90, 180, 270)
# What a case bundle carries besides the editable fields: everything that is data, not identity.
CASE_RECORD_FIELDS = CASE_FIELDS | {
    "state", "statement_composed_sha256", "statement_phrases", "attempt_no", "submitted_on",
    "submitted_dossier_sha256", "submitted_pack_sha256", "result_on", "created_at",
}
BUYER_RECORD_FIELDS = ("name", "company", "country", "member_id", "credit_level", "notes")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "unknown"


def _buyer_info(b: Buyer | None) -> BuyerInfo | None:
    if b is None:
        return None
    return BuyerInfo(id=b.id, name=b.name, company=b.company, country=b.country,
                     member_id=b.member_id, credit_level=b.credit_level, notes=b.notes)


def _case_info(c: Case) -> CaseInfo:
    return CaseInfo(
        id=c.id, type_key=c.type_key, order_no=c.order_no, title=c.title,
        buyer=_buyer_info(c.buyer), completed_on=c.completed_on, paid_on=c.paid_on,
        accepted_on=c.accepted_on, refund_requested_on=c.refund_requested_on,
        amount=c.amount, currency=c.currency, reason=c.reason, demand=c.demand, notes=c.notes,
        state=c.state, state_reason=c.state_reason, other_channel_agreed=c.other_channel_agreed,
        carrier_changed=c.carrier_changed, statement_en=c.statement_en,
        statement_zh=c.statement_zh,
        statement_edited=is_edited(c.statement_en, c.statement_composed_sha256),
        statement_composed_sha256=c.statement_composed_sha256,
        statement_phrases=tuple(c.statement_phrases or ()),
        parent_id=c.parent_id, attempt_no=c.attempt_no, submitted_on=c.submitted_on,
        submitted_dossier_sha256=c.submitted_dossier_sha256,
        submitted_pack_sha256=c.submitted_pack_sha256, result_on=c.result_on,
        archived=c.archived, deleted=c.deleted_at is not None, created_at=c.created_at,
        updated_at=c.updated_at, version=c.version,
    )


def _readable_name(name: str) -> str:
    """A file name as text the database can hold.

    A name that is not valid UTF-8 on disk (a GBK name unpacked from a Chinese Windows zip)
    reaches Python with surrogate escapes, which no database accepts; read it as GB18030 when
    that works, else mark the undecodable bytes.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def _evidence_info(e: Evidence) -> EvidenceInfo:
    s = e.stored
    return EvidenceInfo(
        id=e.id, case_id=e.case_id, kind=e.kind, sha256=e.sha256, size=s.size, mime=s.mime,
        original_name=e.original_name, caption=e.caption, captured_at=e.captured_at,
        captured_from=e.captured_from, source=e.source, position=e.position,
        width=s.width, height=s.height, orientation=s.orientation, pages=s.pages,
        added_at=e.added_at,
        flags=tuple(e.flags or ()), marks=tuple(e.marks or ()),
        rotation=e.rotation or 0, captured_offset=e.captured_offset,
    )


@contextlib.contextmanager
def _within_limits() -> Iterator[None]:
    """Values outside core.limits are refused as any other request the library turns down."""
    try:
        yield
    except LimitError as exc:
        raise LibraryError(str(exc)) from None


def _checked_case_values(values: dict[str, Any]) -> dict[str, Any]:
    with _within_limits():
        return check_case_values(values)


def _checked_texts(**texts: Any) -> None:
    with _within_limits():
        for key, value in texts.items():
            if value is not None:
                check_text(key, value)


def _plain(value: Any) -> Any:
    """Stored JSON lists and the tuples callers hold compare equal."""
    return list(value) if isinstance(value, tuple) else value


def _change_value(value: Any) -> Any:
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return value


class ServiceBase:
    """What every domain service stands on; the Library facade provides it (one engine, one
    session factory, the audit trail, the rules and the originals)."""

    rules: Rules
    blobs: BlobStore | DbBlobStore
    thumbs: Path
    folder: Path
    head_copy: Path
    library_id: str
    is_sqlite: bool
    read_only: bool
    actor: str

    def _facade(self) -> Library:
        # Every service is a part of the one Library; the workflow module takes the whole.
        return cast("Library", self)

    if TYPE_CHECKING:
        # Provided by the facade (Library) and by the sibling services it combines.
        def _session(self) -> contextlib.AbstractContextManager[Session]: ...
        def _audit(self, s: Session, action: str, case_id: int | None,
                   **detail: Any) -> None: ...
        def _refuse_if_read_only(self) -> None: ...
        def _case_row(self, s: Session, case_id: int) -> Case: ...
        def _evidence_row(self, s: Session, item_id: int) -> Evidence: ...
        def get_case(self, case_id: int) -> CaseInfo: ...
        def list_evidence(self, case_id: int, *,
                          include_removed: bool = False) -> list[EvidenceInfo]: ...
        def get_evidence(self, item_id: int) -> EvidenceInfo: ...
        def recognised_texts(self, hashes: Iterable[str]) -> dict[str, RecognisedText]: ...
        def record(self, action: str, case_id: int | None, **detail: Any) -> None: ...
        def audit_log(self, case_id: int | None = None) -> list[AuditEntry]: ...
        def duplicate_case(self, case_id: int, *, as_attempt: bool = False) -> CaseInfo: ...
        def set_statement(self, case_id: int, text_en: str, text_zh: str, *,
                          composed: bool) -> CaseInfo: ...
        def check(self, case_id: int, today: date | None = None) -> Checklist: ...
        def _sync(self, case_id: int) -> None: ...
