"""An invisible text layer over a screenshot exhibit, as OCRmyPDF makes one: the words OCR read,
drawn in text render mode 3 (neither filled nor stroked) exactly over where the picture shows
them, so a reviewer can search the dossier and copy from it while seeing only the picture.

Lines under a redaction box are left out: covering a buyer's phone number in the picture and then
handing it over as hidden text would undo the redaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase import pdfmetrics

from evidence_desk.core.recognised import RecognisedText
from evidence_desk.export import dossier_fonts as dfonts
from evidence_desk.export.dossier_model import Exhibit

# Invisible text: PDF text rendering mode 3.
INVISIBLE = 3
# Glyph height to line-box height: OCR boxes hold ascenders and descenders with a little air.
SIZE_TO_BOX = 0.82
# The baseline sits this far above the box's bottom, as a share of the box height.
BASELINE_LIFT = 0.2


@dataclass(frozen=True)
class TextLayer:
    # (text, (left, top, right, bottom)) in pixels of the upright picture.
    lines: tuple[tuple[str, tuple[float, float, float, float]], ...]
    width: int
    height: int


def _redaction_boxes(marks: Any) -> list[tuple[float, float, float, float]]:
    boxes = []
    for m in marks or ():
        if isinstance(m, Mapping) and m.get("kind") == "redact":
            try:
                x, y, w, h = (float(m[k]) for k in ("x", "y", "w", "h"))
            except (KeyError, TypeError, ValueError):
                continue
            boxes.append((min(x, x + w), min(y, y + h), max(x, x + w), max(y, y + h)))
    return boxes


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layer_for(ex: Exhibit, recognised: Mapping[str, RecognisedText]) -> TextLayer | None:
    """The text layer for an exhibit, None when nothing was recognised in it."""
    rec = recognised.get(ex.info.sha256)
    if rec is None or not rec.lines or rec.width <= 0 or rec.height <= 0:
        return None
    if getattr(ex.info, "rotation", 0):
        # The boxes are in the unturned picture's space; text laid over a turned picture would
        # select the wrong words, so it is left out rather than misplaced.
        return None
    hidden = _redaction_boxes(ex.info.marks)
    lines = tuple((line.text, line.bbox) for line in rec.lines
                  if line.text.strip() and not any(_overlaps(line.bbox, b) for b in hidden))
    return TextLayer(lines, rec.width, rec.height) if lines else None


def draw_text_layer(canv: Any, layer: TextLayer, full_w: float, full_h: float,
                    top: float = 0.0, shown_h: float | None = None) -> int:
    """Draw `layer` over a picture shown `full_w` x `full_h` points whose band [top, top +
    shown_h) is visible, the canvas origin at the band's bottom left (as ImageSlice draws).
    Only lines whose middle is in the band are drawn, so a sliced tall screenshot carries each
    line on the page that shows it. Returns how many lines were drawn."""
    shown_h = full_h - top if shown_h is None else shown_h
    sx = full_w / layer.width
    sy = full_h / layer.height
    drawn = 0
    canv.saveState()
    for text, (left, y0, right, y1) in layer.lines:
        middle = (y0 + y1) / 2 * sy
        if not top <= middle < top + shown_h:
            continue
        box_h = max(1.0, (y1 - y0) * sy)
        box_w = max(1.0, (right - left) * sx)
        size = max(1.0, box_h * SIZE_TO_BOX)
        runs = dfonts.runs(text)
        natural = sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs)
        if natural <= 0:
            continue
        t = canv.beginText()
        t.setTextRenderMode(INVISIBLE)
        # Stretch or squeeze the line to the width the picture shows it at, so a selection
        # covers the words it should.
        t.setHorizScale(100.0 * box_w / natural)
        t.setTextOrigin(left * sx, shown_h + top - y1 * sy + box_h * BASELINE_LIFT)
        for font, run in runs:
            t.setFont(font, size)
            t.textOut(run)
        canv.drawText(t)
        drawn += 1
    canv.restoreState()
    return drawn
