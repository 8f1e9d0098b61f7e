"""Complaint rules, evidence kinds and platform limits, loaded from the TOML files in a folder.

The files are meant to be edited by users when the platform changes its rules, so every problem
is reported with the file and line it stands on instead of a stack trace.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE_CATEGORIES = ("image", "pdf", "spreadsheet", "email", "text", "document", "video")
LEVELS = ("required", "any_of", "recommended")
FLOWS = ("complaint", "logistics")


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class EvidenceKind:
    key: str
    letter: str
    zh: str
    en: str
    hint_zh: str
    hint_en: str
    accepts: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def hint(self, lang: str) -> str:
        return self.hint_zh if lang == "zh" else self.hint_en


@dataclass(frozen=True)
class Requirement:
    kinds: tuple[str, ...]
    level: str
    min: int = 1

    @property
    def required(self) -> bool:
        return self.level != "recommended"


@dataclass(frozen=True)
class ComplaintType:
    key: str
    flow: str
    zh: str
    en: str
    reason_zh: str
    reason_en: str
    outcome_zh: str
    outcome_en: str
    window_days: int
    window_from: str
    window_until: str
    window_working_days: bool
    requirements: tuple[Requirement, ...]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Source:
    key: str
    platform_chat: bool
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class PlatformProfile:
    name_zh: str
    name_en: str
    statement_ascii_only: bool
    attachment_extensions: tuple[str, ...]
    zip_max_bytes: int
    one_zip_per_kind: bool
    visible_to_other_party: bool
    chat_tool_zh: str
    chat_tool_en: str
    dossier_budget_bytes: int
    result_working_days_min: int
    result_working_days_max: int
    window_closing_days: int


@dataclass(frozen=True)
class Rules:
    kinds: dict[str, EvidenceKind]
    types: dict[str, ComplaintType]
    sources: dict[str, Source]
    platform: PlatformProfile
    folder: Path = field(default=Path("."))

    def kind(self, key: str) -> EvidenceKind:
        return self.kinds[key]

    def type(self, key: str) -> ComplaintType:
        return self.types[key]

    def to_json(self) -> dict[str, Any]:
        """The rules as plain JSON-ready data (the command line's `rules --json`)."""
        p = self.platform
        return {
            "evidence_kinds": [
                {
                    "key": k.key, "letter": k.letter, "zh": k.zh, "en": k.en,
                    "hint_zh": k.hint_zh, "hint_en": k.hint_en, "accepts": list(k.accepts),
                }
                for k in self.kinds.values()
            ],
            "complaint_types": [
                {
                    "key": t.key, "flow": t.flow, "zh": t.zh, "en": t.en,
                    "reason_zh": t.reason_zh, "reason_en": t.reason_en,
                    "outcome_zh": t.outcome_zh, "outcome_en": t.outcome_en,
                    "window_days": t.window_days, "window_from": t.window_from,
                    "window_until": t.window_until or None,
                    "window_working_days": t.window_working_days,
                    "requirements": [
                        {"kinds": list(r.kinds), "level": r.level, "required": r.required,
                         "min": r.min}
                        for r in t.requirements
                    ],
                    "required_kinds": sorted(
                        {k for r in t.requirements if r.required for k in r.kinds}
                    ),
                }
                for t in self.types.values()
            ],
            "sources": [
                {"key": s.key, "platform_chat": s.platform_chat, "zh": s.zh, "en": s.en}
                for s in self.sources.values()
            ],
            "platform": {
                "name_zh": p.name_zh, "name_en": p.name_en,
                "statement_ascii_only": p.statement_ascii_only,
                "attachment_extensions": list(p.attachment_extensions),
                "zip_max_bytes": p.zip_max_bytes, "one_zip_per_kind": p.one_zip_per_kind,
                "visible_to_other_party": p.visible_to_other_party,
                "chat_tool_zh": p.chat_tool_zh, "chat_tool_en": p.chat_tool_en,
                "dossier_budget_bytes": p.dossier_budget_bytes,
                "result_working_days": [p.result_working_days_min, p.result_working_days_max],
                "window_closing_days": p.window_closing_days,
            },
        }


class _Reader:
    """Reads one TOML file and turns schema problems into messages naming the line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RulesError(f"{path}: rules file is missing") from None
        except UnicodeDecodeError as exc:
            raise RulesError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise RulesError(f"{path}: cannot read ({exc.strerror})") from None
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{path}: {exc}") from None
        self.lines = self.text.splitlines()

    def line_of(self, needle: str | re.Pattern[str], start: int = 0) -> int:
        """1-based line of the first line after `start` that mentions needle (0 if none)."""
        pattern = needle if isinstance(needle, re.Pattern) else re.compile(re.escape(needle))
        for i in range(start, len(self.lines)):
            if pattern.search(self.lines[i]):
                return i + 1
        return 0

    def key_line(self, key: str, start: int = 0) -> int:
        """1-based line of `key = "<key>"` (a bare search for "other" would hit "another")."""
        return self.line_of(re.compile(rf"""^\s*key\s*=\s*["']{re.escape(key)}["']"""), start)

    def new_key(self, raw: dict[str, Any], seen: Mapping[str, object], noun: str,
                label: str) -> tuple[str, str]:
        """A table's `key`, checked for shape and uniqueness; returns it and its "label 'key'"
        for messages."""
        key = raw.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise self.fail(f"{noun} key {key!r} must be lower_case_with_underscores", "key =")
        where = f"{label} '{key}'"
        if key in seen:
            raise self.fail(f"{where} is defined twice", line=self.key_line(key, self.key_line(key)))
        return key, where

    def table_line(self, where: str) -> int:
        """1-based line a table starts on: the key line of "kind 'x'", the header of "[platform]"."""
        if "'" in where:
            return self.key_line(where.split("'")[1])
        return self.line_of(re.compile(rf"^\s*{re.escape(where)}\s*(#.*)?$"))

    def field_line(self, name: str, start: int) -> int:
        """1-based line assigning `name` (`zh =` must not match `reason_zh =`)."""
        return self.line_of(re.compile(rf"^\s*{re.escape(name)}\s*="), max(start, 0))

    def fail(
        self, message: str, needle: str = "", start: int = 0, line: int = 0
    ) -> RulesError:
        if not line and needle:
            line = self.line_of(needle, start)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return RulesError(f"{where}: {message}")

    def table_list(self, name: str) -> list[dict[str, Any]]:
        items = self.data.get(name)
        if not isinstance(items, list) or not items:
            raise self.fail(f"expected one or more [[{name}]] tables")
        return items

    def field(self, table: dict[str, Any], name: str, kind: type, where: str, **opt: Any) -> Any:
        start = self.table_line(where) - 1
        if name not in table:
            if "default" in opt:
                return opt["default"]
            raise self.fail(f"{where}: missing `{name}`", line=start + 1)
        value = table[name]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(
                f"{where}: `{name}` must be {kind.__name__}, not {type(value).__name__}",
                line=self.field_line(name, start),
            )
        if isinstance(value, str) and not opt.get("empty_ok", False) and not value.strip():
            raise self.fail(f"{where}: `{name}` is empty", line=self.field_line(name, start))
        return value


def _load_kinds(r: _Reader) -> dict[str, EvidenceKind]:
    kinds: dict[str, EvidenceKind] = {}
    for raw in r.table_list("kind"):
        key, where = r.new_key(raw, kinds, "evidence kind", "kind")
        accepts = r.field(raw, "accepts", list, where)
        for cat in accepts:
            if cat not in FILE_CATEGORIES:
                raise r.fail(f"{where}: unknown file category {cat!r} (use one of "
                             f"{', '.join(FILE_CATEGORIES)})", line=r.field_line("accepts", r.key_line(key) - 1))
        kinds[key] = EvidenceKind(
            key=key,
            letter=r.field(raw, "letter", str, where),
            zh=r.field(raw, "zh", str, where),
            en=r.field(raw, "en", str, where),
            hint_zh=r.field(raw, "hint_zh", str, where, default=""),
            hint_en=r.field(raw, "hint_en", str, where, default=""),
            accepts=tuple(accepts),
        )
    return kinds


def _load_types(r: _Reader, kinds: dict[str, EvidenceKind]) -> dict[str, ComplaintType]:
    types: dict[str, ComplaintType] = {}
    for raw in r.table_list("type"):
        key = raw.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise r.fail(f"complaint type key {key!r} must be lower_case_with_underscores", "key =")
        where = f"type '{key}'"
        start = r.key_line(key) - 1
        if key in types:
            raise r.fail(f"{where} is defined twice", line=r.key_line(key, start + 1))
        flow = r.field(raw, "flow", str, where)
        if flow not in FLOWS:
            raise r.fail(f"{where}: unknown flow {flow!r} (use {' or '.join(FLOWS)})", "flow", start)
        reqs: list[Requirement] = []
        for req in r.field(raw, "requirements", list, where):
            if not isinstance(req, dict):
                raise r.fail(f"{where}: each requirement must be a table", "requirements", start)
            level = req.get("level", "required")
            if level not in LEVELS:
                raise r.fail(f"{where}: unknown requirement level {level!r} (use one of "
                             f"{', '.join(LEVELS)})", f'"{level}"', start)
            if level == "any_of":
                ks = req.get("kinds")
                if not isinstance(ks, list) or len(ks) < 2:
                    raise r.fail(f"{where}: an any_of requirement needs `kinds` with two or more",
                                 "any_of", start)
            else:
                ks = [req.get("kind")]
            for k in ks:
                if k not in kinds:
                    raise r.fail(f"{where}: requirement names unknown evidence kind {k!r}",
                                 f'"{k}"', start)
            minimum = req.get("min", 1)
            if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
                # The requirement's own line is the one naming its first kind.
                raise r.fail(f"{where}: requirement `min` must be a whole number of at least 1",
                             f'"{ks[0]}"', start)
            reqs.append(Requirement(kinds=tuple(ks), level=level, min=minimum))
        window_days = r.field(raw, "window_days", int, where)
        if window_days < 0:
            raise r.fail(f"{where}: `window_days` cannot be negative", "window_days", start)
        types[key] = ComplaintType(
            key=key, flow=flow,
            zh=r.field(raw, "zh", str, where), en=r.field(raw, "en", str, where),
            reason_zh=r.field(raw, "reason_zh", str, where),
            reason_en=r.field(raw, "reason_en", str, where),
            outcome_zh=r.field(raw, "outcome_zh", str, where),
            outcome_en=r.field(raw, "outcome_en", str, where),
            window_days=window_days,
            window_from=r.field(raw, "window_from", str, where),
            window_until=r.field(raw, "window_until", str, where, default=""),
            window_working_days=r.field(raw, "window_working_days", bool, where, default=False),
            requirements=tuple(reqs),
        )
    return types


def _load_sources(r: _Reader) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for raw in r.table_list("source"):
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            raise r.fail("every [[source]] needs a `key`", "[[source]]")
        where = f"source '{key}'"
        sources[key] = Source(
            key=key,
            platform_chat=r.field(raw, "platform_chat", bool, where),
            zh=r.field(raw, "zh", str, where), en=r.field(raw, "en", str, where),
        )
    return sources


def _load_platform(r: _Reader) -> PlatformProfile:
    p = r.data.get("platform")
    res = r.data.get("result")
    warn = r.data.get("warnings")
    for name, table in (("platform", p), ("result", res), ("warnings", warn)):
        if not isinstance(table, dict):
            raise r.fail(f"missing the [{name}] table")
    assert isinstance(p, dict) and isinstance(res, dict) and isinstance(warn, dict)
    zip_max = r.field(p, "zip_max_bytes", int, "[platform]")
    if zip_max < 64 * 1024:
        raise r.fail("[platform]: `zip_max_bytes` is too small to hold an image", "zip_max_bytes")
    lo = r.field(res, "working_days_min", int, "[result]")
    hi = r.field(res, "working_days_max", int, "[result]")
    if not 0 <= lo <= hi:
        raise r.fail("[result]: need 0 <= working_days_min <= working_days_max", "working_days_m")
    return PlatformProfile(
        name_zh=r.field(p, "name_zh", str, "[platform]"),
        name_en=r.field(p, "name_en", str, "[platform]"),
        statement_ascii_only=r.field(p, "statement_ascii_only", bool, "[platform]"),
        attachment_extensions=tuple(
            e.lower().lstrip(".") for e in r.field(p, "attachment_extensions", list, "[platform]")
        ),
        zip_max_bytes=zip_max,
        one_zip_per_kind=r.field(p, "one_zip_per_kind", bool, "[platform]"),
        visible_to_other_party=r.field(p, "visible_to_other_party", bool, "[platform]"),
        chat_tool_zh=r.field(p, "chat_tool_zh", str, "[platform]"),
        chat_tool_en=r.field(p, "chat_tool_en", str, "[platform]"),
        dossier_budget_bytes=r.field(p, "dossier_budget_bytes", int, "[platform]"),
        result_working_days_min=lo,
        result_working_days_max=hi,
        window_closing_days=r.field(warn, "window_closing_days", int, "[warnings]"),
    )


def load_rules(folder: Path) -> Rules:
    """Load every rules file in `folder`; raise RulesError naming the file and line on a problem."""
    folder = Path(folder)
    kinds = _load_kinds(_Reader(folder / "evidence_kinds.toml"))
    types = _load_types(_Reader(folder / "complaint_types.toml"), kinds)
    sources = _load_sources(_Reader(folder / "sources.toml"))
    platform = _load_platform(_Reader(folder / "platform.toml"))
    return Rules(kinds=kinds, types=types, sources=sources, platform=platform, folder=folder)
