"""Buyers and cases: creating, editing, copying, trashing, and the case list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from types import EllipsisType
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from evidence_desk.core.deadlines import complaint_deadline, days_left
from evidence_desk.core.limits import (
    ID_MAX,
)
from evidence_desk.core.statement import text_hash
from evidence_desk.core.states import initial_state
from evidence_desk.core.types import BuyerInfo, CaseInfo
from evidence_desk.i18n import Message
from evidence_desk.library import audit, ocr_store
from evidence_desk.library.errors import LibraryError, NotFound, StaleEdit
from evidence_desk.library.models import (
    Buyer,
    Case,
    Evidence,
    StoredFile,
)
from evidence_desk.library.search import recognised_case_ids
from evidence_desk.library.services.base import (
    CASE_FIELDS,
    ServiceBase,
    _buyer_info,
    _case_info,
    _change_value,
    _checked_case_values,
    _checked_texts,
    _now,
    _writes,
)


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



class CaseService(ServiceBase):
    """Buyers and cases: creating, editing, copying, trashing, and the case list."""

    # ---- buyers -------------------------------------------------------------------------
    def list_buyers(self) -> list[BuyerInfo]:
        with self._session() as s:
            rows = s.scalars(select(Buyer).order_by(func.lower(Buyer.name))).all()
            return [b for b in map(_buyer_info, rows) if b is not None]

    @_writes
    def save_buyer(self, buyer: BuyerInfo) -> BuyerInfo:
        if not buyer.name.strip():
            raise LibraryError(Message("A buyer needs a name."))
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
                found = s.get(Buyer, buyer.id)
                if found is None:
                    raise NotFound(Message("There is no buyer {id}.", id=buyer.id))
                row = found
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
            raise LibraryError(Message("Unknown complaint type {type!r}; use one of: {known}.",
                                       type=type_key, known=known))

    @_writes
    def create_case(self, type_key: str, order_no: str, *, buyer_name: str | None = None,
                    buyer_id: int | None = None, **values: Any) -> CaseInfo:
        self._check_type(type_key)
        _checked_texts(order_no=order_no, buyer=buyer_name)
        order_no = order_no.strip()
        if not order_no:
            raise LibraryError(Message("A case needs the order number it is about."))
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
            raise NotFound(Message("There is no case {id}.", id=case_id))
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
                    buyer_id: int | None | EllipsisType = ..., **changes: Any) -> CaseInfo:
        unknown = set(changes) - CASE_FIELDS
        if unknown:
            raise LibraryError(f"Unknown case field(s): {', '.join(sorted(unknown))}.")
        if "type_key" in changes:
            self._check_type(changes["type_key"])
        if "order_no" in changes and not str(changes["order_no"]).strip():
            raise LibraryError(Message("A case needs the order number it is about."))
        changes = _checked_case_values(changes)
        try:
            with self._session() as s:
                case = self._case_row(s, case_id)
                if expected_version is not None and case.version != expected_version:
                    raise StaleEdit(Message("This case was changed elsewhere since you opened it; "
                                            "it has been reloaded."))
                before = {k: _change_value(getattr(case, k)) for k in changes}
                if buyer_id is not ...:
                    before["buyer_id"] = case.buyer_id
                    case.buyer_id = buyer_id
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
                raise LibraryError(Message("Only a case in the trash can be deleted for good."))
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

