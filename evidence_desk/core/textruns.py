"""Split text into runs of CJK and other characters.

The shipped CJK font has no Latin glyphs and the Latin font has no Chinese ones, and neither
reportlab nor Pillow falls back between fonts, so mixed text is drawn run by run.
"""

from __future__ import annotations

import re

# CJK ideographs, radicals, punctuation, kana, Hangul, full-width forms.
_CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3200-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]+"
)


def is_cjk(ch: str) -> bool:
    return bool(_CJK.fullmatch(ch))


def split_runs(text: str) -> list[tuple[bool, str]]:
    """[(is_cjk, run), ...] covering text in order."""
    runs: list[tuple[bool, str]] = []
    pos = 0
    for m in _CJK.finditer(text):
        if m.start() > pos:
            runs.append((False, text[pos:m.start()]))
        runs.append((True, m.group()))
        pos = m.end()
    if pos < len(text):
        runs.append((False, text[pos:]))
    return runs
