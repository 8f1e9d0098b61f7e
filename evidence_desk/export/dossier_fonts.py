"""Fonts for the dossier: an embedded Latin TrueType font plus the embedded CJK one.

The shipped CJK font (Droid Sans Fallback) has no Latin glyphs at all: order numbers, hashes
and English text set in it print as blanks. reportlab does no font fallback, so every text is
cut into runs and each run is set in the font that has its glyphs.

The Latin font is paths.LATIN_FONT (DejaVu Sans, shipped in resources/fonts); the usual system
places are only a fallback. Both are TrueType-outline fonts, which reportlab embeds as subsets.

Emoji: DejaVu draws some (😀 ❤ ★ ✓); a character neither font has is drawn as U+FFFD, the
replacement character, everywhere alike, rather than as an empty box; invisible joiners and
variation selectors are left out. reportlab writes a subset's ToUnicode map with code points
past U+FFFF as bare hex, which readers decode as a wrong character, so the map is written here
in UTF-16 (surrogate pairs) as the PDF standard asks: copied text comes out as typed.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from evidence_desk import paths
from evidence_desk.paths import CJK_FONT, FONTS_DIR

CJK = "EDCJK"
LATIN = "EDLatin"
# Used only when no Latin TrueType font exists anywhere: prints, but is not embedded.
LATIN_FALLBACK = "Helvetica"

LATIN_CANDIDATES = (
    getattr(paths, "LATIN_FONT", FONTS_DIR / "DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
    Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
    Path("/Library/Fonts/Arial.ttf"),
)


REPLACEMENT = "\ufffd"
# Zero-width characters that only shape emoji sequences (ZWJ, variation selectors, skin tones).
_INVISIBLE = re.compile("[\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def _utf16_hex(cp: int) -> str:
    units = struct.unpack(">" + "H" * (2 if cp > 0xFFFF else 1), chr(cp).encode("utf-16-be"))
    return "".join(f"{unit:04X}" for unit in units)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode map, with each code point as UTF-16BE (pairs past U+FFFF)."""
    cmap = ttfonts._evidence_desk_original_cmap(fontname, subset)  # type: ignore[attr-defined]
    lines = cmap.split("\n")
    start = next(i for i, line in enumerate(lines) if line.endswith("beginbfchar")) + 1
    for i, cp in enumerate(subset):
        lines[start + i] = f"<{i:02X}> <{_utf16_hex(cp)}>"
    return "\n".join(lines)


def _fix_to_unicode() -> None:
    if not hasattr(ttfonts, "_evidence_desk_original_cmap"):
        ttfonts._evidence_desk_original_cmap = ttfonts.makeToUnicodeCMap  # type: ignore[attr-defined]
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str, frozenset[int], frozenset[int]]:
    """(latin font name, cjk font name, latin code points, cjk code points); registers once."""
    _fix_to_unicode()
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(CJK, str(CJK_FONT)))
    cjk_cmap = frozenset(pdfmetrics.getFont(CJK).face.charToGlyph)
    latin = LATIN_FALLBACK
    latin_cmap: frozenset[int] = frozenset(range(32, 256))
    for path in LATIN_CANDIDATES:
        if path.is_file():
            try:
                if LATIN not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(LATIN, str(path)))
            except Exception:  # a broken or CFF font file: try the next one
                continue
            latin = LATIN
            latin_cmap = frozenset(pdfmetrics.getFont(LATIN).face.charToGlyph)
            break
    # <b> and <i> in fixed markup map to the same faces: there is no bold CJK face to pair with.
    for name in {latin, CJK}:
        if name != LATIN_FALLBACK:
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(name, bold, italic, name)
    return latin, CJK, latin_cmap, cjk_cmap


def latin_embedded() -> bool:
    return fonts()[0] == LATIN


def runs(text: str) -> list[tuple[str, str]]:
    """Split text into (font name, run) so that each run's glyphs exist in its font."""
    latin, cjk, latin_cmap, cjk_cmap = fonts()
    out: list[tuple[str, str]] = []
    for ch in text:
        cp = ord(ch)
        if cp not in latin_cmap and cp not in cjk_cmap and cp >= 32:
            if _INVISIBLE.match(ch):
                continue
            ch = REPLACEMENT if ord(REPLACEMENT) in latin_cmap else "?"
            cp = ord(ch)
        font = latin if cp in latin_cmap or cp not in cjk_cmap else cjk
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


def markup(escaped: str) -> str:
    """Wrap the runs of Paragraph markup that need the CJK font in <font> tags.

    `escaped` is markup: tags are left alone; entities (&amp;) are ASCII and stay Latin.
    """
    latin, cjk, _l, _c = fonts()
    parts = []
    for piece in _TAG_OR_TEXT.split(escaped):
        if not piece or piece.startswith("<"):
            parts.append(piece)
            continue
        for font, run in runs(piece):
            parts.append(run if font == latin else f'<font name="{cjk}">{run}</font>')
    return "".join(parts)


def string_width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs(text))


def draw_string(canv, x: float, y: float, text: str, size: float) -> float:  # noqa: ANN001
    """Draw mixed text at (x, y); returns the x where it ended."""
    for font, run in runs(text):
        canv.setFont(font, size)
        canv.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)
    return x
