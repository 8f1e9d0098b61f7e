"""What is left in an English statement that the platform would refuse or the reviewer could not
read: placeholders the composer wrote for the seller to fill, and characters outside ASCII.
Plain text in, plain findings out, so "Copy English" can name them before copying.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\[please[^\]\n]*\]?", re.IGNORECASE)


@dataclass(frozen=True)
class Leftovers:
    placeholders: tuple[str, ...]
    # Each distinct non-ASCII character once, in order of appearance.
    non_ascii: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.placeholders or self.non_ascii)


def find_leftovers(text: str) -> Leftovers:
    """Placeholders (`[please …]`) and non-ASCII characters in `text`, each named once."""
    places: list[str] = []
    for m in _PLACEHOLDER.finditer(text):
        if m.group(0) not in places:
            places.append(m.group(0))
    chars: list[str] = []
    for c in text:
        if ord(c) > 127 and c not in chars:
            chars.append(c)
    return Leftovers(tuple(places), tuple(chars))


def char_name(c: str) -> str:
    """A character as the warning shows it: itself and its code point (invisible ones too)."""
    shown = c if unicodedata.category(c)[0] not in "CZ" else ""
    return f"“{shown}” U+{ord(c):04X}" if shown else f"U+{ord(c):04X}"
