"""Find cases and evidence items by what they say: case fields, captions, file names, and the text
recognised in screenshots (Chinese and English alike).

Recognised text is matched in its normalised form (core.recognised.normalise: full-width forms
folded, case ignored, no white space), so "订单号：123" finds "订单号: 123" and a phrase OCR split
with a space still matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from evidence_desk.core.recognised import normalise
from evidence_desk.library.models import Buyer, Case, Evidence, RecognisedTextRow

# Enough to show in a list; a search that matches more should be narrowed.
MAX_HITS = 500
_CASE_FIELDS = ("order_no", "title", "reason", "demand", "notes")
_BUYER_FIELDS = ("name", "company", "member_id")


@dataclass(frozen=True)
class CaseHit:
    case_id: int
    order_no: str
    title: str
    buyer_name: str
    state: str
    # Which fields matched ("order_no", "buyer.name" ...), and whether any item did.
    fields: tuple[str, ...]
    items: int = 0


@dataclass(frozen=True)
class ItemHit:
    item_id: int
    case_id: int
    kind: str
    original_name: str
    sha256: str
    # "caption", "original_name" and/or "recognised_text".
    fields: tuple[str, ...]
    # The recognised lines that hold the text, with their boxes (for highlighting).
    lines: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SearchResults:
    text: str
    cases: tuple[CaseHit, ...] = ()
    items: tuple[ItemHit, ...] = field(default_factory=tuple)


# "!" rather than a backslash: PostgreSQL and SQLite read a backslash in a string literal
# differently, "!" means the same to both.
ESCAPE = "!"


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def recognised_case_ids(text: str) -> Any:
    """A SELECT of the ids of cases with a live item whose recognised text holds `text`."""
    pattern = like_pattern(normalise(text))
    return (select(Evidence.case_id)
            .join(RecognisedTextRow, RecognisedTextRow.sha256 == Evidence.sha256)
            .where(Evidence.removed_at.is_(None),
                   RecognisedTextRow.search_text.like(pattern, escape=ESCAPE)))


def search(s: Session, text: str, *, include_archived: bool = True) -> SearchResults:
    query = text.strip()
    if not normalise(query):
        return SearchResults(query)
    lower = like_pattern(query.lower())
    norm = normalise(query)
    norm_pattern = like_pattern(norm)

    item_rows = s.execute(
        select(Evidence.id, Evidence.case_id, Evidence.kind, Evidence.original_name,
               Evidence.sha256, Evidence.caption, RecognisedTextRow.search_text,
               RecognisedTextRow.lines)
        .join(Case, Case.id == Evidence.case_id)
        .outerjoin(RecognisedTextRow, RecognisedTextRow.sha256 == Evidence.sha256)
        .where(Evidence.removed_at.is_(None), Case.deleted_at.is_(None),
               *(() if include_archived else (Case.archived.is_(False),)),
               or_(func.lower(Evidence.caption).like(lower, escape=ESCAPE),
                   func.lower(Evidence.original_name).like(lower, escape=ESCAPE),
                   RecognisedTextRow.search_text.like(norm_pattern, escape=ESCAPE)))
        .order_by(Evidence.case_id, Evidence.kind, Evidence.position, Evidence.id)
        .limit(MAX_HITS)).all()
    items: list[ItemHit] = []
    for r in item_rows:
        fields: list[str] = []
        if query.lower() in (r.caption or "").lower():
            fields.append("caption")
        if query.lower() in (r.original_name or "").lower():
            fields.append("original_name")
        lines: tuple[dict[str, Any], ...] = ()
        if r.search_text and norm in r.search_text:
            fields.append("recognised_text")
            lines = tuple(line for line in r.lines or () if norm in normalise(line["text"]))
        items.append(ItemHit(r.id, r.case_id, r.kind, r.original_name, r.sha256,
                             tuple(fields), lines))

    by_case: dict[int, int] = {}
    for hit in items:
        by_case[hit.case_id] = by_case.get(hit.case_id, 0) + 1
    field_cols = [getattr(Case, f) for f in _CASE_FIELDS] + [getattr(Buyer, f)
                                                             for f in _BUYER_FIELDS]
    case_rows = s.execute(
        select(Case, Buyer.name.label("buyer_name"), Buyer.company, Buyer.member_id)
        .outerjoin(Buyer, Case.buyer_id == Buyer.id)
        .where(Case.deleted_at.is_(None),
               *(() if include_archived else (Case.archived.is_(False),)),
               or_(*(func.lower(c).like(lower, escape=ESCAPE) for c in field_cols),
                   Case.id.in_(list(by_case) or [-1])))
        .order_by(Case.id).limit(MAX_HITS)).all()
    cases: list[CaseHit] = []
    for row in case_rows:
        c = row[0]
        matched = [f for f in _CASE_FIELDS if query.lower() in (getattr(c, f) or "").lower()]
        buyer = {"name": row.buyer_name, "company": row.company, "member_id": row.member_id}
        matched += [f"buyer.{f}" for f in _BUYER_FIELDS
                    if query.lower() in (buyer[f] or "").lower()]
        cases.append(CaseHit(c.id, c.order_no, c.title, row.buyer_name or "", c.state,
                             tuple(matched), by_case.get(c.id, 0)))
    return SearchResults(query, tuple(cases), tuple(items))
