"""Pages of PDF exhibits whose fonts are not embedded are shown as pictures.

A carrier's waybill often names Helvetica or SimSun without embedding it. Placed as vectors, the
page would bring that font reference into the dossier: every viewer substitutes its own font
(Chinese text may come out as boxes), and the dossier no longer meets "every font embedded".
Such a page is therefore rendered by poppler's `pdftoppm` at 150 dpi and placed as an image,
with the page's own text laid invisibly over it in our embedded fonts, so a reviewer can still
search and copy the tracking number. Pages whose fonts are all embedded stay vectors.

Without pdftoppm (or when it fails) the page stays a vector page and the export's notes say why.
This runs in the PDF worker process (`pdf_normalize`), whose memory and time are bounded.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_desk.export import dossier_fonts as dfonts

DPI = 150
# A page larger than A3 is rendered at less than DPI rather than as a huge bitmap.
MAX_SIDE_PX = 2500
RENDER_TIMEOUT_S = 60
# A rendered page larger than this as PNG is photo-like and placed as a JPEG instead.
PNG_MAX_BYTES = 600 * 1024
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class TextRun:
    text: str
    x: float
    y: float
    size: float


def _resolve(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _font_embedded(font: Any) -> bool:
    font = _resolve(font)
    subtype = font.get("/Subtype")
    # A Type 3 font's glyphs are content streams in the file, but poppler reports it as not
    # embedded; treating it as such keeps `pdffonts` all "yes".
    if subtype == "/Type3":
        return False
    if subtype == "/Type0":
        descendants = _resolve(font.get("/DescendantFonts")) or []
        if not descendants:
            return False
        font = _resolve(descendants[0])
    descriptor = _resolve(font.get("/FontDescriptor"))
    return descriptor is not None and any(k in descriptor for k in _FONT_FILES)


def unembedded_fonts(page: Any) -> list[str]:
    """Base names of the fonts `page` (or a form it draws) uses without embedding them."""
    missing: list[str] = []
    seen: set[int] = set()

    def walk(resources: Any, depth: int) -> None:
        resources = _resolve(resources)
        if not resources or depth > 12 or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (_resolve(resources.get("/Font")) or {}).values():
            if not _font_embedded(font):
                missing.append(str(_resolve(font).get("/BaseFont", "?")).lstrip("/"))
        for xobj in (_resolve(resources.get("/XObject")) or {}).values():
            xobj = _resolve(xobj)
            if xobj.get("/Subtype") == "/Form" and "/Resources" in xobj:
                walk(xobj["/Resources"], depth + 1)
        for pattern in (_resolve(resources.get("/Pattern")) or {}).values():
            pattern = _resolve(pattern)
            if "/Resources" in pattern:
                walk(pattern["/Resources"], depth + 1)

    walk(page.get("/Resources"), 0)
    return sorted(set(missing))


def text_runs(page: Any) -> list[TextRun]:
    """The page's text with positions relative to its crop box (rotation already applied)."""
    box = page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    runs: list[TextRun] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        text = " ".join(text.split())
        if not text:
            return
        # The text matrix in user space: tm × cm.
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(c, d) or math.hypot(a, b) or 1.0
        runs.append(TextRun(text, x - left, y - bottom, max(1.0, float(size or 1) * scale)))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # a page whose text cannot be read is still shown; only search is lost
        return []
    return runs


def render_page(pdf: Path, index: int, size: tuple[float, float], out_png: Path
                ) -> tuple[bool, str]:
    """Render page `index` (0-based) of pdf to out_png with pdftoppm: (done, reason if not)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        return False, "pdftoppm from poppler-utils is needed"
    long_px = max(size) / 72 * DPI
    scale = ["-scale-to", str(MAX_SIDE_PX)] if long_px > MAX_SIDE_PX else ["-r", str(DPI)]
    cmd = [exe, *scale, "-png", "-f", str(index + 1), "-l", str(index + 1), "-singlefile",
           str(pdf), str(out_png.with_suffix(""))]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return False, f"pdftoppm took longer than {RENDER_TIMEOUT_S} s"
    except OSError as exc:
        return False, f"pdftoppm could not be started ({exc.strerror or type(exc).__name__})"
    if done.returncode == 0 and out_png.is_file():
        return True, ""
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return False, f"pdftoppm failed (exit {done.returncode}{': ' + said[-1][:120] if said else ''})"


def raster_of(page: Any, box: tuple[float, float, float, float], stem: Path
              ) -> tuple[Path | None, str]:
    """A one-page PDF showing `page` (upright, attached to a writer) as a picture with its
    text invisibly on top: (path, "") or (None, why not).

    poppler renders a one-page copy written by pypdf, not the original file: a damaged
    original that pypdf could repair may be one poppler refuses, and the copy is upright.
    """
    from pypdf import PdfWriter

    single = stem.with_name(stem.name + "-page.pdf")
    one = PdfWriter()
    one.add_page(page)
    with open(single, "wb") as fh:
        one.write(fh)
    size = (box[2], box[3])
    png = stem.with_suffix(".png")
    ok, why = render_page(single, 0, size, png)
    single.unlink(missing_ok=True)
    if not ok:
        return None, why
    picture = png
    if png.stat().st_size > PNG_MAX_BYTES:
        # A photo-like page (a scan with a font named but not embedded) is far smaller as JPEG.
        from PIL import Image

        picture = stem.with_suffix(".jpg")
        with Image.open(png) as im:
            im.convert("RGB").save(picture, "JPEG", quality=85)
        png.unlink()
    dst = stem.with_suffix(".pdf")
    raster_page_pdf(picture, size, text_runs(page), dst)
    picture.unlink()
    return dst, ""


def raster_page_pdf(png: Path, size: tuple[float, float], runs: list[TextRun],
                    out: Path) -> None:
    """A one-page PDF of `size` points: the picture, and the text invisibly on top."""
    from reportlab.pdfgen.canvas import Canvas

    w, h = size
    # reportlab selects its initial font on every page; Helvetica would be unembedded.
    canv = Canvas(str(out), pagesize=(w, h), invariant=1, pageCompression=1,
                  initialFontName=dfonts.fonts()[0])
    canv.drawImage(str(png), 0, 0, w, h)
    for run in runs:
        text = canv.beginText(run.x, run.y)
        text.setTextRenderMode(3)  # neither filled nor stroked: found by search, not seen
        for font, piece in dfonts.runs(run.text):
            text.setFont(font, run.size)
            text.textOut(piece)
        canv.drawText(text)
    canv.showPage()
    canv.save()
