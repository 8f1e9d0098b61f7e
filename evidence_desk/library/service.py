"""The one service API over a library. The command line and the GUI call this; nothing above it
touches SQL. Every method opens one short session, and returns plain dataclasses, never ORM rows.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from evidence_desk.core.checklist import Checklist, evaluate
from evidence_desk.core.deadlines import complaint_deadline, days_left
from evidence_desk.core.limits import (
    ID_MAX,
    LimitError,
    check_case_values,
    check_datetime,
    check_text,
)
from evidence_desk.core.recognised import RecognisedText, Suggestion, field_suggestions
from evidence_desk.core.rules import Rules
from evidence_desk.core.statement import is_edited, text_hash
from evidence_desk.core.states import initial_state
from evidence_desk.core.timeline import TimelineEvent, build_timeline
from evidence_desk.core.types import AuditEntry, BuyerInfo, CaseInfo, EvidenceInfo
from evidence_desk.ingest.probe import Refused, probe
from evidence_desk.ingest.walk import Candidate, Skipped, expand_paths
from evidence_desk.library import audit, ocr_store, workflow
from evidence_desk.library.blobs_db import DbBlobStore
from evidence_desk.library.blobstore import BlobStore
from evidence_desk.library.credentials import with_password
from evidence_desk.library.db import (
    LibraryOpenError,
    can_write,
    check_sqlite_file,
    current_db_user,
    is_connection_failure,
    make_engine,
    migrate,
    notify_case,
    serialize_writes,
    server_unreachable,
)
from evidence_desk.library.errors import LibraryError, NotFound, ReadOnly, StaleEdit
from evidence_desk.library.importer import (
    Prepared,
    Rejected,
    ensure_thumbnail,
    prepare_many,
    prepare_one,
    thumbnail_path,
)
from evidence_desk.library.models import (
    AuditHead,
    AuditLog,
    Buyer,
    Case,
    Evidence,
    LibraryMeta,
    StoredFile,
)
from evidence_desk.library.search import SearchResults, recognised_case_ids, search
from evidence_desk.logs import log_failure
from evidence_desk.paths import BLOBS_ENV, DB_URL_ENV, default_library_dir
from evidence_desk.rules_source import rules_for

log = logging.getLogger(__name__)

DB_FILE = "library.sqlite3"

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


_F = TypeVar("_F", bound=Callable[..., Any])


def _writes(method: _F) -> _F:
    """Marks a method that changes the library: a read-only desk refuses it before trying."""

    @functools.wraps(method)
    def guarded(self: Library, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_read_only()
        return method(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


def _forget_head(session: Session) -> None:
    session.info.pop("audit_head", None)


def _lock_before_writing(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        serialize_writes(session)


def blob_backend(db_url: str) -> str:
    """Where originals live: "folder" or "db" ($EVIDENCE_DESK_BLOBS; by default in the database
    for a PostgreSQL library, so a team needs nothing but the server, and in the folder else)."""
    chosen = os.environ.get(BLOBS_ENV, "").strip().lower()
    if chosen in ("folder", "db"):
        return chosen
    if chosen:
        raise LibraryOpenError(f"{BLOBS_ENV} must be 'folder' or 'db', not {chosen!r}.")
    return "db" if make_url(db_url).get_backend_name() == "postgresql" else "folder"


@dataclass(frozen=True)
class AddResult:
    path: str
    status: str  # "added", "duplicate" or "rejected"
    reason: str = ""
    item_id: int | None = None
    kind: str = ""
    # Warnings about an added file, as flag codes (ingest.probe.FLAG_MESSAGES words them).
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseSummary:
    """One case-list row: enough to show, sort and filter without loading evidence."""

    id: int
    order_no: str
    title: str
    buyer_name: str
    type_key: str
    state: str
    archived: bool
    deleted: bool
    met: int
    required: int
    deadline: date | None
    days_left: int | None
    evidence_count: int
    updated_at: datetime


@dataclass(frozen=True)
class VerifyProblem:
    # "missing", "altered", "audit", "cache" (a local copy, repaired) fail; "orphan" and
    # "notice" only inform.
    kind: str
    message: str
    sha256: str = ""
    item_ids: tuple[int, ...] = ()
    case_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problems: tuple[VerifyProblem, ...]

    @property
    def ok(self) -> bool:
        return not any(p.kind in ("missing", "altered", "audit", "cache")
                       for p in self.problems)


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


class Library:
    """A seller's library: cases, evidence and the originals, in one folder (or one database)."""

    def __init__(self, folder: Path, db_url: str | None = None, rules: Rules | None = None) -> None:
        self.folder = Path(folder).expanduser().resolve()
        self._create_folder()
        self.blobs = BlobStore(self.folder / "blobs")
        self.thumbs = self.folder / "thumbs"
        self.backups = self.folder / "backups"
        url = db_url or os.environ.get(DB_URL_ENV) or f"sqlite:///{self.folder / DB_FILE}"
        # A team URL is kept without its password; the system keyring may hold it.
        url = with_password(url)
        self.db_url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.db_path = Path(make_url(url).database or "") if self.is_sqlite else None
        if self.db_path is not None:
            check_sqlite_file(self.db_path)
            gone = not self.db_path.is_file() or self.db_path.stat().st_size == 0
            if gone and self.blobs.all_hashes():
                # Starting afresh here would hide every case behind an empty list.
                raise LibraryOpenError(
                    f"The library database {self.db_path} is missing or empty, but the folder "
                    "holds evidence files; restore a backup (evidence-desk backup list).")
        backend = blob_backend(url)
        self.engine = make_engine(url)
        # The server sessions this desk writes through: a listener skips their notifications.
        self.own_backend_pids: set[int] = set()
        if not self.is_sqlite:
            event.listen(self.engine, "connect", self._remember_backend)
            # A closed session's pid may be handed to another desk's next connection.
            event.listen(self.engine, "close", self._forget_backend)
        try:
            migrate(self.engine, self.db_path, self.backups)
            db_user = current_db_user(self.engine)
            self.read_only = not can_write(self.engine)
        except LibraryOpenError:
            self.engine.dispose()
            raise
        except Exception as exc:
            self.engine.dispose()
            log_failure(log, "opening the library failed", exc)
            if not self.is_sqlite and is_connection_failure(exc):
                raise LibraryOpenError(server_unreachable(url)) from None
            raise LibraryOpenError(f"The library could not be opened: {exc}") from None
        if backend == "db":
            # Originals in the database; this folder keeps only verified local copies.
            self.blobs = DbBlobStore(self.engine, self.folder / "cache" / "blobs")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _lock_before_writing)
        event.listen(self._sessions, "after_commit", self._keep_head_copy)
        event.listen(self._sessions, "after_rollback", _forget_head)
        self.head_copy = self.folder / audit.HEAD_FILE
        self.library_id = self._read_library_id()
        self.rules = rules or rules_for(self.folder)
        # On a server the audit log names the database role each person connects with.
        self.actor = db_user or _actor()
        self.blobs.clear_stale_temporaries()
        from evidence_desk.library.bundle import clear_stale_staging

        clear_stale_staging(self.folder)

    def _read_library_id(self) -> str:
        with self._session() as s:
            return s.scalar(select(LibraryMeta.value).where(
                LibraryMeta.key == "library_id")) or ""

    def _keep_head_copy(self, session: Session) -> None:
        """After a commit that wrote audit entries: copy the head out of the database."""
        head = session.info.pop("audit_head", None)
        if head is None or not self.library_id:
            return
        try:
            audit.write_head_copy(self.head_copy, self.library_id, head[0], head[1])
        except OSError as exc:
            # The change is committed; a lagging copy only weakens what verify can prove.
            log_failure(log, "writing the audit head copy failed", exc)

    def _remember_backend(self, dbapi_connection: Any, _record: Any) -> None:
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        if isinstance(pid, int):
            self.own_backend_pids.add(pid)

    def _forget_backend(self, dbapi_connection: Any, _record: Any) -> None:
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        self.own_backend_pids.discard(pid)  # type: ignore[arg-type]

    @classmethod
    def open(cls, folder: Path | str | None = None, db_url: str | None = None) -> Library:
        return cls(Path(folder) if folder else default_library_dir(), db_url)

    def _create_folder(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise LibraryOpenError(f"{self.folder} is a file, not a library folder.")
        fresh = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise LibraryOpenError(f"Cannot create the library folder {self.folder}: "
                                   f"{exc.strerror}") from None
        if fresh:
            # Evidence holds personal data: readable by its owner only.
            with contextlib.suppress(OSError):
                os.chmod(self.folder, 0o700)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _audit(self, s: Session, action: str, case_id: int | None, **detail: Any) -> None:
        # Before reading the last entry's hash: an entry alone (an export record) has nothing
        # to flush first, so the flush hook would take the lock too late.
        serialize_writes(s)
        if case_id is not None and action.startswith("case."):
            # The case's fields as this change leaves them, so a later direct edit shows. Only
            # changes carry it: a verify or an export must not vouch for what it did not do.
            s.flush()
            row = s.get(Case, case_id)
            if row is not None:
                detail[audit.CASE_DIGEST_KEY] = audit.case_digest(row)
        audit.append(s, at=_now(), actor=self.actor, action=action, case_id=case_id,
                     detail=detail)
        # Every change is audited, so this is where other desks hear of it (at commit).
        notify_case(s, case_id)

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnly("This desk is read-only (reviewer role): it can open, check and "
                           "export cases, but not change them.")

    # ---- buyers -------------------------------------------------------------------------
    def list_buyers(self) -> list[BuyerInfo]:
        with self._session() as s:
            rows = s.scalars(select(Buyer).order_by(func.lower(Buyer.name))).all()
            return [b for b in map(_buyer_info, rows) if b is not None]

    @_writes
    def save_buyer(self, buyer: BuyerInfo) -> BuyerInfo:
        if not buyer.name.strip():
            raise LibraryError("A buyer needs a name.")
        _checked_texts(name=buyer.name, company=buyer.company, country=buyer.country,
                       member_id=buyer.member_id, credit_level=buyer.credit_level,
                       notes=buyer.notes)
        values = {f.name: getattr(buyer, f.name) for f in fields(buyer) if f.name != "id"}
        with self._session() as s:
            if buyer.id is None:
                row = Buyer(created_at=_now(), **values)
                s.add(row)
                s.flush()
                self._audit(s, "buyer.create", None, buyer_id=row.id)
            else:
                row = s.get(Buyer, buyer.id)
                if row is None:
                    raise NotFound(f"There is no buyer {buyer.id}.")
                for k, v in values.items():
                    setattr(row, k, v)
                self._audit(s, "buyer.update", None, buyer_id=row.id)
            s.flush()
            info = _buyer_info(row)
            assert info is not None
            return info

    def _buyer_by_name(self, s: Session, name: str) -> Buyer:
        row = s.scalars(select(Buyer).where(Buyer.name == name)).first()
        if row is None:
            row = Buyer(name=name, created_at=_now())
            s.add(row)
            s.flush()
            self._audit(s, "buyer.create", None, buyer_id=row.id)
        return row

    @_writes
    def buyer_named(self, name: str) -> BuyerInfo:
        """The buyer of that name, created if there is none yet."""
        _checked_texts(buyer=name)
        with self._session() as s:
            info = _buyer_info(self._buyer_by_name(s, name.strip()))
            assert info is not None
            return info

    def buyer_cases(self, buyer_id: int) -> list[CaseInfo]:
        with self._session() as s:
            rows = s.scalars(select(Case).where(Case.buyer_id == buyer_id)
                             .order_by(Case.created_at)).all()
            return [_case_info(c) for c in rows]

    # ---- cases --------------------------------------------------------------------------
    def _check_type(self, type_key: str) -> None:
        if type_key not in self.rules.types:
            known = ", ".join(self.rules.types)
            raise LibraryError(f"Unknown complaint type {type_key!r}; use one of: {known}.")

    @_writes
    def create_case(self, type_key: str, order_no: str, *, buyer_name: str | None = None,
                    buyer_id: int | None = None, **values: Any) -> CaseInfo:
        self._check_type(type_key)
        _checked_texts(order_no=order_no, buyer=buyer_name)
        order_no = order_no.strip()
        if not order_no:
            raise LibraryError("A case needs the order number it is about.")
        unknown = set(values) - CASE_FIELDS
        if unknown:
            raise LibraryError(f"Unknown case field(s): {', '.join(sorted(unknown))}.")
        values = _checked_case_values(values)
        now = _now()
        with self._session() as s:
            case = Case(type_key=type_key, order_no=order_no, created_at=now, updated_at=now,
                        state=initial_state(self.rules.types[type_key].flow), **values)
            if buyer_id is not None:
                case.buyer_id = buyer_id
            elif buyer_name and buyer_name.strip():
                case.buyer = self._buyer_by_name(s, buyer_name.strip())
            s.add(case)
            s.flush()
            self._audit(s, "case.create", case.id, type_key=type_key, order_no=order_no)
            s.flush()
            s.refresh(case)
            return _case_info(case)

    def get_case(self, case_id: int) -> CaseInfo:
        with self._session() as s:
            return _case_info(self._case_row(s, case_id))

    def _case_row(self, s: Session, case_id: int) -> Case:
        # An id no database column can hold would overflow the query; it names no case either.
        row = s.get(Case, case_id) if 1 <= case_id <= ID_MAX else None
        if row is None:
            raise NotFound(f"There is no case {case_id}.")
        return row

    def list_cases(self, *, include_archived: bool = True,
                   include_deleted: bool = False) -> list[CaseInfo]:
        with self._session() as s:
            q = select(Case).order_by(Case.id)
            if not include_deleted:
                q = q.where(Case.deleted_at.is_(None))
            if not include_archived:
                q = q.where(Case.archived.is_(False))
            return [_case_info(c) for c in s.scalars(q).all()]

    @_writes
    def update_case(self, case_id: int, *, expected_version: int | None = None,
                    buyer_id: int | None | type[Ellipsis] = ..., **changes: Any) -> CaseInfo:
        unknown = set(changes) - CASE_FIELDS
        if unknown:
            raise LibraryError(f"Unknown case field(s): {', '.join(sorted(unknown))}.")
        if "type_key" in changes:
            self._check_type(changes["type_key"])
        if "order_no" in changes and not str(changes["order_no"]).strip():
            raise LibraryError("A case needs the order number it is about.")
        changes = _checked_case_values(changes)
        try:
            with self._session() as s:
                case = self._case_row(s, case_id)
                if expected_version is not None and case.version != expected_version:
                    raise StaleEdit("This case was changed elsewhere since you opened it; "
                                    "it has been reloaded.")
                before = {k: _change_value(getattr(case, k)) for k in changes}
                if buyer_id is not ...:
                    before["buyer_id"] = case.buyer_id
                    case.buyer_id = buyer_id  # type: ignore[assignment]
                    changes["buyer_id"] = buyer_id
                old_flow = self.rules.types[case.type_key].flow \
                    if case.type_key in self.rules.types else ""
                for k, v in changes.items():
                    setattr(case, k, v)
                new_flow = self.rules.types[case.type_key].flow
                if new_flow != old_flow:
                    # Another flow has other states; the case starts that flow afresh.
                    before["state"] = case.state
                    case.state = initial_state(new_flow)
                    case.state_reason = ""
                case.updated_at = _now()
                self._audit(s, "case.update", case_id, before=before,
                            after={k: _change_value(v) for k, v in changes.items()})
        except StaleDataError:
            raise StaleEdit("This case was changed elsewhere since you opened it; "
                            "it has been reloaded.") from None
        self._sync(case_id)
        return self.get_case(case_id)

    @_writes
    def set_statement(self, case_id: int, text_en: str, text_zh: str, *, composed: bool) -> CaseInfo:
        """Store statement text; `composed` marks it as the composer's own output."""
        _checked_texts(statement_en=text_en, statement_zh=text_zh)
        with self._session() as s:
            case = self._case_row(s, case_id)
            case.statement_en = text_en
            case.statement_zh = text_zh
            if composed:
                case.statement_composed_sha256 = text_hash(text_en)
            case.updated_at = _now()
            self._audit(s, "case.statement", case_id, composed=composed,
                        sha256=text_hash(text_en))
            s.flush()
            s.refresh(case)
            return _case_info(case)

    @_writes
    def set_statement_phrases(self, case_id: int, phrases: Sequence[dict[str, Any]]) -> CaseInfo:
        """Store the chosen phrases (core.phrases.chosen_to_json); the caller recomposes."""
        with self._session() as s:
            case = self._case_row(s, case_id)
            before = len(case.statement_phrases or [])
            case.statement_phrases = [dict(p) for p in phrases]
            case.updated_at = _now()
            self._audit(s, "case.phrases", case_id, before=before, after=len(phrases))
            s.flush()
            s.refresh(case)
            return _case_info(case)

    @_writes
    def set_state(self, case_id: int, state: str, *, reason: str = "",
                  **dates: date | str | None) -> CaseInfo:
        """Record a state the caller has already validated against the case's flow."""
        allowed = {"submitted_on", "result_on", "submitted_dossier_sha256",
                   "submitted_pack_sha256"}
        if set(dates) - allowed:
            raise LibraryError(f"Unknown field(s): {', '.join(sorted(set(dates) - allowed))}.")
        _checked_texts(state_reason=reason)
        _checked_case_values({k: v for k, v in dates.items() if k.endswith("_on")})
        with self._session() as s:
            case = self._case_row(s, case_id)
            before = case.state
            case.state = state
            case.state_reason = reason
            for k, v in dates.items():
                setattr(case, k, v)
            case.updated_at = _now()
            self._audit(s, "case.state", case_id, before=before, after=state, reason=reason,
                        **{k: _change_value(v) for k, v in dates.items()})
            s.flush()
            s.refresh(case)
            return _case_info(case)

    @_writes
    def duplicate_case(self, case_id: int, *, as_attempt: bool = False) -> CaseInfo:
        """A copy of the case with the same evidence; as an attempt it links back to it."""
        now = _now()
        with self._session() as s:
            src = self._case_row(s, case_id)
            values = {k: getattr(src, k) for k in CASE_FIELDS}
            values["archived"] = False
            flow = self.rules.types[src.type_key].flow if src.type_key in self.rules.types \
                else "complaint"
            copy = Case(created_at=now, updated_at=now, state=initial_state(flow),
                        buyer_id=src.buyer_id, **values)
            copy.statement_phrases = list(src.statement_phrases or [])
            if as_attempt:
                copy.parent_id = src.id
                copy.attempt_no = src.attempt_no + 1
                copy.statement_composed_sha256 = src.statement_composed_sha256
            s.add(copy)
            s.flush()
            copies = []
            for e in s.scalars(select(Evidence).where(Evidence.case_id == src.id,
                                                      Evidence.removed_at.is_(None))):
                copies.append(Evidence(
                    case_id=copy.id, sha256=e.sha256, kind=e.kind, caption=e.caption,
                    captured_at=e.captured_at, captured_from=e.captured_from, source=e.source,
                    original_name=e.original_name, position=e.position,
                    flags=list(e.flags or []), marks=list(e.marks or []),
                    rotation=e.rotation or 0, captured_offset=e.captured_offset, added_at=now))
            s.add_all(copies)
            s.flush()
            self._audit(s, "case.resubmit" if as_attempt else "case.duplicate", copy.id,
                        source_case=src.id,
                        **{audit.ITEMS_KEY: {str(e.id): e.sha256 for e in copies}})
            s.flush()
            s.refresh(copy)
            return _case_info(copy)

    @_writes
    def delete_case(self, case_id: int) -> None:
        """Move to the trash; restore_case brings it back."""
        with self._session() as s:
            case = self._case_row(s, case_id)
            case.deleted_at = _now()
            self._audit(s, "case.trash", case_id)

    @_writes
    def restore_case(self, case_id: int) -> None:
        with self._session() as s:
            case = self._case_row(s, case_id)
            case.deleted_at = None
            self._audit(s, "case.restore", case_id)

    @_writes
    def purge_case(self, case_id: int) -> None:
        """Delete a trashed case for good; originals no other item uses go with it."""
        with self._session() as s:
            case = self._case_row(s, case_id)
            if case.deleted_at is None:
                raise LibraryError("Only a case in the trash can be deleted for good.")
            hashes = set(s.scalars(select(Evidence.sha256).where(Evidence.case_id == case_id)))
            for e in s.scalars(select(Evidence).where(Evidence.case_id == case_id)).all():
                s.delete(e)
            children = s.scalars(select(Case).where(Case.parent_id == case_id)).all()
            for child in children:
                child.parent_id = None
            s.delete(case)
            s.flush()
            for child in children:
                # The child's row changed too; its entry keeps the log's word on it current.
                self._audit(s, "case.detach", child.id, before={"parent_id": case_id},
                            after={"parent_id": None})
            unused = self._unused_hashes(s, hashes)
            for sha in unused:
                s.delete(s.get(StoredFile, sha))
            ocr_store.forget(s, unused)
            self._audit(s, "case.purge", case_id, removed_files=sorted(unused))
        for sha in unused:
            self.blobs.remove(sha)

    def _unused_hashes(self, s: Session, hashes: Iterable[str]) -> set[str]:
        hashes = set(hashes)
        if not hashes:
            return set()
        used = set(s.scalars(select(Evidence.sha256).where(Evidence.sha256.in_(hashes))))
        return hashes - used

    # ---- flow -----------------------------------------------------------------------------
    @_writes
    def move_case(self, case_id: int, target: str, *, reason: str = "",
                  on: date | None = None) -> CaseInfo:
        """Move the case in its flow (submit, result, pause ...); refused moves say why."""
        return workflow.move(self, case_id, target, reason=reason, on=on)

    def attempts(self, case_id: int) -> list[CaseInfo]:
        """Every attempt of the complaint `case_id` belongs to, first to latest."""
        with self._session() as s:
            root = self._case_row(s, case_id)
            seen = {root.id}
            while root.parent_id is not None and root.parent_id not in seen:
                root = self._case_row(s, root.parent_id)
                seen.add(root.id)
            chain = [root]
            while True:
                child = s.scalars(select(Case).where(Case.parent_id == chain[-1].id)
                                  .order_by(Case.id)).first()
                if child is None or child.id in {c.id for c in chain}:
                    break
                chain.append(child)
            return [_case_info(c) for c in chain]

    def resubmit_case(self, case_id: int) -> CaseInfo:
        return workflow.resubmit(self, case_id)

    @_writes
    def compose_statement(self, case_id: int, *, force: bool = False) -> tuple[CaseInfo, str]:
        return workflow.compose_statement(self, case_id, force=force)

    def _sync(self, case_id: int) -> None:
        workflow.sync_readiness(self, case_id)

    # ---- case list ----------------------------------------------------------------------
    def case_ids(self, *, search: str = "", states: Sequence[str] = (),
                 type_keys: Sequence[str] = (), archived: bool | None = False,
                 deleted: bool = False) -> list[int]:
        """Ids of the cases matching a filter; the list view fetches rows for them lazily."""
        with self._session() as s:
            q = select(Case.id).outerjoin(Buyer, Case.buyer_id == Buyer.id)
            q = q.where(Case.deleted_at.is_not(None) if deleted else Case.deleted_at.is_(None))
            if archived is not None:
                q = q.where(Case.archived.is_(archived))
            if states:
                q = q.where(Case.state.in_(list(states)))
            if type_keys:
                q = q.where(Case.type_key.in_(list(type_keys)))
            text = search.strip()
            if text:
                like = f"%{text.lower()}%"
                captions = select(Evidence.case_id).where(
                    func.lower(Evidence.caption).like(like), Evidence.removed_at.is_(None))
                q = q.where(or_(func.lower(Case.order_no).like(like),
                                func.lower(Case.title).like(like),
                                func.lower(Buyer.name).like(like),
                                func.lower(Buyer.company).like(like),
                                Case.id.in_(captions),
                                Case.id.in_(recognised_case_ids(text))))
            return list(s.scalars(q.order_by(Case.id)))

    def case_summaries(self, ids: Sequence[int], today: date | None = None) -> list[CaseSummary]:
        today = today or date.today()
        if not ids:
            return []
        out: list[CaseSummary] = []
        with self._session() as s:
            rows = s.execute(
                select(Case, Buyer.name).outerjoin(Buyer, Case.buyer_id == Buyer.id)
                .where(Case.id.in_(list(ids)))).all()
            counts: dict[int, dict[str, int]] = {}
            for cid, kind, n in s.execute(
                select(Evidence.case_id, Evidence.kind, func.count())
                .where(Evidence.case_id.in_(list(ids)), Evidence.removed_at.is_(None))
                .group_by(Evidence.case_id, Evidence.kind)):
                counts.setdefault(cid, {})[kind] = n
            by_id = {c.id: (c, name) for c, name in rows}
            for cid in ids:
                if cid not in by_id:
                    continue
                c, name = by_id[cid]
                kinds = counts.get(cid, {})
                met, required = self._readiness(c.type_key, kinds)
                ctype = self.rules.types.get(c.type_key)
                deadline = complaint_deadline(_case_info(c), ctype) if ctype else None
                out.append(CaseSummary(
                    id=c.id, order_no=c.order_no, title=c.title, buyer_name=name or "",
                    type_key=c.type_key, state=c.state, archived=c.archived,
                    deleted=c.deleted_at is not None, met=met, required=required,
                    deadline=deadline, days_left=days_left(deadline, today),
                    evidence_count=sum(kinds.values()), updated_at=c.updated_at))
        return out

    def _readiness(self, type_key: str, counts: dict[str, int]) -> tuple[int, int]:
        ctype = self.rules.types.get(type_key)
        if ctype is None:
            return 0, 0
        reqs = [r for r in ctype.requirements if r.required]
        met = sum(1 for r in reqs if sum(counts.get(k, 0) for k in r.kinds) >= r.min)
        return met, len(reqs)

    # ---- evidence -----------------------------------------------------------------------
    def list_evidence(self, case_id: int, *, include_removed: bool = False) -> list[EvidenceInfo]:
        # Plain column rows, not ORM objects: a case of 500 items loads in a few milliseconds,
        # which keeps opening a big case smooth.
        e, f = Evidence, StoredFile
        q = (select(e.id, e.case_id, e.kind, e.sha256, f.size, f.mime, e.original_name,
                    e.caption, e.captured_at, e.captured_from, e.source, e.position, f.width,
                    f.height, f.orientation, f.pages, e.added_at, e.flags, e.marks,
                    e.rotation, e.captured_offset)
             .join(f, f.sha256 == e.sha256).where(e.case_id == case_id))
        if not include_removed:
            q = q.where(e.removed_at.is_(None))
        with self._session() as s:
            rows = s.execute(q.order_by(e.kind, e.position, e.id)).all()
        return [EvidenceInfo(
            id=r.id, case_id=r.case_id, kind=r.kind, sha256=r.sha256, size=r.size, mime=r.mime,
            original_name=r.original_name, caption=r.caption, captured_at=r.captured_at,
            captured_from=r.captured_from, source=r.source, position=r.position, width=r.width,
            height=r.height, orientation=r.orientation, pages=r.pages, added_at=r.added_at,
            flags=tuple(r.flags or ()), marks=tuple(r.marks or ()), rotation=r.rotation or 0,
            captured_offset=r.captured_offset) for r in rows]

    def get_evidence(self, item_id: int) -> EvidenceInfo:
        with self._session() as s:
            return _evidence_info(self._evidence_row(s, item_id))

    def _evidence_row(self, s: Session, item_id: int) -> Evidence:
        row = s.get(Evidence, item_id) if 1 <= item_id <= ID_MAX else None
        if row is None:
            raise NotFound(f"There is no evidence item {item_id}.")
        return row

    def _check_kind(self, kind: str) -> None:
        if kind not in self.rules.kinds:
            raise LibraryError(f"Unknown evidence kind {kind!r}; use one of: "
                               f"{', '.join(self.rules.kinds)}.")

    @_writes
    def add_paths(self, case_id: int, paths: Iterable[Path | str], *, kind: str | None = None,
                  caption: str = "", source: str = "", progress: Progress | None = None,
                  cancel: Cancel | None = None) -> list[AddResult]:
        """Import files and folders (recursively). Each bad file is refused on its own."""
        _checked_texts(caption=caption)
        if kind is not None:
            self._check_kind(kind)
        self.get_case(case_id)
        results: list[AddResult] = []
        candidates: list[Path] = []
        for entry in expand_paths(Path(p) for p in paths):
            if isinstance(entry, Skipped):
                results.append(AddResult(str(entry.path), "rejected", entry.reason))
            else:
                assert isinstance(entry, Candidate)
                candidates.append(entry.path)
        total = len(candidates)
        if progress:
            progress(0, total, "")
        batch: list[Prepared] = []
        for done, res in enumerate(prepare_many(candidates, self.blobs, self.thumbs, cancel,
                                                     self.rules.kinds), 1):
            if isinstance(res, Rejected):
                results.append(AddResult(str(res.source), "rejected", res.reason))
            else:
                batch.append(res)
            if len(batch) >= 32:
                results.extend(self._commit_prepared(case_id, batch, kind, caption, source))
                batch = []
            if progress:
                progress(done, total, res.source.name)
        results.extend(self._commit_prepared(case_id, batch, kind, caption, source))
        self._sync(case_id)
        return results

    @_writes
    def add_bytes(self, case_id: int, data: bytes, name: str, *, kind: str | None = None,
                  caption: str = "", source: str = "",
                  captured_at: datetime | None = None) -> AddResult:
        """Add content that has no file yet, such as an image pasted from the clipboard."""
        _checked_texts(caption=caption)
        if kind is not None:
            self._check_kind(kind)
        self.get_case(case_id)
        staged = self.blobs.stage_bytes(data)
        try:
            facts = probe(staged.tmp_path, name=name, kinds=self.rules.kinds)
        except Refused as exc:
            self.blobs.discard(staged)
            return AddResult(name, "rejected", str(exc))
        if facts.filetype.category == "image":
            with contextlib.suppress(Exception):
                ensure_thumbnail(staged.tmp_path, self.thumbs, staged.sha256)
        if captured_at is not None:
            facts = replace(facts, captured_at=captured_at, captured_from="clipboard",
                            flags=tuple(f for f in facts.flags if f != "no_exif_time"))
        [result] = self._commit_prepared(case_id, [Prepared(Path(name), staged, facts)], kind,
                                         caption, source)
        self._sync(case_id)
        return result

    def _commit_prepared(self, case_id: int, batch: list[Prepared], kind: str | None,
                         caption: str, source: str) -> list[AddResult]:
        if not batch:
            return []
        results: list[AddResult] = []
        now = _now()
        with self._session() as s:
            self._case_row(s, case_id)
            existing = set(s.scalars(select(Evidence.sha256).where(
                Evidence.case_id == case_id, Evidence.removed_at.is_(None))))
            positions: dict[str, int] = dict(s.execute(
                select(Evidence.kind, func.max(Evidence.position))
                .where(Evidence.case_id == case_id).group_by(Evidence.kind)).all())
            for p in batch:
                sha = p.staged.sha256
                category = p.facts.filetype.category
                if kind is not None and category not in self.rules.kinds[kind].accepts:
                    self.blobs.discard(p.staged)
                    k = self.rules.kinds[kind]
                    results.append(AddResult(str(p.source), "rejected",
                                             f"a {category} file is not accepted as {k.en} "
                                             f"({k.zh}); it takes {', '.join(k.accepts)}"))
                    continue
                if sha in existing:
                    self.blobs.discard(p.staged)
                    results.append(AddResult(str(p.source), "duplicate",
                                             "the same content is already in this case"))
                    continue
                self.blobs.commit(p.staged, s)
                f = p.facts
                if s.get(StoredFile, sha) is None:
                    s.add(StoredFile(sha256=sha, size=p.staged.size, mime=f.filetype.mime,
                                     ext=f.filetype.ext, category=f.filetype.category,
                                     width=f.width, height=f.height, orientation=f.orientation,
                                     pages=f.pages, created_at=now))
                    s.flush()
                k = kind or f.suggested_kind
                pos = positions.get(k, -1) + 1
                positions[k] = pos
                item = Evidence(case_id=case_id, sha256=sha, kind=k, caption=caption,
                                captured_at=f.captured_at, captured_from=f.captured_from,
                                captured_offset=f.captured_offset, source=source, original_name=_readable_name(p.source.name),
                                position=pos,
                                flags=list(f.flags), marks=[], added_at=now)
                s.add(item)
                s.flush()
                existing.add(sha)
                self._audit(s, "evidence.add", case_id, item_id=item.id, sha256=sha, kind=k,
                            size=p.staged.size)
                results.append(AddResult(str(p.source), "added", item_id=item.id, kind=k,
                                         flags=tuple(f.flags)))
            case = self._case_row(s, case_id)
            case.updated_at = now
        return results

    @_writes
    def update_evidence(self, item_id: int, *, expected: dict[str, Any] | None = None,
                        **changes: Any) -> EvidenceInfo:
        """Change an item's fields. `expected` holds the values the caller last saw: when another
        desk changed any of them meanwhile, the edit is refused (StaleEdit) instead of silently
        overwriting theirs."""
        unknown = set(changes) - EVIDENCE_FIELDS
        if unknown:
            raise LibraryError(f"Unknown evidence field(s): {', '.join(sorted(unknown))}.")
        if "kind" in changes:
            self._check_kind(changes["kind"])
        if "rotation" in changes and changes["rotation"] not in ROTATIONS:
            raise LibraryError(f"A rotation is one of {', '.join(map(str, ROTATIONS))} degrees, "
                               f"not {changes['rotation']!r}.")
        _checked_texts(caption=changes.get("caption"))
        if changes.get("captured_at") is not None:
            with _within_limits():
                check_datetime("captured_at", changes["captured_at"])
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            for key, seen in (expected or {}).items():
                if _change_value(_plain(getattr(item, key))) != _change_value(_plain(seen)):
                    raise StaleEdit("This evidence item was changed elsewhere since you opened "
                                    "it; it has been reloaded.")
            before = {k: _change_value(getattr(item, k)) for k in changes}
            if "kind" in changes and changes["kind"] != item.kind and "position" not in changes:
                last = s.scalar(select(func.max(Evidence.position)).where(
                    Evidence.case_id == item.case_id, Evidence.kind == changes["kind"]))
                changes["position"] = (last if last is not None else -1) + 1
            for k, v in changes.items():
                setattr(item, k, list(v) if k == "marks" else v)
            if "captured_at" in changes and "captured_from" not in changes:
                item.captured_from = "user"
                # A time the seller types is the desk's wall time; the photo's zone no longer
                # describes it.
                if "captured_offset" not in changes:
                    item.captured_offset = None
            self._audit(s, "evidence.update", item.case_id, item_id=item_id, before=before,
                        after={k: _change_value(v) for k, v in changes.items()})
            s.flush()
            info = _evidence_info(item)
        self._sync(info.case_id)
        return info

    @_writes
    def rotate_evidence(self, item_id: int, degrees: int) -> EvidenceInfo:
        """Turn how the item is shown by `degrees` clockwise (a multiple of 90; negative turns
        anticlockwise). Stored as data like marks: the original never changes."""
        if degrees % 90:
            raise LibraryError(f"Items turn in quarter turns (90, 180 or 270 degrees), "
                               f"not {degrees}.")
        current = self.get_evidence(item_id)
        return self.update_evidence(item_id, expected={"rotation": current.rotation},
                                    rotation=(current.rotation + degrees) % 360)

    @_writes
    def set_capture_times(self, item_ids: Sequence[int],
                          captured_at: datetime | None) -> list[EvidenceInfo]:
        """Give several items one capture time, set by the seller, in one transaction.

        Unknown ids refuse the whole change, so a typo leaves nothing half-done.
        """
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            raise LibraryError("Choose at least one evidence item.")
        infos: list[EvidenceInfo] = []
        with self._session() as s:
            rows = [self._evidence_row(s, i) for i in ids]
            for item in rows:
                before = {"captured_at": _change_value(item.captured_at),
                          "captured_from": item.captured_from}
                item.captured_at = captured_at
                item.captured_from = "user"
                item.captured_offset = None
                self._audit(s, "evidence.update", item.case_id, item_id=item.id, before=before,
                            after={"captured_at": _change_value(captured_at),
                                   "captured_from": "user"})
            s.flush()
            infos = [_evidence_info(item) for item in rows]
        for case_id in sorted({i.case_id for i in infos}):
            self._sync(case_id)
        return infos

    @_writes
    def move_evidence(self, item_id: int, kind: str, index: int) -> EvidenceInfo:
        """Put an item at `index` among the items of `kind` (changing its kind if needed)."""
        self._check_kind(kind)
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            before = {"kind": item.kind, "position": item.position}
            siblings = [e for e in s.scalars(select(Evidence).where(
                Evidence.case_id == item.case_id, Evidence.kind == kind,
                Evidence.removed_at.is_(None), Evidence.id != item_id)
                .order_by(Evidence.position, Evidence.id))]
            index = max(0, min(index, len(siblings)))
            siblings.insert(index, item)
            item.kind = kind
            for pos, e in enumerate(siblings):
                e.position = pos
            self._audit(s, "evidence.move", item.case_id, item_id=item_id, before=before,
                        after={"kind": kind, "position": index})
            s.flush()
            info = _evidence_info(item)
        self._sync(info.case_id)
        return info

    @_writes
    def remove_evidence(self, item_id: int) -> None:
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            item.removed_at = _now()
            self._audit(s, "evidence.remove", item.case_id, item_id=item_id, sha256=item.sha256)
            case_id = item.case_id
        self._sync(case_id)

    @_writes
    def restore_evidence(self, item_id: int) -> None:
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            item.removed_at = None
            self._audit(s, "evidence.restore", item.case_id, item_id=item_id)
            case_id = item.case_id
        self._sync(case_id)

    def blob_path(self, sha256: str) -> Path:
        return self.blobs.path_for(sha256)

    def thumbnail(self, sha256: str) -> Path | None:
        """The cached thumbnail, made on demand; None when the file is not an image."""
        path = thumbnail_path(self.thumbs, sha256)
        if path.is_file():
            return path
        try:
            return ensure_thumbnail(self.blobs.path_for(sha256), self.thumbs, sha256)
        except Exception:
            return None

    # ---- checks -------------------------------------------------------------------------
    def check(self, case_id: int, today: date | None = None) -> Checklist:
        case = self.get_case(case_id)
        items = self.list_evidence(case_id)
        recognised = self.recognised_texts(i.sha256 for i in items)
        # Judged on the statement as it stands now, with the chosen phrases' warnings.
        case, extra = workflow.case_for_check(self, case, items)
        checklist = evaluate(case, items, self.rules, today or date.today(), recognised)
        return replace(checklist, warnings=checklist.warnings + tuple(extra))

    # ---- recognised text (OCR) ----------------------------------------------------------
    def ocr_pending(self, case_id: int | None = None) -> list[ocr_store.OcrTask]:
        """Originals of screenshots and document photos not read yet (all cases, or one)."""
        with self._session() as s:
            return ocr_store.pending(s, case_id)

    def ocr_status(self, case_id: int | None = None) -> ocr_store.OcrStatus:
        with self._session() as s:
            return ocr_store.status(s, case_id)

    @_writes
    def save_recognised(self, sha256: str, *, lines: Sequence[dict[str, Any]] = (),
                        width: int | None = None, height: int | None = None, engine: str = "",
                        error: str = "", replace: bool = True) -> bool:
        """Store what OCR read in an original (or, with `error`, that it could not), then bring
        the readiness of the cases using it up to date (an outside chat stops counting)."""
        with self._session() as s:
            if s.get(StoredFile, sha256) is None:
                raise NotFound(f"There is no original {sha256[:12]}… in the library.")
            saved = ocr_store.save(s, sha256, lines=lines, width=width, height=height,
                                   engine=engine, error=error, replace=replace)
            case_ids = sorted(set(s.scalars(select(Evidence.case_id).where(
                Evidence.sha256 == sha256, Evidence.removed_at.is_(None)))))
        if saved and not error:
            for cid in case_ids:
                self._sync(cid)
        return saved

    def cases_using(self, sha256: str) -> list[int]:
        """The cases with a live item of this original (whose views follow what OCR read)."""
        with self._session() as s:
            return sorted(set(s.scalars(select(Evidence.case_id).where(
                Evidence.sha256 == sha256, Evidence.removed_at.is_(None)))))

    def recognised_texts(self, hashes: Iterable[str]) -> dict[str, RecognisedText]:
        """The text read in each of these originals that has been read."""
        with self._session() as s:
            return ocr_store.load(s, hashes)

    def recognised_records(self, hashes: Iterable[str]) -> list[dict[str, Any]]:
        with self._session() as s:
            return ocr_store.records(s, hashes)

    def search(self, text: str, *, include_archived: bool = True) -> SearchResults:
        """Cases and items whose fields, captions, file names or recognised text hold `text`."""
        with self._session() as s:
            return search(s, text, include_archived=include_archived)

    def suggestions(self, case_id: int) -> list[Suggestion]:
        """Values the case's screenshots show that could fill its empty fields (to offer)."""
        case = self.get_case(case_id)
        items = self.list_evidence(case_id)
        return field_suggestions(case, items, self.recognised_texts(i.sha256 for i in items))

    def timeline(self, case_id: int) -> list[TimelineEvent]:
        return build_timeline(self.get_case(case_id), self.list_evidence(case_id), self.rules)

    def audit_log(self, case_id: int | None = None) -> list[AuditEntry]:
        with self._session() as s:
            q = select(AuditLog).order_by(AuditLog.id)
            if case_id is not None:
                q = q.where(AuditLog.case_id == case_id)
            return [audit.to_entry(r) for r in s.scalars(q)]

    def audit_head(self) -> str:
        with self._session() as s:
            last = s.scalar(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1))
            return last or audit.GENESIS

    def record(self, action: str, case_id: int | None, **detail: Any) -> None:
        """Write an audit entry for work done outside the library (an export, a pack)."""
        with self._session() as s:
            self._audit(s, action, case_id, **detail)

    # ---- bundles ------------------------------------------------------------------------
    def case_record(self, case_id: int) -> dict[str, Any]:
        """The case's data columns and its buyer's, as plain values (for a case bundle)."""
        with self._session() as s:
            case = self._case_row(s, case_id)
            record = {k: getattr(case, k) for k in sorted(CASE_RECORD_FIELDS)}
            buyer = ({k: getattr(case.buyer, k) for k in BUYER_RECORD_FIELDS}
                     if case.buyer is not None else None)
            return {"case": record, "buyer": buyer}

    def known_files(self, hashes: Iterable[str]) -> set[str]:
        """Which of these originals have a file record (are used, or were, by evidence)."""
        wanted = set(hashes)
        if not wanted:
            return set()
        with self._session() as s:
            return set(s.scalars(select(StoredFile.sha256).where(
                StoredFile.sha256.in_(sorted(wanted)))))

    @_writes
    def import_case_record(self, case: dict[str, Any], buyer: dict[str, Any] | None,
                           items: Sequence[dict[str, Any]], files: Sequence[dict[str, Any]],
                           detail: dict[str, Any]) -> int:
        """Insert a whole case, its buyer, file records and evidence in one transaction.

        The caller has already validated every value and committed every original to the blob
        store; so either the case appears complete or nothing of it does.
        """
        unknown = (set(case) - CASE_RECORD_FIELDS) | (set(buyer or {}) - set(BUYER_RECORD_FIELDS))
        if unknown:
            raise LibraryError(f"Unknown case field(s): {', '.join(sorted(unknown))}.")
        missing = [f["sha256"] for f in files if not self.blobs.has(f["sha256"])]
        if missing:
            raise LibraryError(f"Original {missing[0][:12]}… is not in the store.")
        now = _now()
        with self._session() as s:
            row = Case(**{**case, "created_at": case.get("created_at") or now},
                       updated_at=now)
            if buyer is not None:
                same = s.scalars(select(Buyer).where(*(getattr(Buyer, k) == v
                                                       for k, v in buyer.items()))).first()
                if same is None:
                    same = Buyer(created_at=now, **buyer)
                    s.add(same)
                    s.flush()
                    self._audit(s, "buyer.create", None, buyer_id=same.id)
                row.buyer_id = same.id
            s.add(row)
            s.flush()
            for f in files:
                if s.get(StoredFile, f["sha256"]) is None:
                    s.add(StoredFile(created_at=now, **f))
            s.flush()
            rows = [Evidence(case_id=row.id, **{**item, "added_at": item.get("added_at") or now})
                    for item in items]
            s.add_all(rows)
            s.flush()
            self._audit(s, "case.import", row.id, items=len(items),
                        **{audit.ITEMS_KEY: {str(e.id): e.sha256 for e in rows}}, **detail)
            return row.id

    def verify(self, case_id: int | None = None, progress: Progress | None = None,
               cancel: Cancel | None = None) -> VerifyReport:
        """Re-hash originals; report missing, altered and orphaned files and a broken audit log."""
        with self._session() as s:
            q = select(Evidence.sha256, Evidence.id, Evidence.case_id)
            if case_id is not None:
                self._case_row(s, case_id)
                q = q.where(Evidence.case_id == case_id)
            users: dict[str, list[tuple[int, int]]] = {}
            for sha, iid, cid in s.execute(q):
                users.setdefault(sha, []).append((iid, cid))
            known = set(s.scalars(select(StoredFile.sha256)))
            entries = list(s.scalars(select(AuditLog).order_by(AuditLog.id)))
            chain = audit.check_chain(entries)
            chain += audit.check_head(s)
            copy = audit.read_head_copy(self.head_copy)
            chain += audit.check_head_copy(s, copy, self.library_id, "the library folder")
            chain += self._check_rows(s, entries, case_id)
            notices = self._head_copy_notices(s, copy, entries)
        problems: list[VerifyProblem] = list(notices)
        total = len(users)
        for n, (sha, refs) in enumerate(sorted(users.items()), 1):
            if cancel and cancel():
                raise InterruptedError("cancelled")
            if progress:
                progress(n, total, sha[:12])
            ids = tuple(i for i, _ in refs)
            cases = tuple(sorted({c for _, c in refs}))
            # Re-read from where the original lives (the folder, or the database itself).
            found = self.blobs.rehash(sha)
            if found is None:
                problems.append(VerifyProblem("missing", f"original {sha[:12]}… (item "
                                f"{', '.join(map(str, ids))}) is missing from the store",
                                sha, ids, cases))
            elif found != sha:
                problems.append(VerifyProblem("altered", f"original {sha[:12]}… (item "
                                f"{', '.join(map(str, ids))}) was altered on disk",
                                sha, ids, cases))
            elif isinstance(self.blobs, DbBlobStore):
                # The database copy is sound; the one cached on this computer must be too.
                state = self.blobs.check_cached(sha, force=True)
                if state in ("repaired", "repair_failed"):
                    problems.append(VerifyProblem(
                        "cache", f"the copy of original {sha[:12]}… (item "
                        f"{', '.join(map(str, ids))}) cached on this computer was altered; "
                        + ("it was fetched again from the database" if state == "repaired"
                           else "it was removed"), sha, ids, cases))
        if case_id is None:
            for sha in sorted(self.blobs.all_hashes() - known):
                problems.append(VerifyProblem("orphan", f"file {sha[:12]}… in the store belongs "
                                              "to no evidence item", sha))
        for p in chain:
            problems.append(VerifyProblem("audit", p.message))
        report = VerifyReport(total, tuple(problems))
        with self._session() as s:
            for cid in sorted({c for p in problems for c in p.case_ids} | (
                    {case_id} if case_id is not None else set())):
                self._audit(s, "verify", cid, ok=not any(cid in p.case_ids for p in problems),
                            problems=[p.message for p in problems if cid in p.case_ids])
        return report

    @_writes
    def clean_orphans(self, older_than_s: float = 86400.0) -> list[str]:
        """Delete stored originals no file record knows, once older than `older_than_s` (an
        import in progress has files not recorded yet). Returns the hashes removed."""
        with self._session() as s:
            known = set(s.scalars(select(StoredFile.sha256)))
        cutoff = time.time() - older_than_s
        removed: list[str] = []
        for sha in sorted(self.blobs.all_hashes() - known):
            if isinstance(self.blobs, DbBlobStore):
                age_ok = True  # chunks carry no time; the recorded rows decide
            else:
                try:
                    age_ok = self.blobs.path_for(sha).stat().st_mtime < cutoff
                except FileNotFoundError:
                    continue
            if not age_ok:
                continue
            with self._session() as s:
                # Recorded meanwhile (another desk, or an import finishing): keep it.
                if s.get(StoredFile, sha) is not None:
                    continue
            self.blobs.remove(sha)
            removed.append(sha)
        if removed:
            self.record("verify.clean_orphans", None, removed=removed)
        return removed

    def audit_problems(self) -> list[str]:
        """What is wrong with the audit log (chain, head, the copy outside, the rows), without
        re-hashing any original: quick enough to run before every export."""
        with self._session() as s:
            entries = list(s.scalars(select(AuditLog).order_by(AuditLog.id)))
            found = audit.check_chain(entries) + audit.check_head(s)
            found += audit.check_head_copy(s, audit.read_head_copy(self.head_copy),
                                           self.library_id, "the library folder")
            found += self._check_rows(s, entries, None)
        return [p.message for p in found]

    def _check_rows(self, s: Session, entries: list[AuditLog],
                    case_id: int | None) -> list[audit.ChainProblem]:
        """What the log says against what the rows hold (one case's rows, or all)."""
        cq = select(Case)
        iq = select(Evidence.id, Evidence.case_id, Evidence.sha256)
        if case_id is not None:
            cq = cq.where(Case.id == case_id)
            iq = iq.where(Evidence.case_id == case_id)
        cases = {c.id: audit.case_digest(c) for c in s.scalars(cq)}
        items = [(i, c, sha) for i, c, sha in s.execute(iq)]
        return audit.check_rows(entries, cases, items)

    def _head_copy_notices(self, s: Session, copy: dict[str, Any] | None,
                           entries: list[AuditLog]) -> list[VerifyProblem]:
        """Say when there is no copy of the head to check against, and start one."""
        if not entries or (copy and self.library_id in copy):
            return []
        if copy and self.is_sqlite:
            # This folder's copy names other databases only: this one was put in their place.
            return [VerifyProblem("audit", "the copy of the audit head in the library folder "
                                  "belongs to another database: the database was replaced")]
        head = s.get(AuditHead, 1)
        if head is not None and self.library_id:
            with contextlib.suppress(OSError):
                audit.write_head_copy(self.head_copy, self.library_id, head.hash, head.count)
        return [VerifyProblem("notice", "there was no copy of the audit head outside the "
                              "database yet; one is kept from now on")]

    # What verify shows, and what it cannot: said with every report.
    VERIFY_SCOPE = (
        "Verify proves: each original matches its SHA-256; the audit log is an unbroken chain "
        "ending where the copy of its head kept in the library folder says; each item points at "
        "the original recorded when it was added; each case's fields are as the log last "
        "recorded. It cannot prove that nobody changed the database, the folder's copy of the "
        "head and the backups together, nor that what was typed in was true.")

    # ---- demo ---------------------------------------------------------------------------
    def is_empty(self) -> bool:
        with self._session() as s:
            return (s.scalar(select(func.count()).select_from(Case)) or 0) == 0


def prepare_file(path: Path, library: Library) -> Prepared | Rejected:
    """One file through the import pipeline (exposed for benchmarks and tools)."""
    return prepare_one(path, library.blobs, library.thumbs, library.rules.kinds)
