"""Folding text to ASCII where that keeps its meaning (the platform refuses other characters)."""

from __future__ import annotations

import unicodedata

# Characters NFKD does not take apart but that have a conventional ASCII spelling.
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...", "\u00b7": " ", "\u30fb": " ",
    "\u3001": ",", "\u3002": ".", "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE",
    "\u0153": "oe", "\u0152": "OE", "\u00f8": "o", "\u00d8": "O", "\u0142": "l", "\u0141": "L",
    "\u0111": "d", "\u0110": "D", "\u00fe": "th", "\u00de": "Th", "\u0131": "i",
})


def to_ascii(text: str) -> str | None:
    """Fold text to ASCII when that keeps its meaning (full-width forms, accents, curly quotes).

    Returns None when it cannot: Chinese, Cyrillic, Arabic ... need a person to translate, and
    dropping those characters would silently change a name or a fact.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return folded if folded.isascii() else None


