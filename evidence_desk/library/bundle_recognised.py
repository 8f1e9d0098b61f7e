"""The recognised text a case bundle carries (manifest field `recognised_text`, optional).

A receiving desk gets the text without reading the pictures again (and without the [ocr] extra).
The field is written only when there is text, so a bundle of a case never read stays readable by
desks that do not know the field. On import every value is checked as strictly as the rest of
the manifest: text is only ever searched and drawn invisibly, but a bundle is hostile input.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from evidence_desk.library.ocr_store import MAX_LINE_CHARS, MAX_LINES

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

log = logging.getLogger(__name__)

FIELD = "recognised_text"
_MAX_SIDE = 1_000_000


class RecognisedInvalid(ValueError):
    """`where` and what is wrong, for the bundle's error message."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where} {what}")
        self.where = where
        self.what = what


def manifest_entry(lib: Library, hashes: Collection[str]) -> list[dict[str, Any]]:
    return lib.recognised_records(hashes)


def _number(where: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecognisedInvalid(where, "must be a number")
    if not math.isfinite(value) or not low <= value <= high:
        raise RecognisedInvalid(where, f"must be between {low:g} and {high:g}")
    return float(value)


def _side(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_SIDE:
        raise RecognisedInvalid(where, "must be a whole number of pixels")
    return value


def _line(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != {"text", "box", "score"}:
        raise RecognisedInvalid(where, "must be an object with text, box and score")
    text = value["text"]
    if not isinstance(text, str) or len(text) > MAX_LINE_CHARS:
        raise RecognisedInvalid(f"{where}.text", f"must be text of at most {MAX_LINE_CHARS} "
                                "characters")
    box = value["box"]
    if not isinstance(box, list) or len(box) != 4:
        raise RecognisedInvalid(f"{where}.box", "must be four corner points")
    points = []
    for i, point in enumerate(box):
        if not isinstance(point, list) or len(point) != 2:
            raise RecognisedInvalid(f"{where}.box[{i}]", "must be a point [x, y]")
        points.append([_number(f"{where}.box[{i}]", v, -_MAX_SIDE, _MAX_SIDE) for v in point])
    return {"text": text, "box": points,
            "score": _number(f"{where}.score", value["score"], 0.0, 1.0)}


def parse(value: Any, files: Collection[str]) -> list[dict[str, Any]]:
    """The checked records; RecognisedInvalid names the first bad value."""
    if not isinstance(value, list) or len(value) > len(files):
        raise RecognisedInvalid(FIELD, "must be a list with at most one record per file")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, rec in enumerate(value):
        where = f"{FIELD}[{i}]"
        if not isinstance(rec, dict) or set(rec) != {"sha256", "engine", "width", "height",
                                                      "lines"}:
            raise RecognisedInvalid(where, "must be an object with sha256, engine, width, "
                                    "height and lines")
        sha = rec["sha256"]
        if sha not in files or sha in seen:
            raise RecognisedInvalid(f"{where}.sha256", "must name a file of the bundle, once")
        seen.add(sha)
        engine = rec["engine"]
        if not isinstance(engine, str) or len(engine) > 100:
            raise RecognisedInvalid(f"{where}.engine", "must be text of at most 100 characters")
        lines = rec["lines"]
        if not isinstance(lines, list) or len(lines) > MAX_LINES:
            raise RecognisedInvalid(f"{where}.lines", f"must be a list of at most {MAX_LINES}")
        out.append({"sha256": sha, "engine": engine,
                    "width": _side(f"{where}.width", rec["width"]),
                    "height": _side(f"{where}.height", rec["height"]),
                    "lines": [_line(f"{where}.lines[{j}]", ln) for j, ln in enumerate(lines)]})
    return out


def import_records(lib: Library, records: list[dict[str, Any]]) -> int:
    """Store the carried text for originals that have none here yet; returns how many. The case
    is in already: text that cannot be stored is logged, and can be read again with OCR."""
    stored = 0
    for rec in records:
        try:
            if lib.save_recognised(rec["sha256"], lines=rec["lines"], width=rec["width"],
                                   height=rec["height"], engine=rec["engine"], replace=False):
                stored += 1
        except Exception as exc:
            log.warning("recognised text for %s from a bundle not stored: %s",
                        rec["sha256"][:12], exc)
    return stored
