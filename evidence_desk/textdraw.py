"""Drawing mixed Chinese and Latin text on Pillow images (demo data and generated samples)."""

from __future__ import annotations

from functools import lru_cache

from PIL import ImageDraw, ImageFont

from evidence_desk.core.textruns import split_runs
from evidence_desk.paths import CJK_FONT, LATIN_FONT


@lru_cache(maxsize=32)
def _font(cjk: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(CJK_FONT if cjk else LATIN_FONT), size)


def text_size(text: str, size: int) -> tuple[int, int]:
    width = 0
    height = 0
    for cjk, run in split_runs(text):
        box = _font(cjk, size).getbbox(run)
        width += int(_font(cjk, size).getlength(run))
        height = max(height, box[3])
    return width, height


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int,
              fill: object) -> None:
    x, y = xy
    for cjk, run in split_runs(text):
        font = _font(cjk, size)
        draw.text((x, y), run, font=font, fill=fill)
        x += int(font.getlength(run))
