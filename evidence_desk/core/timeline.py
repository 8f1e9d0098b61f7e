"""A case's story in time order: the transaction's dates, the evidence, the complaint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from evidence_desk.core.deadlines import complaint_deadline, expected_result, local_naive
from evidence_desk.core.rules import Rules
from evidence_desk.core.types import CaseInfo, EvidenceInfo

# Case states that record the platform's result (`case result ID upheld|rejected|withdrawn`).
_RESULT_LABELS: dict[str, tuple[str, str]] = {
    "upheld": ("upheld", "投诉成立"),
    "rejected": ("rejected", "投诉被驳回"),
    "withdrawn": ("withdrawn", "已撤回"),
}


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime
    kind: str
    label: str
    label_zh: str
    item_id: int | None = None
    # True when only the day is known; `when` is then that day at 00:00.
    is_date_only: bool = False


def _on(day: date, kind: str, label: str, label_zh: str) -> TimelineEvent:
    return TimelineEvent(datetime.combine(day, time()), kind, label, label_zh, is_date_only=True)


def build_timeline(
    case: CaseInfo, items: Sequence[EvidenceInfo], rules: Rules
) -> list[TimelineEvent]:
    """Every dated event of the case, oldest first.

    Events on the same moment keep the order of a case's life (paid, completed, refund
    requested, accepted, evidence, deadline, submitted, results), so the sort is stable.
    """
    ctype = rules.types.get(case.type_key)
    events: list[TimelineEvent] = []
    if case.paid_on:
        events.append(_on(case.paid_on, "paid", "Order paid", "订单付款"))
    if case.completed_on:
        events.append(_on(case.completed_on, "completed", "Transaction completed", "交易完成"))
    if case.refund_requested_on:
        events.append(_on(case.refund_requested_on, "refund_requested", "Refund requested",
                          "申请退款"))
    if case.accepted_on:
        events.append(_on(case.accepted_on, "accepted", "Service accepted", "服务验收"))

    for item in sorted(items, key=lambda i: (i.position, i.id)):
        if item.captured_at is None:
            continue
        kind = rules.kinds.get(item.kind)
        kind_en = kind.en if kind else item.kind
        kind_zh = kind.zh if kind else item.kind
        name = item.original_name or f"#{item.id}"
        what_en = f"{item.caption} ({name})" if item.caption else name
        what_zh = f"{item.caption}({name})" if item.caption else name
        events.append(TimelineEvent(
            local_naive(item.captured_at), "evidence_captured",
            f"{kind_en} captured: {what_en}", f"{kind_zh}:{what_zh}", item_id=item.id,
        ))

    # The logistics flow's deadline is the acceptance day, already on the timeline as such.
    if ctype is not None and ctype.flow == "complaint":
        deadline = complaint_deadline(case, ctype)
        if deadline is not None:
            unit_en = "working days" if ctype.window_working_days else "days"
            unit_zh = "个工作日" if ctype.window_working_days else "天"
            events.append(_on(
                deadline, "deadline",
                f"Last day to complain ({ctype.en}, {ctype.window_days} {unit_en})",
                f"投诉截止日({ctype.zh},{ctype.window_days} {unit_zh})",
            ))

    if case.submitted_on:
        attempt_en = f" (attempt {case.attempt_no})" if case.attempt_no > 1 else ""
        attempt_zh = f"(第 {case.attempt_no} 次)" if case.attempt_no > 1 else ""
        events.append(_on(case.submitted_on, "submitted", f"Complaint submitted{attempt_en}",
                          f"提交投诉{attempt_zh}"))
        if case.result_on is None:
            latest = expected_result(case.submitted_on, rules.platform)[1]
            lo = rules.platform.result_working_days_min
            hi = rules.platform.result_working_days_max
            events.append(_on(
                latest, "result_expected",
                f"Result expected by this day ({lo}-{hi} working days after submission)",
                f"预计最晚出结果(提交后 {lo}-{hi} 个工作日)",
            ))
    if case.result_on:
        en, zh = _RESULT_LABELS.get(case.state, ("", ""))
        events.append(_on(case.result_on, "result",
                          f"Result: {en}" if en else "Result received",
                          f"处理结果:{zh}" if zh else "收到处理结果"))

    # list.sort is stable, so same-moment events keep the life order they were added in.
    events.sort(key=lambda e: e.when)
    return events
