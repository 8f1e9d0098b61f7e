"""The record of a library: the audit log, case bundles and verification."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_desk.core.types import AuditEntry
from evidence_desk.i18n import Message
from evidence_desk.library import audit
from evidence_desk.library.blobs_db import DbBlobStore
from evidence_desk.library.errors import LibraryError
from evidence_desk.library.models import (
    AuditHead,
    AuditLog,
    Buyer,
    Case,
    Evidence,
    StoredFile,
)
from evidence_desk.library.services.base import (
    BUYER_RECORD_FIELDS,
    CASE_RECORD_FIELDS,
    Cancel,
    Progress,
    ServiceBase,
    _now,
    _writes,
)


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




class RecordsService(ServiceBase):
    """The record of a library: the audit log, case bundles and verification."""

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
            chain += audit.check_head_copy(s, copy, self.library_id,
                                           Message("the library folder"))
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
            items = ", ".join(map(str, ids))
            if found is None:
                problems.append(VerifyProblem("missing", Message(
                    "original {sha}… (item {items}) is missing from the store", sha=sha[:12],
                    items=items), sha, ids, cases))
            elif found != sha:
                problems.append(VerifyProblem("altered", Message(
                    "original {sha}… (item {items}) was altered on disk", sha=sha[:12],
                    items=items), sha, ids, cases))
            elif isinstance(self.blobs, DbBlobStore):
                # The database copy is sound; the one cached on this computer must be too.
                state = self.blobs.check_cached(sha, force=True)
                if state == "repaired":
                    problems.append(VerifyProblem("cache", Message(
                        "the copy of original {sha}… (item {items}) cached on this computer was "
                        "altered; it was fetched again from the database", sha=sha[:12],
                        items=items), sha, ids, cases))
                elif state == "repair_failed":
                    problems.append(VerifyProblem("cache", Message(
                        "the copy of original {sha}… (item {items}) cached on this computer was "
                        "altered; it was removed", sha=sha[:12], items=items), sha, ids, cases))
        if case_id is None:
            for sha in sorted(self.blobs.all_hashes() - known):
                problems.append(VerifyProblem("orphan", Message(
                    "file {sha}… in the store belongs to no evidence item", sha=sha[:12]), sha))
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
                                           self.library_id, Message("the library folder"))
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
            return [VerifyProblem("audit", Message(
                "the copy of the audit head in the library folder belongs to another database: "
                "the database was replaced"))]
        head = s.get(AuditHead, 1)
        if head is not None and self.library_id:
            with contextlib.suppress(OSError):
                audit.write_head_copy(self.head_copy, self.library_id, head.hash, head.count)
        return [VerifyProblem("notice", Message(
            "there was no copy of the audit head outside the database yet; one is kept from "
            "now on"))]

    # What verify shows, and what it cannot: said with every report.
    VERIFY_SCOPE = (
        "Verify proves: each original matches its SHA-256; the audit log is an unbroken chain "
        "ending where the copy of its head kept in the library folder says; each item points at "
        "the original recorded when it was added; each case's fields are as the log last "
        "recorded. It cannot prove that nobody changed the database, the folder's copy of the "
        "head and the backups together, nor that what was typed in was true.")

