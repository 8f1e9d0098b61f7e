"""Fonts for the dossier: an embedded Latin TrueType font plus the embedded CJK one.

The shipped CJK font (Droid Sans Fallback) has no Latin glyphs at all: order numbers, hashes
and English text set in it print as blanks. reportlab does no font fallback, so every text is
cut into runs and each run is set in the font that has its glyphs.

The Latin font is paths.LATIN_FONT (DejaVu Sans, shipped in resources/fonts); the usual system
places are only a fallback. Both are TrueType-outline fonts, which reportlab embeds as subsets.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
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


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str, frozenset[int], frozenset[int]]:
    """(latin font name, cjk font name, latin code points, cjk code points); registers once."""
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
