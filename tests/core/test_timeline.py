from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from evidence_desk.core.rules import Rules, load_rules
from evidence_desk.core.timeline import TimelineEvent, build_timeline
from evidence_desk.core.types import CaseInfo, EvidenceInfo
from evidence_desk.paths import RULES_DIR


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RULES_DIR)


def make_item(item_id: int, kind: str, **fields: Any) -> EvidenceInfo:
    values: dict[str, Any] = {
        "id": item_id, "case_id": 1, "kind": kind, "sha256": f"{item_id:064x}",
        "size": 10, "mime": "image/png", "original_name": f"file{item_id}.png",
        "position": item_id,
    }
    values.update(fields)
    return EvidenceInfo(**values)


def kinds(events: list[TimelineEvent]) -> list[str]:
    return [e.kind for e in events]


def test_complaint_timeline_in_time_order(rules: Rules) -> None:
    case = CaseInfo(
        id=1, type_key="fake_transaction", order_no="A1",
        paid_on=date(2024, 2, 20), completed_on=date(2024, 3, 1),
        submitted_on=date(2024, 3, 8),  # a Friday
    )
    items = [
        make_item(1, "chat_record", captured_at=datetime(2024, 3, 2, 10, 30), caption="Buyer cancels"),
        make_item(2, "order_screenshot", captured_at=datetime(2024, 2, 25, 9, 0)),
        make_item(3, "other"),  # no capture time: not on the timeline
    ]
    events = build_timeline(case, items, rules)
    assert kinds(events) == [
        "paid", "evidence_captured", "completed", "evidence_captured", "submitted",
        "result_expected", "deadline",
    ]
    assert [e.when for e in events] == sorted(e.when for e in events)
    assert events[1].item_id == 2 and events[3].item_id == 1
    # Three working days after a Friday is the Wednesday after.
    assert events[5].when == datetime(2024, 3, 13)
    assert events[6].when == datetime(2024, 3, 16)


def test_dates_are_midnight_and_date_only(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1",
                    completed_on=date(2024, 3, 1))
    items = [make_item(1, "chat_record", captured_at=datetime(2024, 3, 1, 0, 0))]
    events = build_timeline(case, items, rules)
    completed = events[0]
    assert completed.kind == "completed"
    assert completed.when == datetime(2024, 3, 1, 0, 0)
    assert completed.is_date_only and completed.item_id is None
    # Same moment: the case milestone keeps its place ahead of the capture (stable ties).
    assert kinds(events) == ["completed", "evidence_captured", "deadline"]
    assert not events[1].is_date_only


def test_evidence_label_names_kind_caption_and_file(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1")
    items = [
        make_item(1, "chat_record", captured_at=datetime(2024, 3, 2, 10, 30),
                  caption="Buyer cancels", original_name="chat.png"),
        make_item(2, "logistics_record", captured_at=datetime(2024, 3, 3, 8, 0),
                  original_name="waybill.pdf"),
    ]
    first, second = build_timeline(case, items, rules)
    assert first.label == "Chat record captured: Buyer cancels (chat.png)"
    assert first.label_zh == "聊天记录:Buyer cancels(chat.png)"
    assert second.label == "Logistics record captured: waybill.pdf"
    assert "物流信息" in second.label_zh


def test_same_time_captures_keep_case_order(rules: Rules) -> None:
    moment = datetime(2024, 3, 2, 10, 30)
    items = [make_item(n, "other", captured_at=moment, position=10 - n) for n in (1, 2, 3)]
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1")
    assert [e.item_id for e in build_timeline(case, items, rules)] == [3, 2, 1]


def test_result_replaces_expected_result(rules: Rules) -> None:
    case = CaseInfo(
        id=1, type_key="quality_dispute", order_no="A1", completed_on=date(2024, 3, 1),
        submitted_on=date(2024, 3, 4), result_on=date(2024, 3, 6), state="upheld",
        attempt_no=2,
    )
    events = build_timeline(case, [], rules)
    assert kinds(events) == ["completed", "submitted", "result", "deadline"]
    assert events[1].label == "Complaint submitted (attempt 2)"
    assert "第 2 次" in events[1].label_zh
    assert events[2].label == "Result: upheld"
    assert events[2].label_zh == "处理结果:投诉成立"


def test_no_expected_result_before_submission(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1")
    assert build_timeline(case, [], rules) == []


def test_logistics_timeline(rules: Rules) -> None:
    case = CaseInfo(
        id=1, type_key="logistics_service_dispute", order_no="L1",
        paid_on=date(2024, 3, 1), refund_requested_on=date(2024, 3, 4),
        accepted_on=date(2024, 3, 4),
    )
    events = build_timeline(case, [], rules)
    # The acceptance day is the deadline, shown once as "accepted"; a refund on that day
    # comes first, as it must to be in time.
    assert kinds(events) == ["paid", "refund_requested", "accepted"]
    assert all(e.is_date_only for e in events)


def test_aware_capture_times_sort_with_dates(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1",
                    completed_on=date(2024, 3, 1))
    items = [make_item(1, "other", captured_at=datetime(2024, 3, 5, 12, 0, tzinfo=UTC))]
    events = build_timeline(case, items, rules)  # must not mix naive and aware datetimes
    assert all(e.when.tzinfo is None for e in events)
    assert kinds(events) == ["completed", "evidence_captured", "deadline"]
