"""Guidance from the seed, loaded from `resources/guidance/*.toml`: the submission steps, the FAQ,
the hotline directory, the carrier-change rule, the logistics-dispute notes and the tips.

It is data so it can follow the platform when its pages change; problems are reported with the
file and line like the rules files (the same reader, the same RulesError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_desk.core.rules import RulesError, _Reader
from evidence_desk.core.states import LOGISTICS_FLOW

# What the desk can hand the seller for a submission step.
PREPARED = ("order_no", "type", "statement_en", "pack")
FILES = ("steps.toml", "faq.toml", "hotlines.toml", "carrier_change.toml",
         "logistics_dispute.toml", "tips.toml")


def _pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@dataclass(frozen=True)
class Step:
    key: str
    zh: str
    en: str
    detail_zh: str = ""
    detail_en: str = ""
    prepared: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return _pick(lang, self.zh, self.en)

    def detail(self, lang: str) -> str:
        return _pick(lang, self.detail_zh, self.detail_en)


@dataclass(frozen=True)
class FaqEntry:
    key: str
    q_zh: str
    a_zh: str
    q_en: str
    a_en: str

    def question(self, lang: str) -> str:
        return _pick(lang, self.q_zh, self.q_en)

    def answer(self, lang: str) -> str:
        return _pick(lang, self.a_zh, self.a_en)


@dataclass(frozen=True)
class Hotline:
    key: str
    number: str
    zh: str
    en: str
    keys_zh: str = ""
    keys_en: str = ""
    escalation: bool = False

    def label(self, lang: str) -> str:
        return _pick(lang, self.zh, self.en)

    def dial(self, lang: str) -> str:
        """The number with the key to press, e.g. '400-800-1688 按6号键' / '400-800-1688, press 6'."""
        keys = _pick(lang, self.keys_zh, self.keys_en)
        if not keys:
            return self.number
        return f"{self.number} {keys}" if lang == "zh" else f"{self.number}, {keys}"


@dataclass(frozen=True)
class SelfServiceItem:
    key: str
    zh: str
    en: str
    how_zh: str
    how_en: str

    def label(self, lang: str) -> str:
        return _pick(lang, self.zh, self.en)

    def how(self, lang: str) -> str:
        return _pick(lang, self.how_zh, self.how_en)


@dataclass(frozen=True)
class CarrierChange:
    rule_zh: str
    rule_en: str
    note_zh: str
    note_en: str
    steps: tuple[Step, ...]

    def rule(self, lang: str) -> str:
        return _pick(lang, self.rule_zh, self.rule_en)

    def note(self, lang: str) -> str:
        return _pick(lang, self.note_zh, self.note_en)


@dataclass(frozen=True)
class Note:
    """A titled paragraph: a logistics-dispute note or a tip."""

    key: str
    title_zh: str
    title_en: str
    zh: str
    en: str
    # For dispute notes: the logistics states it belongs beside (empty: all of them).
    states: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return _pick(lang, self.title_zh, self.title_en)

    def text(self, lang: str) -> str:
        return _pick(lang, self.zh, self.en)


@dataclass(frozen=True)
class Guidance:
    steps: tuple[Step, ...]
    faq: tuple[FaqEntry, ...]
    hotlines: tuple[Hotline, ...]
    self_service: tuple[SelfServiceItem, ...]
    self_service_source_zh: str
    self_service_source_en: str
    carrier_change: CarrierChange
    dispute_notes: tuple[Note, ...]
    tips: tuple[Note, ...]

    def escalation_hotlines(self) -> tuple[Hotline, ...]:
        """The lines to call when a complaint fails (the FAQ's customer-service route)."""
        return tuple(h for h in self.hotlines if h.escalation)

    def notes_for_state(self, state: str) -> tuple[Note, ...]:
        return tuple(n for n in self.dispute_notes if not n.states or state in n.states)

    def self_service_source(self, lang: str) -> str:
        return _pick(lang, self.self_service_source_zh, self.self_service_source_en)


# Loading -------------------------------------------------------------------------------------------

_KEY = re.compile(r"[a-z0-9][a-z0-9_]*")
_NUMBER = re.compile(r"[0-9][0-9-]*[0-9]")


def _keyed(r: _Reader, items: list[Any], what: str) -> list[tuple[str, dict[str, Any]]]:
    """Each table with a valid, unique `key`, and the `where` text _Reader uses to find its line."""
    seen: set[str] = set()
    out = []
    for raw in items:
        if not isinstance(raw, dict):
            raise r.fail(f"each [[{what}]] must be a table", f"[[{what}]]")
        key = raw.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise r.fail(f"[[{what}]] key {key!r} must be lower_case_with_underscores", "key =")
        if key in seen:
            raise r.fail(f"{what} '{key}' is defined twice", f'"{key}"', r.line_of(f'"{key}"'))
        seen.add(key)
        out.append((f"{what} '{key}'", raw))
    return out


def _str_tuple(r: _Reader, raw: dict[str, Any], name: str, where: str,
               allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = r.field(raw, name, list, where, default=[])
    for v in values:
        if v not in allowed:
            start = r.line_of(where.split("'")[1]) - 1
            raise r.fail(f"{where}: unknown `{name}` value {v!r} (use one of "
                         f"{', '.join(allowed)})", f'"{v}"', max(start, 0))
    return tuple(values)


def _steps(r: _Reader, items: list[Any]) -> tuple[Step, ...]:
    return tuple(
        Step(
            key=raw["key"],
            zh=r.field(raw, "zh", str, where), en=r.field(raw, "en", str, where),
            detail_zh=r.field(raw, "detail_zh", str, where, default=""),
            detail_en=r.field(raw, "detail_en", str, where, default=""),
            prepared=_str_tuple(r, raw, "prepared", where, PREPARED),
        )
        for where, raw in _keyed(r, items, "step")
    )


def load_steps(path: Path) -> tuple[Step, ...]:
    r = _Reader(Path(path))
    return _steps(r, r.table_list("step"))


def load_faq(path: Path) -> tuple[FaqEntry, ...]:
    r = _Reader(Path(path))
    return tuple(
        FaqEntry(
            key=raw["key"],
            **{f: r.field(raw, f, str, where) for f in ("q_zh", "a_zh", "q_en", "a_en")},
        )
        for where, raw in _keyed(r, r.table_list("faq"), "faq")
    )


def load_hotlines(path: Path) -> tuple[tuple[Hotline, ...], tuple[SelfServiceItem, ...], str, str]:
    """The hotlines, the self-service items, and where the self-service list comes from (zh, en)."""
    r = _Reader(Path(path))
    hotlines = []
    for where, raw in _keyed(r, r.table_list("hotline"), "hotline"):
        number = r.field(raw, "number", str, where)
        if not _NUMBER.fullmatch(number):
            raise r.fail(f"{where}: `number` {number!r} must be digits and hyphens only",
                         f'"{number}"')
        hotlines.append(Hotline(
            key=raw["key"], number=number,
            zh=r.field(raw, "zh", str, where), en=r.field(raw, "en", str, where),
            keys_zh=r.field(raw, "keys_zh", str, where, default=""),
            keys_en=r.field(raw, "keys_en", str, where, default=""),
            escalation=r.field(raw, "escalation", bool, where, default=False),
        ))
    ss = r.data.get("self_service")
    if not isinstance(ss, dict):
        raise r.fail("missing the [self_service] table")
    items = ss.get("item")
    if not isinstance(items, list) or not items:
        raise r.fail("expected one or more [[self_service.item]] tables", "[self_service]")
    services = tuple(
        SelfServiceItem(
            key=raw["key"],
            **{f: r.field(raw, f, str, where) for f in ("zh", "en", "how_zh", "how_en")},
        )
        for where, raw in _keyed(r, items, "self_service.item")
    )
    return (tuple(hotlines), services,
            r.field(ss, "source_zh", str, "[self_service]"),
            r.field(ss, "source_en", str, "[self_service]"))


def load_carrier_change(path: Path) -> CarrierChange:
    r = _Reader(Path(path))
    texts = {}
    for name in ("rule", "note"):
        t = r.data.get(name)
        if not isinstance(t, dict):
            raise r.fail(f"missing the [{name}] table")
        texts[f"{name}_zh"] = r.field(t, "zh", str, f"[{name}]")
        texts[f"{name}_en"] = r.field(t, "en", str, f"[{name}]")
    return CarrierChange(steps=_steps(r, r.table_list("step")), **texts)


def _notes(path: Path, table: str, with_states: bool) -> tuple[Note, ...]:
    r = _Reader(Path(path))
    states = tuple(s.key for s in LOGISTICS_FLOW.states)
    return tuple(
        Note(
            key=raw["key"],
            **{f: r.field(raw, f, str, where) for f in ("title_zh", "title_en", "zh", "en")},
            states=_str_tuple(r, raw, "states", where, states) if with_states else (),
        )
        for where, raw in _keyed(r, r.table_list(table), table)
    )


def load_dispute_notes(path: Path) -> tuple[Note, ...]:
    return _notes(path, "note", with_states=True)


def load_tips(path: Path) -> tuple[Note, ...]:
    return _notes(path, "tip", with_states=False)


def load_guidance(folder: Path) -> Guidance:
    """Load every guidance file in `folder`; raise RulesError naming the file and line."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RulesError(f"{folder}: guidance folder is missing")
    hotlines, services, src_zh, src_en = load_hotlines(folder / "hotlines.toml")
    return Guidance(
        steps=load_steps(folder / "steps.toml"),
        faq=load_faq(folder / "faq.toml"),
        hotlines=hotlines,
        self_service=services,
        self_service_source_zh=src_zh,
        self_service_source_en=src_en,
        carrier_change=load_carrier_change(folder / "carrier_change.toml"),
        dispute_notes=load_dispute_notes(folder / "logistics_dispute.toml"),
        tips=load_tips(folder / "tips.toml"),
    )
