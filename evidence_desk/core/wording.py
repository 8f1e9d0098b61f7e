"""The wording check: the seed's tips (calm, sincere wording; a clear demand; enough evidence)
turned into flags that point at the words in a statement and say why.

The word lists live in `resources/statements/wording.toml` so they can grow without code changes;
this module only knows how to match them. Offsets are Python string indices into the text (what a
QTextCursor position is, for text without surrogate pairs).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evidence_desk.core.rules import _Reader

WORDING_FILE = "wording.toml"

CODES = (
    "no_demand", "vague_demand", "insult", "shouting", "exclamations", "threat", "non_english",
    "unknown_exhibit", "no_exhibit", "placeholder",
)

_MESSAGES: dict[str, tuple[str, str]] = {
    "no_demand": (
        "No demand: say clearly what you ask the platform to do (seed tip 3).",
        "缺少诉求:请明确说明希望平台如何处理(投诉技巧第3条)。",
    ),
    "vague_demand": (
        "The demand is vague: name a concrete action or amount, e.g. 'refund USD 500' or "
        "'deduct the buyer's credit points and restrict trading'.",
        "诉求不明确:请写明具体的处理方式或金额,例如“退款500美元”或“扣除买家信用积分并限制交易”。",
    ),
    "insult": (
        "Name-calling: describe what the buyer did instead; calm wording is taken more "
        "seriously (seed tip 2).",
        "辱骂性用语:请改为陈述买家的具体行为;冷静、诚恳的措辞更容易被采信(投诉技巧第2条)。",
    ),
    "shouting": (
        "All-capital words read as shouting: write them in normal case.",
        "连续的全大写单词像是在喊叫:请改用正常大小写。",
    ),
    "exclamations": (
        "Repeated exclamation marks read as anger: one full stop is enough.",
        "连续的感叹号显得情绪激动:用句号即可。",
    ),
    "threat": (
        "Reads as a threat: state facts and your demand. If you have already filed with a "
        "court or the police, say so as a fact, with the date.",
        "语气像是威胁:请陈述事实与诉求。如已向法院起诉或向公安机关报案,请作为事实写明日期。",
    ),
    "non_english": (
        "Non-English characters: the platform refuses complaint text containing them; "
        "translate or remove them.",
        "含非英文字符:平台会拒绝提交含此类字符的投诉内容,请翻译或删除。",
    ),
    "unknown_exhibit": (
        "Cites an exhibit this case does not have: check the number against the exhibit list.",
        "引用了本案不存在的证据编号:请对照证据清单核对编号。",
    ),
    "no_exhibit": (
        "The statement cites no exhibit: refer to the evidence by number (e.g. Exhibit A-1) "
        "so the reviewer can find it (seed tip 1).",
        "投诉内容没有引用任何证据:请按编号引用证据(如“见证据 A-1”),方便审核人员查找(投诉技巧第1条)。",
    ),
    "placeholder": (
        "A fact still to fill in or translate: replace this marker with the real text.",
        "尚待填写或翻译的内容:请用实际内容替换此标记。",
    ),
}


@dataclass(frozen=True)
class Flag:
    code: str
    start: int
    end: int
    message: str
    message_zh: str

    def text(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message


def _flag(code: str, start: int, end: int, detail_en: str = "", detail_zh: str = "") -> Flag:
    en, zh = _MESSAGES[code]
    return Flag(code, start, end, f"{en} {detail_en}".strip(), f"{zh}{detail_zh}")


# The word lists -----------------------------------------------------------------------------------


def _word_regex(entries: list[str]) -> re.Pattern[str] | None:
    """English whole words; a trailing * allows any ending. Letters-only boundaries, so a word
    glued to Chinese text ("他是liar") still matches, which \\b would miss."""
    parts = []
    for e in entries:
        stem = e.rstrip("*")
        tail = r"[A-Za-z]*" if e.endswith("*") else ""
        parts.append(re.escape(stem).replace(r"\ ", r"\s+") + tail)
    if not parts:
        return None
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(parts) + r")(?![A-Za-z])", re.IGNORECASE)


def _plain_regex(entries: list[str]) -> re.Pattern[str] | None:
    if not entries:
        return None
    # Longest first, so 他妈的 wins over 妈的 at the same place.
    ordered = sorted(entries, key=len, reverse=True)
    return re.compile("|".join(re.escape(e) for e in ordered), re.IGNORECASE)


@dataclass(frozen=True)
class WordLists:
    insult: tuple[re.Pattern[str], ...]
    vague: tuple[re.Pattern[str], ...]
    concrete: tuple[re.Pattern[str], ...]
    threat: tuple[re.Pattern[str], ...]
    acronyms: frozenset[str]
    shout_words: int
    shout_letters: int
    exclaim: re.Pattern[str]
    placeholder: re.Pattern[str]
    exhibit: re.Pattern[str]


def _str_list(r: _Reader, table: dict, section: str, lang: str) -> list[str]:
    items = table.get(lang, [])
    if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
        raise r.fail(f"[{section}] `{lang}` must be a list of non-empty texts", f"[{section}]")
    return items


def _regex(r: _Reader, source: str, section: str) -> re.Pattern[str]:
    try:
        return re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise r.fail(f"[{section}] bad regular expression {source!r}: {exc}",
                     source[:20]) from None


def _exclaim_regex(min_run: int) -> re.Pattern[str]:
    # Half- and full-width marks mix in practice ("!！"), and "!?!" is as loud as "!!".
    more = "{" + str(max(min_run - 1, 1)) + ",}"
    return re.compile(r"[!\uff01](?:[?\uff1f]*[!\uff01])" + more)


def load_word_lists(path: Path) -> WordLists:
    """Read wording.toml; problems raise RulesError naming the file and line."""
    r = _Reader(Path(path))

    def table(name: str) -> dict:
        t = r.data.get(name)
        if not isinstance(t, dict):
            raise r.fail(f"missing the [{name}] table")
        return t

    def both(name: str) -> tuple[re.Pattern[str], ...]:
        t = table(name)
        pats = (_word_regex(_str_list(r, t, name, "en")), _plain_regex(_str_list(r, t, name, "zh")))
        return tuple(p for p in pats if p is not None)

    concrete_t = table("concrete_demand")
    amount = r.field(concrete_t, "amount_pattern", str, "[concrete_demand]")
    shout = table("shouting")
    threat_t = table("threat")
    threats = tuple(
        _regex(r, src, "threat")
        for lang in ("en", "zh") for src in _str_list(r, threat_t, "threat", lang)
    )
    return WordLists(
        insult=both("insult"),
        vague=both("vague_demand"),
        concrete=(*both("concrete_demand"), _regex(r, amount, "concrete_demand")),
        threat=threats,
        acronyms=frozenset(a.upper() for a in _str_list(r, shout, "shouting", "acronyms")),
        shout_words=r.field(shout, "min_words", int, "[shouting]"),
        shout_letters=r.field(shout, "min_letters", int, "[shouting]"),
        exclaim=_exclaim_regex(r.field(table("exclamations"), "min_run", int, "[exclamations]")),
        placeholder=_regex(r, r.field(table("placeholder"), "pattern", str, "[placeholder]"),
                           "placeholder"),
        exhibit=re.compile(r.field(table("exhibit"), "pattern", str, "[exhibit]")),
    )


def default_wording_file() -> Path:
    # Resolved here rather than through evidence_desk.paths: core imports nothing outside core.
    return Path(__file__).resolve().parents[2] / "resources" / "statements" / WORDING_FILE


@lru_cache(maxsize=4)
def _cached(path: Path, mtime_ns: int) -> WordLists:
    return load_word_lists(path)


def word_lists(path: Path | None = None) -> WordLists:
    """The word lists, re-read when the file changes (the check runs on every keystroke)."""
    p = Path(path) if path else default_wording_file()
    return _cached(p, p.stat().st_mtime_ns if p.exists() else 0)


# The checks ---------------------------------------------------------------------------------------


def _matches(patterns: tuple[re.Pattern[str], ...], text: str) -> Iterator[re.Match[str]]:
    for p in patterns:
        yield from p.finditer(text)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping hits of one kind become one flag (two threat patterns on one sentence)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019-][A-Za-z0-9]+)*")


def _shouting(text: str, wl: WordLists) -> list[tuple[int, int]]:
    """Runs of ALL-CAPS words. Short words (I, A, TO) and acronyms (DHL, USD) carry a run on
    but do not count; a token with digits (order numbers, A-1) is neutral; a word in normal
    case or any other script between two words ends the run."""
    spans: list[tuple[int, int]] = []
    counted: list[re.Match[str]] = []
    prev_end = 0

    def close() -> None:
        if len(counted) >= wl.shout_words:
            spans.append((counted[0].start(), counted[-1].end()))
        counted.clear()

    for m in _TOKEN.finditer(text):
        gap = text[prev_end:m.start()]
        prev_end = m.end()
        if any(c.isalpha() for c in gap):
            close()
        word = m.group()
        letters = "".join(c for c in word if c.isalpha())
        if any(c.isdigit() for c in word):
            continue
        if letters != letters.upper():
            close()
            continue
        if len(letters) >= wl.shout_letters and word.upper() not in wl.acronyms:
            counted.append(m)
    close()
    return spans


def _demand_flags(text: str, demand: str, wl: WordLists) -> list[Flag]:
    if not demand.strip():
        return [_flag("no_demand", 0, 0)]
    if any(True for _ in _matches(wl.concrete, demand)):
        return []
    # Point at the demand where the statement quotes it, else at a vague phrase in the text.
    at = text.find(demand.strip())
    if at >= 0:
        return [_flag("vague_demand", at, at + len(demand.strip()))]
    hit = next(_matches(wl.vague, text), None)
    if hit:
        return [_flag("vague_demand", hit.start(), hit.end())]
    return [_flag("vague_demand", 0, 0)]


def check_wording(
    text: str,
    *,
    lang: str,
    exhibit_numbers: Collection[str],
    demand: str,
    lists: WordLists | None = None,
) -> list[Flag]:
    """Every flag for `text`, in reading order. `lang` is the statement's language: only an
    English statement must be free of non-English characters."""
    wl = lists or word_lists()
    flags: list[Flag] = list(_demand_flags(text, demand, wl))

    for code, patterns in (("insult", wl.insult), ("threat", wl.threat)):
        for s, e in _merged([(m.start(), m.end()) for m in _matches(patterns, text)]):
            flags.append(_flag(code, s, e, f"({text[s:e]!r})", f"(“{text[s:e]}”)"))

    for s, e in _shouting(text, wl):
        flags.append(_flag("shouting", s, e))

    for m in wl.exclaim.finditer(text):
        flags.append(_flag("exclamations", m.start(), m.end()))

    if lang == "en":
        for m in re.finditer(r"[^\x00-\x7f]+", text):
            flags.append(_flag("non_english", m.start(), m.end(), f"({m.group()!r})",
                               f"(“{m.group()}”)"))

    for m in wl.placeholder.finditer(text):
        flags.append(_flag("placeholder", m.start(), m.end()))

    known = set(exhibit_numbers)
    cited = list(wl.exhibit.finditer(text))
    for m in cited:
        if m.group() not in known:
            flags.append(_flag("unknown_exhibit", m.start(), m.end(), f"({m.group()})",
                               f"({m.group()})"))
    if not cited:
        flags.append(_flag("no_exhibit", 0, 0))

    return sorted(flags, key=lambda f: (f.start, f.end, CODES.index(f.code)))
