"""What a case still lacks before it can be submitted, and what could weaken it.

`evaluate` is pure: the caller passes `today`, so the answer is reproducible in tests and the same
in the window, on the command line and in the dossier.

Warning codes are a stable contract (the UI and the tests key on them):

========================  =======================================================================
window_closing            0 <= days left <= the platform's `window_closing_days`
window_passed             the window closed before today (or before the complaint was submitted)
no_completion_date        complaint flow: the date the window counts from is not set (not ready)
no_payment_date           logistics flow: no payment date, so the refund window cannot be checked
refund_window             logistics flow: refund requested before payment or after acceptance
no_refund_request         logistics flow: no refund requested yet (the dispute starts with one)
off_platform_chat         a chat record from a known non-platform source, channel not agreed
                          (the source as filed, or else the chat app recognised in the picture)
order_mismatch            a file name carries an order number that is not the case's, or an
                          order screenshot's recognised one is not (item flag `order_ok` dismisses)
kind_suggestion           the recognised words say the item is of another kind than it is filed
                          as (dismissed by the item flag `kind_ok`)
future_capture            captured later than today, or flagged so when the file was read
captured_after_complaint  captured after the case was submitted
damaged_image             the file was flagged as a damaged image
deceptive_name            the file name holds bidirectional controls that can disguise its type
duplicate_content         two or more items share the same SHA-256 (one warning per group)
no_demand                 the case states no demand
unknown_type              the case's complaint type is not in the rules (not ready)
unredacted_personal_data  an identity document or transaction record carries no redaction box,
                          and the seller has not marked it as checked (flag `privacy_ok`)
========================  =======================================================================

Off-platform chat records and damaged images do not count towards a requirement: the platform
does not accept the first as evidence and cannot read the second. Identical files count once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from evidence_desk.core.deadlines import (
    case_date,
    complaint_deadline,
    days_left,
    local_naive,
)
from evidence_desk.core.marks import has_redaction
from evidence_desk.core.recognised import (
    RecognisedText,
    chat_channel,
    order_key,
    order_numbers,
    suggested_kind,
)
from evidence_desk.core.rules import ComplaintType, Requirement, Rules
from evidence_desk.core.types import CaseInfo, EvidenceInfo

# Evidence kind keys are a stable contract (DESIGN.md); only chat evidence has a channel rule.
CHAT_KIND = "chat_record"
FLAG_DAMAGED = "damaged_image"
FLAG_FUTURE = "future_capture"
# Set by the seller on an item that needs no redaction; dismisses unredacted_personal_data.
FLAG_PRIVACY_OK = "privacy_ok"
# Kinds full of personal data (ID numbers, phones, addresses, card numbers) that the platform
# shows to the other party.
PERSONAL_DATA_KINDS = ("identity_document", "transaction_record")
# Set by the seller on an item whose recognised order number is right after all (an older
# order of the same buyer, a misread); dismisses order_mismatch for it.
FLAG_ORDER_OK = "order_ok"
# Set by the seller on an item filed under the kind they mean; dismisses kind_suggestion.
FLAG_KIND_OK = "kind_ok"
ORDER_KIND = "order_screenshot"

# Names listed in one message before "and N more": enough to find them, short enough to read.
_MAX_NAMES = 5

# Case date fields a rules file may name as a window's start or end.
_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "completed_on": ("completion date", "交易完成日期"),
    "paid_on": ("payment date", "付款日期"),
    "accepted_on": ("acceptance date", "服务验收日期"),
    "refund_requested_on": ("refund request date", "退款申请日期"),
    "submitted_on": ("submission date", "投诉提交日期"),
}


@dataclass(frozen=True)
class RequirementStatus:
    kinds: tuple[str, ...]
    level: str
    required: bool
    min: int
    # Distinct usable contents of these kinds (identical files count once).
    count: int
    satisfied: bool
    # The usable items of these kinds, in case order.
    item_ids: tuple[int, ...]

    @property
    def kind(self) -> str:
        return self.kinds[0]


@dataclass(frozen=True)
class Warning:  # the agreed name; shadows the builtin only inside this module
    code: str
    message: str
    message_zh: str
    item_ids: tuple[int, ...] = ()

    def text(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message


@dataclass(frozen=True)
class Checklist:
    case_id: int
    type_key: str
    ready: bool
    deadline: date | None
    days_left: int | None
    requirements: tuple[RequirementStatus, ...]
    warnings: tuple[Warning, ...]

    @property
    def met(self) -> int:
        return sum(1 for r in self.requirements if r.required and r.satisfied)

    @property
    def required_count(self) -> int:
        return sum(1 for r in self.requirements if r.required)

    @property
    def missing(self) -> tuple[RequirementStatus, ...]:
        """Required (or any_of) requirements not yet satisfied."""
        return tuple(r for r in self.requirements if r.required and not r.satisfied)

    def warning_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.warnings)

    def to_json(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_left": self.days_left,
            "requirements": [
                {
                    "kind": r.kind, "kinds": list(r.kinds), "level": r.level,
                    "required": r.required, "satisfied": r.satisfied, "count": r.count,
                    "min": r.min, "item_ids": list(r.item_ids),
                }
                for r in self.requirements
            ],
            "warnings": [
                {"code": w.code, "message": w.message, "message_zh": w.message_zh,
                 "item_ids": list(w.item_ids)}
                for w in self.warnings
            ],
        }


def evaluate(
    case: CaseInfo, items: Sequence[EvidenceInfo], rules: Rules, today: date,
    recognised: Mapping[str, RecognisedText] | None = None,
) -> Checklist:
    """The checklist of `case` with its evidence `items` under `rules`, as seen on `today`.

    `recognised` maps an original's SHA-256 to the text read in it (OCR), when there is any.
    """
    recognised = recognised or {}
    ordered = with_recognised_channels(
        sorted(items, key=lambda i: (i.position, i.id)), recognised, rules)
    ctype = rules.types.get(case.type_key)
    warnings: list[Warning] = []
    if ctype is None:
        warnings.append(Warning(
            "unknown_type",
            f"The complaint type '{case.type_key}' is not in the rules ({rules.folder}); "
            "choose another type or restore it in complaint_types.toml.",
            f"规则中没有投诉类型“{case.type_key}”({rules.folder});请改选投诉类型,"
            "或在 complaint_types.toml 中恢复它。",
        ))
        warnings += _item_warnings(case, ordered, rules, today)
        return Checklist(case.id, case.type_key, False, None, None, (), tuple(warnings))

    deadline = complaint_deadline(case, ctype)
    left = days_left(deadline, today)
    if ctype.flow == "logistics":
        window_ok = _logistics_window(case, ctype, rules, deadline, left, warnings)
    else:
        window_ok = _complaint_window(case, ctype, rules, deadline, left, warnings)
    if not case.demand.strip():
        warnings.append(Warning(
            "no_demand",
            f"The {ctype.en} case states no demand: say clearly what you ask the platform "
            "to do; a clear demand lets the platform handle the complaint faster.",
            f"{ctype.zh}案件未填写诉求:请明确希望平台如何处理,诉求明确能让平台更快处理。",
        ))
    warnings += _statement_warnings(case, rules)
    warnings += _item_warnings(case, ordered, rules, today)
    # An item whose file name already shows another order needs no second word on it.
    named = {i for w in warnings if w.code == "order_mismatch" for i in w.item_ids}
    warnings += [w for w in recognised_warnings(case, ordered, recognised, rules)
                 if not (w.code == "order_mismatch" and set(w.item_ids) <= named)]

    unusable = _unusable_ids(case, ordered, rules)
    usable = [i for i in ordered if i.id not in unusable]
    statuses = tuple(_requirement_status(req, usable) for req in ctype.requirements)
    ready = window_ok and all(s.satisfied for s in statuses if s.required)
    return Checklist(case.id, case.type_key, ready, deadline, left, statuses, tuple(warnings))


def _requirement_status(req: Requirement, usable: Sequence[EvidenceInfo]) -> RequirementStatus:
    matching = [i for i in usable if i.kind in req.kinds]
    count = len({_content_key(i) for i in matching})
    return RequirementStatus(
        kinds=req.kinds, level=req.level, required=req.required, min=req.min,
        count=count, satisfied=count >= req.min, item_ids=tuple(i.id for i in matching),
    )


def _content_key(item: EvidenceInfo) -> str:
    # An item whose hash is not known yet is its own content, never a duplicate of another.
    return item.sha256 or f"#{item.id}"


def _is_off_platform_chat(case: CaseInfo, item: EvidenceInfo, rules: Rules) -> bool:
    if item.kind != CHAT_KIND or case.other_channel_agreed:
        return False
    source = rules.sources.get(item.source)
    # An empty or unknown source says nothing about the channel; flagging it would cry wolf.
    return source is not None and not source.platform_chat


def _unusable_ids(case: CaseInfo, items: Sequence[EvidenceInfo], rules: Rules) -> set[int]:
    return {
        i.id for i in items
        if _is_off_platform_chat(case, i, rules) or FLAG_DAMAGED in i.flags
    }


# --- the window -------------------------------------------------------------------------------


def _days(n: int, lang: str, working: bool = False) -> str:
    if lang == "zh":
        return f"{n} 个工作日" if working else f"{n} 天"
    unit = "working day" if working else "day"
    return f"{n} {unit}" if abs(n) == 1 else f"{n} {unit}s"


def _field_label(name: str, lang: str) -> str:
    en, zh = _FIELD_LABELS.get(name, (name, name))
    return zh if lang == "zh" else en


def _complaint_window(
    case: CaseInfo, ctype: ComplaintType, rules: Rules,
    deadline: date | None, left: int | None, out: list[Warning],
) -> bool:
    start = case_date(case, ctype.window_from)
    span_en = _days(ctype.window_days, "en", ctype.window_working_days)
    span_zh = _days(ctype.window_days, "zh", ctype.window_working_days)
    if start is None or deadline is None or left is None:
        field_en = _field_label(ctype.window_from, "en")
        field_zh = _field_label(ctype.window_from, "zh")
        out.append(Warning(
            "no_completion_date",
            f"The case has no {field_en}, so the window of {span_en} for a "
            f"{ctype.en} complaint cannot be worked out; enter the {field_en}.",
            f"案件缺少{field_zh},无法计算{ctype.zh}投诉的 {span_zh}时效;请填写{field_zh}。",
        ))
        return False
    basis_en = f"{span_en} after the {_field_label(ctype.window_from, 'en')} {start}"
    basis_zh = f"{_field_label(ctype.window_from, 'zh')} {start} 后 {span_zh}"
    if case.submitted_on is not None:
        # Once filed, what matters is whether it was filed in time, not how late it is now.
        if case.submitted_on > deadline:
            late = (case.submitted_on - deadline).days
            out.append(Warning(
                "window_passed",
                f"The complaint was submitted on {case.submitted_on}, {_days(late, 'en')} after "
                f"the window closed on {deadline} ({basis_en}).",
                f"投诉于 {case.submitted_on} 提交,已超过 {deadline} 的截止日期 "
                f"{_days(late, 'zh')}({basis_zh})。",
            ))
            return False
        return True
    if left < 0:
        out.append(Warning(
            "window_passed",
            f"The complaint window closed on {deadline}, {_days(-left, 'en')} ago ({basis_en}); "
            f"the platform may no longer accept a {ctype.en} complaint.",
            f"投诉时效已于 {deadline} 截止,已过 {_days(-left, 'zh')}({basis_zh}),"
            f"平台可能不再受理{ctype.zh}投诉。",
        ))
        return False
    if left <= rules.platform.window_closing_days:
        when_en = "Today is the last day" if left == 0 else f"Only {_days(left, 'en')} left"
        when_zh = "今天是最后一天" if left == 0 else f"仅剩 {_days(left, 'zh')}"
        out.append(Warning(
            "window_closing",
            f"{when_en}: a {ctype.en} complaint must be submitted by {deadline} ({basis_en}).",
            f"{when_zh}:{ctype.zh}投诉须在 {deadline} 前提交({basis_zh})。",
        ))
    return True


def _logistics_window(
    case: CaseInfo, ctype: ComplaintType, rules: Rules,
    deadline: date | None, left: int | None, out: list[Warning],
) -> bool:
    paid = case_date(case, ctype.window_from)
    accepted = deadline
    refund = case.refund_requested_on
    ok = True
    if paid is None:
        out.append(Warning(
            "no_payment_date",
            f"The case has no {_field_label(ctype.window_from, 'en')}: a refund can only be "
            "requested after payment and before the service is accepted, so the request date "
            "cannot be checked; enter the payment date.",
            f"案件缺少{_field_label(ctype.window_from, 'zh')}:退款须在付款后、服务验收前申请,"
            "无法核对申请时间;请填写付款日期。",
        ))
        ok = False
    if refund is not None:
        if paid is not None and refund < paid:
            out.append(Warning(
                "refund_window",
                f"The refund was requested on {refund}, before the payment on {paid}; it must "
                "be requested after payment and before the service is accepted.",
                f"退款申请日期 {refund} 早于付款日期 {paid};退款须在付款后、服务验收前申请。",
            ))
            ok = False
        elif accepted is not None and refund > accepted:
            out.append(Warning(
                "refund_window",
                f"The refund was requested on {refund}, after the service was accepted on "
                f"{accepted}; it must be requested after payment and before acceptance.",
                f"退款申请日期 {refund} 晚于服务验收日期 {accepted};退款须在付款后、"
                "服务验收前申请。",
            ))
            ok = False
        # A refund requested in time keeps the dispute open; acceptance later changes nothing.
        return ok
    if accepted is not None and left is not None and left < 0:
        out.append(Warning(
            "window_passed",
            f"The service was accepted on {accepted}, {_days(-left, 'en')} ago, and no refund "
            "was requested before that; the platform only handles refunds requested after "
            "payment and before acceptance.",
            f"服务已于 {accepted} 验收(已过 {_days(-left, 'zh')}),验收前未申请退款;"
            "平台只受理付款后、验收前提出的退款申请。",
        ))
        return False
    if accepted is not None and left is not None and left <= rules.platform.window_closing_days:
        when_en = "Today is the last day" if left == 0 else f"Only {_days(left, 'en')} left"
        when_zh = "今天是最后一天" if left == 0 else f"仅剩 {_days(left, 'zh')}"
        out.append(Warning(
            "window_closing",
            f"{when_en}: the service is accepted on {accepted} and the refund must be "
            "requested before then.",
            f"{when_zh}:服务验收日期为 {accepted},须在此之前申请退款。",
        ))
    until_en = f"by {accepted}" if accepted else "before the service is accepted"
    until_zh = f"{accepted} 之前" if accepted else "服务验收前"
    out.append(Warning(
        "no_refund_request",
        f"No refund has been requested yet: a {ctype.en} starts with a refund request to the "
        f"provider, made after payment and {until_en}; enter the date it was requested.",
        f"尚未申请退款:{ctype.zh}须先在付款后、{until_zh}向服务商申请退款;"
        "请填写退款申请日期。",
    ))
    return False


# --- the items ---------------------------------------------------------------------------------


def _name(item: EvidenceInfo) -> str:
    return item.original_name or item.caption or f"#{item.id}"


def _names(
    items: Sequence[EvidenceInfo], lang: str,
    detail: Callable[[EvidenceInfo], str] | None = None,
) -> str:
    shown = items[:_MAX_NAMES]
    if lang == "zh":
        parts = [f"“{_name(i)}”" + (f"({detail(i)})" if detail else "") for i in shown]
        text = "、".join(parts)
        return text + (f" 等 {len(items)} 个文件" if len(items) > len(shown) else "")
    parts = [f"'{_name(i)}'" + (f" ({detail(i)})" if detail else "") for i in shown]
    text = ", ".join(parts)
    return text + (f" and {len(items) - len(shown)} more" if len(items) > len(shown) else "")


def _kind_label(rules: Rules, key: str, lang: str) -> str:
    kind = rules.kinds.get(key)
    return kind.label(lang) if kind else key


def _items_en(n: int) -> str:
    return "1 item" if n == 1 else f"{n} items"


def _en(n: int, one: str, many: str) -> str:
    """`one` or `many`, by English grammatical number."""
    return one if n == 1 else many


def _item_warnings(
    case: CaseInfo, items: Sequence[EvidenceInfo], rules: Rules, today: date
) -> list[Warning]:
    out: list[Warning] = []
    platform = rules.platform

    def ids(group: Sequence[EvidenceInfo]) -> tuple[int, ...]:
        return tuple(i.id for i in group)

    off = [i for i in items if _is_off_platform_chat(case, i, rules)]
    if off:
        chat_en = _kind_label(rules, CHAT_KIND, "en")
        chat_zh = _kind_label(rules, CHAT_KIND, "zh")

        def source_en(i: EvidenceInfo) -> str:
            return rules.sources[i.source].en

        def source_zh(i: EvidenceInfo) -> str:
            return rules.sources[i.source].zh

        out.append(Warning(
            "off_platform_chat",
            f"{_items_en(len(off))} filed as {chat_en} did not come from {platform.chat_tool_en}: "
            f"{_names(off, 'en', source_en)}. Only the platform's own chat counts as evidence "
            "unless both parties agreed on another channel, so "
            f"{_en(len(off), 'it is', 'they are')} not counted; mark the case if the channel "
            "was agreed.",
            f"{len(off)} 份{chat_zh}不是来自{platform.chat_tool_zh}:{_names(off, 'zh', source_zh)}。"
            "除非双方事先同意使用其他渠道,只有平台自有聊天工具的记录才算证据,因此未计入;"
            "如已约定渠道,请在案件中注明。",
            ids(off),
        ))

    future = [
        i for i in items
        if FLAG_FUTURE in i.flags
        or (i.captured_at is not None and local_naive(i.captured_at).date() > today)
    ]
    if future:
        def when(i: EvidenceInfo) -> str:
            if i.captured_at is None:
                return "?"
            return local_naive(i.captured_at).strftime("%Y-%m-%d %H:%M")

        out.append(Warning(
            "future_capture",
            f"{_items_en(len(future))} {_en(len(future), 'carries', 'carry')} a capture time "
            f"later than today ({today}): "
            f"{_names(future, 'en', when)}. Check the device clock or correct the time; "
            "the other party can dispute evidence with an impossible date.",
            f"{len(future)} 个文件的拍摄时间晚于今天({today}):{_names(future, 'zh', when)}。"
            "请检查设备时间或更正拍摄时间,日期不合理的证据可能被对方质疑。",
            ids(future),
        ))

    if case.submitted_on is not None:
        submitted = case.submitted_on
        late = [
            i for i in items
            if i.captured_at is not None and local_naive(i.captured_at).date() > submitted
        ]
        if late:
            def day(i: EvidenceInfo) -> str:
                assert i.captured_at is not None
                return local_naive(i.captured_at).date().isoformat()

            out.append(Warning(
                "captured_after_complaint",
                f"{_items_en(len(late))} {_en(len(late), 'was', 'were')} captured after the "
                f"complaint was submitted on {submitted}: {_names(late, 'en', day)}. "
                f"{_en(len(late), 'It was', 'They were')} not part of that complaint; add "
                f"{_en(len(late), 'it', 'them')} to a resubmission.",
                f"{len(late)} 个文件拍摄于投诉提交日 {submitted} 之后:{_names(late, 'zh', day)}。"
                "它们不属于已提交的投诉,请在再次提交时附上。",
                ids(late),
            ))

    damaged = [i for i in items if FLAG_DAMAGED in i.flags]
    if damaged:
        out.append(Warning(
            "damaged_image",
            f"{_items_en(len(damaged))} could not be read completely and "
            f"{_en(len(damaged), 'is', 'are')} not counted: "
            f"{_names(damaged, 'en', lambda i: _kind_label(rules, i.kind, 'en'))}. "
            f"Capture or export {_en(len(damaged), 'it', 'them')} again.",
            f"{len(damaged)} 张图片已损坏,未计入:"
            f"{_names(damaged, 'zh', lambda i: _kind_label(rules, i.kind, 'zh'))}。"
            "请重新截图或导出。",
            ids(damaged),
        ))

    disguised = [i for i in items if "deceptive_name" in i.flags]
    if disguised:
        out.append(Warning(
            "deceptive_name",
            f"{_items_en(len(disguised))} {_en(len(disguised), 'has', 'have')} a file name with "
            "hidden direction controls that can disguise its real type; the exhibit number is "
            "used in exports instead of the name.",
            f"{len(disguised)} 个文件的文件名含有隐藏的方向控制字符,可能伪装真实类型;"
            "导出时使用证据编号代替文件名。",
            ids(disguised),
        ))

    exposed = [i for i in items if i.kind in PERSONAL_DATA_KINDS
               and FLAG_PRIVACY_OK not in i.flags and not has_redaction(i.marks)]
    if exposed:
        out.append(Warning(
            "unredacted_personal_data",
            f"{_items_en(len(exposed))} may show personal data to the buyer, with nothing "
            f"redacted: {_names(exposed, 'en', lambda i: _kind_label(rules, i.kind, 'en'))}. "
            "Everything uploaded is shown to the other party: cover ID numbers, phone numbers, "
            "addresses and card numbers (Redact / annotate), or mark the item as checked.",
            f"{len(exposed)} 个文件可能向买家展示个人信息,且未做任何遮盖:"
            f"{_names(exposed, 'zh', lambda i: _kind_label(rules, i.kind, 'zh'))}。"
            "上传的所有内容都会展示给对方:请遮盖身份证号、电话、地址和银行卡号(遮盖/标注),"
            "或将其标记为已检查。",
            ids(exposed),
        ))

    out += _order_mismatch(case, items)

    groups: dict[str, list[EvidenceInfo]] = {}
    for i in items:
        if i.sha256:
            groups.setdefault(i.sha256, []).append(i)
    for group in groups.values():
        if len(group) < 2:
            continue
        out.append(Warning(
            "duplicate_content",
            f"{len(group)} items have identical content: "
            f"{_names(group, 'en', lambda i: _kind_label(rules, i.kind, 'en'))}. "
            "They count once; remove the copies.",
            f"{len(group)} 个文件内容完全相同:"
            f"{_names(group, 'zh', lambda i: _kind_label(rules, i.kind, 'zh'))}。"
            "只计一次,请删除重复文件。",
            ids(group),
        ))
    return out


# "order_2410762415855894_20241121100946.png", "订单号2410762415855894.jpg", "Order No 2410...":
# an order number the name says it is.
_NAMED_ORDER = re.compile(r"(?:(?<![a-z])order|订单)[\s_\-#:：.]*(?:no|number|id|号)?[\s_\-#:：.]*"
                          r"(?<!\d)(\d{8,24})(?!\d)", re.IGNORECASE)
# A bare run this long is an Alibaba.com order number (16 to 19 digits); shorter runs are dates,
# epochs and counters.
_BARE_ORDER = re.compile(r"(?<!\d)(\d{15,20})(?!\d)")
_TIMESTAMP_PREFIX = re.compile(r"20\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d"
                               r"[0-5]\d")


def order_number_in_name(name: str) -> str | None:
    """The order number a file name carries, as digits; None when it names none.

    A run of digits that reads as a date and time with milliseconds (a screenshot's stamp) is
    not an order number.
    """
    base = re.split(r"[\\/]", name)[-1]
    runs = [m.group(1) for m in _NAMED_ORDER.finditer(base)] + _BARE_ORDER.findall(base)
    return next((run for run in runs if not _looks_like_time(run)), None)


def _looks_like_time(run: str) -> bool:
    # YYYYMMDDHHMMSS, perhaps with milliseconds: "20241121100946", "20240205153628123".
    return len(run) <= 17 and _TIMESTAMP_PREFIX.match(run) is not None


def _order_mismatch(case: CaseInfo, items: Sequence[EvidenceInfo]) -> list[Warning]:
    own = re.sub(r"\D", "", case.order_no or "")
    if len(own) < 8:
        return []  # not an order number a file name's could be compared with
    out: list[Warning] = []
    for i in items:
        other = order_number_in_name(i.original_name)
        if other is None or other == own or FLAG_ORDER_OK in i.flags:
            continue
        out.append(Warning(
            "order_mismatch",
            f"The file name '{_name(i)}' carries order number {other}, but this case is about "
            f"order {case.order_no}: check that it belongs to this case, or move it to the "
            "case of its order.",
            f"文件名“{_name(i)}”中的订单号为 {other},而本案件的订单号是 {case.order_no}:"
            "请确认它属于本案件,否则请移到对应订单的案件中。",
            (i.id,),
        ))
    return out


_PLACEHOLDER = re.compile(r"\[please (?:translate|fill in):[^\]]*\]")


def _statement_warnings(case: CaseInfo, rules: Rules) -> list[Warning]:
    """The platform refuses complaint text with non-English characters; say so before it does."""
    text = case.statement_en
    out: list[Warning] = []
    if not text.strip():
        return out
    # Quote the words as typed (first few runs), not a jumble of their characters.
    foreign = re.findall(r"[^\x00-\x7f]+", text)
    if rules.platform.statement_ascii_only and foreign:
        sample = "、".join(dict.fromkeys(foreign[:5]))
        out.append(Warning(
            "statement_not_english",
            f"The English statement still holds non-English characters ({sample}); "
            f"{rules.platform.name_en} refuses such text, so translate them.",
            f"英文投诉说明中仍有非英文字符({sample});{rules.platform.name_zh}"
            "会拒绝提交此类文字,请翻译成英文。",
        ))
    gaps = _PLACEHOLDER.findall(text)
    if gaps:
        named = ", ".join(dict.fromkeys(gaps))
        out.append(Warning(
            "statement_placeholder",
            f"The English statement still has {len(gaps)} gap(s) to fill: {named}.",
            f"英文投诉说明中还有 {len(gaps)} 处待填写:{named}。",
        ))
    return out


# --- what the screenshots say (OCR) -------------------------------------------------------------


def with_recognised_channels(
    items: Sequence[EvidenceInfo], recognised: Mapping[str, RecognisedText], rules: Rules
) -> list[EvidenceInfo]:
    """The items, each chat record with no source given taking the chat app recognised in its
    picture as its source (for this evaluation only; the stored item is not changed). A source
    the seller chose always wins, so naming the platform's chat dismisses the finding."""
    out: list[EvidenceInfo] = []
    for item in items:
        rec = recognised.get(item.sha256)
        if item.kind == CHAT_KIND and not item.source and rec is not None:
            channel = chat_channel(rec)
            if channel in rules.sources:
                item = replace(item, source=channel)
        out.append(item)
    return out


def recognised_warnings(
    case: CaseInfo, items: Sequence[EvidenceInfo], recognised: Mapping[str, RecognisedText],
    rules: Rules,
) -> list[Warning]:
    """order_mismatch and kind_suggestion, from the text read in the items' pictures."""
    out: list[Warning] = []
    wanted = order_key(case.order_no)
    for item in items:
        rec = recognised.get(item.sha256)
        if rec is None:
            continue
        guess = suggested_kind(rec)
        is_order_page = item.kind == ORDER_KIND or (item.kind == "other" and guess == ORDER_KIND)
        if wanted and is_order_page and FLAG_ORDER_OK not in item.flags:
            shown = order_numbers(rec.text)
            if shown and wanted not in shown:
                numbers = ", ".join(shown[:3])
                out.append(Warning(
                    "order_mismatch",
                    f"'{_name(item)}' shows order number {numbers}, not the case's order "
                    f"{case.order_no}: check that it is the screenshot of this order, or mark "
                    "it as checked.",
                    f"“{_name(item)}”显示的订单号为 {numbers},与本案订单号 {case.order_no} "
                    "不一致:请确认这是本订单的截图,或将其标记为已核对。",
                    (item.id,),
                ))
        if (guess and guess != item.kind and guess in rules.kinds
                and FLAG_KIND_OK not in item.flags):
            out.append(Warning(
                "kind_suggestion",
                f"'{_name(item)}' is filed as {_kind_label(rules, item.kind, 'en')} but its text "
                f"reads like {_kind_label(rules, guess, 'en')}: change its kind, or keep it "
                "and mark it as checked.",
                f"“{_name(item)}”归为{_kind_label(rules, item.kind, 'zh')},但识别出的文字更像"
                f"{_kind_label(rules, guess, 'zh')}:可更改其类型,或保留并标记为已核对。",
                (item.id,),
            ))
    return out
