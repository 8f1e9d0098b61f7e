"""The state machines a case moves through: a buyer complaint, and a logistics-marketplace dispute.

The state keys are a stable contract (database column, command line, audit log); the labels and
refusal messages are for people. Every refusal says what to do instead, in both languages, because
the user meets it as a dialog or a command-line error, not as a stack trace.

A logistics dispute can be paused (both sides negotiating themselves, or a court or police case
pending) and then resumes exactly where it paused. A case has only one `state_reason` text, so the
state it paused from is kept inside that text: `encode_pause` writes it and `decode_pause` reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPLAINT = "complaint"
LOGISTICS = "logistics"

BOTH_NEGOTIATING = "both_negotiating"
COURT_OR_POLICE_CASE = "court_or_police_case"
PAUSE_REASONS = (BOTH_NEGOTIATING, COURT_OR_POLICE_CASE)
# The states a pause can begin in, and so the ones it resumes to.
_RESUMABLE = ("negotiating", "intervention_requested")


class TransitionRefused(ValueError):
    """A state change that the flow does not allow; carries the reason in English and Chinese."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en


@dataclass(frozen=True)
class State:
    key: str
    zh: str
    en: str
    terminal: bool = False

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Flow:
    key: str
    zh: str
    en: str
    initial: str
    states: tuple[State, ...]
    # Allowed moves, in the order the UI should offer them.
    moves: tuple[tuple[str, str], ...]
    # Why a particular move is refused; a move not listed here gets a generic message.
    refusals: dict[tuple[str, str], tuple[str, str]]

    def state(self, key: str) -> State:
        for s in self.states:
            if s.key == key:
                return s
        raise TransitionRefused(
            f"unknown {self.en.lower()} state {key!r}; known states: "
            + ", ".join(s.key for s in self.states),
            f"未知的{self.zh}状态 {key!r};可用状态:" + "、".join(s.key for s in self.states),
        )

    def targets(self, current: str) -> list[str]:
        self.state(current)
        return [b for a, b in self.moves if a == current]


_NOT_READY = (
    "a draft is not ready to submit: complete the evidence checklist and mark the case ready first",
    "草稿尚不能提交:请先补齐证据清单,并将案件标记为“可提交”",
)
_REJECTED_AGAIN = (
    "a rejected complaint cannot be submitted again; resubmit it as a new attempt",
    "被驳回的投诉不能再次提交;请以新一轮投诉的方式重新提交",
)
_UPHELD_CLOSED = (
    "an upheld complaint is closed; nothing follows it",
    "投诉已成立,案件已结束,无需后续操作",
)
_WITHDRAWN_CLOSED = (
    "a withdrawn complaint is closed; to complain again, start a new attempt from it",
    "已撤回的投诉已结束;如需再次投诉,请以它为基础发起新一轮投诉",
)
_RESULT_NEEDS_SUBMISSION = (
    "only a submitted complaint can get a result; submit it first",
    "只有已提交的投诉才会有处理结果;请先提交",
)
_SUBMITTED_FROZEN = (
    "a submitted complaint cannot go back to draft; wait for the result, or withdraw it",
    "已提交的投诉不能退回草稿;请等待处理结果,或撤回投诉",
)

COMPLAINT_FLOW = Flow(
    key=COMPLAINT,
    zh="买家投诉",
    en="Buyer complaint",
    initial="draft",
    states=(
        State("draft", "草稿", "Draft"),
        State("ready", "可提交", "Ready"),
        State("submitted", "已提交", "Submitted"),
        State("upheld", "投诉成立", "Upheld", terminal=True),
        State("rejected", "投诉被驳回", "Rejected", terminal=True),
        State("withdrawn", "已撤回", "Withdrawn", terminal=True),
    ),
    moves=(
        ("draft", "ready"),
        ("draft", "withdrawn"),
        # Evidence can go missing after the case was marked ready (an item removed or re-kinded).
        ("ready", "draft"),
        ("ready", "submitted"),
        ("ready", "withdrawn"),
        ("submitted", "upheld"),
        ("submitted", "rejected"),
        ("submitted", "withdrawn"),
    ),
    refusals={
        ("draft", "submitted"): _NOT_READY,
        ("draft", "upheld"): _RESULT_NEEDS_SUBMISSION,
        ("draft", "rejected"): _RESULT_NEEDS_SUBMISSION,
        ("ready", "upheld"): _RESULT_NEEDS_SUBMISSION,
        ("ready", "rejected"): _RESULT_NEEDS_SUBMISSION,
        ("submitted", "draft"): _SUBMITTED_FROZEN,
        ("submitted", "ready"): _SUBMITTED_FROZEN,
        ("rejected", "submitted"): _REJECTED_AGAIN,
        ("rejected", "ready"): _REJECTED_AGAIN,
        ("rejected", "draft"): _REJECTED_AGAIN,
        ("rejected", "upheld"): _REJECTED_AGAIN,
        ("rejected", "withdrawn"): (
            "a rejected complaint is already closed; there is nothing to withdraw",
            "被驳回的投诉已经结束,无需撤回",
        ),
        **{("upheld", t): _UPHELD_CLOSED
           for t in ("draft", "ready", "submitted", "rejected", "withdrawn")},
        **{("withdrawn", t): _WITHDRAWN_CLOSED
           for t in ("draft", "ready", "submitted", "upheld", "rejected")},
    },
)

_PAUSE_NEEDS_REASON = (
    "pausing needs a reason: both_negotiating (both sides asked to negotiate themselves) or "
    "court_or_police_case: <which court or police station, case number>",
    "中止处理需要说明原因:both_negotiating(双方一致要求自行协商)或 "
    "court_or_police_case: <法院或公安机关、案号>",
)
_DECISION_BINDS = (
    "the platform has decided: its decision must be followed until another route (court, "
    "arbitration) gives a final decision; record the payout once it is made",
    "平台已作出处理决定:在其他途径(诉讼、仲裁)取得终局决定前,双方应先履行该决定;"
    "款项支付后请记录为已支付",
)
_PAID_OUT_CLOSED = (
    "the money has been paid out and the dispute is closed here; any remaining liability is "
    "settled between the parties or through other routes",
    "款项已支付,本争议在平台上已结束;仍需承担的责任由双方自行协商或通过其他途径解决",
)
_ONLY_PLATFORM_DECIDES = (
    "only the platform decides, and only after one side asks it to intervene",
    "只有在任一方要求平台介入后,才由平台作出处理决定",
)
_BACK_TO_NEGOTIATION = (
    "once the platform is intervening, negotiating yourselves means pausing the dispute with "
    "reason both_negotiating",
    "平台介入后如双方要自行协商,请以 both_negotiating 为原因中止处理争议",
)
_SETTLED_PAYS = (
    "an agreed refund only moves on to being paid out",
    "双方已达成退款金额,下一步只能是支付款项",
)
_WITHDRAWN_DISPUTE = (
    "a withdrawn dispute is closed",
    "已撤销的争议已结束",
)

LOGISTICS_FLOW = Flow(
    key=LOGISTICS,
    zh="物流大市场争议",
    en="Logistics marketplace dispute",
    initial="refund_requested",
    states=(
        State("refund_requested", "已申请退款", "Refund requested"),
        State("negotiating", "双方协商中", "Negotiating"),
        State("intervention_requested", "已要求平台介入", "Platform intervention requested"),
        State("paused", "平台中止处理", "Paused"),
        State("settled", "已协商一致退款金额", "Refund amount agreed"),
        State("decided", "平台已作出处理", "Platform decided"),
        State("paid_out", "款项已支付", "Paid out", terminal=True),
        State("withdrawn", "已撤销", "Withdrawn", terminal=True),
    ),
    moves=(
        ("refund_requested", "negotiating"),
        # The seed lets either side ask the platform straight after the refund request.
        ("refund_requested", "intervention_requested"),
        ("refund_requested", "withdrawn"),
        ("negotiating", "settled"),
        ("negotiating", "intervention_requested"),
        ("negotiating", "paused"),
        ("negotiating", "withdrawn"),
        ("intervention_requested", "decided"),
        ("intervention_requested", "paused"),
        ("intervention_requested", "withdrawn"),
        # Leaving a pause: back where it paused from (checked in transition), or an agreement
        # reached meanwhile, or the dispute dropped.
        ("paused", "negotiating"),
        ("paused", "intervention_requested"),
        ("paused", "settled"),
        ("paused", "withdrawn"),
        ("settled", "paid_out"),
        ("decided", "paid_out"),
    ),
    refusals={
        ("refund_requested", "decided"): _ONLY_PLATFORM_DECIDES,
        ("negotiating", "decided"): _ONLY_PLATFORM_DECIDES,
        ("paused", "decided"): (
            "a paused dispute must resume before the platform can decide",
            "争议处于中止状态,须先恢复处理,平台才能作出决定",
        ),
        ("refund_requested", "paused"): (
            "only a dispute under negotiation or under platform intervention can be paused",
            "只有协商中或平台介入中的争议才能中止处理",
        ),
        ("refund_requested", "settled"): (
            "a refund amount is agreed through negotiation; start negotiating first",
            "退款金额须经协商达成,请先进入协商",
        ),
        ("refund_requested", "paid_out"): (
            "nothing is paid out before the parties agree or the platform decides",
            "双方达成一致或平台作出处理前,不会支付款项",
        ),
        ("negotiating", "paid_out"): (
            "nothing is paid out before the parties agree or the platform decides",
            "双方达成一致或平台作出处理前,不会支付款项",
        ),
        ("intervention_requested", "paid_out"): (
            "the platform pays out only after it has decided",
            "平台须先作出处理,才会支付款项",
        ),
        ("intervention_requested", "negotiating"): _BACK_TO_NEGOTIATION,
        ("intervention_requested", "settled"): _BACK_TO_NEGOTIATION,
        **{("decided", t): _DECISION_BINDS
           for t in ("refund_requested", "negotiating", "intervention_requested", "paused",
                     "settled", "withdrawn")},
        **{("settled", t): _SETTLED_PAYS
           for t in ("refund_requested", "negotiating", "intervention_requested", "paused",
                     "decided", "withdrawn")},
        **{("paid_out", t): _PAID_OUT_CLOSED
           for t in ("refund_requested", "negotiating", "intervention_requested", "paused",
                     "settled", "decided", "withdrawn")},
        **{("withdrawn", t): _WITHDRAWN_DISPUTE
           for t in ("refund_requested", "negotiating", "intervention_requested", "paused",
                     "settled", "decided", "paid_out")},
    },
)

FLOWS: dict[str, Flow] = {COMPLAINT: COMPLAINT_FLOW, LOGISTICS: LOGISTICS_FLOW}


def flow(flow_key: str) -> Flow:
    try:
        return FLOWS[flow_key]
    except KeyError:
        raise TransitionRefused(
            f"unknown flow {flow_key!r} (use {' or '.join(FLOWS)})",
            f"未知的流程 {flow_key!r}(可用:{'、'.join(FLOWS)})",
        ) from None


def initial_state(flow_key: str) -> str:
    """The state a new case of this flow starts in."""
    return flow(flow_key).initial


def label(flow_key: str, state: str, lang: str) -> str:
    return flow(flow_key).state(state).label(lang)


def is_terminal(flow_key: str, state: str) -> bool:
    return flow(flow_key).state(state).terminal


def allowed_targets(flow_key: str, current: str, *, paused_from: str = "") -> list[str]:
    """States reachable from `current`; a pause can only resume where it paused, if that is known."""
    targets = flow(flow_key).targets(current)
    if current == "paused" and paused_from:
        targets = [t for t in targets if t not in _RESUMABLE or t == paused_from]
    return targets


def can_resubmit(state: str, flow_key: str = COMPLAINT) -> bool:
    """Whether a new attempt may be started from a case in this state.

    Rejected: the seed says a failed complaint can be submitted again. Withdrawn: the seller
    stopped this attempt (the buyer promised to pay, say) and may need to complain after all,
    with the evidence already collected. Upheld is won, and a live attempt (draft, ready,
    submitted) is simply continued. A logistics dispute has no resubmission: after the platform's
    decision the parties go to court or arbitration instead (the seed's "other routes").
    """
    if flow_key != COMPLAINT:
        return False
    COMPLAINT_FLOW.state(state)
    return state in ("rejected", "withdrawn")


# Pauses -------------------------------------------------------------------------------------------

_PAUSE_TEXT = re.compile(r"^\s*(?P<code>[a-z_]+)\s*(?::\s*(?P<note>.*))?$", re.DOTALL)
_STORED_PAUSE = re.compile(r"^paused_from=(?P<src>[a-z_]+);\s*(?P<reason>.*)$", re.DOTALL)


@dataclass(frozen=True)
class PauseInfo:
    code: str
    note: str
    paused_from: str

    def label(self, lang: str) -> str:
        """E.g. 'Court or police case pending: Shenzhen police, case 123'."""
        names = {
            BOTH_NEGOTIATING: ("双方一致要求自行协商", "Both sides negotiating themselves"),
            COURT_OR_POLICE_CASE: ("已申请司法机关解决或已向公安机关报案",
                                   "Court or police case pending"),
        }
        zh, en = names[self.code]
        head = zh if lang == "zh" else en
        sep = ":" if lang == "zh" else ": "
        return f"{head}{sep}{self.note}" if self.note else head


def parse_pause_reason(reason: str) -> tuple[str, str]:
    """Split 'court_or_police_case: note' into (code, note); refuse a missing or unknown reason."""
    m = _PAUSE_TEXT.match(reason or "")
    if not m or m["code"] not in PAUSE_REASONS:
        raise TransitionRefused(*_PAUSE_NEEDS_REASON)
    note = (m["note"] or "").strip()
    if m["code"] == COURT_OR_POLICE_CASE and not note:
        # The platform waits for that case's outcome, so the seller must be able to say which.
        raise TransitionRefused(
            "a court or police case pause needs a note naming the case "
            "(court or police station, case number)",
            "因司法或公安案件中止处理时,请注明是哪一个案件(法院或公安机关、案号)",
        )
    return m["code"], note


def encode_pause(paused_from: str, reason: str) -> str:
    """The `state_reason` to store while paused: the reason plus the state to resume to."""
    code, note = parse_pause_reason(reason)
    LOGISTICS_FLOW.state(paused_from)
    return f"paused_from={paused_from}; {code}: {note}" if note else (
        f"paused_from={paused_from}; {code}")


def decode_pause(state_reason: str) -> PauseInfo:
    """Read back what `encode_pause` stored; raise TransitionRefused if it is not such a text."""
    m = _STORED_PAUSE.match(state_reason or "")
    if not m:
        raise TransitionRefused(
            "the paused case does not record which state it paused from",
            "该中止的案件没有记录中止前的状态",
        )
    code, note = parse_pause_reason(m["reason"])
    return PauseInfo(code=code, note=note, paused_from=m["src"])


# Transitions ----------------------------------------------------------------------------------------


def transition(
    flow_key: str, current: str, target: str, *, reason: str = "", paused_from: str = ""
) -> str:
    """Check one move and return the new state, or raise TransitionRefused saying why not.

    `reason` is required when pausing ('both_negotiating' or 'court_or_police_case: note').
    `paused_from` is required when leaving a pause back to work: the state the pause began in
    (`decode_pause(case.state_reason).paused_from`).
    """
    f = flow(flow_key)
    cur = f.state(current)
    tgt = f.state(target)
    if current == target:
        raise TransitionRefused(
            f"the case is already {cur.en.lower()}", f"案件已经是“{cur.zh}”状态"
        )
    if (current, target) not in f.moves:
        if (current, target) in f.refusals:
            raise TransitionRefused(*f.refusals[(current, target)])
        raise TransitionRefused(
            f"a case cannot go from {cur.en.lower()} to {tgt.en.lower()}",
            f"案件不能从“{cur.zh}”变为“{tgt.zh}”",
        )
    if target == "paused":
        parse_pause_reason(reason)
    if current == "paused" and target in _RESUMABLE:
        if not paused_from:
            raise TransitionRefused(
                "resuming a paused dispute needs the state it paused from",
                "恢复中止的争议时,需要知道中止前的状态",
            )
        if target != paused_from:
            src = f.state(paused_from)
            raise TransitionRefused(
                f"a paused dispute resumes where it paused: {src.en.lower()}",
                f"中止的争议只能恢复到中止前的状态:“{src.zh}”",
            )
    return target
