"""Moving up: copy a desk's own library into an empty team database on PostgreSQL.

Everything lands in one transaction on the target (PostgreSQL's DDL is transactional, so even the
schema it creates): the cases, buyers, evidence rows, file records, the audit log and every
original (as chunks). Each original is hashed while it is read from the source and hashed again
as read back from the target; any mismatch, or any other failure, rolls everything back and the
team database is as it was. The source is only read, until the push has succeeded: then it
records the push in its own audit log.

The audit log is copied verbatim, ids and hashes included, so its chain still verifies on the
team database and every entry still names the ids it was written about; the team database then
appends a `library.push` entry chained on to it. That is why the target must be empty: two chains
cannot be spliced without rewriting one, and a rewritten log proves nothing. (A single case can go
into a team database in use with `bundle export` / `bundle import`.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from evidence_desk.library import audit
from evidence_desk.library.credentials import public_url
from evidence_desk.library.db import (
    MIGRATE_LOCK_KEY,
    OUR_TABLES,
    WRITE_LOCK_KEY,
    _alembic_config,
    current_db_user,
    head_revision,
    is_postgres,
    make_engine,
    notify_case,
)
from evidence_desk.library.models import (
    AuditLog,
    BlobChunk,
    Buyer,
    Case,
    Evidence,
    LibraryMeta,
    RecognisedTextRow,
    StoredFile,
)
from evidence_desk.library.service import LibraryError

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

Progress = Callable[[int, int, str], None]
# Parents before children, so every foreign key finds its row.
def _table(model: Any) -> Table:
    # Declarative models type __table__ as a FromClause; ours are all plain tables.
    return cast(Table, model.__table__)


TABLES: tuple[Table, ...] = (Buyer.__table__, Case.__table__, StoredFile.__table__,  # type: ignore[assignment]
                             Evidence.__table__, AuditLog.__table__,
                             RecognisedTextRow.__table__)
BATCH = 500


class PushError(LibraryError):
    """The push was refused or failed; nothing was changed on either side."""


@dataclass(frozen=True)
class PushResult:
    target: str  # without the password
    cases: int
    items: int
    files: int
    bytes: int
    audit_entries: int


def push(lib: Library, target_url: str, progress: Progress | None = None) -> PushResult:
    if not is_postgres(target_url):
        raise PushError("push copies a library into a PostgreSQL team database "
                        "(postgresql+psycopg://user@host/dbname).")
    if lib.is_sqlite is False and lib.db_url == target_url:
        raise PushError("This library already lives in that database.")
    engine = make_engine(target_url)
    try:
        with lib.engine.connect() as src, src.begin():
            entries = list(Session(bind=src).scalars(select(AuditLog).order_by(AuditLog.id)))
            broken = audit.check_chain(entries)
            if broken:
                raise PushError(f"This library's audit log is broken ({broken[0].message}); "
                                "run verify and resolve that before pushing.")
            source_id = src.execute(select(LibraryMeta.value).where(
                LibraryMeta.key == "library_id")).scalar() or ""
            with engine.connect() as dst, dst.begin():
                _prepare_target(dst)
                counts = {t.name: _copy_rows(src, dst, t) for t in TABLES}
                files, size = _copy_originals(lib, src, dst, progress)
                _reset_sequences(dst)
                _record(dst, source_id, counts, current_db_user(engine) or lib.actor)
    except PushError:
        raise
    except Exception as exc:
        raise PushError(f"The push failed and was undone ({type(exc).__name__}: {exc}).") from exc
    finally:
        engine.dispose()
    target = public_url(target_url)
    lib.record("library.push", None, target=target, cases=counts["cases"], files=files)
    return PushResult(target, counts["cases"], counts["evidence"], files, size,
                      counts["audit_log"])


def _prepare_target(dst: Connection) -> None:
    """Bring the target's schema to head inside this transaction; refuse one not empty."""
    dst.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
    dst.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
    current = MigrationContext.configure(dst).get_current_revision()
    tables = set(inspect(dst).get_table_names())
    if current is None and tables - {"alembic_version"}:
        owner = "Evidence Desk did not create" if tables & OUR_TABLES else "another program owns"
        raise PushError(f"The target database holds tables {owner}; nothing was changed.")
    if current != head_revision():
        cfg = _alembic_config()
        cfg.attributes["connection"] = dst
        command.upgrade(cfg, "head")
    used = {t.name: dst.execute(select(func.count()).select_from(t)).scalar() or 0
            for t in (*TABLES, _table(BlobChunk))}
    if any(used.values()):
        held = ", ".join(f"{n} {name}" for name, n in used.items() if n)
        raise PushError(f"The team database is not empty ({held}); push only fills an empty "
                        "one. Move single cases with bundle export / bundle import.")


def _copy_rows(src: Connection, dst: Connection, table: Table) -> int:
    n = 0
    result = src.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns))
    for rows in result.mappings().partitions(BATCH):
        dst.execute(insert(table), [dict(r) for r in rows])
        n += len(rows)
    return n


def _copy_originals(lib: Library, src: Connection, dst: Connection,
                    progress: Progress | None) -> tuple[int, int]:
    hashes = [(sha, size) for sha, size in src.execute(
        select(StoredFile.sha256, StoredFile.size).order_by(StoredFile.sha256))]
    total = 0
    chunks = _table(BlobChunk)
    for n, (sha, size) in enumerate(hashes, 1):
        if progress:
            progress(n, len(hashes), sha[:12])
        digest = hashlib.sha256()
        length = 0
        seq = -1
        try:
            for seq, chunk in enumerate(lib.blobs.iter_chunks(sha)):
                digest.update(chunk)
                length += len(chunk)
                dst.execute(insert(chunks), {"sha256": sha, "seq": seq, "data": chunk})
        except FileNotFoundError:
            raise PushError(f"Original {sha[:12]}… is missing from this library; run verify."
                            ) from None
        if seq < 0:
            dst.execute(insert(chunks), {"sha256": sha, "seq": 0, "data": b""})
        if digest.hexdigest() != sha or length != size:
            raise PushError(f"Original {sha[:12]}… was altered in this library; run verify.")
        # Read back what the server holds now: the copy is checked, not assumed.
        again = hashlib.sha256()
        for (data,) in dst.execute(select(chunks.c.data).where(chunks.c.sha256 == sha)
                                   .order_by(chunks.c.seq)):
            again.update(data)
        if again.hexdigest() != sha:
            raise PushError(f"Original {sha[:12]}… did not arrive intact.")
        total += length
    return len(hashes), total


def _reset_sequences(dst: Connection) -> None:
    # Rows came with their ids; the next id the server hands out must follow them.
    for table in ("buyers", "cases", "evidence", "audit_log"):
        dst.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 1), "
            f"(SELECT max(id) FROM {table}) IS NOT NULL)"))


def _record(dst: Connection, source_id: str, counts: dict[str, int], actor: str) -> None:
    session = Session(bind=dst, join_transaction_mode="create_savepoint")
    dst.execute(insert(_table(LibraryMeta)), [{"key": "pushed_from", "value": source_id}])
    audit.append(session, at=datetime.now(UTC).replace(tzinfo=None), actor=actor,
                 action="library.push", case_id=None,
                 detail={"source_library": source_id, **counts})
    notify_case(session, None)
    session.commit()
