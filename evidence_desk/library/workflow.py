"""Moving a case through its flow: readiness, submission, results, resubmission, statements.

The rules of each flow live in core.states; this module records the moves and what they need
(dates, the hashes of what was submitted) and keeps the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from evidence_desk.core import states
from evidence_desk.core.checklist import Warning
from evidence_desk.core.phrases import PhraseBank, load_bank
from evidence_desk.core.rules import RulesError
from evidence_desk.core.statement import (
    ComposeResult,
    Composition,
    compose_parts,
    exhibit_refs,
    is_edited,
    refresh,
)
from evidence_desk.core.states import TransitionRefused
from evidence_desk.core.types import CaseInfo, EvidenceInfo
from evidence_desk.paths import PHRASES_DIR, STATEMENTS_DIR

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

log = logging.getLogger(__name__)

# States that close a case, by flow: reaching one records the result date.
RESULTS = {"complaint": ("upheld", "rejected", "withdrawn"),
           "logistics": ("decided", "paid_out", "withdrawn")}


class WorkflowError(ValueError):
    """A move the case's flow does not allow; the message says why and what to do instead."""

    def __init__(self, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


def flow_of(lib: Library, case: CaseInfo) -> str:
    ctype = lib.rules.types.get(case.type_key)
    return ctype.flow if ctype else "complaint"


def _refused(exc: TransitionRefused) -> WorkflowError:
    return WorkflowError(exc.message("en"), exc.message("zh"))


@dataclass(frozen=True)
class Step:
    """One state a move records, with its reason and the dates or hashes it sets."""

    state: str
    reason: str = ""
    dates: dict[str, Any] = field(default_factory=dict)


def readiness_step(lib: Library, case: CaseInfo, today: date | None = None) -> Step | None:
    """Draft becomes ready when the checklist is met, and ready falls back to draft when not:
    the step that says so, or None when the state already matches (nothing written)."""
    if flow_of(lib, case) != "complaint" or case.state not in ("draft", "ready"):
        return None
    ready = lib.check(case.id, today=today).ready
    target = "ready" if ready else "draft"
    if target == case.state:
        return None
    return Step(target, "checklist met" if ready else "checklist unmet")


def sync_readiness(lib: Library, case_id: int, today: date | None = None) -> CaseInfo:
    """Bring draft/ready in line with the checklist."""
    case = lib.get_case(case_id)
    step = readiness_step(lib, case, today)
    if step is None:
        return case
    return lib._set_states(case_id, [step])


def move(lib: Library, case_id: int, target: str, *, reason: str = "",
         on: date | None = None) -> CaseInfo:
    """Move a case to `target` in its flow, recording dates and what was submitted.

    Everything is read first; then the readiness the checklist implies (draft to ready) and
    the move itself are written in one transaction, refused when the case changed since it was
    read (its version), so a move never lands half-way or on a case it was not judged on.
    """
    case = lib.get_case(case_id)
    flow = flow_of(lib, case)
    steps: list[Step] = []
    readiness = readiness_step(lib, case, today=on)
    current = case.state
    if readiness is not None:
        steps.append(readiness)
        current = readiness.state
    paused_from = ""
    if current == "paused":
        paused_from = states.decode_pause(case.state_reason).paused_from
    try:
        steps.append(_move_step(lib, case, flow, current, target, reason, paused_from, on))
    except WorkflowError:
        if readiness is not None:  # the checklist's verdict stands even when the move does not
            lib._set_states(case_id, [readiness], expected_version=case.version)
        raise
    return lib._set_states(case_id, steps, expected_version=case.version)


def _move_step(lib: Library, case: CaseInfo, flow: str, current: str, target: str,
               reason: str, paused_from: str, on: date | None) -> Step:
    """The step moving the case from `current` to `target`, or WorkflowError saying why not."""
    case_id = case.id
    try:
        new_state = states.transition(flow, current, target, reason=reason,
                                      paused_from=paused_from)
    except TransitionRefused as exc:
        raise _refused(exc) from None
    today = date.today()
    on = on or today
    if on > today:
        raise WorkflowError(f"{on.isoformat()} is in the future; record what has happened, "
                            "on the day it happened.",
                            f"{on.isoformat()} 是未来的日期;请记录已经发生的事,并使用实际日期。")
    if new_state in RESULTS.get(flow, ()) and case.submitted_on and on < case.submitted_on:
        raise WorkflowError(
            f"A result cannot come before the submission on {case.submitted_on.isoformat()}.",
            f"处理结果的日期不能早于提交日期 {case.submitted_on.isoformat()}。")
    extra: dict[str, Any] = {}
    stored_reason = reason
    if new_state == "paused":
        stored_reason = states.encode_pause(current, reason)
    if flow == "complaint" and new_state == "submitted":
        dossier = lib._last_audit_detail(case_id, "export.dossier") or {}
        pack = lib._last_audit_detail(case_id, "export.pack") or {}
        extra = {"submitted_on": on, "submitted_dossier_sha256": dossier.get("sha256", ""),
                 "submitted_pack_sha256": pack.get("sha256", "")}
    elif new_state in RESULTS.get(flow, ()):
        extra = {"result_on": on}
    return Step(new_state, stored_reason, extra)


def resubmit(lib: Library, case_id: int) -> CaseInfo:
    """A new attempt linked to a failed one, with its evidence carried over."""
    case = lib.get_case(case_id)
    flow = flow_of(lib, case)
    if not states.can_resubmit(case.state, flow):
        label = states.label(flow, case.state, "en")
        label_zh = states.label(flow, case.state, "zh")
        raise WorkflowError(
            f"Only a rejected or withdrawn complaint can be resubmitted; this one is {label}.",
            f"只有被驳回或已撤回的投诉才能再次提交;此投诉当前为“{label_zh}”。")
    attempt = lib.duplicate_case(case_id, as_attempt=True)
    return sync_readiness(lib, attempt.id)


_BANKS: dict[tuple[int, tuple], PhraseBank] = {}


def phrase_bank(lib: Library) -> PhraseBank:
    """The phrase bank, checked against the library's rules; re-read when a file changes."""
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in PHRASES_DIR.glob("*.toml")))
    key = (id(lib.rules), stamp)
    bank = _BANKS.get(key)
    if bank is None:
        bank = load_bank(PHRASES_DIR, lib.rules)
        if len(_BANKS) > 8:
            _BANKS.clear()
        _BANKS[key] = bank
    return bank


def composition(lib: Library, case_id: int, case: CaseInfo | None = None,
                items: Sequence[EvidenceInfo] | None = None) -> Composition:
    """The statement the case's facts, evidence and chosen phrases make now (nothing stored)."""
    case = case or lib.get_case(case_id)
    items = lib.list_evidence(case_id) if items is None else items
    refs = exhibit_refs(items, lib.rules)
    return compose_parts(case, refs, lib.rules, STATEMENTS_DIR, phrase_bank(lib))


def case_for_check(lib: Library, case: CaseInfo,
                   items: Sequence[EvidenceInfo]) -> tuple[CaseInfo, list[Warning]]:
    """The case as the pre-export check must see it: with the statement as it stands now (not
    a stale stored text) and the demand its phrases state; plus the phrase warnings."""
    try:
        comp = composition(lib, case.id, case, items)
    except RulesError as exc:  # a broken template is reported where it is composed
        log.warning("statement not composed for the check: %s", exc)
        return case, []
    edited = is_edited(case.statement_en, case.statement_composed_sha256)
    en = case.statement_en if edited else comp.text("en")
    demand = case.demand
    if not demand.strip():
        demand = comp.section("demand", "en") if any(
            s.section == "demand" and s.source in ("phrase", "own") for s in comp.segments) else ""
    extra = [Warning(w.code, w.message, w.message_zh) for w in comp.warnings]
    return replace(case, statement_en=en, demand=demand), extra


def current_statement(lib: Library, case_id: int) -> tuple[str, str, Composition]:
    """The English and Chinese statement as they stand, without writing anything.

    Unedited text is what the composer makes of the case now (so it never lags behind the
    evidence); text the seller edited is kept, with its Chinese reading version rebuilt from it.
    """
    case = lib.get_case(case_id)
    comp = composition(lib, case_id, case)
    if is_edited(case.statement_en, case.statement_composed_sha256):
        reading = comp.reading(case.statement_en)
        return case.statement_en, reading.text("zh"), reading
    return comp.text("en"), comp.text("zh"), comp


def compose_statement(lib: Library, case_id: int, *, force: bool = False) -> tuple[CaseInfo, str]:
    """Compose the English and Chinese statements; a seller's edits are never overwritten silently.

    Returns the case and what happened: "replaced", "unchanged", "kept_edits" or "outdated".
    `force` takes the fresh composition even over edits (the seller asked for it). The Chinese
    text stored is always the reading version of the English stored.
    """
    case = lib.get_case(case_id)
    comp = composition(lib, case_id, case)
    en = ComposeResult.of(comp.text("en"))
    zh = comp.text("zh")
    if force:
        return lib.set_statement(case_id, en.text, zh, composed=True), "replaced"
    decision = refresh(case.statement_en, case.statement_composed_sha256, en)
    if decision.action == "replaced":
        return lib.set_statement(case_id, en.text, zh, composed=True), decision.action
    if decision.action != "unchanged" or case.statement_en != en.text:
        zh = comp.reading(case.statement_en).text("zh")
    if case.statement_zh != zh:
        return lib.set_statement(case_id, case.statement_en, zh, composed=False), decision.action
    return case, decision.action
