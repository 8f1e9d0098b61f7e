"""The one service API over a library. The command line and the GUI call this; nothing above it
touches SQL. Every method opens one short session, and returns plain dataclasses, never ORM rows.

`Library` is a facade: it opens the database and the store of originals, and combines the
domain services of `library.services` (cases, evidence, flow, checks, records), which hold the
methods themselves.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from evidence_desk.core.rules import Rules
from evidence_desk.i18n import Message
from evidence_desk.library import audit
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
    prepare_one,
)
from evidence_desk.library.models import (
    Case,
    LibraryMeta,
)
from evidence_desk.library.services.base import (
    BUYER_RECORD_FIELDS,
    CASE_FIELDS,
    CASE_RECORD_FIELDS,
    EVIDENCE_FIELDS,
    ROTATIONS,
    Cancel,
    Progress,
    _actor,
    _now,
)
from evidence_desk.library.services.cases import CaseService, CaseSummary
from evidence_desk.library.services.checks import ChecksService
from evidence_desk.library.services.evidence import AddResult, EvidenceService
from evidence_desk.library.services.flow import FlowService
from evidence_desk.library.services.records import RecordsService, VerifyProblem, VerifyReport
from evidence_desk.logs import log_failure
from evidence_desk.paths import BLOBS_ENV, DB_URL_ENV, default_library_dir
from evidence_desk.rules_source import rules_for

log = logging.getLogger(__name__)

DB_FILE = "library.sqlite3"


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
        raise LibraryOpenError(Message("{name} must be 'folder' or 'db', not {chosen!r}.",
                                       name=BLOBS_ENV, chosen=chosen))
    return "db" if make_url(db_url).get_backend_name() == "postgresql" else "folder"



class Library(CaseService, EvidenceService, FlowService, ChecksService, RecordsService):
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
                raise LibraryOpenError(Message(
                    "The library database {path} is missing or empty, but the folder holds "
                    "evidence files; restore a backup (evidence-desk backup list).",
                    path=self.db_path))
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
            raise LibraryOpenError(Message("The library could not be opened: {why}",
                                           why=exc)) from None
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
        self.own_backend_pids.discard(pid)

    def plain_failure(self, exc: Exception) -> Exception:
        """What to tell the seller of an operation that failed: a team server that went away
        becomes one sentence (in their language), anything else stays as it is."""
        if not self.is_sqlite and is_connection_failure(exc):
            return LibraryError(server_unreachable(self.db_url))
        return exc

    @classmethod
    def open(cls, folder: Path | str | None = None, db_url: str | None = None) -> Library:
        return cls(Path(folder) if folder else default_library_dir(), db_url)

    def _create_folder(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise LibraryOpenError(Message("{path} is a file, not a library folder.",
                                           path=self.folder))
        fresh = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise LibraryOpenError(Message("Cannot create the library folder {path}: {why}",
                                           path=self.folder, why=exc.strerror)) from None
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
            raise ReadOnly(Message("This desk is read-only (reviewer role): it can open, check "
                                   "and export cases, but not change them."))

    # ---- demo ---------------------------------------------------------------------------
    def is_empty(self) -> bool:
        with self._session() as s:
            return (s.scalar(select(func.count()).select_from(Case)) or 0) == 0


def prepare_file(path: Path, library: Library) -> Prepared | Rejected:
    """One file through the import pipeline (exposed for benchmarks and tools)."""
    return prepare_one(path, library.blobs, library.thumbs, library.rules.kinds)


__all__ = [
    "BUYER_RECORD_FIELDS", "CASE_FIELDS", "CASE_RECORD_FIELDS", "EVIDENCE_FIELDS", "ROTATIONS",
    "AddResult", "Cancel", "CaseSummary", "Library", "LibraryError", "NotFound", "Progress",
    "ReadOnly", "StaleEdit", "VerifyProblem", "VerifyReport", "blob_backend", "prepare_file",
]
