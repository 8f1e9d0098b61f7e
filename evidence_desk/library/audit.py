"""The append-only audit log, chained by hash so a removed or edited entry shows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_desk.core.types import AuditEntry
from evidence_desk.library.models import AuditHead, AuditLog

GENESIS = "0" * 64


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
    return row


def check_head(session: Session) -> list[ChainProblem]:
    """The recorded head must be the newest entry, and the count must match."""
    head = session.get(AuditHead, 1)
    if head is None:
        return []
    last = session.execute(select(AuditLog.id, AuditLog.hash)
                           .order_by(AuditLog.id.desc()).limit(1)).first()
    total = session.scalar(select(func.count()).select_from(AuditLog)) or 0
    if last is None or last.hash != head.hash or total != head.count:
        return [ChainProblem(last.id if last else 0,
                             f"the audit log ends early: {head.count} entries were written, "
                             f"{total} remain (newest entries removed or the log replaced)")]
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
            problems.append(ChainProblem(row.id, f"audit entry {row.id} does not follow the entry "
                                                 "before it (an entry was removed or inserted)"))
        expected = entry_hash(row.prev_hash, row.at, row.actor, row.action, row.case_id,
                              row.detail or {})
        if row.hash != expected:
            problems.append(ChainProblem(row.id, f"audit entry {row.id} was edited after it was "
                                                 "written"))
        prev = row.hash
    return problems
