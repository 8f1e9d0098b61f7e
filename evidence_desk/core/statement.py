"""The complaint statement: exhibit numbering, composing from templates, and tracking seller edits.

Templates live in `resources/statements/<type_key>.toml` (an `[en]` and a `[zh]` table, each with a
`text` written with `${placeholder}`s) plus `common.toml` for the pieces every template shares
(placeholders for missing facts, the exhibit list, date format). They are data so a seller can
change the wording without touching code.

Line N of a template's [en] text is the twin of line N of its [zh] text, so a statement is
composed as a list of segments, each in both languages: frame lines from the template, the facts
and the demand from the case's chosen phrases (core.phrases) or else its own reason and demand,
and the exhibit list. The Chinese reading version is therefore always the English said in
Chinese; a line the seller typed or edited is marked as theirs and not checked.

The platform refuses complaint text with non-English characters, so English output is pure ASCII:
user text that cannot be folded to ASCII (a Chinese buyer name or reason) is replaced by a visible
"[please translate: ...]" marker, which the wording check flags, instead of being dropped silently.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Template

from evidence_desk.core.phrase_choice import (
    OWN_MARK_ZH,
    PhraseWarning,
    chosen_from_json,
    render,
)
from evidence_desk.core.phrase_choice import warnings as phrase_warnings
from evidence_desk.core.phrases import PhraseBank
from evidence_desk.core.rules import Rules, RulesError, _Reader
from evidence_desk.core.textfold import to_ascii
from evidence_desk.core.types import CaseInfo, EvidenceInfo

__all__ = ["to_ascii"]  # re-exported: callers fold text through the statement module

LANGS = ("en", "zh")
COMMON_FILE = "common.toml"

# Placeholders every template may use besides `see_<kind key>` for each evidence kind.
FACTS = (
    "order_no", "type_label", "completed_on", "paid_on", "accepted_on", "refund_requested_on",
    "amount", "buyer", "buyer_name", "buyer_company", "buyer_country", "buyer_member_id",
    "reason", "demand", "exhibits", "exhibit_numbers", "platform", "chat_tool",
)
_COMMON_KEYS = (
    "translate", "fill_in", "date", "amount", "buyer_details", "member_id", "detail_separator",
    "exhibits_heading", "no_exhibits", "exhibit_item", "exhibit_item_bare", "number_separator",
    "see_one", "see_many",
)


@dataclass(frozen=True)
class ExhibitRef:
    """One piece of evidence as the statement cites it: 'A-1', its kind key and caption."""

    number: str
    kind: str
    caption: str = ""


def _sort_key(number: str) -> tuple[str, int]:
    letter, _, n = number.partition("-")
    return (letter, int(n) if n.isdigit() else 0)


def exhibit_numbers(items: Sequence[EvidenceInfo], rules: Rules) -> dict[int, str]:
    """Evidence id -> exhibit number ('A-1'): per kind letter, counted in order of position.

    The one numbering shared by the statement, the dossier and the upload pack, so a number
    cited in the text always names the same file everywhere. Items are counted per *letter*,
    not per kind, so two kinds an edited rules file gives one letter still get distinct numbers;
    a kind the rules no longer know is counted under 'other' (or '?' if that is gone too).
    """
    fallback = rules.kinds["other"].letter if "other" in rules.kinds else "?"
    counts: dict[str, int] = {}
    numbers: dict[int, str] = {}
    for item in sorted(items, key=lambda e: (e.position, e.id)):
        kind = rules.kinds.get(item.kind)
        letter = kind.letter if kind else fallback
        counts[letter] = counts.get(letter, 0) + 1
        numbers[item.id] = f"{letter}-{counts[letter]}"
    return numbers


def exhibit_refs(items: Sequence[EvidenceInfo], rules: Rules) -> list[ExhibitRef]:
    """The items as ExhibitRefs in exhibit order (A-1, A-2, B-1 ...), captioned for citing."""
    numbers = exhibit_numbers(items, rules)
    refs = [ExhibitRef(numbers[e.id], e.kind, e.caption.strip()) for e in items]
    return sorted(refs, key=lambda r: _sort_key(r.number))


# Templates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Common:
    strings: dict[str, str]
    fields: dict[str, str]

    def t(self, key: str, **values: str) -> str:
        return Template(self.strings[key]).safe_substitute(values)


def _load_lang_table(r: _Reader, lang: str) -> dict[str, object]:
    table = r.data.get(lang)
    if not isinstance(table, dict):
        raise r.fail(f"missing the [{lang}] table")
    return table


def _check_ascii(r: _Reader, lang: str, name: str, value: str, ascii_only: bool) -> None:
    if lang == "en" and ascii_only and not value.isascii():
        bad = next(c for c in value if not c.isascii())
        raise r.fail(f"[{lang}] `{name}` holds the non-English character {bad!r}; the platform "
                     f"refuses English complaint text with such characters", bad)


def _load_common(folder: Path, lang: str, ascii_only: bool) -> _Common:
    r = _Reader(folder / COMMON_FILE)
    table = _load_lang_table(r, lang)
    strings = {k: r.field(table, k, str, f"[{lang}]", empty_ok=True) for k in _COMMON_KEYS}
    fields = table.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise r.fail(f"[{lang}.fields] must be a table of texts", f"[{lang}.fields]")
    for name, value in [*strings.items(), *fields.items()]:
        _check_ascii(r, lang, name, value, ascii_only)
    return _Common(strings=strings, fields=dict(fields))


def template_path(templates_dir: Path, type_key: str) -> Path:
    return Path(templates_dir) / f"{type_key}.toml"


def load_template(templates_dir: Path, type_key: str, lang: str, rules: Rules) -> str:
    """The template text for one type and language, checked for unknown placeholders."""
    if lang not in LANGS:
        raise ValueError(f"unknown statement language {lang!r} (use en or zh)")
    path = template_path(templates_dir, type_key)
    if not path.is_file():
        raise RulesError(f"{path}: no statement template for complaint type {type_key!r}")
    r = _Reader(path)
    text = r.field(_load_lang_table(r, lang), "text", str, f"[{lang}]")
    _check_ascii(r, lang, "text", text, rules.platform.statement_ascii_only)
    tpl = Template(text)
    if not tpl.is_valid():
        raise r.fail(f"[{lang}] `text` has a stray '$' (write $$ for a dollar sign)", "$")
    known = set(FACTS) | {f"see_{k}" for k in rules.kinds}
    for name in tpl.get_identifiers():
        if name not in known:
            raise r.fail(f"[{lang}] unknown placeholder ${{{name}}} (known: "
                         f"{', '.join(sorted(known))})", "${" + name + "}")
    return text


# Composing -------------------------------------------------------------------------------------


class _Facts:
    """Turns the case's values into template text for one language."""

    def __init__(self, common: _Common, lang: str, ascii_only: bool) -> None:
        self.c = common
        self.lang = lang
        self.ascii_only = ascii_only and lang == "en"

    def missing(self, field: str) -> str:
        return self.c.t("fill_in", what=self.c.fields.get(field, field))

    def user(self, field: str, value: str, *, required: bool = True) -> str:
        """User-typed text; in English, folded to ASCII or replaced by a translate marker."""
        value = " ".join(value.split()) if field != "reason" else value.strip()
        if not value:
            return self.missing(field) if required else ""
        if not self.ascii_only:
            return value
        folded = to_ascii(value)
        if folded is None:
            return self.c.t("translate", what=self.c.fields.get(field, field))
        return folded

    def label(self, text: str, fallback: str) -> str:
        """A label from the rules files (edited by users too): never let it break ASCII."""
        if not self.ascii_only:
            return text
        return to_ascii(text) or fallback

    def day(self, field: str, value: date | None) -> str:
        if value is None:
            return self.missing(field)
        return self.c.t("date", year=str(value.year), month=f"{value.month:02d}",
                        day=f"{value.day:02d}", m=str(value.month), d=str(value.day))

    def money(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return self.missing("amount")
        cur = self.user("currency", currency or "USD")
        return self.c.t("amount", currency=cur, value=f"{amount:,.2f}")


def _buyer(f: _Facts, case: CaseInfo) -> dict[str, str]:
    b = case.buyer
    name = f.user("buyer_name", b.name if b else "")
    company = f.user("buyer_company", b.company if b else "", required=False)
    country = f.user("buyer_country", b.country if b else "", required=False)
    member = f.user("buyer_member_id", b.member_id if b else "", required=False)
    member_text = f.c.t("member_id", id=member) if member else ""
    details = f.c.strings["detail_separator"].join(
        x for x in (company, country, member_text) if x)
    return {
        "buyer": f.c.t("buyer_details", name=name, details=details) if details else name,
        "buyer_name": name,
        "buyer_company": company or f.missing("buyer_company"),
        "buyer_country": country or f.missing("buyer_country"),
        "buyer_member_id": member or f.missing("buyer_member_id"),
    }


def _exhibit_block(f: _Facts, exhibits: Sequence[ExhibitRef], rules: Rules) -> dict[str, str]:
    c = f.c
    ordered = sorted(exhibits, key=lambda e: _sort_key(e.number))
    sep = c.strings["number_separator"]
    values: dict[str, str] = {}
    for key in rules.kinds:
        nums = [e.number for e in ordered if e.kind == key]
        if not nums:
            values[f"see_{key}"] = ""
        else:
            values[f"see_{key}"] = c.t("see_one" if len(nums) == 1 else "see_many",
                                       numbers=sep.join(nums))
    values["exhibit_numbers"] = sep.join(e.number for e in ordered) or c.strings["no_exhibits"]
    if not ordered:
        values["exhibits"] = c.strings["no_exhibits"]
        return values
    lines = [c.strings["exhibits_heading"]]
    kinds_in_order: list[str] = []
    for e in ordered:
        if e.kind not in kinds_in_order:
            kinds_in_order.append(e.kind)
    for key in kinds_in_order:
        kind = rules.kinds.get(key)
        lines.append(f.label(kind.label(f.lang), key) if kind else key)
        for e in (x for x in ordered if x.kind == key):
            # A caption that cannot be folded to ASCII is left out rather than marked for
            # translation: the kind heading already says what the file is.
            caption = " ".join(e.caption.split())
            if caption and f.ascii_only:
                caption = to_ascii(caption) or ""
            item = "exhibit_item" if caption else "exhibit_item_bare"
            lines.append(c.t(item, number=e.number, caption=caption))
    values["exhibits"] = "\n".join(lines)
    return values


@dataclass(frozen=True)
class Segment:
    """One line (or one block of the seller's own text) of the statement, in both languages.

    `source` says where it came from: "frame" (the type's template), "phrase" (a vetted phrase:
    the Chinese says what the English says), "own" (written by the seller; the Chinese only
    marks it), "case_text" (the case's reason or demand field), "exhibits", "blank" or
    "unknown" (a phrase the bank no longer has). `index` is the position among the chosen
    phrases, for a sentence that is one.
    """

    en: str
    zh: str
    source: str
    section: str = ""
    index: int | None = None
    phrase_id: str = ""

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Composition:
    """A composed statement: its segments in order and the warnings about chosen phrases."""

    segments: tuple[Segment, ...]
    warnings: tuple[PhraseWarning, ...] = ()

    def text(self, lang: str) -> str:
        return _finish("\n".join(s.text(lang) for s in self.segments))

    def section(self, section: str, lang: str) -> str:
        """The facts (reason) or the demand as the statement states them, in `lang`."""
        return "\n".join(s.text(lang) for s in self.segments if s.section == section).strip()

    def reading(self, en_text: str) -> Composition:
        """The composition as `en_text` (the English as stored, maybe edited) says it."""
        return Composition(tuple(reading_version(en_text, self)), self.warnings)


def _finish(text: str) -> str:
    # Templates end with a newline in TOML multi-line strings, and lines citing evidence the
    # case lacks are left out: trailing spaces and runs of blank lines are noise in the
    # platform's text box.
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


_BLOCKS = ("reason", "demand", "exhibits")
_BARE_ITEM = re.compile(r"- [A-Z?]-\d+")
_SEE = re.compile(r"\$\{see_([a-z0-9_]+)\}")


def _paired_lines(templates_dir: Path, type_key: str, rules: Rules) -> list[tuple[str, str]]:
    """The [en] and [zh] templates line by line: line N of one is the twin of line N of the
    other, which is what lets the Chinese reading version follow the English exactly."""
    en = load_template(templates_dir, type_key, "en", rules).strip("\n").split("\n")
    zh = load_template(templates_dir, type_key, "zh", rules).strip("\n").split("\n")
    if len(en) != len(zh):
        r = _Reader(template_path(templates_dir, type_key))
        raise r.fail(f"the [en] text has {len(en)} lines and the [zh] text {len(zh)}: each "
                     "English line needs its Chinese twin on the same line", "[zh]")
    for n, (a, b) in enumerate(zip(en, zh, strict=True), 1):
        for block in _BLOCKS:
            mark = "${" + block + "}"
            if (a.strip() == mark) != (b.strip() == mark):
                r = _Reader(template_path(templates_dir, type_key))
                raise r.fail(f"line {n} of the texts: ${{{block}}} must stand alone on the same "
                             "line of [en] and [zh]", mark)
    return list(zip(en, zh, strict=True))


def _values(case: CaseInfo, exhibits: Sequence[ExhibitRef], rules: Rules, lang: str,
            common: _Common) -> tuple[_Facts, dict[str, str]]:
    ascii_only = rules.platform.statement_ascii_only
    f = _Facts(common, lang, ascii_only)
    ctype = rules.types.get(case.type_key)
    platform = rules.platform.name_zh if lang == "zh" else rules.platform.name_en
    chat_tool = rules.platform.chat_tool_zh if lang == "zh" else rules.platform.chat_tool_en
    values: dict[str, str] = {
        "order_no": f.user("order_no", case.order_no),
        "type_label": f.label(ctype.label(lang), case.type_key) if ctype else case.type_key,
        "completed_on": f.day("completed_on", case.completed_on),
        "paid_on": f.day("paid_on", case.paid_on),
        "accepted_on": f.day("accepted_on", case.accepted_on),
        "refund_requested_on": f.day("refund_requested_on", case.refund_requested_on),
        "amount": f.money(case.amount, case.currency),
        "reason": f.user("reason", case.reason),
        "demand": f.user("demand", case.demand),
        "platform": f.label(platform, "Alibaba.com"),
        "chat_tool": f.label(chat_tool, "Alibaba.com chat"),
        **_buyer(f, case),
        **_exhibit_block(f, exhibits, rules),
    }
    return f, values


def _case_text(section: str, case: CaseInfo, f_en: _Facts, f_zh: _Facts) -> Segment:
    """The case's own reason or demand, when no phrase states it.

    English the seller typed is theirs, not vetted: the Chinese reading version marks it. A
    Chinese text stays a translate marker in English and is shown as written in Chinese.
    """
    raw = case.reason if section == "facts" else case.demand
    field = "reason" if section == "facts" else "demand"
    en = f_en.user(field, raw)
    zh = f_zh.user(field, raw)
    untranslated = en == f_en.c.t("translate", what=f_en.c.fields.get(field, field))
    if not raw.strip() or untranslated or _has_cjk(raw):
        return Segment(en, zh, "case_text", section)
    marked = "\n".join(OWN_MARK_ZH + line if line.strip() else line for line in en.split("\n"))
    return Segment(en, marked, "own", section)


def _has_cjk(text: str) -> bool:
    return bool(re.search(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]", text))


def compose_parts(
    case: CaseInfo,
    exhibits: Sequence[ExhibitRef],
    rules: Rules,
    templates_dir: Path,
    bank: PhraseBank | None = None,
) -> Composition:
    """The statement for `case` in both languages, segment by segment.

    The facts and the demand come from the case's chosen phrases when it has some (each a
    vetted sentence pair), else from its reason and demand fields. A template line citing a
    kind of evidence the case does not have (`${see_return_record}` with no return record) is
    left out in both languages, so the statement never claims evidence that is not attached.
    """
    ascii_only = rules.platform.statement_ascii_only
    templates_dir = Path(templates_dir)
    pairs = _paired_lines(templates_dir, case.type_key, rules)
    f_en, v_en = _values(case, exhibits, rules, "en", _load_common(templates_dir, "en", ascii_only))
    f_zh, v_zh = _values(case, exhibits, rules, "zh", _load_common(templates_dir, "zh", ascii_only))
    chosen = chosen_from_json(case.statement_phrases)
    empty = PhraseBank(phrases={}, carriers={})
    sentences = render(chosen, bank or empty, exhibits, ascii_only)
    have = {e.kind for e in exhibits}
    segments: list[Segment] = []
    for en_line, zh_line in pairs:
        block = en_line.strip()
        if block in ("${reason}", "${demand}"):
            section = "facts" if block == "${reason}" else "demand"
            mine = [s for s in sentences if s.section == section]
            if not mine:
                segments.append(_case_text(section, case, f_en, f_zh))
            for s in mine:
                segments.append(Segment(s.en, s.zh, s.source, section, s.index, s.phrase_id))
            continue
        if block == "${exhibits}":
            en_rows = v_en["exhibits"].split("\n")
            zh_rows = v_zh["exhibits"].split("\n")
            if len(en_rows) == len(zh_rows):
                # A caption the English had to leave out (not ASCII) is left out of the
                # reading version too: it says what the English says.
                segments += [Segment(a, a if _BARE_ITEM.fullmatch(a) else b, "exhibits")
                             for a, b in zip(en_rows, zh_rows, strict=True)]
            else:  # an edited common.toml may word the lists differently; keep both whole
                segments.append(Segment(v_en["exhibits"], v_zh["exhibits"], "exhibits"))
            continue
        if not block and not zh_line.strip():
            segments.append(Segment("", "", "blank"))
            continue
        cited = set(_SEE.findall(en_line)) | set(_SEE.findall(zh_line))
        if any(k not in have for k in cited):
            continue
        segments.append(Segment(Template(en_line).substitute(v_en),
                                Template(zh_line).substitute(v_zh), "frame"))
    return Composition(tuple(segments), tuple(phrase_warnings(sentences, rules)))


def compose(
    case: CaseInfo,
    exhibits: Sequence[ExhibitRef],
    rules: Rules,
    lang: str,
    templates_dir: Path,
    bank: PhraseBank | None = None,
) -> str:
    """The statement for `case` in `lang` ('en' or 'zh') from its type's template."""
    if lang not in LANGS:
        raise ValueError(f"unknown statement language {lang!r} (use en or zh)")
    return compose_parts(case, exhibits, rules, templates_dir, bank).text(lang)


def _norm(line: str) -> str:
    return " ".join(line.split())


def reading_version(en_text: str, comp: Composition) -> list[Segment]:
    """The segments of `en_text`, an English statement that may have been edited by hand.

    Lines the composition wrote keep their vetted Chinese twin (wherever the seller moved
    them); every other line is the seller's own and is marked so in Chinese: the reader must
    know the desk did not check it.
    """
    lines: list[str] = []
    owners: list[int] = []
    for i, seg in enumerate(comp.segments):
        for line in seg.en.split("\n"):
            lines.append(_norm(line))
            owners.append(i)
    edited = en_text.replace("\r\n", "\n").strip("\n").split("\n")
    by_text = {_norm(seg.en): i for i, seg in enumerate(comp.segments)
               if seg.en.strip() and "\n" not in seg.en}
    matcher = difflib.SequenceMatcher(None, lines, [_norm(x) for x in edited], autojunk=False)
    out: list[Segment] = []
    used: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i1, i2):
                if owners[k] not in used:
                    used.add(owners[k])
                    out.append(comp.segments[owners[k]])
            continue
        for line in edited[j1:j2]:
            key = _norm(line)
            if not key:
                out.append(Segment("", "", "blank"))
            elif key in by_text and by_text[key] not in used:
                used.add(by_text[key])
                out.append(comp.segments[by_text[key]])
            else:
                out.append(Segment(line, OWN_MARK_ZH + line, "own"))
    return _own_sections(out)


def _own_sections(segments: list[Segment]) -> list[Segment]:
    """A typed line standing next to the facts or the demand (no blank line between) belongs to
    that section, so the dossier's reason and demand include it."""
    out = list(segments)
    for i, seg in enumerate(out):
        if seg.source != "own" or seg.section:
            continue
        before = out[i - 1].section if i > 0 else ""
        after = segments[i + 1].section if i + 1 < len(segments) else ""
        if before or after:
            out[i] = replace(seg, section=before or after)
    return out


def reading_text(en_text: str, comp: Composition) -> str:
    """The Chinese reading version of `en_text` (see reading_version)."""
    return comp.reading(en_text).text("zh")


# Tracking seller edits -------------------------------------------------------------------------


def text_hash(text: str) -> str:
    """SHA-256 of a statement, ignoring line-ending style and trailing whitespace."""
    norm = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ComposeResult:
    """A composed text and its hash; store the hash to tell later whether the seller edited it."""

    text: str
    composed_hash: str

    @classmethod
    def of(cls, text: str) -> ComposeResult:
        return cls(text=text, composed_hash=text_hash(text))


def is_edited(saved_text: str, composed_hash: str) -> bool:
    """Whether the seller changed the saved text since the composer last wrote it.

    An empty saved text counts as not edited: there is nothing of the seller's to lose. Text
    saved without any recorded composition counts as edited: only the seller can have written it.
    """
    if not saved_text.strip():
        return False
    return not composed_hash or text_hash(saved_text) != composed_hash


# What `refresh` did: the caller shows a notice for "outdated" and offers to take `fresh`.
UNCHANGED, REPLACED, KEPT_EDITS, OUTDATED = "unchanged", "replaced", "kept_edits", "outdated"


@dataclass(frozen=True)
class Refresh:
    text: str            # the statement to store
    composed_hash: str   # the composition hash to store with it
    action: str          # UNCHANGED, REPLACED, KEPT_EDITS or OUTDATED


def refresh(saved_text: str, last_composed_hash: str, fresh: ComposeResult) -> Refresh:
    """Decide what to store after composing again; never overwrites a seller's edits.

    Unedited text is replaced by the fresh composition. Edited text is kept; if the composition
    itself changed since the seller's edit (the facts or evidence changed), the action is
    OUTDATED so the caller can tell the seller and offer the fresh text.
    """
    if not is_edited(saved_text, last_composed_hash):
        if text_hash(saved_text) == fresh.composed_hash:
            return Refresh(saved_text, fresh.composed_hash, UNCHANGED)
        return Refresh(fresh.text, fresh.composed_hash, REPLACED)
    if text_hash(saved_text) == fresh.composed_hash:
        # The seller's edit happens to equal the new composition: nothing to warn about.
        return Refresh(saved_text, fresh.composed_hash, UNCHANGED)
    if fresh.composed_hash == last_composed_hash:
        return Refresh(saved_text, last_composed_hash, KEPT_EDITS)
    return Refresh(saved_text, last_composed_hash, OUTDATED)


def compose_result(
    case: CaseInfo, exhibits: Sequence[ExhibitRef], rules: Rules, lang: str, templates_dir: Path,
    bank: PhraseBank | None = None,
) -> ComposeResult:
    return ComposeResult.of(compose(case, exhibits, rules, lang, templates_dir, bank))
