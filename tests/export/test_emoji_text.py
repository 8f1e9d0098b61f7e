"""Emoji in what the seller typed: copied from the dossier they come out as typed, and none is
drawn as an empty box (a glyph no embedded font has is drawn as U+FFFD everywhere alike)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pypdf import PdfReader

from evidence_desk.export import dossier_fonts as df
from evidence_desk.export.jobs import export_dossier
from evidence_desk.library.service import Library


def test_emoji_extract_as_typed_and_missing_ones_show_the_replacement(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "lib")
    try:
        case = lib.create_case("fake_transaction", "E-1", reason="Smile 😀 thumbs 👍 end",
                               demand="Refund ★ 😀 now")
        out = tmp_path / "d.pdf"
        export_dossier(lib, case.id, out, lang="zh")
    finally:
        lib.close()
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Smile 😀 thumbs \ufffd end" in text  # 😀 is in DejaVu; 👍 is in no shipped font
    assert "Refund ★ 😀 now" in text
    assert "\x00" not in text
    poppler = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert "Smile 😀 thumbs \ufffd end" in poppler
    # And it renders (every glyph used exists in the font it is set in).
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_every_character_is_set_in_a_font_that_has_it() -> None:
    latin, cjk, latin_cmap, cjk_cmap = df.fonts()
    sample = ("Order 订单 😀👍🏽👨‍👩‍👧 ❤️ ✓ ★ \U0001f9ff \U0010fffd ẞ Ω 한국 ٣ \u202e"
              + "".join(chr(c) for c in range(0x1f600, 0x1f650)))
    drawn = "".join(run for _font, run in df.runs(sample))
    for font, run in df.runs(sample):
        cmap = latin_cmap if font == latin else cjk_cmap
        assert all(ord(ch) in cmap or ord(ch) < 32 for ch in run), (font, run)
    assert "\U0001f3fd" not in drawn  # a skin-tone modifier alone would show as a box
    assert drawn.count(df.REPLACEMENT) >= 3
