"""A case's chosen phrases: plain data (`Chosen`), in order, added, removed, reordered and filled
without touching storage, and rendered to sentence pairs with their provenance and warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from evidence_desk.core.phrase_slots import SlotError, parse_value, render_value
from evidence_desk.core.phrases import SECTIONS, Phrase, PhraseBank
from evidence_desk.core.rules import Rules
from evidence_desk.core.textfold import to_ascii
from evidence_desk.core.types import CaseInfo

# A date slot named like one of the case's date fields is prefilled from it.
CASE_DATES = ("completed_on", "paid_on", "accepted_on", "refund_requested_on")
# How the Chinese reading version marks a sentence the seller typed or edited in English.
OWN_MARK_ZH = "【由您填写，未经核对】"

_SLOT_REF = re.compile(r"\{([^{}]*)\}")


class ExhibitLike(Protocol):
    """An exhibit as the statement cites it (core.statement.ExhibitRef fits)."""

    @property
    def number(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class Chosen:
    """One sentence of the statement: a phrase with its slot values, or the seller's own text."""

    phrase_id: str = ""
    slots: tuple[tuple[str, str], ...] = ()
    section: str = "facts"
    own: str = ""

    @property
    def values(self) -> dict[str, str]:
        return dict(self.slots)

    def to_json(self) -> dict[str, Any]:
        if self.phrase_id:
            return {"phrase": self.phrase_id, "section": self.section, "slots": dict(self.slots)}
        return {"own": self.own, "section": self.section}


def chosen_from_json(data: Any) -> list[Chosen]:
    """Stored chosen phrases (a JSON list) back as Chosen; malformed entries are skipped."""
    out: list[Chosen] = []
    for raw in data or ():
        if not isinstance(raw, dict):
            continue
        if isinstance(raw.get("phrase"), str):
            slots = raw.get("slots") if isinstance(raw.get("slots"), dict) else {}
            section = raw.get("section") if raw.get("section") in SECTIONS else "facts"
            out.append(Chosen(phrase_id=raw["phrase"], section=section, slots=tuple(
                (str(k), str(v)) for k, v in slots.items())))
        elif isinstance(raw.get("own"), str):
            section = raw.get("section") if raw.get("section") in SECTIONS else "facts"
            out.append(Chosen(section=section, own=raw["own"]))
    return out


def chosen_to_json(chosen: Sequence[Chosen]) -> list[dict[str, Any]]:
    return [c.to_json() for c in chosen]


def prefill(phrase: Phrase, case: CaseInfo, exhibits: Sequence[ExhibitLike],
            bank: PhraseBank) -> dict[str, str]:
    """Slot values the case already knows: order number, its dates, amount, buyer's member id,
    the first exhibit of the kind a slot asks for. Values that do not fit a slot are left out."""
    out: dict[str, str] = {}
    numbers = [e.number for e in exhibits]
    for slot in phrase.slots:
        guess = ""
        if slot.type == "order_no":
            guess = case.order_no
        elif slot.type == "date" and slot.name in CASE_DATES:
            day = getattr(case, slot.name)
            guess = day.isoformat() if day else ""
        elif slot.type == "amount" and case.amount is not None:
            guess = f"{case.currency or 'USD'} {case.amount}"
        elif slot.type == "member_id" and case.buyer is not None:
            guess = case.buyer.member_id
        elif slot.type == "exhibit":
            wanted = [slot.kind] if slot.kind else list(phrase.kinds)
            guess = next((e.number for k in wanted for e in exhibits if e.kind == k), "")
        if not guess:
            continue
        try:
            out[slot.name] = parse_value(slot, guess, carriers=bank.carriers, exhibits=numbers,
                                         currency=case.currency)
        except SlotError:
            continue
    return out


def make_chosen(phrase: Phrase, given: Mapping[str, str], case: CaseInfo,
                exhibits: Sequence[ExhibitLike], bank: PhraseBank) -> Chosen:
    """A phrase for `case` with the `given` slot values checked, the rest prefilled."""
    numbers = [e.number for e in exhibits]
    for name in given:
        if phrase.slot(name) is None:
            names = ", ".join(s.name for s in phrase.slots) or "none"
            raise SlotError(f"phrase {phrase.id!r} has no slot {name!r} (its slots: {names})",
                            f"短语“{phrase.id}”没有空位“{name}”(可用:{names})")
    values = prefill(phrase, case, exhibits, bank)
    for name, value in given.items():
        slot = phrase.slot(name)
        assert slot is not None
        values[name] = parse_value(slot, value, carriers=bank.carriers, exhibits=numbers,
                                   currency=case.currency)
    ordered = tuple((s.name, values[s.name]) for s in phrase.slots if s.name in values)
    return Chosen(phrase_id=phrase.id, slots=ordered, section=phrase.section)


def add(chosen: Sequence[Chosen], item: Chosen, at: int | None = None) -> list[Chosen]:
    out = list(chosen)
    out.insert(len(out) if at is None else max(0, min(at, len(out))), item)
    return out


def remove(chosen: Sequence[Chosen], index: int) -> list[Chosen]:
    """Without the sentence at `index` (0-based); IndexError if there is none."""
    if not 0 <= index < len(chosen):
        raise IndexError(index)
    return [c for i, c in enumerate(chosen) if i != index]


def move(chosen: Sequence[Chosen], index: int, to: int) -> list[Chosen]:
    if not 0 <= index < len(chosen):
        raise IndexError(index)
    out = list(chosen)
    item = out.pop(index)
    out.insert(max(0, min(to, len(out))), item)
    return out


def set_slot(chosen: Sequence[Chosen], index: int, name: str, value: str, bank: PhraseBank,
             exhibits: Sequence[ExhibitLike], currency: str = "USD") -> list[Chosen]:
    """With one slot of the phrase at `index` set (checked); SlotError names a bad value."""
    if not 0 <= index < len(chosen):
        raise IndexError(index)
    item = chosen[index]
    phrase = bank.get(item.phrase_id)
    slot = phrase.slot(name) if phrase else None
    if phrase is None or slot is None:
        raise SlotError(f"sentence {index + 1} has no slot {name!r}",
                        f"第 {index + 1} 句没有空位“{name}”")
    canonical = parse_value(slot, value, carriers=bank.carriers,
                            exhibits=[e.number for e in exhibits], currency=currency)
    values = {**item.values, name: canonical}
    ordered = tuple((s.name, values[s.name]) for s in phrase.slots if s.name in values)
    out = list(chosen)
    out[index] = replace(item, slots=ordered)
    return out


def set_own(chosen: Sequence[Chosen], index: int | None, text: str,
            section: str = "facts") -> list[Chosen]:
    """Add (index None) or replace a sentence the seller writes in English."""
    item = Chosen(section=section if section in SECTIONS else "facts", own=" ".join(text.split()))
    if index is None:
        return add(chosen, item)
    if not 0 <= index < len(chosen):
        raise IndexError(index)
    out = list(chosen)
    out[index] = item
    return out


# Rendering --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One chosen sentence in both languages, with where it came from.

    `source` is "phrase" (a vetted twin: the Chinese says what the English says), "own" (typed by
    the seller; the Chinese only marks it) or "unknown" (a phrase id the bank no longer has).
    """

    index: int
    section: str
    en: str
    zh: str
    source: str
    phrase_id: str = ""
    missing_slots: tuple[str, ...] = ()
    missing_kinds: tuple[str, ...] = ()


def _gap(what: str, lang: str) -> str:
    return f"[请填写:{what}]" if lang == "zh" else f"[please fill in: {what}]"


def _fill(phrase: Phrase, values: Mapping[str, str], lang: str, bank: PhraseBank,
          numbers: Sequence[str]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def one(m: re.Match[str]) -> str:
        slot = phrase.slot(m.group(1))
        assert slot is not None  # the loader checked every reference
        value = values.get(slot.name, "")
        if value:
            # Checked again here: stored values may come from an old bundle or a hand-edited
            # database, and an exhibit may have been removed since it was chosen.
            try:
                value = parse_value(slot, value, carriers=bank.carriers, exhibits=numbers)
                return render_value(slot, value, lang, bank.carriers)
            except ValueError:
                pass
        missing.append(slot.name)
        return _gap(slot.name.replace("_", " "), lang)

    return _SLOT_REF.sub(one, phrase.text(lang)), missing


def render(chosen: Sequence[Chosen], bank: PhraseBank, exhibits: Sequence[ExhibitLike],
           ascii_only: bool = True) -> list[Sentence]:
    """Every chosen sentence in English and Chinese, in order, with its provenance."""
    numbers = [e.number for e in exhibits]
    have = {e.kind for e in exhibits}
    out: list[Sentence] = []
    for i, item in enumerate(chosen):
        if not item.phrase_id:
            text = item.own
            en = (to_ascii(text) if ascii_only else text) or "[please translate: your sentence]"
            out.append(Sentence(i, item.section, en, OWN_MARK_ZH + text, "own"))
            continue
        phrase = bank.get(item.phrase_id)
        if phrase is None:
            out.append(Sentence(i, item.section, _gap("sentence", "en"),
                                f"[短语 {item.phrase_id} 已不在短语库中]", "unknown",
                                phrase_id=item.phrase_id))
            continue
        en, missing = _fill(phrase, item.values, "en", bank, numbers)
        zh, _ = _fill(phrase, item.values, "zh", bank, numbers)
        lacking = tuple(k for k in phrase.kinds if k not in have)
        out.append(Sentence(i, phrase.section, en, zh, "phrase", phrase.id, tuple(missing),
                            lacking))
    return out


@dataclass(frozen=True)
class PhraseWarning:
    code: str
    index: int
    message: str
    message_zh: str

    def text(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message


def warnings(sentences: Sequence[Sentence], rules: Rules) -> list[PhraseWarning]:
    """Sentences citing evidence the case lacks, with slots left to fill, or gone from the bank."""
    out: list[PhraseWarning] = []
    for s in sentences:
        n = s.index + 1
        if s.missing_kinds:
            en = ", ".join(rules.kinds[k].en if k in rules.kinds else k for k in s.missing_kinds)
            zh = "、".join(rules.kinds[k].zh if k in rules.kinds else k for k in s.missing_kinds)
            out.append(PhraseWarning(
                "phrase_missing_evidence", s.index,
                f"Sentence {n} ({s.phrase_id}) relies on evidence the case does not have "
                f"({en}): add it, or remove the sentence.",
                f"第 {n} 句({s.phrase_id})依据的证据本案尚未提供({zh}):请补充证据,或删除该句。"))
        if s.missing_slots:
            out.append(PhraseWarning(
                "phrase_unfilled", s.index,
                f"Sentence {n} ({s.phrase_id}) still has blanks: {', '.join(s.missing_slots)}.",
                f"第 {n} 句({s.phrase_id})还有空位未填:{'、'.join(s.missing_slots)}。"))
        if s.source == "unknown":
            out.append(PhraseWarning(
                "phrase_unknown", s.index,
                f"Sentence {n} uses the phrase {s.phrase_id!r}, which the phrase bank no longer "
                "has: remove it and choose another.",
                f"第 {n} 句使用的短语“{s.phrase_id}”已不在短语库中:请删除并另选。"))
    return out
