from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest

from evidence_desk.core.checklist import (
    Checklist,
    RequirementStatus,
    Warning,
    evaluate,
    order_number_in_name,
)
from evidence_desk.core.rules import Requirement, Rules, load_rules
from evidence_desk.core.types import CaseInfo, EvidenceInfo
from evidence_desk.paths import RULES_DIR

COMPLETED = date(2024, 3, 1)  # a Friday; the 15-day window closes on Saturday 2024-03-16
DEADLINE = date(2024, 3, 16)
TODAY = date(2024, 3, 5)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RULES_DIR)


def make_case(**fields: Any) -> CaseInfo:
    values: dict[str, Any] = {
        "id": 7, "type_key": "fake_transaction", "order_no": "2024030112345",
        "completed_on": COMPLETED, "demand": "Restrict the buyer's trading.",
    }
    values.update(fields)
    return CaseInfo(**values)


def make_item(item_id: int, kind: str, name: str = "", **fields: Any) -> EvidenceInfo:
    values: dict[str, Any] = {
        "id": item_id, "case_id": 7, "kind": kind,
        "sha256": f"{item_id:064x}", "size": 1000, "mime": "image/png",
        "original_name": name or f"{kind}_{item_id}.png", "position": item_id,
    }
    values.update(fields)
    return EvidenceInfo(**values)


def order(item_id: int = 1, **fields: Any) -> EvidenceInfo:
    return make_item(item_id, "order_screenshot", **fields)


def chat(item_id: int = 2, source: str = "alibaba_chat", **fields: Any) -> EvidenceInfo:
    return make_item(item_id, "chat_record", source=source, **fields)


def codes(checklist: Checklist) -> list[str]:
    return [w.code for w in checklist.warnings]


def warning(checklist: Checklist, code: str) -> Warning:
    found = [w for w in checklist.warnings if w.code == code]
    assert len(found) == 1, codes(checklist)
    return found[0]


def status(checklist: Checklist, kind: str) -> RequirementStatus:
    return next(r for r in checklist.requirements if kind in r.kinds)


# --- the seed's table ---------------------------------------------------------------------------


def test_fake_transaction_ready_with_order_screenshot_and_chat_record(rules: Rules) -> None:
    result = evaluate(make_case(), [order(), chat()], rules, TODAY)
    assert result.ready
    assert result.warnings == ()
    assert result.deadline == DEADLINE
    assert result.days_left == 11
    assert [r.kind for r in result.requirements] == ["order_screenshot", "chat_record"]
    assert all(r.satisfied and r.count == 1 for r in result.requirements)
    assert (result.met, result.required_count) == (2, 2)
    assert status(result, "order_screenshot").item_ids == (1,)
    assert status(result, "chat_record").item_ids == (2,)


def test_fake_transaction_not_ready_without_chat_record(rules: Rules) -> None:
    result = evaluate(make_case(), [order()], rules, TODAY)
    assert not result.ready
    assert [r.kind for r in result.missing] == ["chat_record"]
    assert (result.met, result.required_count) == (1, 2)


def test_quality_dispute_names_photo_logistics_and_return_as_missing(rules: Rules) -> None:
    case = make_case(type_key="quality_dispute")
    result = evaluate(case, [order(), chat()], rules, TODAY)
    assert not result.ready
    assert [r.kind for r in result.missing] == [
        "product_photo", "logistics_record", "return_record"]
    assert all(r.count == 0 and r.item_ids == () for r in result.missing)
    assert (result.met, result.required_count) == (0, 3)
    payload = result.to_json()
    assert [r["kind"] for r in payload["requirements"] if not r["satisfied"]] == [
        "product_photo", "logistics_record", "return_record"]


@pytest.mark.parametrize(
    ("type_key", "kinds"),
    [
        ("fake_transaction", ["order_screenshot", "chat_record"]),
        ("quality_dispute", ["product_photo", "logistics_record", "return_record"]),
        ("service_failure", ["order_screenshot", "logistics_record"]),
        ("transaction_fraud", ["identity_document", "transaction_record"]),
    ],
)
def test_each_seed_type_is_ready_with_exactly_its_table_evidence(
    rules: Rules, type_key: str, kinds: list[str]
) -> None:
    items = [make_item(n, kind, source="alibaba_chat") for n, kind in enumerate(kinds, 1)]
    assert evaluate(make_case(type_key=type_key), items, rules, TODAY).ready
    for left_out in range(len(items)):
        fewer = items[:left_out] + items[left_out + 1:]
        result = evaluate(make_case(type_key=type_key), fewer, rules, TODAY)
        assert not result.ready
        assert [r.kind for r in result.missing] == [kinds[left_out]]


# --- requirement levels -------------------------------------------------------------------------


def with_requirements(rules: Rules, *reqs: Requirement) -> Rules:
    ctype = replace(rules.type("fake_transaction"), requirements=reqs)
    return replace(rules, types={**rules.types, "fake_transaction": ctype})


def test_required_level_with_min_counts_distinct_contents(rules: Rules) -> None:
    custom = with_requirements(rules, Requirement(("product_photo",), "required", 2))
    one = make_item(1, "product_photo")
    copy = make_item(2, "product_photo", name="copy.png", sha256=one.sha256)
    other = make_item(3, "product_photo")
    result = evaluate(make_case(), [one, copy], custom, TODAY)
    req = status(result, "product_photo")
    assert (req.count, req.min, req.satisfied, req.item_ids) == (1, 2, False, (1, 2))
    assert not result.ready
    result = evaluate(make_case(), [one, copy, other], custom, TODAY)
    assert status(result, "product_photo").count == 2
    assert result.ready


def test_any_of_level_is_satisfied_by_any_listed_kind(rules: Rules) -> None:
    custom = with_requirements(
        rules, Requirement(("logistics_record", "return_record"), "any_of", 1))
    empty = evaluate(make_case(), [order()], custom, TODAY)
    assert not empty.ready
    assert empty.requirements[0].kind == "logistics_record"
    assert empty.requirements[0].required
    result = evaluate(make_case(), [make_item(5, "return_record")], custom, TODAY)
    req = result.requirements[0]
    assert (req.kinds, req.level, req.count, req.satisfied, req.item_ids) == (
        ("logistics_record", "return_record"), "any_of", 1, True, (5,))
    assert result.ready


def test_any_of_min_counts_across_kinds(rules: Rules) -> None:
    custom = with_requirements(
        rules, Requirement(("logistics_record", "return_record"), "any_of", 2))
    one_each = [make_item(5, "return_record"), make_item(6, "logistics_record")]
    assert evaluate(make_case(), one_each[:1], custom, TODAY).ready is False
    result = evaluate(make_case(), one_each, custom, TODAY)
    assert result.ready
    assert result.requirements[0].item_ids == (5, 6)


def test_recommended_level_does_not_block_ready(rules: Rules) -> None:
    case = make_case(
        type_key="logistics_service_dispute", completed_on=None,
        paid_on=date(2024, 3, 1), refund_requested_on=date(2024, 3, 4),
    )
    items = [make_item(1, "transaction_record"), chat(2)]
    result = evaluate(case, items, rules, TODAY)
    logistics = status(result, "logistics_record")
    assert (logistics.level, logistics.required, logistics.satisfied) == (
        "recommended", False, False)
    assert result.ready
    assert (result.met, result.required_count) == (2, 2)
    assert result.missing == ()


# --- the window ---------------------------------------------------------------------------------


def test_deadline_is_15_days_after_completion(rules: Rules) -> None:
    result = evaluate(make_case(), [order(), chat()], rules, date(2024, 3, 1))
    assert result.deadline == date(2024, 3, 16)
    assert result.days_left == 15


@pytest.mark.parametrize(("today", "left"), [(date(2024, 3, 13), 3), (date(2024, 3, 16), 0)])
def test_window_closing_within_the_closing_days(rules: Rules, today: date, left: int) -> None:
    result = evaluate(make_case(), [order(), chat()], rules, today)
    assert result.days_left == left
    assert result.ready
    w = warning(result, "window_closing")
    assert "2024-03-16" in w.message and "Fake transaction" in w.message
    assert "2024-03-16" in w.message_zh and "虚假交易" in w.message_zh
    if left == 0:
        assert "last day" in w.message and "最后一天" in w.message_zh
    else:
        assert "3 days" in w.message and "3 天" in w.message_zh


def test_no_window_closing_with_more_days_left(rules: Rules) -> None:
    result = evaluate(make_case(), [order(), chat()], rules, date(2024, 3, 12))
    assert result.days_left == 4
    assert codes(result) == []


def test_window_passed_makes_case_not_ready(rules: Rules) -> None:
    result = evaluate(make_case(), [order(), chat()], rules, date(2024, 3, 18))
    assert result.days_left == -2
    assert not result.ready
    assert codes(result) == ["window_passed"]
    w = warning(result, "window_passed")
    assert "2024-03-16" in w.message and "2 days ago" in w.message
    assert "2024-03-01" in w.message  # the completion date it counts from
    assert "已过 2 天" in w.message_zh


def test_submitted_in_time_is_not_window_passed_later(rules: Rules) -> None:
    case = make_case(submitted_on=date(2024, 3, 15), state="submitted")
    result = evaluate(case, [order(), chat()], rules, date(2024, 4, 1))
    assert "window_passed" not in codes(result)
    assert "window_closing" not in codes(result)
    assert result.ready


def test_submitted_after_the_window_is_window_passed(rules: Rules) -> None:
    case = make_case(submitted_on=date(2024, 3, 18), state="submitted")
    result = evaluate(case, [order(), chat()], rules, date(2024, 3, 18))
    w = warning(result, "window_passed")
    assert "2024-03-18" in w.message and "2024-03-16" in w.message
    assert not result.ready


def test_no_completion_date_is_not_ready(rules: Rules) -> None:
    result = evaluate(make_case(completed_on=None), [order(), chat()], rules, TODAY)
    assert not result.ready
    assert result.deadline is None and result.days_left is None
    w = warning(result, "no_completion_date")
    assert "completion date" in w.message and "15 day" in w.message
    assert "交易完成日期" in w.message_zh
    assert result.to_json()["deadline"] is None


# --- the logistics-marketplace flow -------------------------------------------------------------


def logistics_case(**fields: Any) -> CaseInfo:
    values: dict[str, Any] = {
        "type_key": "logistics_service_dispute", "completed_on": None,
        "paid_on": date(2024, 3, 1), "refund_requested_on": date(2024, 3, 4),
        "accepted_on": date(2024, 3, 10),
    }
    values.update(fields)
    return make_case(**values)


# The transaction record is redacted, so the privacy check (tests/core/test_marks.py) is quiet.
LOGISTICS_ITEMS = [make_item(1, "transaction_record",
                             marks=({"kind": "redact", "x": 1, "y": 1, "w": 5, "h": 5},)),
                   chat(2)]


def test_logistics_refund_between_payment_and_acceptance_is_ready(rules: Rules) -> None:
    result = evaluate(logistics_case(), LOGISTICS_ITEMS, rules, date(2024, 3, 20))
    assert result.ready
    assert codes(result) == []
    assert result.deadline == date(2024, 3, 10)
    assert result.days_left == -10


def test_logistics_refund_on_the_payment_and_acceptance_days_is_in_time(rules: Rules) -> None:
    for day in (date(2024, 3, 1), date(2024, 3, 10)):
        result = evaluate(logistics_case(refund_requested_on=day), LOGISTICS_ITEMS, rules, TODAY)
        assert "refund_window" not in codes(result)
        assert result.ready


def test_logistics_refund_before_payment(rules: Rules) -> None:
    case = logistics_case(refund_requested_on=date(2024, 2, 28))
    result = evaluate(case, LOGISTICS_ITEMS, rules, TODAY)
    assert not result.ready
    w = warning(result, "refund_window")
    assert "2024-02-28" in w.message and "2024-03-01" in w.message
    assert "before the payment" in w.message and "早于付款日期" in w.message_zh


def test_logistics_refund_after_acceptance(rules: Rules) -> None:
    case = logistics_case(refund_requested_on=date(2024, 3, 11))
    result = evaluate(case, LOGISTICS_ITEMS, rules, date(2024, 3, 12))
    assert not result.ready
    w = warning(result, "refund_window")
    assert "2024-03-11" in w.message and "2024-03-10" in w.message
    assert "after the service was accepted" in w.message


def test_logistics_without_payment_date(rules: Rules) -> None:
    case = logistics_case(paid_on=None)
    result = evaluate(case, LOGISTICS_ITEMS, rules, TODAY)
    assert not result.ready
    assert "no_payment_date" in codes(result)
    assert "no_completion_date" not in codes(result)
    assert "付款日期" in warning(result, "no_payment_date").message_zh


def test_logistics_without_refund_request(rules: Rules) -> None:
    open_case = logistics_case(refund_requested_on=None, accepted_on=None)
    result = evaluate(open_case, LOGISTICS_ITEMS, rules, TODAY)
    assert not result.ready
    assert codes(result) == ["no_refund_request"]
    assert result.deadline is None

    closing = logistics_case(refund_requested_on=None, accepted_on=date(2024, 3, 6))
    result = evaluate(closing, LOGISTICS_ITEMS, rules, TODAY)
    assert codes(result) == ["window_closing", "no_refund_request"]
    assert "2024-03-06" in warning(result, "no_refund_request").message

    passed = logistics_case(refund_requested_on=None, accepted_on=date(2024, 3, 4))
    result = evaluate(passed, LOGISTICS_ITEMS, rules, TODAY)
    assert codes(result) == ["window_passed"]
    assert "2024-03-04" in warning(result, "window_passed").message
    assert not result.ready


# --- warnings about the case and its items ------------------------------------------------------


@pytest.mark.parametrize("demand", ["", "   \n\t"])
def test_no_demand(rules: Rules, demand: str) -> None:
    result = evaluate(make_case(demand=demand), [order(), chat()], rules, TODAY)
    w = warning(result, "no_demand")
    assert "demand" in w.message and "诉求" in w.message_zh
    assert result.ready  # a warning to fix, not a blocker


def test_off_platform_chat_is_flagged_and_not_counted(rules: Rules) -> None:
    items = [order(), chat(2, source="whatsapp", name="wa_export.png")]
    result = evaluate(make_case(), items, rules, TODAY)
    w = warning(result, "off_platform_chat")
    assert w.item_ids == (2,)
    assert "wa_export.png" in w.message and "WhatsApp" in w.message
    assert "Chat record" in w.message and "Alibaba.com" in w.message
    assert "wa_export.png" in w.message_zh and "聊天记录" in w.message_zh
    assert status(result, "chat_record").count == 0
    assert not result.ready


def test_off_platform_chat_counts_when_the_channel_was_agreed(rules: Rules) -> None:
    items = [order(), chat(2, source="email")]
    result = evaluate(make_case(other_channel_agreed=True), items, rules, TODAY)
    assert codes(result) == []
    assert result.ready


@pytest.mark.parametrize("source", ["alibaba_chat", "", "pigeon_post"])
def test_platform_empty_or_unknown_source_chat_is_not_flagged(rules: Rules, source: str) -> None:
    result = evaluate(make_case(), [order(), chat(2, source=source)], rules, TODAY)
    assert "off_platform_chat" not in codes(result)
    assert result.ready


def test_non_chat_items_from_other_sources_are_not_flagged(rules: Rules) -> None:
    items = [order(1, source="alibaba_site"), chat(), make_item(3, "other", source="wechat")]
    assert "off_platform_chat" not in codes(evaluate(make_case(), items, rules, TODAY))


def test_future_capture_by_time_and_by_flag(rules: Rules) -> None:
    items = [
        order(1, captured_at=datetime(2024, 3, 5, 23, 59)),  # today: fine
        chat(2, name="tomorrow.png", captured_at=datetime(2024, 3, 6, 8, 30)),
        make_item(3, "other", name="flagged.jpg", flags=("future_capture",)),
    ]
    result = evaluate(make_case(), items, rules, TODAY)
    w = warning(result, "future_capture")
    assert w.item_ids == (2, 3)
    assert "tomorrow.png" in w.message and "2024-03-06 08:30" in w.message
    assert "flagged.jpg" in w.message and "2024-03-05" in w.message
    assert "tomorrow.png" in w.message_zh
    assert result.ready  # the clock is suspicious, the evidence still counts


def test_no_future_capture_for_past_or_unknown_times(rules: Rules) -> None:
    items = [order(1, captured_at=datetime(2024, 3, 1, 9, 0)), chat(2)]
    assert "future_capture" not in codes(evaluate(make_case(), items, rules, TODAY))


def test_captured_after_complaint(rules: Rules) -> None:
    case = make_case(submitted_on=date(2024, 3, 10), state="submitted")
    items = [
        order(1, captured_at=datetime(2024, 3, 10, 18, 0)),  # the submission day: fine
        chat(2, name="later.png", captured_at=datetime(2024, 3, 11, 9, 0)),
    ]
    result = evaluate(case, items, rules, date(2024, 3, 12))
    w = warning(result, "captured_after_complaint")
    assert w.item_ids == (2,)
    assert "later.png" in w.message and "2024-03-10" in w.message
    assert "2024-03-11" in w.message
    assert "later.png" in w.message_zh


def test_no_captured_after_complaint_before_submission(rules: Rules) -> None:
    items = [order(1, captured_at=datetime(2024, 3, 4, 18, 0)), chat()]
    assert "captured_after_complaint" not in codes(evaluate(make_case(), items, rules, TODAY))


def test_damaged_image_is_flagged_and_not_counted(rules: Rules) -> None:
    items = [order(1, name="broken.jpg", flags=("damaged_image",)), chat()]
    result = evaluate(make_case(), items, rules, TODAY)
    w = warning(result, "damaged_image")
    assert w.item_ids == (1,)
    assert "broken.jpg" in w.message and "Order screenshot" in w.message
    assert "broken.jpg" in w.message_zh and "订单截图" in w.message_zh
    assert status(result, "order_screenshot").count == 0
    assert not result.ready


def test_duplicate_content_warns_per_group_and_counts_once(rules: Rules) -> None:
    first = order(1, name="order.png")
    items = [
        first,
        order(2, name="order (1).png", sha256=first.sha256),
        make_item(4, "transaction_record", name="order copy.png", sha256=first.sha256),
        chat(3),
    ]
    result = evaluate(make_case(), items, rules, TODAY)
    w = warning(result, "duplicate_content")
    assert w.item_ids == (1, 2, 4)
    assert "3 items" in w.message
    for name in ("order.png", "order (1).png", "order copy.png"):
        assert name in w.message and name in w.message_zh
    assert "Transaction record" in w.message
    assert status(result, "order_screenshot").count == 1
    assert status(result, "order_screenshot").item_ids == (1, 2)
    assert result.ready


def test_no_duplicate_for_distinct_or_unknown_hashes(rules: Rules) -> None:
    items = [order(1, sha256=""), order(2, sha256=""), chat(3)]
    result = evaluate(make_case(), items, rules, TODAY)
    assert "duplicate_content" not in codes(result)
    assert status(result, "order_screenshot").count == 2


def test_long_name_lists_are_shortened(rules: Rules) -> None:
    items = [chat(n, source="wechat", name=f"wechat_{n}.png") for n in range(1, 9)]
    w = warning(evaluate(make_case(), items, rules, TODAY), "off_platform_chat")
    assert w.item_ids == tuple(range(1, 9))
    assert "8 items" in w.message and "and 3 more" in w.message
    assert "wechat_5.png" in w.message and "wechat_6.png" not in w.message
    assert "等 8 个文件" in w.message_zh


def test_unknown_type_is_not_ready(rules: Rules) -> None:
    result = evaluate(make_case(type_key="no_such_type"), [order(), chat()], rules, TODAY)
    assert not result.ready
    assert result.requirements == ()
    assert "no_such_type" in warning(result, "unknown_type").message


def test_all_problems_at_once_in_a_stable_order(rules: Rules) -> None:
    first = order(1, flags=("damaged_image",))
    items = [
        first,
        order(2, sha256=first.sha256, captured_at=datetime(2024, 3, 20)),
        chat(3, source="email"),
    ]
    case = make_case(demand="", submitted_on=date(2024, 3, 18))
    result = evaluate(case, items, rules, date(2024, 3, 19))
    assert codes(result) == [
        "window_passed", "no_demand", "off_platform_chat", "future_capture",
        "captured_after_complaint", "damaged_image", "duplicate_content",
    ]


# --- the JSON contract --------------------------------------------------------------------------


def test_to_json_has_exactly_the_agreed_shape(rules: Rules) -> None:
    items = [order(), chat(2, source="whatsapp")]
    payload = evaluate(make_case(), items, rules, date(2024, 3, 14)).to_json()
    assert json.loads(json.dumps(payload)) == payload  # plain JSON types only
    assert set(payload) == {"ready", "deadline", "days_left", "requirements", "warnings"}
    assert payload["ready"] is False
    assert payload["deadline"] == "2024-03-16"
    assert payload["days_left"] == 2
    assert payload["requirements"][0] == {
        "kind": "order_screenshot", "kinds": ["order_screenshot"], "level": "required",
        "required": True, "satisfied": True, "count": 1, "min": 1, "item_ids": [1],
    }
    assert payload["requirements"][1]["satisfied"] is False
    assert [w["code"] for w in payload["warnings"]] == ["window_closing", "off_platform_chat"]
    for w in payload["warnings"]:
        assert set(w) == {"code", "message", "message_zh", "item_ids"}
    assert payload["warnings"][1]["item_ids"] == [2]


def test_evaluate_is_deterministic_and_order_independent(rules: Rules) -> None:
    items = [order(1), chat(2, source="wechat"), make_item(3, "other")]
    forward = evaluate(make_case(), items, rules, TODAY)
    backward = evaluate(make_case(), list(reversed(items)), rules, TODAY)
    assert forward == backward
    assert forward.to_json() == backward.to_json()


# ---- order_mismatch: a file whose name carries another order's number ----------------------

@pytest.mark.parametrize(("name", "number"), [
    ("order_2410762415855894_20241121100946.png", "2410762415855894"),
    ("Order No. 2410762415855894.pdf", "2410762415855894"),
    ("订单号2410762415855894.jpg", "2410762415855894"),
    ("订单:2410762415855894 截图.png", "2410762415855894"),
    ("2410762415855894.png", "2410762415855894"),          # a bare Alibaba.com order number
    ("Screenshot_2410762415855894123.png", "2410762415855894123"),
    ("order_20241121100946.png", None),                     # only a time stamp
    ("Screenshot_20240205153628123.png", None),             # a time stamp with milliseconds
    ("mmexport1707118588000.jpg", None),                    # WeChat's epoch milliseconds
    ("IMG_20240205_153628.jpg", None),
    ("border_123.png", None),
    ("chat.png", None),
])
def test_order_number_in_name(name: str, number: str | None) -> None:
    assert order_number_in_name(name) == number


def test_another_orders_screenshot_is_named(rules: Rules) -> None:
    case = make_case(order_no="2410762415855000")
    items = [order(1, original_name="order_2410762415855894_20241121100946.png"),
             order(3, original_name="order_2410762415855000_20241121100946.png"), chat(2)]
    found = warning(evaluate(case, items, rules, TODAY), "order_mismatch")
    assert "order_2410762415855894_20241121100946.png" in found.message
    assert "2410762415855894" in found.message and "2410762415855000" in found.message
    assert "order_2410762415855894_20241121100946.png" in found.message_zh
    assert found.item_ids == (1,)


def test_the_case_order_written_with_dashes_still_matches(rules: Rules) -> None:
    case = make_case(order_no="2410-7624-1585-5894")
    items = [order(1, original_name="order_2410762415855894_20241121100946.png"), chat(2)]
    assert "order_mismatch" not in codes(evaluate(case, items, rules, TODAY))


def test_one_warning_per_mismatched_file(rules: Rules) -> None:
    case = make_case(order_no="2410762415855000")
    items = [order(1, original_name="订单号2410762415855894.png"),
             order(3, original_name="2410762415859999.png"), chat(2)]
    found = [w for w in evaluate(case, items, rules, TODAY).warnings if w.code == "order_mismatch"]
    assert [w.item_ids for w in found] == [(1,), (3,)]


def test_no_case_order_number_no_warning(rules: Rules) -> None:
    case = make_case(order_no="")
    items = [order(1, original_name="order_2410762415855894_20241121100946.png"), chat(2)]
    assert "order_mismatch" not in codes(evaluate(case, items, rules, TODAY))
