"""Recognised text in the library: one row per original (by SHA-256), whatever uses it.

The Library's OCR methods call these with a session of their own; nothing here knows about the
OCR engine, so a desk without the [ocr] extra still reads, searches and carries the text others
recognised.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_desk.core.recognised import RecognisedLine, RecognisedText, normalise
from evidence_desk.library.models import Case, Evidence, RecognisedTextRow, StoredFile

# Kinds whose pictures hold words worth reading: screenshots and photos of documents. Product
# photos are left alone (reading a label on a box helps nobody and costs seconds).
OCR_KINDS = ("order_screenshot", "chat_record", "logistics_record", "transaction_record",
             "return_record", "identity_document", "other")
STATUS_DONE = "done"
STATUS_FAILED = "failed"
# What one original may hold: a long scrolling chat has a few hundred lines; more is not text.
MAX_LINES = 5000
MAX_LINE_CHARS = 2000
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class OcrTask:
    """One original waiting to be read."""

    sha256: str
    mime: str
    size: int
    # A name to show in progress lines (the first item's file name).
    name: str


@dataclass(frozen=True)
class OcrStatus:
    done: int
    failed: int
    pending: int


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _live_items(case_id: int | None) -> Any:
    q = (select(Evidence.sha256, func.min(Evidence.original_name).label("name"))
         .join(Case, Case.id == Evidence.case_id)
         .join(StoredFile, StoredFile.sha256 == Evidence.sha256)
         .where(Evidence.removed_at.is_(None), Case.deleted_at.is_(None),
                StoredFile.category == "image", Evidence.kind.in_(OCR_KINDS)))
    if case_id is not None:
        q = q.where(Evidence.case_id == case_id)
    return q.group_by(Evidence.sha256)


def pending(s: Session, case_id: int | None = None) -> list[OcrTask]:
    """Originals of OCR-able items with no result yet (read or failed), smallest first so a
    short run gets through as many as it can."""
    items = _live_items(case_id).subquery()
    rows = s.execute(
        select(items.c.sha256, items.c.name, StoredFile.mime, StoredFile.size)
        .join(StoredFile, StoredFile.sha256 == items.c.sha256)
        .outerjoin(RecognisedTextRow, RecognisedTextRow.sha256 == items.c.sha256)
        .where(RecognisedTextRow.sha256.is_(None))
        .order_by(StoredFile.size, items.c.sha256)).all()
    return [OcrTask(r.sha256, r.mime, r.size, r.name or r.sha256[:12]) for r in rows]


def status(s: Session, case_id: int | None = None) -> OcrStatus:
    items = _live_items(case_id).subquery()
    rows = s.execute(
        select(RecognisedTextRow.status, func.count())
        .select_from(items)
        .outerjoin(RecognisedTextRow, RecognisedTextRow.sha256 == items.c.sha256)
        .group_by(RecognisedTextRow.status)).all()
    counts: dict[str | None, int] = {st: n for st, n in rows}
    return OcrStatus(counts.get(STATUS_DONE, 0), counts.get(STATUS_FAILED, 0),
                     counts.get(None, 0))


def _clean_line(raw: Mapping[str, Any]) -> dict[str, Any]:
    text = str(raw.get("text", ""))[:MAX_LINE_CHARS]
    box = [[float(x), float(y)] for x, y in raw.get("box", ())][:4]
    score = float(raw.get("score", 0.0))
    if len(box) != 4 or not all(math.isfinite(v) for p in box for v in p):
        raise ValueError("a recognised line needs four finite corner points")
    if not math.isfinite(score):
        score = 0.0
    return {"text": text, "box": box, "score": round(min(max(score, 0.0), 1.0), 4)}


def save(s: Session, sha256: str, *, lines: Sequence[Mapping[str, Any]] = (),
         width: int | None = None, height: int | None = None, engine: str = "",
         error: str = "", replace: bool = True) -> bool:
    """Store what was read in `sha256` (or, with `error`, that it could not be read). Returns
    False when a result was there already and `replace` is off."""
    row = s.get(RecognisedTextRow, sha256)
    if row is not None and not replace:
        return False
    clean = [_clean_line(line) for line in lines[:MAX_LINES]]
    text = "\n".join(line["text"] for line in clean)
    values = {
        "status": STATUS_FAILED if error else STATUS_DONE, "engine": engine[:100],
        "text": text, "search_text": normalise(text), "lines": clean, "width": width,
        "height": height, "error": error[:MAX_ERROR_CHARS], "created_at": _now(),
    }
    if row is None:
        s.add(RecognisedTextRow(sha256=sha256, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return True


def _to_text(row: RecognisedTextRow) -> RecognisedText:
    lines = tuple(RecognisedLine(str(line["text"]), tuple((float(x), float(y))
                                                           for x, y in line["box"]),
                                 float(line.get("score", 0.0)))
                  for line in row.lines or ())
    return RecognisedText(row.sha256, lines, row.width or 0, row.height or 0, row.engine)


def load(s: Session, hashes: Iterable[str]) -> dict[str, RecognisedText]:
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    rows = s.scalars(select(RecognisedTextRow).where(
        RecognisedTextRow.sha256.in_(wanted), RecognisedTextRow.status == STATUS_DONE))
    return {r.sha256: _to_text(r) for r in rows}


def records(s: Session, hashes: Iterable[str]) -> list[dict[str, Any]]:
    """Successful results as plain records (for a case bundle)."""
    wanted = sorted(set(hashes))
    if not wanted:
        return []
    rows = s.scalars(select(RecognisedTextRow).where(
        RecognisedTextRow.sha256.in_(wanted), RecognisedTextRow.status == STATUS_DONE)
        .order_by(RecognisedTextRow.sha256))
    return [{"sha256": r.sha256, "engine": r.engine, "width": r.width, "height": r.height,
             "lines": list(r.lines or ())} for r in rows]


def forget(s: Session, hashes: Iterable[str]) -> None:
    """Drop the results of originals that are gone from the library."""
    for sha in set(hashes):
        row = s.get(RecognisedTextRow, sha)
        if row is not None:
            s.delete(row)
