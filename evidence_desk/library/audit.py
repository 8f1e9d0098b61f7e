"""The append-only audit log, chained by hash so a removed or edited entry shows.

The chain alone proves only that the entries still there link up. So three more things are kept:
- a copy of the head (how many entries, the newest one's hash) outside the database, in the
  library folder and in each backup, so truncating or rewriting the whole log shows;
- in every entry about a case, a digest of the case's fields as they were after the change, so a
  field edited directly in the database no longer matches the log's last word on it;
- every item's SHA-256 as it was added, so a row pointed at another original shows.
What none of this can prove: that nobody rewrote the database, the folder's head copy and every
backup together, consistently; or that what was typed in was true.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_desk.core.types import AuditEntry
from evidence_desk.i18n import Message
from evidence_desk.library.models import AuditHead, AuditLog

GENESIS = "0" * 64
HEAD_FILE = "audit-head.json"
# The case columns whose values the log vouches for (not updated_at or version: bookkeeping).
CASE_DIGEST_FIELDS = (
    "type_key", "order_no", "title", "buyer_id", "completed_on", "paid_on", "accepted_on",
    "refund_requested_on", "amount", "currency", "reason", "demand", "notes", "state",
    "state_reason", "other_channel_agreed", "carrier_changed", "statement_en", "statement_zh",
    "statement_composed_sha256", "parent_id", "attempt_no", "submitted_on",
    "submitted_dossier_sha256", "submitted_pack_sha256", "result_on", "archived", "deleted_at",
    "created_at",
)
CASE_DIGEST_KEY = "case_sha256"
ITEMS_KEY = "item_sha256"
# Entries that bring a case into being; each case must have one.
CREATIONS = ("case.create", "case.import", "case.duplicate", "case.resubmit")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
               detail: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, case_id, detail],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(session: Session, *, at: datetime, actor: str, action: str, case_id: int | None,
           detail: dict[str, Any] | None = None) -> AuditLog:
    """Add one entry inside the caller's transaction, so the change and its record land together."""
    last = session.execute(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    clean = _json_safe(detail or {})
    row = AuditLog(at=at, actor=actor, action=action, case_id=case_id, detail=clean,
                   prev_hash=prev, hash=entry_hash(prev, at, actor, action, case_id, clean))
    session.add(row)
    session.flush()
    head = session.get(AuditHead, 1)
    if head is None:
        # First entry, or entries copied in verbatim (a push): count what is there.
        total = session.scalar(select(func.count()).select_from(AuditLog)) or 0
        session.add(AuditHead(id=1, hash=row.hash, count=total))
    else:
        head.hash = row.hash
        head.count += 1
    session.flush()
    # The newest head of this transaction; written outside the database once it commits.
    session.info["audit_head"] = (row.hash, head.count if head is not None else total)
    return row


def _canon(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def case_digest(case: Any) -> str:
    """SHA-256 over the case's vouched-for fields, the same on SQLite and PostgreSQL."""
    values = {k: _canon(getattr(case, k)) for k in CASE_DIGEST_FIELDS}
    body = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# ---- the head's copy outside the database ----------------------------------------------------

def read_head_copy(path: Path) -> dict[str, Any] | None:
    """{library_id: {"count": n, "hash": h}}; None when there is no copy, {} when unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_head_copy(path: Path, library_id: str, head_hash: str, count: int) -> None:
    """Record the head for this database, atomically; a copy already further on is kept (two
    desks on one server write their own copies in any order)."""
    path = Path(path)
    data = read_head_copy(path) or {}
    known = data.get(library_id)
    if isinstance(known, dict) and isinstance(known.get("count"), int) \
            and known["count"] > count:
        return
    data[library_id] = {"count": count, "hash": head_hash}
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def check_head_copy(session: Session, copy: dict[str, Any] | None, library_id: str,
                    where: str) -> list[ChainProblem]:
    """The log must still hold, at the position the copy names, the entry the copy names."""
    if not copy or library_id not in copy:
        return []
    mine = copy[library_id]
    if not isinstance(mine, dict) or not isinstance(mine.get("count"), int) \
            or not isinstance(mine.get("hash"), str):
        return [ChainProblem(0, Message("the copy of the audit head in {where} is unreadable",
                                        where=where))]
    count, expected = mine["count"], mine["hash"]
    if count <= 0:
        return []
    total = session.scalar(select(func.count()).select_from(AuditLog)) or 0
    if total < count:
        return [ChainProblem(0, Message("the audit log holds {total} entries but {count} had "
                                        "been written (copy of the head in {where}): entries "
                                        "were deleted", total=total, count=count, where=where))]
    found = session.scalar(select(AuditLog.hash).order_by(AuditLog.id)
                           .offset(count - 1).limit(1))
    if found != expected:
        return [ChainProblem(0, Message("audit entry number {count} is not the one written "
                                        "(copy of the head in {where}): the log was rewritten "
                                        "or replaced", count=count, where=where))]
    return []


# ---- the log against the rows ----------------------------------------------------------------

def check_rows(entries: Iterable[AuditLog], cases: dict[int, str],
               items: Iterable[tuple[int, int, str]]) -> list[ChainProblem]:
    """Cross-check the log against the rows: `cases` maps each case id to its current digest,
    `items` gives (item id, case id, sha256) for every evidence row."""
    created: set[int] = set()
    last_digest: dict[int, str] = {}
    recorded: dict[int, str] = {}
    # Cases brought in before per-item hashes were logged: their items cannot be checked.
    unmapped: set[int] = set()
    for row in entries:
        detail = row.detail or {}
        if row.case_id is not None:
            if row.action in CREATIONS:
                created.add(row.case_id)
                if row.action != "case.create" and ITEMS_KEY not in detail:
                    unmapped.add(row.case_id)
            digest = detail.get(CASE_DIGEST_KEY)
            if isinstance(digest, str):
                last_digest[row.case_id] = digest
        if row.action == "evidence.add" and isinstance(detail.get("item_id"), int):
            recorded[detail["item_id"]] = str(detail.get("sha256", ""))
        mapped = detail.get(ITEMS_KEY)
        if isinstance(mapped, dict):
            for key, sha in mapped.items():
                with contextlib.suppress(ValueError):
                    recorded[int(key)] = str(sha)
    problems: list[ChainProblem] = []
    for cid, digest in sorted(cases.items()):
        if cid not in created:
            problems.append(ChainProblem(0, Message("case {cid} has no record of its creation "
                                                    "in the audit log (entries were deleted)",
                                                    cid=cid)))
        elif cid in last_digest and last_digest[cid] != digest:
            problems.append(ChainProblem(0, Message("case {cid} was changed outside the app: "
                                                    "its fields differ from what the audit log "
                                                    "recorded last", cid=cid)))
    for iid, cid, sha in sorted(items):
        want = recorded.get(iid)
        if want is None:
            if cid in created and cid not in unmapped:
                problems.append(ChainProblem(0, Message("item {iid} of case {cid} has no "
                                                        "record of being added in the audit "
                                                        "log", iid=iid, cid=cid)))
        elif want != sha:
            problems.append(ChainProblem(0, Message(
                "item {iid} of case {cid} points at original {sha}… but the audit log recorded "
                "{want}… when it was added (swapped or forged)", iid=iid, cid=cid, sha=sha[:12],
                want=want[:12])))
    return problems


def check_head(session: Session) -> list[ChainProblem]:
    """The recorded head must be the newest entry, and the count must match."""
    head = session.get(AuditHead, 1)
    if head is None:
        return []
    last = session.execute(select(AuditLog.id, AuditLog.hash)
                           .order_by(AuditLog.id.desc()).limit(1)).first()
    total = session.scalar(select(func.count()).select_from(AuditLog)) or 0
    if last is None or last.hash != head.hash or total != head.count:
        return [ChainProblem(last.id if last else 0, Message(
            "the audit log ends early: {written} entries were written, {total} remain (newest "
            "entries removed or the log replaced)", written=head.count, total=total))]
    return []


def to_entry(row: AuditLog) -> AuditEntry:
    return AuditEntry(id=row.id, at=row.at, actor=row.actor, action=row.action,
                      case_id=row.case_id, detail=dict(row.detail or {}),
                      prev_hash=row.prev_hash, hash=row.hash)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    message: str


def check_chain(rows: Iterable[AuditLog]) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    prev = GENESIS
    for row in rows:
        if row.prev_hash != prev:
            problems.append(ChainProblem(row.id, Message(
                "audit entry {id} does not follow the entry before it (an entry was removed or "
                "inserted)", id=row.id)))
        expected = entry_hash(row.prev_hash, row.at, row.actor, row.action, row.case_id,
                              row.detail or {})
        if row.hash != expected:
            problems.append(ChainProblem(row.id, Message(
                "audit entry {id} was edited after it was written", id=row.id)))
        prev = row.hash
    return problems
