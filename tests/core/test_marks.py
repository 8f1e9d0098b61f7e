"""Marks as data: validation of what the database or a bundle hands back, and the privacy check."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from evidence_desk.core.checklist import evaluate
from evidence_desk.core.marks import (
    Mark,
    has_redaction,
    marks_from_json,
    next_marker_number,
)
from evidence_desk.core.rules import load_rules
from evidence_desk.core.types import CaseInfo, EvidenceInfo
from evidence_desk.paths import RULES_DIR


def test_round_trip_of_every_kind() -> None:
    marks = (
        Mark("redact", 10, 20, 30.5, 40),
        Mark("highlight", 0, 0, 5, 5, color="#00FF00"),
        Mark("arrow", 100, 100, -50, 20),
        Mark("marker", 7, 8, 24, 24, number=3),
        Mark("note", 1, 2, 200, 60, text="买家承认 the buyer admits <b>"),
    )
    data = [m.to_dict() for m in marks]
    assert marks_from_json(data) == marks
    assert data[0] == {"kind": "redact", "x": 10.0, "y": 20.0, "w": 30.5, "h": 40.0}


@pytest.mark.parametrize("data, message", [
    ({"kind": "blur", "x": 0, "y": 0, "w": 1, "h": 1}, "unknown mark kind"),
    ({"kind": "redact", "x": 0, "y": 0, "w": -1, "h": 1}, "positive size"),
    ({"kind": "redact", "x": 0, "y": 0, "w": 0, "h": 1}, "positive size"),
    ({"kind": "redact", "x": math.nan, "y": 0, "w": 1, "h": 1}, "finite"),
    ({"kind": "redact", "x": 0, "y": math.inf, "w": 1, "h": 1}, "finite"),
    ({"kind": "redact", "x": "1", "y": 0, "w": 1, "h": 1}, "must be a number"),
    ({"kind": "redact", "x": True, "y": 0, "w": 1, "h": 1}, "must be a number"),
    ({"kind": "redact", "x": 1e12, "y": 0, "w": 1, "h": 1}, "outside any picture"),
    ({"kind": "redact", "x": 0, "y": 0, "w": 1}, "missing: h"),
    ({"x": 0, "y": 0, "w": 1, "h": 1}, "missing: kind"),
    ({"kind": "redact", "x": 0, "y": 0, "w": 1, "h": 1, "blur": 3}, "unknown mark field"),
    ({"kind": "arrow", "x": 0, "y": 0, "w": 0, "h": 0}, "needs a length"),
    ({"kind": "marker", "x": 0, "y": 0, "w": 9, "h": 9}, "needs a number"),
    ({"kind": "marker", "x": 0, "y": 0, "w": 9, "h": 9, "number": 0}, "needs a number"),
    ({"kind": "redact", "x": 0, "y": 0, "w": 9, "h": 9, "number": 2}, "only markers"),
    ({"kind": "redact", "x": 0, "y": 0, "w": 9, "h": 9, "text": "x"}, "only notes"),
    ({"kind": "note", "x": 0, "y": 0, "w": 9, "h": 9, "text": "x" * 501}, "longer than"),
    ({"kind": "note", "x": 0, "y": 0, "w": 9, "h": 9, "color": "red"}, "#RRGGBB"),
])
def test_invalid_marks_are_refused_with_a_reason(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        marks_from_json([{"kind": "redact", "x": 0, "y": 0, "w": 1, "h": 1}, data])
    with pytest.raises(ValueError, match="mark 2"):
        marks_from_json([{"kind": "redact", "x": 0, "y": 0, "w": 1, "h": 1}, data])


def test_marks_must_be_a_list_of_objects() -> None:
    with pytest.raises(ValueError):
        marks_from_json("redact all")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be an object"):
        marks_from_json([["redact"]])  # type: ignore[list-item]
    assert marks_from_json(None) == ()


def test_older_type_key_is_read() -> None:
    [m] = marks_from_json([{"type": "redact", "x": 10, "y": 20, "w": 30, "h": 40}])
    assert m.kind == "redact"
    assert has_redaction([{"type": "redact", "x": 1, "y": 1, "w": 1, "h": 1}])


def test_helpers() -> None:
    assert not has_redaction([])
    assert has_redaction([Mark("highlight", 0, 0, 1, 1), Mark("redact", 0, 0, 1, 1)])
    assert Mark("arrow", 10, 10, -5, 3).bounds() == (5, 10, 10, 13)
    assert Mark("redact", 1, 2, 3, 4).moved(10, 10) == Mark("redact", 11, 12, 3, 4)
    assert next_marker_number([Mark("marker", 0, 0, 9, 9, number=4)]) == 5
    assert next_marker_number([]) == 1


# --- the pre-export privacy check -----------------------------------------------------------


def _item(item_id: int, kind: str, **fields: Any) -> EvidenceInfo:
    return EvidenceInfo(id=item_id, case_id=1, kind=kind, sha256=f"{item_id:064x}", size=10,
                        mime="image/jpeg", original_name=f"{kind}_{item_id}.jpg",
                        position=item_id, **fields)


def _warning(items: list[EvidenceInfo]):  # noqa: ANN202
    case = CaseInfo(id=1, type_key="transaction_fraud", order_no="1",
                    completed_on=date(2024, 3, 5), demand="ban the buyer")
    result = evaluate(case, items, load_rules(RULES_DIR), date(2024, 3, 8))
    found = [w for w in result.warnings if w.code == "unredacted_personal_data"]
    return found[0] if found else None


def test_unredacted_identity_documents_and_transaction_records_are_flagged() -> None:
    box = ({"kind": "redact", "x": 1, "y": 1, "w": 9, "h": 9},)
    highlight = ({"kind": "highlight", "x": 1, "y": 1, "w": 9, "h": 9},)
    items = [
        _item(1, "identity_document"),
        _item(2, "transaction_record", marks=highlight),  # a highlight hides nothing
        _item(3, "identity_document", marks=box),
        _item(4, "transaction_record", flags=("privacy_ok",)),  # dismissed by the seller
        _item(5, "chat_record"),
    ]
    w = _warning(items)
    assert w is not None
    assert w.item_ids == (1, 2)
    assert "identity_document_1.jpg" in w.message and "身份" in w.message_zh
    assert _warning(items[2:]) is None
