"""The phrase bank: Chinese sentences with vetted English twins, so a seller who does not write
English can still state the facts and the demand of a complaint in English.

The bank is data (`resources/phrases/<type_key>.toml`, `common.toml` for the timing facts several
types share, `carriers.toml` for the closed list of carriers). Each phrase has an id, a section
(facts or demand), a Chinese and an English sentence with the same `{slot}`s, typed slots and the
evidence kinds it relies on. There is no free-text slot: every slot value is checked against its
type and renders as ASCII, so a statement made only of phrases needs no translation.

Slot values are checked and rendered by core.phrase_slots; a case's chosen phrases are handled
by core.phrase_choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence_desk.core.phrase_slots import SLOT_TYPES, Carrier, Slot
from evidence_desk.core.rules import Rules, RulesError, _Reader

SECTIONS = ("facts", "demand")
COMMON_FILE = "common.toml"
CARRIERS_FILE = "carriers.toml"
# The type an entry of common.toml reports: it belongs to every type common.toml names.
COMMON_TYPE = "common"

_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_SLOT_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SLOT_REF = re.compile(r"\{([^{}]*)\}")


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
        key, where = r.new_key(raw, carriers, "carrier", "carrier")
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
