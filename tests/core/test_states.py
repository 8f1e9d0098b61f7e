"""The complaint and logistics-dispute state machines: every move, allowed or refused, and why."""

from __future__ import annotations

import itertools

import pytest

from evidence_desk.core import states as st
from evidence_desk.core.states import (
    COMPLAINT,
    LOGISTICS,
    TransitionRefused,
    allowed_targets,
    can_resubmit,
    decode_pause,
    encode_pause,
    initial_state,
    is_terminal,
    label,
    transition,
)

COMPLAINT_STATES = ["draft", "ready", "submitted", "upheld", "rejected", "withdrawn"]
COMPLAINT_ALLOWED = {
    ("draft", "ready"), ("draft", "withdrawn"),
    ("ready", "draft"), ("ready", "submitted"), ("ready", "withdrawn"),
    ("submitted", "upheld"), ("submitted", "rejected"), ("submitted", "withdrawn"),
}
LOGISTICS_STATES = ["refund_requested", "negotiating", "intervention_requested", "paused",
                    "settled", "decided", "paid_out", "withdrawn"]
LOGISTICS_ALLOWED = {
    ("refund_requested", "negotiating"), ("refund_requested", "intervention_requested"),
    ("refund_requested", "withdrawn"),
    ("negotiating", "settled"), ("negotiating", "intervention_requested"),
    ("negotiating", "paused"), ("negotiating", "withdrawn"),
    ("intervention_requested", "decided"), ("intervention_requested", "paused"),
    ("intervention_requested", "withdrawn"),
    ("paused", "negotiating"), ("paused", "intervention_requested"), ("paused", "settled"),
    ("paused", "withdrawn"),
    ("settled", "paid_out"), ("decided", "paid_out"),
}


def _kwargs(current: str, target: str) -> dict[str, str]:
    """What a legitimate caller passes: a reason when pausing, the origin when resuming."""
    if target == "paused":
        return {"reason": "court_or_police_case: Shenzhen Futian police, case 2024-0518"}
    if current == "paused" and target in ("negotiating", "intervention_requested"):
        return {"paused_from": target}
    return {}


# Every allowed move -------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), sorted(COMPLAINT_ALLOWED))
def test_complaint_allowed(current: str, target: str) -> None:
    assert transition(COMPLAINT, current, target) == target


@pytest.mark.parametrize(("current", "target"), sorted(LOGISTICS_ALLOWED))
def test_logistics_allowed(current: str, target: str) -> None:
    assert transition(LOGISTICS, current, target, **_kwargs(current, target)) == target


def test_allowed_targets_match_the_tables() -> None:
    for flow_key, names, allowed in ((COMPLAINT, COMPLAINT_STATES, COMPLAINT_ALLOWED),
                                     (LOGISTICS, LOGISTICS_STATES, LOGISTICS_ALLOWED)):
        for s in names:
            assert set(allowed_targets(flow_key, s)) == {b for a, b in allowed if a == s}


# Every refused move has a message in both languages -------------------------------------------


def _refused(states: list[str], allowed: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return [p for p in itertools.product(states, states) if p not in allowed]


@pytest.mark.parametrize(("current", "target"), _refused(COMPLAINT_STATES, COMPLAINT_ALLOWED))
def test_complaint_refused(current: str, target: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(COMPLAINT, current, target)
    assert err.value.message_en and err.value.message_zh
    assert str(err.value) == err.value.message_en


@pytest.mark.parametrize(("current", "target"), _refused(LOGISTICS_STATES, LOGISTICS_ALLOWED))
def test_logistics_refused(current: str, target: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(LOGISTICS, current, target, **_kwargs(current, target))
    assert err.value.message_en and err.value.message_zh


@pytest.mark.parametrize("target", ["submitted", "ready", "draft", "upheld"])
def test_rejected_complaint_must_be_resubmitted_as_new_attempt(target: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(COMPLAINT, "rejected", target)
    assert err.value.message_en == (
        "a rejected complaint cannot be submitted again; resubmit it as a new attempt")
    assert err.value.message_zh == "被驳回的投诉不能再次提交;请以新一轮投诉的方式重新提交"


@pytest.mark.parametrize(("current", "target", "words"), [
    ("draft", "submitted", "not ready to submit"),
    ("draft", "upheld", "only a submitted complaint can get a result"),
    ("ready", "rejected", "only a submitted complaint can get a result"),
    ("submitted", "draft", "cannot go back to draft"),
    ("submitted", "ready", "cannot go back to draft"),
    ("upheld", "submitted", "upheld complaint is closed"),
    ("withdrawn", "ready", "start a new attempt"),
    ("rejected", "withdrawn", "nothing to withdraw"),
    ("draft", "draft", "already draft"),
])
def test_complaint_refusal_messages(current: str, target: str, words: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(COMPLAINT, current, target)
    assert words in err.value.message_en


@pytest.mark.parametrize(("current", "target", "words"), [
    ("negotiating", "decided", "only the platform decides"),
    ("refund_requested", "paused", "only a dispute under negotiation"),
    ("intervention_requested", "negotiating", "pausing the dispute with reason both_negotiating"),
    ("intervention_requested", "paid_out", "only after it has decided"),
    ("decided", "negotiating", "must be followed until another route"),
    ("decided", "withdrawn", "must be followed until another route"),
    ("paid_out", "decided", "paid out and the dispute is closed"),
    ("settled", "negotiating", "only moves on to being paid out"),
    ("paused", "decided", "must resume before"),
])
def test_logistics_refusal_messages(current: str, target: str, words: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(LOGISTICS, current, target)
    assert words in err.value.message_en


# Pauses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  ", "because", "negotiating", "police"])
def test_pausing_needs_a_known_reason(reason: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(LOGISTICS, "intervention_requested", "paused", reason=reason)
    assert err.value.message_en.startswith("pausing needs a reason: both_negotiating")
    assert "court_or_police_case" in err.value.message_zh


def test_court_pause_needs_the_case_named() -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(LOGISTICS, "negotiating", "paused", reason="court_or_police_case")
    assert "needs a note naming the case" in err.value.message_en
    with pytest.raises(TransitionRefused):
        transition(LOGISTICS, "negotiating", "paused", reason="court_or_police_case:   ")


def test_both_negotiating_needs_no_note() -> None:
    assert transition(LOGISTICS, "intervention_requested", "paused",
                      reason="both_negotiating") == "paused"


@pytest.mark.parametrize("origin", ["negotiating", "intervention_requested"])
def test_pause_resumes_where_it_paused(origin: str) -> None:
    stored = encode_pause(origin, "court_or_police_case: 深圳市福田区人民法院 (2024)粤0304民初123号")
    pause = decode_pause(stored)
    assert pause.paused_from == origin
    assert pause.code == "court_or_police_case"
    assert pause.note == "深圳市福田区人民法院 (2024)粤0304民初123号"
    assert transition(LOGISTICS, "paused", origin, paused_from=pause.paused_from) == origin
    other = "negotiating" if origin == "intervention_requested" else "intervention_requested"
    with pytest.raises(TransitionRefused) as err:
        transition(LOGISTICS, "paused", other, paused_from=pause.paused_from)
    assert err.value.message_en.startswith("a paused dispute resumes where it paused")
    assert allowed_targets(LOGISTICS, "paused", paused_from=origin) == [
        origin, "settled", "withdrawn"]


def test_resuming_without_the_origin_is_refused() -> None:
    with pytest.raises(TransitionRefused) as err:
        transition(LOGISTICS, "paused", "negotiating")
    assert "needs the state it paused from" in err.value.message_en


def test_pause_record_round_trip_and_labels() -> None:
    stored = encode_pause("intervention_requested", "both_negotiating")
    assert stored == "paused_from=intervention_requested; both_negotiating"
    pause = decode_pause(stored)
    assert pause.note == ""
    assert pause.label("en") == "Both sides negotiating themselves"
    assert pause.label("zh") == "双方一致要求自行协商"
    court = decode_pause(encode_pause("negotiating", "court_or_police_case: case 7"))
    assert court.label("en") == "Court or police case pending: case 7"
    with pytest.raises(TransitionRefused):
        decode_pause("something the user typed")


# Labels, terminals, resubmission ------------------------------------------------------------------


def test_labels_in_both_languages() -> None:
    assert label(COMPLAINT, "rejected", "en") == "Rejected"
    assert label(COMPLAINT, "rejected", "zh") == "投诉被驳回"
    assert label(LOGISTICS, "intervention_requested", "en") == "Platform intervention requested"
    assert label(LOGISTICS, "paused", "zh") == "平台中止处理"
    for f in st.FLOWS.values():
        for s in f.states:
            assert s.zh and s.en and s.zh != s.en


def test_terminal_states() -> None:
    assert [s for s in COMPLAINT_STATES if is_terminal(COMPLAINT, s)] == [
        "upheld", "rejected", "withdrawn"]
    assert [s for s in LOGISTICS_STATES if is_terminal(LOGISTICS, s)] == ["paid_out", "withdrawn"]
    for flow_key, names in ((COMPLAINT, COMPLAINT_STATES), (LOGISTICS, LOGISTICS_STATES)):
        for s in names:
            assert is_terminal(flow_key, s) == (allowed_targets(flow_key, s) == [])


def test_initial_states() -> None:
    assert initial_state(COMPLAINT) == "draft"
    assert initial_state(LOGISTICS) == "refund_requested"


def test_can_resubmit() -> None:
    assert [s for s in COMPLAINT_STATES if can_resubmit(s)] == ["rejected", "withdrawn"]
    assert not any(can_resubmit(s, LOGISTICS) for s in LOGISTICS_STATES)


def test_unknown_flow_and_state_are_refused_readably() -> None:
    with pytest.raises(TransitionRefused) as err:
        transition("auction", "draft", "ready")
    assert "unknown flow 'auction'" in err.value.message_en
    with pytest.raises(TransitionRefused) as err:
        transition(COMPLAINT, "draft", "archived")
    assert "unknown buyer complaint state 'archived'" in err.value.message_en
    with pytest.raises(TransitionRefused):
        can_resubmit("archived")
    assert err.value.message("zh") == err.value.message_zh
