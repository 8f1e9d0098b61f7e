"""The phrase bank: Chinese sentences with vetted English twins, so a seller who does not write
English can still state the facts and the demand of a complaint in English.

The bank is data (`resources/phrases/<type_key>.toml`, `common.toml` for the timing facts several
types share, `carriers.toml` for the closed list of carriers). Each phrase has an id, a section
(facts or demand), a Chinese and an English sentence with the same `{slot}`s, typed slots and the
evidence kinds it relies on. There is no free-text slot: every slot value is checked against its
type and renders as ASCII, so a statement made only of phrases needs no translation.

A case keeps its chosen phrases as plain data (`Chosen`), in order; the functions here add,
remove, reorder and fill them without touching storage, and render them to paired sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from evidence_desk.core.rules import Rules, RulesError, _Reader
from evidence_desk.core.textfold import to_ascii
from evidence_desk.core.types import CaseInfo

SECTIONS = ("facts", "demand")
SLOT_TYPES = ("date", "amount", "count", "days", "order_no", "tracking_no", "member_id",
              "carrier", "exhibit")
COMMON_FILE = "common.toml"
CARRIERS_FILE = "carriers.toml"
# The type an entry of common.toml reports: it belongs to every type common.toml names.
COMMON_TYPE = "common"
# A date slot named like one of the case's date fields is prefilled from it.
CASE_DATES = ("completed_on", "paid_on", "accepted_on", "refund_requested_on")
# How the Chinese reading version marks a sentence the seller typed or edited in English.
OWN_MARK_ZH = "【由您填写，未经核对】"
OWN_MARK_EN = "[written by you, not checked]"

_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_SLOT_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SLOT_REF = re.compile(r"\{([^{}]*)\}")
_ORDER_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/-]{0,39}")
_TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
_MEMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_EXHIBIT = re.compile(r"[A-Z]-\d{1,3}")


class SlotError(ValueError):
    """A slot value that does not fit its type; both messages name the slot."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh

    def text(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else str(self)


class ExhibitLike(Protocol):
    """An exhibit as the statement cites it (core.statement.ExhibitRef fits)."""

    @property
    def number(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class Carrier:
    key: str
    en: str
    zh: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    # For an exhibit slot: the evidence kind whose first exhibit is proposed.
    kind: str = ""


@dataclass(frozen=True)
class Phrase:
    id: str
    type_key: str
    section: str
    zh: str
    en: str
    slots: tuple[Slot, ...]
    kinds: tuple[str, ...]

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class PhraseBank:
    phrases: dict[str, Phrase]
    carriers: dict[str, Carrier]
    # The complaint types the entries of common.toml apply to.
    common_types: tuple[str, ...] = ()
    folder: Path = field(default=Path("."))

    def get(self, phrase_id: str) -> Phrase | None:
        return self.phrases.get(phrase_id)

    def for_type(self, type_key: str) -> list[Phrase]:
        """The phrases a case of this type may use: its own, then the shared timing facts."""
        own = [p for p in self.phrases.values() if p.type_key == type_key]
        shared = [p for p in self.phrases.values()
                  if p.type_key == COMMON_TYPE and type_key in self.common_types]
        return own + shared

    def grouped(self, type_key: str) -> dict[str, list[Phrase]]:
        """The type's phrases by section, facts first (what a picker shows)."""
        phrases = self.for_type(type_key)
        return {s: [p for p in phrases if p.section == s] for s in SECTIONS}

    def to_json(self, type_key: str | None = None) -> list[dict[str, Any]]:
        """The bank as `phrases --json` prints it."""
        chosen = self.for_type(type_key) if type_key else list(self.phrases.values())
        out = []
        for p in chosen:
            slots = []
            for s in p.slots:
                slot: dict[str, Any] = {"name": s.name, "type": s.type}
                if s.type == "carrier":
                    slot["choices"] = list(self.carriers)
                if s.kind:
                    slot["kind"] = s.kind
                slots.append(slot)
            out.append({"id": p.id, "type": p.type_key, "section": p.section, "zh": p.zh,
                        "en": p.en, "slots": slots, "kinds": list(p.kinds)})
        return out


# Loading ----------------------------------------------------------------------------------------


def _slot_refs(text: str) -> list[str]:
    return _SLOT_REF.findall(text)


def _load_carriers(folder: Path) -> dict[str, Carrier]:
    r = _Reader(folder / CARRIERS_FILE)
    carriers: dict[str, Carrier] = {}
    for raw in r.table_list("carrier"):
        key = raw.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise r.fail(f"carrier key {key!r} must be lower_case_with_underscores", "key =")
        where = f"carrier '{key}'"
        if key in carriers:
            raise r.fail(f"{where} is defined twice", line=r.key_line(key, r.key_line(key)))
        en = r.field(raw, "en", str, where)
        if not en.isascii():
            raise r.fail(f"{where}: the English name must be plain ASCII",
                         line=r.field_line("en", r.key_line(key) - 1))
        carriers[key] = Carrier(key=key, en=en, zh=r.field(raw, "zh", str, where))
    return carriers


def _id_line(r: _Reader, phrase_id: str, start: int = 0) -> int:
    return r.line_of(re.compile(rf"""^\s*id\s*=\s*["']{re.escape(phrase_id)}["']"""), start)


def _parse_slot_spec(r: _Reader, where: str, line: int, name: str, spec: Any,
                     rules: Rules) -> Slot:
    if not isinstance(name, str) or not _SLOT_NAME.fullmatch(name):
        raise r.fail(f"{where}: slot name {name!r} must be lower_case_with_underscores",
                     line=line)
    if not isinstance(spec, str):
        raise r.fail(f"{where}: slot `{name}` must name its type as text", line=line)
    kind = ""
    slot_type, _, kind = spec.partition(":")
    if slot_type not in SLOT_TYPES:
        raise r.fail(f"{where}: slot `{name}` has unknown type {spec!r} (use one of "
                     f"{', '.join(SLOT_TYPES)})", line=line)
    if kind and slot_type != "exhibit":
        raise r.fail(f"{where}: only an exhibit slot may name a kind ({spec!r})", line=line)
    if kind and kind not in rules.kinds:
        raise r.fail(f"{where}: slot `{name}` names unknown evidence kind {kind!r}", line=line)
    return Slot(name=name, type=slot_type, kind=kind)


def _load_file(path: Path, type_key: str, rules: Rules, seen: dict[str, Path],
               out: dict[str, Phrase]) -> tuple[str, ...]:
    r = _Reader(path)
    common_types: tuple[str, ...] = ()
    if type_key == COMMON_TYPE:
        types = r.data.get("types")
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise r.fail("`types` must list the complaint types these phrases apply to",
                         "types")
        for t in types:
            if t not in rules.types:
                raise r.fail(f"`types` names unknown complaint type {t!r}", f'"{t}"')
        common_types = tuple(types)
    ascii_only = rules.platform.statement_ascii_only
    start = 0
    for raw in r.table_list("phrase"):
        pid = raw.get("id")
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise r.fail(f"phrase id {pid!r} must be lower-case words joined by _ or .",
                         line=r.line_of(re.compile(r"^\s*id\s*="), start))
        line = _id_line(r, pid, start)
        start = max(line, start)
        where = f"phrase '{pid}'"
        if pid in seen:
            raise r.fail(f"{where} is defined twice (also in {seen[pid].name})", line=line)
        section = raw.get("section")
        if section not in SECTIONS:
            raise r.fail(f"{where}: `section` must be one of {', '.join(SECTIONS)}",
                         line=r.field_line("section", line - 1) or line)
        zh = _text_field(r, raw, "zh", where, line)
        en = _text_field(r, raw, "en", where, line)
        if ascii_only and not en.isascii():
            bad = next(c for c in en if not c.isascii())
            raise r.fail(f"{where}: `en` holds the non-English character {bad!r}; the platform "
                         "refuses English complaint text with such characters",
                         line=r.field_line("en", line - 1))
        raw_slots = raw.get("slots", {})
        if not isinstance(raw_slots, dict):
            raise r.fail(f"{where}: `slots` must be a table of name = \"type\"",
                         line=r.field_line("slots", line - 1) or line)
        slots_line = r.field_line("slots", line - 1) or line
        slots = tuple(_parse_slot_spec(r, where, slots_line, n, s, rules)
                      for n, s in raw_slots.items())
        names = [s.name for s in slots]
        for lang, text in (("en", en), ("zh", zh)):
            refs = _slot_refs(text)
            for ref in refs:
                if ref not in names:
                    raise r.fail(f"{where}: `{lang}` uses {{{ref}}}, which `slots` does not "
                                 "declare", line=r.field_line(lang, line - 1))
            for n in names:
                if refs.count(n) != 1:
                    raise r.fail(f"{where}: `{lang}` must use {{{n}}} exactly once "
                                 f"(it uses it {refs.count(n)} times)",
                                 line=r.field_line(lang, line - 1))
        kinds = raw.get("kinds", [])
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise r.fail(f"{where}: `kinds` must be a list of evidence kind keys",
                         line=r.field_line("kinds", line - 1) or line)
        for k in kinds:
            if k not in rules.kinds:
                raise r.fail(f"{where}: `kinds` names unknown evidence kind {k!r}",
                             line=r.field_line("kinds", line - 1) or line)
        unknown = set(raw) - {"id", "section", "zh", "en", "slots", "kinds"}
        if unknown:
            name = sorted(unknown)[0]
            raise r.fail(f"{where}: unknown field `{name}`",
                         line=r.field_line(name, line - 1) or line)
        seen[pid] = path
        out[pid] = Phrase(id=pid, type_key=type_key, section=section, zh=zh, en=en,
                          slots=slots, kinds=tuple(kinds))
    return common_types


def _text_field(r: _Reader, raw: dict[str, Any], name: str, where: str, line: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise r.fail(f"{where}: `{name}` must be a non-empty text",
                     line=r.field_line(name, line - 1) or line)
    if "\n" in value.strip():
        raise r.fail(f"{where}: `{name}` must be one line (one sentence)",
                     line=r.field_line(name, line - 1) or line)
    return value.strip()


def load_bank(folder: Path, rules: Rules) -> PhraseBank:
    """Every phrase file in `folder`; a problem raises RulesError naming the file and line.

    Each complaint type of the rules gets its own file; a type without one simply has only the
    shared phrases. A file named after no known type is refused rather than ignored.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RulesError(f"{folder}: the phrase bank folder is missing")
    carriers = _load_carriers(folder)
    phrases: dict[str, Phrase] = {}
    seen: dict[str, Path] = {}
    common_types: tuple[str, ...] = ()
    for path in sorted(folder.glob("*.toml")):
        stem = path.stem
        if path.name == CARRIERS_FILE:
            continue
        if path.name == COMMON_FILE:
            common_types = _load_file(path, COMMON_TYPE, rules, seen, phrases)
            continue
        if stem not in rules.types:
            raise RulesError(f"{path}: no complaint type {stem!r} in the rules; name a phrase "
                             "file after a type key")
        _load_file(path, stem, rules, seen, phrases)
    return PhraseBank(phrases=phrases, carriers=carriers, common_types=common_types,
                      folder=folder)


# Slot values ------------------------------------------------------------------------------------


def _err(slot: Slot, en: str, zh: str) -> SlotError:
    return SlotError(f"slot {slot.name!r} ({slot.type}): {en}", f"空位“{slot.name}”({slot.type}):{zh}")


def parse_value(slot: Slot, value: str, *, carriers: Mapping[str, Carrier],
                exhibits: Sequence[str] | None = None, currency: str = "USD") -> str:
    """The canonical stored form of `value` for `slot`, or SlotError naming the slot.

    `exhibits` are the case's exhibit numbers (None: not checked here). An amount written
    without a currency takes `currency` (the case's).
    """
    text = " ".join(str(value).split())
    if not text:
        raise _err(slot, "is empty", "未填写")
    t = slot.type
    if t == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise _err(slot, f"{text!r} is not a date in YYYY-MM-DD form",
                       f"“{text}”不是 YYYY-MM-DD 格式的日期") from None
        return day.isoformat()
    if t == "amount":
        return _parse_amount(slot, text, currency)
    if t in ("count", "days"):
        top = 10_000_000 if t == "count" else 3650
        low = 1 if t == "count" else 0
        if not re.fullmatch(r"\d{1,8}", text.replace(",", "")) \
                or not low <= int(text.replace(",", "")) <= top:
            raise _err(slot, f"{text!r} is not a whole number from {low} to {top}",
                       f"“{text}”不是 {low} 到 {top} 之间的整数")
        return str(int(text.replace(",", "")))
    if t in ("order_no", "tracking_no", "member_id"):
        pattern = {"order_no": _ORDER_NO, "tracking_no": _TRACKING, "member_id": _MEMBER}[t]
        if not pattern.fullmatch(text):
            raise _err(slot, f"{text!r} must be Latin letters and digits (with - _ . / where "
                       "usual), no spaces", f"“{text}”只能由英文字母和数字组成(可含 - _ . /),不含空格")
        return text
    if t == "carrier":
        key = text.lower()
        if key not in carriers:
            by_name = {c.en.lower(): c.key for c in carriers.values()}
            by_name.update({c.zh: c.key for c in carriers.values()})
            key = by_name.get(text.lower(), by_name.get(text, ""))
        if key not in carriers:
            raise _err(slot, f"{text!r} is not a known carrier (use one of "
                       f"{', '.join(carriers)})", f"“{text}”不在承运商列表中(可选:{', '.join(carriers)})")
        return key
    if t == "exhibit":
        number = text.upper()
        if not _EXHIBIT.fullmatch(number):
            raise _err(slot, f"{text!r} is not an exhibit number such as A-1",
                       f"“{text}”不是证据编号(如 A-1)")
        if exhibits is not None and number not in exhibits:
            shown = ", ".join(exhibits) or "none yet"
            raise _err(slot, f"the case has no exhibit {number} (it has: {shown})",
                       f"本案没有证据 {number}(现有:{', '.join(exhibits) or '无'})")
        return number
    raise _err(slot, "has an unknown type", "类型未知")


def _parse_amount(slot: Slot, text: str, currency: str) -> str:
    m = re.fullmatch(r"(?:([A-Za-z]{3})\s*)?([\d,]+(?:\.\d{1,2})?)(?:\s*([A-Za-z]{3}))?", text)
    if not m or (m.group(1) and m.group(3)):
        raise _err(slot, f"{text!r} is not an amount such as 'USD 1,250.00'",
                   f"“{text}”不是金额(例如 USD 1,250.00)")
    cur = (m.group(1) or m.group(3) or currency or "USD").upper()
    if not _CURRENCY.fullmatch(cur):
        raise _err(slot, f"{cur!r} is not a three-letter currency code",
                   f"“{cur}”不是三位字母的币种代码")
    try:
        amount = Decimal(m.group(2).replace(",", ""))
    except InvalidOperation:
        raise _err(slot, f"{text!r} is not a number", f"“{text}”不是数字") from None
    if amount >= Decimal(10) ** 12:
        raise _err(slot, "is too large", "金额过大")
    return f"{cur} {amount:,.2f}"


def render_value(slot: Slot, value: str, lang: str, carriers: Mapping[str, Carrier]) -> str:
    """A canonical slot value as the sentence shows it; English output is always ASCII."""
    if slot.type == "date" and lang == "zh":
        d = date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"
    if slot.type == "carrier":
        carrier = carriers.get(value)
        return carrier.label(lang) if carrier else value
    return value


# A case's chosen phrases --------------------------------------------------------------------------


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


def sample_value(slot: Slot, carriers: Mapping[str, Carrier]) -> str:
    """A valid value of the slot's type, for checking the bank and for previews."""
    return {
        "date": "2024-05-03", "amount": "USD 1,250.00", "count": "120", "days": "7",
        "order_no": "230512345678", "tracking_no": "SF1234567890", "member_id": "br1234567",
        "carrier": next(iter(carriers), "dhl"), "exhibit": "A-1",
    }[slot.type]
