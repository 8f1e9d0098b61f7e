"""The case's statement phrases, for the command line and the statement tab: list the bank for a
type, add, remove, reorder and fill a case's chosen phrases, and read the statement back in both
languages with where each sentence came from. Every change recomposes the statement (a seller's
hand edits are kept, as with any recomposition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evidence_desk.core import phrase_choice as ph
from evidence_desk.core.phrase_choice import Chosen, PhraseWarning
from evidence_desk.core.phrase_slots import SlotError
from evidence_desk.core.phrases import Phrase, PhraseBank
from evidence_desk.core.statement import Segment, exhibit_refs
from evidence_desk.core.types import CaseInfo
from evidence_desk.library import workflow

if TYPE_CHECKING:
    from evidence_desk.library.service import Library


class PhraseRefused(ValueError):
    """A phrase or slot value the case cannot take; one line naming the phrase or the slot."""

    def __init__(self, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


@dataclass(frozen=True)
class StatementView:
    """The statement as it stands: the texts, each line's provenance, the phrase warnings."""

    en: str
    zh: str
    segments: tuple[Segment, ...]
    warnings: tuple[PhraseWarning, ...]
    chosen: tuple[Chosen, ...]
    edited: bool
    # The facts and the demand as the English states them (what the wording check's demand is).
    reason_en: str = ""
    demand_en: str = ""


def bank(lib: Library) -> PhraseBank:
    return workflow.phrase_bank(lib)


def phrases_for(lib: Library, type_key: str) -> dict[str, list[Phrase]]:
    """The phrases a case of `type_key` may use, by section (facts, then demand)."""
    return bank(lib).grouped(type_key)


def chosen(lib: Library, case_id: int) -> list[Chosen]:
    return ph.chosen_from_json(lib.get_case(case_id).statement_phrases)


def _store(lib: Library, case_id: int, items: list[Chosen]) -> CaseInfo:
    lib.set_statement_phrases(case_id, ph.chosen_to_json(items))
    case, _ = lib.compose_statement(case_id)
    return case


def _refs(lib: Library, case_id: int) -> list:
    return exhibit_refs(lib.list_evidence(case_id), lib.rules)


def _index(items: list[Chosen], index: int) -> None:
    if not 0 <= index < len(items):
        raise PhraseRefused(
            f"There is no sentence {index + 1}; the case has {len(items)} chosen phrase(s).",
            f"没有第 {index + 1} 句;本案已选 {len(items)} 句。")


def add_phrase(lib: Library, case_id: int, phrase_id: str,
               given: Mapping[str, str] | None = None, at: int | None = None) -> CaseInfo:
    """Add a phrase; slots not `given` are prefilled from the case where it knows them."""
    case = lib.get_case(case_id)
    b = bank(lib)
    phrase = b.get(phrase_id)
    if phrase is None or phrase not in b.for_type(case.type_key):
        raise PhraseRefused(
            f"No phrase {phrase_id!r} for a {case.type_key} case; list them with: "
            f"evidence-desk phrases --type {case.type_key}",
            f"{case.type_key} 类案件没有短语“{phrase_id}”;可用 evidence-desk phrases --type "
            f"{case.type_key} 查看。")
    try:
        item = ph.make_chosen(phrase, dict(given or {}), case, _refs(lib, case_id), b)
    except SlotError as exc:
        raise PhraseRefused(str(exc), exc.message_zh) from None
    return _store(lib, case_id, ph.add(chosen(lib, case_id), item, at))


def add_own(lib: Library, case_id: int, text: str, section: str = "facts",
            at: int | None = None) -> CaseInfo:
    """A sentence the seller writes in English; the Chinese version marks it as unchecked."""
    if not text.strip():
        raise PhraseRefused("The sentence is empty.", "句子为空。")
    items = ph.set_own(chosen(lib, case_id), None, text, section)
    if at is not None:
        items = ph.move(items, len(items) - 1, at)
    return _store(lib, case_id, items)


def remove_phrase(lib: Library, case_id: int, index: int) -> CaseInfo:
    """Remove the sentence at `index` (0-based)."""
    items = chosen(lib, case_id)
    _index(items, index)
    return _store(lib, case_id, ph.remove(items, index))


def move_phrase(lib: Library, case_id: int, index: int, to: int) -> CaseInfo:
    items = chosen(lib, case_id)
    _index(items, index)
    return _store(lib, case_id, ph.move(items, index, to))


def set_slot(lib: Library, case_id: int, index: int, name: str, value: str) -> CaseInfo:
    """Fill one slot of the sentence at `index`; a value that does not fit is refused."""
    items = chosen(lib, case_id)
    _index(items, index)
    case = lib.get_case(case_id)
    try:
        items = ph.set_slot(items, index, name, value, bank(lib), _refs(lib, case_id),
                            case.currency)
    except SlotError as exc:
        raise PhraseRefused(str(exc), exc.message_zh) from None
    return _store(lib, case_id, items)


def view(lib: Library, case_id: int) -> StatementView:
    """The statement as it stands (nothing written): what the statement tab shows."""
    case = lib.get_case(case_id)
    en, zh, comp = workflow.current_statement(lib, case_id)
    return StatementView(en=en, zh=zh, segments=comp.segments, warnings=comp.warnings,
                         chosen=tuple(ph.chosen_from_json(case.statement_phrases)),
                         edited=case.statement_edited, reason_en=comp.section("facts", "en"),
                         demand_en=comp.section("demand", "en"))


def preview(lib: Library, case_id: int, phrase_id: str,
            given: Mapping[str, str] | None = None) -> tuple[str, str]:
    """A phrase rendered for this case (prefilled, not stored): the picker's preview."""
    case = lib.get_case(case_id)
    b = bank(lib)
    phrase = b.get(phrase_id)
    if phrase is None:
        raise PhraseRefused(f"No phrase {phrase_id!r}.", f"没有短语“{phrase_id}”。")
    refs = _refs(lib, case_id)
    try:
        item = ph.make_chosen(phrase, dict(given or {}), case, refs, b)
    except SlotError as exc:
        raise PhraseRefused(str(exc), exc.message_zh) from None
    [s] = ph.render([item], b, refs, lib.rules.platform.statement_ascii_only)
    return s.en, s.zh


def reading(lib: Library, case_id: int, en_text: str) -> StatementView:
    """The statement as the English `en_text` (typed, not yet stored) says it: lines that are the
    phrases' English keep their Chinese twins, every other line is marked as the seller's own.
    Empty text reads as the statement composed now. Nothing is written."""
    case = lib.get_case(case_id)
    comp = workflow.composition(lib, case_id, case)
    if en_text.strip():
        comp = comp.reading(en_text)
        en = en_text
    else:
        en = comp.text("en")
    return StatementView(en=en, zh=comp.text("zh"), segments=comp.segments,
                         warnings=comp.warnings,
                         chosen=tuple(ph.chosen_from_json(case.statement_phrases)),
                         edited=case.statement_edited, reason_en=comp.section("facts", "en"),
                         demand_en=comp.section("demand", "en"))


def exhibits(lib: Library, case_id: int) -> list:
    """The case's exhibits as a statement cites them (number and kind), in order."""
    return _refs(lib, case_id)
