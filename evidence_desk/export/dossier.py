"""The complaint dossier: one PDF that convinces a reviewer at a glance and proves itself.

`build_dossier` runs in four steps, each cheap in memory whatever the number of exhibits:

1. look at every exhibit (image headers, PDF page counts, tables) without decoding pixels;
2. lay the document out with reportlab (`DossierRenderer`), where every image is a tiny
   placeholder stream, and lay the pages of PDF exhibits onto their reserved pages with pypdf;
3. decide per image: pass the JPEG through byte for byte, or derive a smaller upright JPEG in
   two worker processes (only as small as the size budget demands, never below legibility);
4. stream the image bytes into the placeholders (`dossier_splice`) while writing the final file
   under a temporary name that replaces the target only when complete (`safe_write`).

PDF exhibits need pypdf at run time (pure Python): each page is scaled onto a page of the
dossier that carries the exhibit's header and the page footer, keeping its vector content. The
dossier never reads an exhibit's PDF itself: a worker process bounded in memory and time
(`pdf_guard`) writes a normalized copy first (upright pages, sane boxes and annotations, large
images left as placeholders for the splicer: `pdf_normalize`).

An export always finishes: an exhibit (or a PDF page) that cannot be drawn gets a page that says
so, with its number, file name, SHA-256 and the reason, and is listed in
`DossierResult.affected`. A damaged picture that a decoder can still read is shown from a clean
decoded copy rather than passed through.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import _digester
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from evidence_desk.core.capture import format_offset
from evidence_desk.export import documents as docs
from evidence_desk.export import dossier_fonts as dfonts
from evidence_desk.export import dossier_images as di
from evidence_desk.export import dossier_tables as dt
from evidence_desk.export import rotation as rot
from evidence_desk.export.derive_pool import DerivePool
from evidence_desk.export.dossier_labels import LABELS, LANGS, label, pick
from evidence_desk.export.dossier_model import (
    Affected,
    BudgetTooSmall,
    DossierData,
    DossierResult,
    Exhibit,
    ExportCancelled,
    ExportError,
    StatementText,
)
from evidence_desk.export.dossier_splice import ImageStream, splice_images
from evidence_desk.export.dossier_textlayer import TextLayer, draw_text_layer, layer_for
from evidence_desk.export.encode_cache import (
    EncodeCache,
    derive_cached,
    exhibit_key,
    from_cache,
    keep,
)
from evidence_desk.export.pdf_guard import PdfGuard, PdfJob
from evidence_desk.export.redact import RedactError, marked_exhibit, strip_jpeg
from evidence_desk.export.safe_write import atomic_output
from evidence_desk.export.scratch import scratch_dir

__all__ = [
    "BudgetTooSmall", "DossierData", "DossierRenderer", "DossierResult", "Exhibit",
    "ExportCancelled", "ExportError", "build_dossier",
]

# Images are passed as DCT streams or placed by the splicer, so ASCII85 would only make the
# file 25 % bigger and slower to write.
rl_config.useA85 = 0
log = logging.getLogger("evidence_desk.export.dossier")

PAGE = A4
MARGIN = 18 * mm
HEADER_H = 10 * mm
FOOTER_H = 10 * mm
# A tall screenshot is shown this wide (about 11 cm: a phone screen is about 7 cm) and sliced.
SLICE_WIDTH = 310.0
# Below this displayed width a whole tall screenshot is no longer readable on one page.
MIN_WHOLE_WIDTH = 230.0
SLICE_OVERLAP = 24.0
# Cell text longer than this is cut in tables (a cell taller than a page cannot be laid out);
# the full text appears under the exhibit or in the statement.
CELL_CHARS = 300
COVER_CHARS = 600

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

IMAGE_EXT = {"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "bmp", "tif", "tiff"}


def category(ex: Exhibit) -> str:
    """image, pdf, csv, xlsx, email, text, video, word or other, from the mime type and the
    file name."""
    mime = (ex.info.mime or "").lower()
    ext = Path(ex.info.original_name or ex.path.name).suffix.lower().lstrip(".")
    if docs.is_video(mime, ext):
        return "video"
    if docs.is_word(mime, ext):
        return "word"
    if mime.startswith("image/") or ext in IMAGE_EXT:
        return "image"
    if mime == "application/pdf" or ext == "pdf":
        return "pdf"
    if mime in ("text/csv", "text/tab-separated-values") or ext in ("csv", "tsv"):
        return "csv"
    if ext == "xlsx" or "spreadsheetml" in mime:
        return "xlsx"
    if mime == "message/rfc822" or ext == "eml":
        return "email"
    if mime.startswith("text/") or ext in ("txt", "log"):
        return "text"
    return "other"


def user_text(text: str | None, limit: int | None = None) -> str:
    """User text made safe for a Paragraph: markup printed literally, newlines kept."""
    text = _CONTROL.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", "    ")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return escape(text).replace("\n", "<br/>")


def fmt_when(value: datetime | date | None, date_only: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if date_only else value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# -- flowables ---------------------------------------------------------------------------------


class Bookmark(Flowable):
    """A zero-size mark that adds an outline entry pointing at the page it lands on."""

    def __init__(self, key: str, title: str, level: int) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.bookmarkPage(self.key, fit="XYZ", top=self.canv._pagesize[1])
        self.canv.addOutlineEntry(self.title, self.key, self.level, closed=self.level > 0)


@dataclass
class ImageRef:
    """An image as the PDF will hold it: a placeholder XObject filled in by the splicer."""

    token: str
    stored: tuple[int, int]
    # EXIF orientation still to apply in the PDF (1 for derived copies, which are upright).
    orientation: int
    upright: tuple[int, int]
    color_space: str = "DeviceRGB"


# Maps the unit square of the stored image onto the unit square of the upright picture
# (PDF matrices [a b c d e f]) for each EXIF orientation.
_ORIENT = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),
    3: (-1, 0, 0, -1, 1, 1),
    4: (1, 0, 0, -1, 0, 1),
    5: (0, -1, -1, 0, 1, 1),
    6: (0, -1, 1, 0, 0, 1),
    7: (0, 1, 1, 0, 0, 0),
    8: (0, 1, -1, 0, 1, 0),
}


def _placeholder(canv: Canvas, ref: ImageRef) -> str:
    """Register ref's placeholder XObject (once) and return the name drawImage knows it by."""
    image_name = f"edimg-{ref.token}"
    digest = _digester(f"{image_name}None".encode())
    reg = canv._doc.getXObjectName(digest)
    if reg not in canv._doc.idToObject:
        obj = pdfdoc.PDFImageXObject(digest)
        obj.width, obj.height = ref.stored
        obj.bitsPerComponent = 8
        obj.colorSpace = ref.color_space
        obj._filters = ("DCTDecode",)
        obj.streamContent = b"EDIMG:" + ref.token.encode("ascii")
        obj.mask = None
        obj.name = digest
        canv._setXObjects(obj)
        canv._doc.Reference(obj, reg)
        canv._doc.addForm(digest, obj)
    return image_name


class ImageSlice(Flowable):
    """An upright image shown `width` wide; only the band [top, top+height) of it, in points."""

    def __init__(self, ref: ImageRef, width: float, top: float = 0.0,
                 height: float | None = None, text_layer: TextLayer | None = None) -> None:
        super().__init__()
        self.ref = ref
        self.text_layer = text_layer
        self.full_w = width
        self.full_h = width * ref.upright[1] / ref.upright[0]
        self.top = top
        self.width = width
        self.height = self.full_h - top if height is None else min(height, self.full_h - top)
        self.hAlign = "CENTER"

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        name = _placeholder(canv, self.ref)
        canv.saveState()
        if self.top > 0 or self.height < self.full_h:
            clip = canv.beginPath()
            clip.rect(0, 0, self.width, self.height)
            canv.clipPath(clip, stroke=0, fill=0)
        y_img = self.height + self.top - self.full_h
        canv.transform(self.full_w, 0, 0, self.full_h, 0, y_img)
        canv.transform(*_ORIENT.get(self.ref.orientation, _ORIENT[1]))
        canv.drawImage(name, 0, 0, 1, 1)
        canv.restoreState()
        if self.text_layer is not None:
            draw_text_layer(canv, self.text_layer, self.full_w, self.full_h, self.top,
                            self.height)
        canv.setStrokeColor(colors.HexColor("#B0B0B0"))
        canv.setLineWidth(0.4)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


@dataclass
class PdfSlotRecord:
    page: int  # 1-based page of the dossier
    box: tuple[float, float, float, float]  # x, y, w, h in points
    exhibit: int
    src_page: int


class PdfPageSlot(Flowable):
    """Reserves the rest of the frame for one page of a PDF exhibit, placed later by pypdf."""

    def __init__(self, records: list[PdfSlotRecord], exhibit: int, src_page: int) -> None:
        super().__init__()
        self.records, self.exhibit, self.src_page = records, exhibit, src_page

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = aw, ah - 1
        return self.width, self.height

    def drawOn(self, canv: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self.records.append(PdfSlotRecord(canv.getPageNumber(), (x, y, self.width, self.height),
                                          self.exhibit, self.src_page))
        super().drawOn(canv, x, y, _sW)

    def draw(self) -> None:
        self.canv.setStrokeColor(colors.HexColor("#D0D0D0"))
        self.canv.setLineWidth(0.4)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


def pdf_date(when: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm') for `when`; naive times are local."""
    aware = when if when.tzinfo is not None else when.astimezone()
    offset = aware.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return f"D:{when:%Y%m%d%H%M%S}{sign}{hh:02d}'{mm:02d}'"


class _TotalPagesCanvas(Canvas):
    """Draws the page total as a form XObject defined at save, so a single pass suffices."""

    pages_shown = 0
    last_pages = 0
    # The document's CreationDate/ModDate. Invariant mode would write 2000-01-01; the dossier's
    # own time keeps the file reproducible and tells a reviewer when it was made.
    pdf_date = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.pdf_date:
            date_text = self.pdf_date
            self.setDateFormatter(lambda *_ymdhms: date_text)

    def showPage(self) -> None:
        self.pages_shown += 1
        super().showPage()

    def save(self) -> None:
        self.beginForm("edPageTotal")
        self.setFont(dfonts.fonts()[0], 8)
        self.setFillColor(colors.HexColor("#555555"))
        self.drawString(0, 0, str(self.pages_shown))
        self.endForm()
        type(self).last_pages = self.pages_shown
        super().save()


# -- preparing exhibits --------------------------------------------------------------------------


@dataclass
class Prepared:
    """What the renderer needs to know about one exhibit, read from its file's header."""

    exhibit: Exhibit
    cat: str
    image: di.ImageProbe | None = None
    screenshot: bool = False
    pdf_pages: list[tuple[float, float]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total_rows: int = 0
    text: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Set when the exhibit cannot be drawn: the reason, printed on its "could not be drawn"
    # page and told to the seller.
    problem: str = ""
    # False when the pack leaves the original out too (its marks could not be drawn in).
    in_pack: bool = True
    # The pictures to show, one per page of a TIFF: (file, probe, rotation still to apply
    # to a derived copy); and the keys of their image plans.
    frames: list[tuple[Path, di.ImageProbe, int]] = field(default_factory=list)
    image_keys: list[int] = field(default_factory=list)
    # The normalized copy of a PDF exhibit (pdf_normalize) and its pages that cannot be drawn.
    pdf_src: Path | None = None
    pdf_failed: dict[int, str] = field(default_factory=dict)
    # Its large image streams, kept out of memory until the final file is written.
    pdf_streams: dict[str, Path] = field(default_factory=dict)
    text_cut: bool = False
    # A passable JPEG whose metadata is stripped only once the budget passes it through.
    strip_pending: bool = False


# A picture declaring more pixels than this is not decoded (a decompression bomb, or a scan no
# page could show anyway).
MAX_IMAGE_PIXELS = 150_000_000


def _prepare_image(p: Prepared, work: Path, idx: int, cache: EncodeCache | None,
                   defer_strip: bool = False) -> None:
    ex = p.exhibit
    mime = (ex.info.mime or "").lower()
    ext = Path(ex.info.original_name or ex.path.name).suffix.lower().lstrip(".")
    turn = rot.normal(getattr(ex.info, "rotation", 0))
    if docs.is_tiff(mime, ext):
        try:
            pages = docs.tiff_pages(ex.path, work, f"tiff{idx}", turn)
        except docs.TiffUnreadable as exc:
            p.problem = f"the TIFF {exc}"
            return
        for page in pages:
            p.frames.append((page, di.probe_image(page), 0))
        p.image = p.frames[0][1] if p.frames else None
        p.screenshot = False
        return
    probe = di.probe_image(ex.path, ex.info.orientation or 1)
    if probe.width * probe.height > MAX_IMAGE_PIXELS:
        p.problem = (f"the picture declares {probe.width:,}×{probe.height:,} pixels, too many "
                     "to decode safely")
        return
    src = ex.path
    if "damaged_image" in ex.info.flags:
        probe = replace(probe, damaged=True)
    elif probe.jpeg_passable and defer_strip:
        # Under a budget most camera JPEGs are derived, never passed; only those the budget
        # lets through are stripped (_strip_passed), their file size meanwhile an upper bound.
        p.strip_pending = True
    elif probe.jpeg_passable:
        src, probe = _stripped(p, probe, work, idx, cache)
    elif probe.png_plain and not di.png_complete(ex.path):
        probe = replace(probe, damaged=True)
    if turn:
        probe = replace(probe, orientation=rot.combined(probe.orientation, turn))
    p.image = probe
    p.screenshot = di.is_screenshot(ex.info.kind, probe)
    p.frames.append((src, probe, turn))


def _stripped(p: Prepared, probe: di.ImageProbe, work: Path, idx: int,
              cache: EncodeCache | None) -> tuple[Path, di.ImageProbe]:
    """The JPEG to pass into the PDF, and its probe (damaged if it cannot be stripped).

    The whole JPEG becomes the PDF's image stream, EXIF (GPS, serials, thumbnail) included;
    drop it without touching the scans. A JPEG this parser cannot follow (junk between
    markers, a segment cut short) is decoded into a clean copy instead.
    """
    ex = p.exhibit
    try:
        out = work / f"strip{idx}.jpg"
        sha = ex.derived_sha256 or ex.info.sha256
        src = (cache.stripped(sha, ex.path, out, strip_jpeg) if cache is not None and sha
               else strip_jpeg(ex.path, out))
    except ValueError as exc:
        log.info("exhibit %s: JPEG passed through a decoder (%s)", ex.info.id, exc)
        return ex.path, replace(probe, damaged=True)
    return src, replace(probe, file_size=src.stat().st_size)


def prepare(ex: Exhibit, work: Path | None = None, idx: int = 0,
            cache: EncodeCache | None = None, *, defer_strip: bool = False) -> Prepared:
    """What the renderer needs of `ex`; `defer_strip` leaves a JPEG's metadata to be
    stripped later, by _strip_passed, if it is passed through at all."""
    cat = category(ex)
    p = Prepared(ex, cat)
    try:
        if cat == "image":
            _prepare_image(p, Path(work or tempfile.gettempdir()), idx, cache, defer_strip)
        elif cat == "word" and Path(ex.info.original_name or "").suffix.lower() != ".doc":
            try:
                paragraphs, p.text_cut = docs.docx_paragraphs(ex.path)
                p.text = "\n".join(paragraphs)
            except docs.DocumentUnreadable as exc:
                p.headers = [("why", str(exc))]
        elif cat == "csv":
            p.rows, p.total_rows = dt.read_csv(ex.path)
        elif cat == "xlsx":
            p.rows, p.total_rows = dt.read_xlsx(ex.path)
        elif cat == "text":
            p.text = dt.read_text(ex.path)
        elif cat == "email":
            p.headers, p.text = dt.read_email(ex.path)
    except Exception as exc:  # one unreadable exhibit is shown as such, not a failed export
        log.info("exhibit %s not readable: %s", ex.info.id, type(exc).__name__)
        p.problem = f"it cannot be read ({type(exc).__name__}: {exc})"[:300]
        p.frames = []
    return p


# -- the renderer ----------------------------------------------------------------------------------


class DossierRenderer:
    """Lays out the dossier; subclass and override a hook to change one part of it."""

    page_size = PAGE
    margin = MARGIN

    def __init__(self, data: DossierData, lang: str, prepared: Sequence[Prepared],
                 images: dict[int, ImageRef]) -> None:
        self.data = data
        self.lang = lang
        self.prepared = prepared
        self.images = images
        self.pdf_slots: list[PdfSlotRecord] = []
        self.font = dfonts.fonts()[0]
        self.style = self.styles()
        self.numbers = {ex.info.id: ex.number for ex in data.exhibits}
        ctype = data.rules.types.get(data.case.type_key)
        self.type_zh = ctype.zh if ctype else data.case.type_key
        self.type_en = ctype.en if ctype else data.case.type_key
        self._bm = 0

    # hooks: styles, templates, page decorations, story --------------------------------------

    def styles(self) -> dict[str, ParagraphStyle]:
        # reportlab's "CJK" word wrap breaks Latin words anywhere ("Requiremen/t"); the
        # default wrap breaks Latin at spaces, still breaks between Chinese characters, and
        # splitLongWords cuts only what cannot fit a line at all (hashes, long file names).
        base = ParagraphStyle("body", fontName=self.font, fontSize=9.5, leading=13.5,
                              splitLongWords=1)
        grey = colors.HexColor("#555555")
        return {
            "body": base,
            "body_cjk": ParagraphStyle("body_cjk", parent=base),
            "title": ParagraphStyle("title", parent=base, fontSize=24, leading=32,
                                    alignment=TA_CENTER, spaceAfter=6),
            "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18,
                                       alignment=TA_CENTER, textColor=grey, spaceAfter=14),
            "h1": ParagraphStyle("h1", parent=base, fontSize=15, leading=20, spaceBefore=4,
                                 spaceAfter=8, textColor=colors.HexColor("#1F3A5F")),
            "h2": ParagraphStyle("h2", parent=base, fontSize=11.5, leading=15, spaceBefore=8,
                                 spaceAfter=4, textColor=colors.HexColor("#1F3A5F")),
            "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
            "cell_head": ParagraphStyle("cell_head", parent=base, fontSize=8, leading=10.5,
                                        textColor=colors.white),
            "hash": ParagraphStyle("hash", parent=base, fontSize=6.5, leading=8.5),
            "caption": ParagraphStyle("caption", parent=base, fontSize=8.5, leading=11.5),
            "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=11.5,
                                   textColor=grey),
        }

    @property
    def frame_size(self) -> tuple[float, float]:
        w, h = self.page_size
        return w - 2 * self.margin, h - 2 * self.margin - HEADER_H - FOOTER_H

    def page_templates(self) -> list[PageTemplate]:
        w, h = self.page_size
        fw, fh = self.frame_size
        frame = Frame(self.margin, self.margin + FOOTER_H, fw, fh, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        return [PageTemplate(id="page", frames=[frame], onPage=self.on_page)]

    def on_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """Header and footer; the page total is a form filled in when the file is saved."""
        w, h = self.page_size
        case = self.data.case
        canv.saveState()
        canv.setFillColor(colors.HexColor("#555555"))
        canv.setStrokeColor(colors.HexColor("#B0B0B0"))
        canv.setLineWidth(0.5)
        top = h - self.margin
        head = (f"{label('dossier_title', self.lang)} · {label('order_no', self.lang)} "
                f"{case.order_no} · {pick(self.type_zh, self.type_en, self.lang)}")
        dfonts.draw_string(canv, self.margin, top - 7, self._fit(head, w - 2 * self.margin, 7.5),
                           7.5)
        canv.line(self.margin, top - HEADER_H + 4, w - self.margin, top - HEADER_H + 4)
        bottom = self.margin
        canv.line(self.margin, bottom + FOOTER_H - 4, w - self.margin, bottom + FOOTER_H - 4)
        page = canv.getPageNumber()
        prefix = self.page_prefix(page)
        left = self._fit(case.order_no, w / 2, 8)
        dfonts.draw_string(canv, self.margin, bottom, left, 8)
        x = w - self.margin - dfonts.string_width(prefix + "000", 8)
        end = dfonts.draw_string(canv, x, bottom, prefix, 8)
        canv.translate(end, bottom)
        canv.doForm("edPageTotal")
        canv.restoreState()

    def page_prefix(self, page: int) -> str:
        """'Page X of ' — the total follows as a form; in Chinese the order reads 页码 X / Y."""
        zh, en = f"页码 {page} / ", f"Page {page} of "
        return {"zh": zh, "en": en}.get(self.lang, f"第 {page} 页 · {en}")

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        story += self.cover()
        story += self.statement()
        story += self.checklist()
        story += self.timeline()
        story += self.exhibit_index()
        story += self.exhibits()
        return story

    # helpers ------------------------------------------------------------------------------

    def _fit(self, text: str, width: float, size: float) -> str:
        text = _CONTROL.sub("", text).replace("\n", " ")
        if dfonts.string_width(text, size) <= width:
            return text
        while text and dfonts.string_width(text + "…", size) > width:
            text = text[: max(0, int(len(text) * 0.9) - 1)]
        return text + "…"

    def L(self, key: str, **fmt: object) -> str:  # noqa: N802 - short on purpose, used everywhere
        return label(key, self.lang, **fmt)

    def para(self, text: str, style: str = "body", *, markup: bool = False,
             limit: int | None = None) -> Paragraph:
        """A paragraph of fixed (markup=True) or user text (escaped)."""
        safe = text if markup else user_text(text, limit)
        st = self.style[style]
        if style == "body" and _CJK.search(text):
            st = self.style["body_cjk"]
        return Paragraph(dfonts.markup(safe), st)

    def paras(self, text: str, style: str = "body") -> list[Flowable]:
        """Long user text as one paragraph per line, so it flows across pages cheaply."""
        out: list[Flowable] = []
        for line in (text or "").replace("\r\n", "\n").split("\n"):
            if line.strip():
                out.append(self.para(line, style))
            else:
                out.append(Spacer(1, 5))
        return out

    def bookmark(self, title: str, level: int) -> Bookmark:
        self._bm += 1
        return Bookmark(f"bm{self._bm}", self._fit(title, 2000, 8), level)

    def table(self, rows: list[list[Any]], widths: list[float], *, head: bool = True,
              zebra: bool = True, extra: list[tuple] | None = None) -> Table:
        t = Table(rows, colWidths=widths, repeatRows=1 if head else 0, splitByRow=1)
        cmds: list[tuple] = [
            # Tables select a font per cell even for Paragraph cells; Helvetica would appear
            # (unembedded) in the file.
            ("FONT", (0, 0), (-1, -1), self.font, 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#B8B8B8")),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if head:
            cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F3A5F")))
        if zebra and len(rows) > 2:
            cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, -1),
                         [colors.white, colors.HexColor("#F3F5F8")]))
        t.setStyle(TableStyle(cmds + (extra or [])))
        return t

    def head_cells(self, *keys: str) -> list[Paragraph]:
        return [self.para(escape(self.L(k)), "cell_head", markup=True) for k in keys]

    def cell(self, text: str, style: str = "cell", limit: int = CELL_CHARS) -> Paragraph:
        return self.para(text, style, limit=limit)

    def kind_label(self, key: str) -> str:
        k = self.data.rules.kinds.get(key)
        return pick(k.zh, k.en, self.lang) if k else key

    # sections -----------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        d, case, lang = self.data, self.data.case, self.lang
        out: list[Flowable] = [self.bookmark(self.L("cover"), 0), Spacer(1, 18 * mm)]
        out.append(self.para(escape(self.L("dossier_title")), "title", markup=True))
        # The case title is the seller's own note ("for yourself"): never printed.
        rows: list[list[Any]] = []

        def row(key: str, value: str, limit: int = COVER_CHARS) -> None:
            rows.append([self.para(escape(self.L(key)), "cell", markup=True),
                         self.cell(value, limit=limit)])

        # The complaint type is always printed in both languages: the reviewer reads English,
        # the seller Chinese.
        row("complaint_type", f"{self.type_zh} / {self.type_en}")
        row("order_no", case.order_no)
        if case.amount is not None:
            row("amount", f"{case.amount:,.2f} {case.currency}")
        b = case.buyer
        if b is not None:
            row("buyer", b.name)
            if b.company:
                row("buyer_company", b.company)
            if b.country:
                row("buyer_country", b.country)
            if b.member_id:
                row("buyer_member", b.member_id)
        for key in ("paid_on", "completed_on", "accepted_on", "refund_requested_on"):
            value = getattr(case, key)
            if value is not None:
                row(key, fmt_when(value))
        cl = d.checklist
        deadline = getattr(cl, "deadline", None)
        if deadline is not None:
            days = getattr(cl, "days_left", None)
            extra = "" if days is None else f"  ({self.L('days_left')}: {days})"
            row("deadline", fmt_when(deadline) + extra)
        st = self.statement_text()
        demand = st.demand_en if lang == "en" else (st.demand_zh or case.demand)
        if demand:
            row("demand", demand)
        row("dossier_date", fmt_when(d.generated_at))
        row("exhibit_count", str(len(d.exhibits)))
        if case.attempt_no > 1:
            row("attempt", str(case.attempt_no))
        if d.audit_head:
            rows.append([self.para(escape(self.L("audit_head")), "cell", markup=True),
                         self.cell(d.audit_head, "hash")])
        fw, _ = self.frame_size
        out.append(self.table(rows, [fw * 0.28, fw * 0.72], head=False, zebra=False, extra=[
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF1F6")),
        ]))
        ready = bool(getattr(cl, "ready", False))
        status = self.L("ready" if ready else "not_ready")
        colour = "#2E7D32" if ready else "#C62828"
        out.append(Spacer(1, 8 * mm))
        out.append(self.para(f'<font color="{colour}" size="13">{escape(status)}</font>', "body",
                             markup=True))
        out.append(Spacer(1, 4 * mm))
        out.append(self.para(escape(self.L("sha_note")), "note", markup=True))
        out.append(PageBreak())
        del lang
        return out

    def statement_text(self) -> StatementText:
        """The statement to print; a dossier built without one reads it from the case."""
        if self.data.statement is not None:
            return self.data.statement
        case = self.data.case
        # Only ASCII case text may stand as English (the platform refuses anything else).
        return StatementText(
            en=case.statement_en, reading_zh=case.statement_zh,
            reason_en=case.reason if case.reason.isascii() else "",
            demand_en=case.demand if case.demand.isascii() else "",
            reason_zh=case.reason, demand_zh=case.demand)

    def statement(self) -> list[Flowable]:
        """The reason and demand, the English as submitted, and (in Chinese or both languages)
        the Chinese reading version. The English dossier prints no Chinese: the reviewer reads
        the English the phrases made, never the seller's raw Chinese."""
        st = self.statement_text()
        parts: list[tuple[str, str]]
        if self.lang == "en":
            parts = [("reason", st.reason_en), ("demand", st.demand_en),
                     ("statement_en", st.en)]
        elif self.lang == "zh":
            parts = [("reason", st.reason_zh), ("demand", st.demand_zh),
                     ("statement_en", st.en), ("statement_reading", st.reading_zh)]
        else:
            parts = [("reason", st.reason_zh), ("reason", st.reason_en),
                     ("demand", st.demand_zh), ("demand", st.demand_en),
                     ("statement_en", st.en), ("statement_reading", st.reading_zh)]
        out: list[Flowable] = [self.bookmark(self.L("statement"), 0),
                               self.para(escape(self.L("statement")), "h1", markup=True)]
        shown: set[str] = set()
        for key, text in parts:
            if not text.strip() or text.strip() in shown:
                continue
            shown.add(text.strip())
            # A heading never stays alone at the foot of a page.
            out.append(CondPageBreak(25 * mm))
            out.append(self.para(escape(self.L(key)), "h2", markup=True))
            out += self.paras(text)
        if not any(text.strip() for _, text in parts):
            out.append(self.para(escape(self.L("none")), "note", markup=True))
        return out

    def checklist(self) -> list[Flowable]:
        cl = self.data.checklist
        fw, _ = self.frame_size
        out: list[Flowable] = [CondPageBreak(60 * mm), self.bookmark(self.L("checklist"), 0),
                               self.para(escape(self.L("checklist")), "h1", markup=True)]
        rows: list[list[Any]] = [self.head_cells("col_kind", "col_level", "col_met",
                                                 "col_exhibits")]
        styles: list[tuple] = []
        for r_i, req in enumerate(getattr(cl, "requirements", ()) or (), start=1):
            kinds = tuple(getattr(req, "kinds", ()) or (getattr(req, "kind", ""),))
            kind_text = " | ".join(self.kind_label(k) for k in kinds)
            level = getattr(req, "level", "required")
            minimum = getattr(req, "min", 1)
            level_text = self.L(f"level_{level}") if f"level_{level}" in _LEVEL_KEYS else level
            if minimum > 1:
                level_text += f" ≥ {minimum}"
            ok = bool(getattr(req, "satisfied", False))
            numbers = [self.numbers.get(i, f"#{i}") for i in getattr(req, "item_ids", ()) or ()]
            rows.append([
                self.cell(kind_text),
                self.cell(level_text),
                self.cell(self.L("met_yes" if ok else "met_no") +
                          f" ({getattr(req, 'count', len(numbers))})"),
                self.cell(", ".join(numbers) or "—"),
            ])
            bg = "#E8F5E9" if ok else ("#FFEBEE" if getattr(req, "required", True) else "#FFF8E1")
            styles.append(("BACKGROUND", (2, r_i), (2, r_i), colors.HexColor(bg)))
        out.append(self.table(rows, [fw * 0.34, fw * 0.16, fw * 0.18, fw * 0.32], zebra=False,
                              extra=styles))
        warnings = tuple(getattr(cl, "warnings", ()) or ())
        if warnings:
            out.append(self.para(escape(self.L("warnings")), "h2", markup=True))
            for w in warnings:
                zh = getattr(w, "message_zh", "") or getattr(w, "message", "")
                en = getattr(w, "message", "")
                out.append(self.para("• " + pick(zh, en, self.lang), "body", limit=2000))
        return out

    def timeline(self) -> list[Flowable]:
        fw, _ = self.frame_size
        out: list[Flowable] = [CondPageBreak(50 * mm), self.bookmark(self.L("timeline"), 0),
                               self.para(escape(self.L("timeline")), "h1", markup=True)]
        events = list(self.data.timeline)
        if not events:
            out.append(self.para(escape(self.L("no_events")), "note", markup=True))
            return out
        rows: list[list[Any]] = [self.head_cells("col_when", "col_event")]
        for ev in events:
            text = pick(getattr(ev, "label_zh", "") or ev.label, ev.label, self.lang)
            item_id = getattr(ev, "item_id", None)
            if item_id is not None and item_id in self.numbers:
                text = f"[{self.numbers[item_id]}] {text}"
            rows.append([self.cell(fmt_when(ev.when, bool(getattr(ev, "is_date_only", False)))),
                         self.cell(text)])
        out.append(self.table(rows, [fw * 0.22, fw * 0.78]))
        return out

    def exhibit_index(self) -> list[Flowable]:
        fw, _ = self.frame_size
        out: list[Flowable] = [PageBreak(), self.bookmark(self.L("exhibit_index"), 0),
                               self.para(escape(self.L("exhibit_index")), "h1", markup=True)]
        rows: list[list[Any]] = [self.head_cells("col_number", "col_kind", "col_caption",
                                                 "col_captured", "col_file", "col_sha")]
        for ex in self.data.exhibits:
            info = ex.info
            rows.append([
                self.cell(ex.number), self.cell(self.kind_label(info.kind)),
                self.cell(info.caption, limit=200), self.cell(fmt_when(info.captured_at)),
                self.cell(info.original_name, limit=120), self.sha_cell(ex),
            ])
        # Wide enough that no header word ("Original file", "Evidence kind") has to break,
        # and that a SHA-256 takes exactly two lines of 32 digits.
        widths = [0.07, 0.14, 0.205, 0.13, 0.17, 0.285]
        out.append(self.table(rows, [fw * x for x in widths]))
        return out

    def sha_cell(self, ex: Exhibit) -> Paragraph:
        """The original's hash; for a marked exhibit also the hash of the copy shown."""
        if not ex.derived_sha256:
            return self.cell(ex.info.sha256, "hash")
        note = self.L("redacted_short" if ex.redacted else "annotated_short")
        text = (f"{escape(ex.info.sha256)}<br/><i>{escape(note)}:</i> "
                f"{escape(ex.derived_sha256)}")
        return self.para(text, "hash", markup=True)

    def exhibits(self) -> list[Flowable]:
        out: list[Flowable] = []
        if not self.prepared:
            return out
        first = True
        for idx, prep in enumerate(self.prepared):
            out.append(PageBreak())
            if first:
                out.append(self.bookmark(self.L("exhibits"), 0))
                first = False
            out += self.exhibit(idx, prep)
        return out

    # one exhibit ---------------------------------------------------------------------------

    def exhibit_heading(self, ex: Exhibit, suffix: str = "") -> Paragraph:
        text = f"{ex.number} · {self.kind_label(ex.info.kind)}"
        if suffix:
            text += f" · {suffix}"
        return self.para(text, "h2")

    def caption_block(self, ex: Exhibit, caption_limit: int | None = None) -> list[Flowable]:
        info = ex.info
        lines = [f"<b>{escape(ex.number)}</b> · {escape(self.kind_label(info.kind))}"]
        if info.caption:
            lines.append(f"{escape(self.L('col_caption'))}: "
                         f"{user_text(info.caption, caption_limit)}")
        captured = fmt_when(info.captured_at)
        source = f"from_{info.captured_from}"
        if info.captured_at is not None and source in LABELS:
            # The time as taken, with the zone the photo recorded: "12:55 (UTC+01:00, ...)".
            zone = format_offset(getattr(info, "captured_offset", None))
            captured += f" ({zone}, {self.L(source)})" if zone else f" ({self.L(source)})"
        lines.append(f"{escape(self.L('col_captured'))}: {escape(captured)}")
        lines.append(f"{escape(self.L('col_file'))}: {user_text(info.original_name, 300)}")
        if ex.derived_sha256:
            lines.append(f"{escape(self.L('sha_original'))}: {escape(info.sha256)}")
            key = "redacted_copy" if ex.redacted else "annotated_copy"
            lines.append(f"<b>{escape(self.L(key))}</b>: {escape(ex.derived_sha256)}")
        else:
            lines.append(f"SHA-256: {escape(info.sha256)}")
        # Only flags with a label reach the page: the others are informational (no_exif_time
        # is normal for a screenshot, privacy_ok is the seller's own note) and a raw code
        # means nothing to a reviewer.
        problems = [self.L(f"flag_{f}") for f in dict.fromkeys(info.flags)
                    if f"flag_{f}" in LABELS]
        if problems:
            sep = "; " if self.lang != "zh" else ";"
            lines.append(f"{escape(self.L('flags'))}: {escape(sep.join(problems))}")
        return [Spacer(1, 3), Paragraph(dfonts.markup("<br/>".join(lines)), self.style["caption"])]

    def _height(self, flowables: list[Flowable]) -> float:
        fw, _ = self.frame_size
        return sum(f.wrap(fw, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                   for f in flowables)

    def exhibit(self, idx: int, prep: Prepared) -> list[Flowable]:
        ex = prep.exhibit
        bm = self.bookmark(f"{ex.number} {ex.info.caption or ex.info.original_name}", 1)
        if prep.problem:
            return [bm, *self.undrawn_exhibit(prep)]
        if prep.cat == "image":
            keys = [k for k in prep.image_keys if k in self.images]
            if not keys:
                return [bm, *self.undrawn_exhibit(prep)]
            out: list[Flowable] = [bm]
            for j, key in enumerate(keys):
                if j:
                    out.append(PageBreak())
                page = self.L("tiff_page", i=j + 1, n=len(keys)) if len(keys) > 1 else ""
                out += self.image_exhibit(ex, self.images[key], page)
            return out
        if prep.cat == "pdf":
            return [bm, *self.pdf_exhibit(idx, prep)]
        if prep.cat in ("csv", "xlsx"):
            return [bm, *self.table_exhibit(prep)]
        if prep.cat in ("text", "email"):
            return [bm, *self.text_exhibit(prep)]
        if prep.cat == "video":
            return [bm, *self.video_exhibit(prep)]
        if prep.cat == "word":
            return [bm, *self.word_exhibit(prep)]
        return [bm, self.exhibit_heading(ex), self.para(escape(self.L("not_shown")), "note",
                                                        markup=True), *self.caption_block(ex)]

    def undrawn_exhibit(self, prep: Prepared) -> list[Flowable]:
        """The page of an exhibit that cannot be drawn: what it is, why, and where it is."""
        ex = prep.exhibit
        where = self.L("undrawn_in_pack" if prep.in_pack else "undrawn_not_in_pack")
        return [self.exhibit_heading(ex),
                self.para(escape(self.L("undrawn_title")), "h1", markup=True),
                self.para(self.L("undrawn_reason", why=prep.problem or "?"), "body", limit=600),
                Spacer(1, 4), self.para(where, "body"), *self.caption_block(ex)]

    def video_exhibit(self, prep: Prepared) -> list[Flowable]:
        ex = prep.exhibit
        fmt = (Path(ex.info.original_name or "").suffix.lstrip(".").upper()
               or (ex.info.mime or "video").split("/")[-1].upper())
        return [self.exhibit_heading(ex), self.para(self.L("video_note", fmt=fmt), "body"),
                *self.caption_block(ex)]

    def word_exhibit(self, prep: Prepared) -> list[Flowable]:
        ex = prep.exhibit
        why = dict(prep.headers).get("why")
        if why or not prep.text.strip():
            if not why:
                why = ("legacy .doc files are not read" if ex.info.original_name.lower()
                       .endswith(".doc") else "it holds no text")
            return [self.exhibit_heading(ex), self.para(self.L("document_no_text", why=why),
                                                        "body"), *self.caption_block(ex)]
        out: list[Flowable] = [self.exhibit_heading(ex), *self.caption_block(ex, 400),
                               Spacer(1, 6), self.para(self.L("document_note"), "note")]
        out += self.paras(prep.text, "caption")
        if prep.text_cut:
            out.append(self.para(self.L("document_cut"), "note"))
        return out

    def image_exhibit(self, ex: Exhibit, ref: ImageRef, page: str = "") -> list[Flowable]:
        def heading(part: str = "") -> Paragraph:
            return self.exhibit_heading(ex, " · ".join(x for x in (page, part) if x))

        fw, fh = self.frame_size
        heading_h = self._height([heading(self.L("part", i=9, n=9))])
        # Leave room for the caption under the picture, but never let a long caption squeeze
        # the picture: beyond 120 pt the caption flows on to the next page.
        cap_h = min(self._height(self.caption_block(ex, 400)), 120.0)
        avail = fh - heading_h - cap_h - 8
        uw, uh = ref.upright
        fit = min(fw / uw, avail / uh)
        shown_w = uw * fit
        tall = uh / uw > avail / fw
        layer = layer_for(ex, self.data.recognised)
        if not (tall and shown_w < MIN_WHOLE_WIDTH):
            return [heading(), ImageSlice(ref, shown_w, text_layer=layer),
                    *self.caption_block(ex)]
        width = min(fw, SLICE_WIDTH)
        full_h = width * uh / uw
        slice_h = avail
        n = max(2, -(-(full_h - SLICE_OVERLAP) // (slice_h - SLICE_OVERLAP)))
        n = int(n)
        step = (full_h - slice_h) / (n - 1)
        out: list[Flowable] = []
        for i in range(n):
            if i:
                out.append(PageBreak())
            out.append(heading(self.L("part", i=i + 1, n=n)))
            out.append(ImageSlice(ref, width, top=i * step, height=slice_h, text_layer=layer))
            out += self.caption_block(ex, 400 if i < n - 1 else None)
        return out

    def pdf_exhibit(self, idx: int, prep: Prepared) -> list[Flowable]:
        ex = prep.exhibit
        n = len(prep.pdf_pages)
        out: list[Flowable] = [self.exhibit_heading(ex, self.L("pdf_page", i=1, n=n)),
                               KeepTogether(self.caption_block(ex, 400))]
        for i in range(n):
            if i:
                out.append(PageBreak())
                out.append(self.exhibit_heading(ex, self.L("pdf_page", i=i + 1, n=n)))
            out.append(Spacer(1, 2))
            if i in prep.pdf_failed:
                out.append(self.para(escape(self.L("undrawn_title")), "h1", markup=True))
                out.append(self.para(self.L("pdf_page_undrawn", i=i + 1, why=prep.pdf_failed[i]),
                                     "body", limit=600))
            else:
                out.append(PdfPageSlot(self.pdf_slots, idx, i))
        if not n:
            out.append(self.para(self.L("pdf_unreadable", n=0), "note"))
        return out

    def table_exhibit(self, prep: Prepared) -> list[Flowable]:
        ex = prep.exhibit
        fw, _ = self.frame_size
        out: list[Flowable] = [self.exhibit_heading(ex), *self.caption_block(ex, 400),
                               Spacer(1, 6)]
        if not prep.rows:
            return out + [self.para(escape(self.L("none")), "note", markup=True)]
        ncols = max(len(r) for r in prep.rows)
        rows = [r + [""] * (ncols - len(r)) for r in prep.rows]
        body = [[self.cell(c, "hash" if ncols > 8 else "cell") for c in r] for r in rows]
        out.append(self.table(body, [fw / ncols] * ncols))
        if prep.total_rows > len(rows) - 1:
            out.append(self.para(self.L("rows_capped", shown=len(rows) - 1,
                                        total=prep.total_rows), "note"))
        return out

    def text_exhibit(self, prep: Prepared) -> list[Flowable]:
        ex = prep.exhibit
        out: list[Flowable] = [self.exhibit_heading(ex)]
        for name, value in prep.headers:
            out.append(self.para(f"{name}: {value}", "caption", limit=500))
        out.append(Spacer(1, 4))
        out += self.paras(prep.text, "caption")
        out += self.caption_block(ex, 400)
        return out

    # building -------------------------------------------------------------------------------

    def metadata(self) -> dict[str, str]:
        case = self.data.case
        title = f"{label('dossier_title', self.lang)} – {case.order_no}"
        keywords = ", ".join(x for x in (case.order_no, self.type_en, self.type_zh,
                                         label("kw_complaint", self.lang)) if x)
        return {"title": title, "author": "Evidence Desk", "creator": "Evidence Desk",
                "subject": f"{self.type_zh} / {self.type_en} – {case.order_no}",
                "keywords": keywords}

    def render(self, out: Path) -> int:
        """Write the skeleton PDF (placeholders for images, empty slots for PDF pages)."""
        meta = self.metadata()
        doc = BaseDocTemplate(
            str(out), pagesize=self.page_size, leftMargin=self.margin, rightMargin=self.margin,
            topMargin=self.margin, bottomMargin=self.margin, initialFontName=self.font,
            initialFontSize=9.5, initialLeading=13.5, pageCompression=1, invariant=1,
            title=meta["title"], author=meta["author"], subject=meta["subject"],
            keywords=meta["keywords"], creator=meta["creator"], producer="Evidence Desk",
            lang={"zh": "zh-CN", "en": "en"}.get(self.lang, "zh-CN"),
        )
        doc.addPageTemplates(self.page_templates())
        # A class per build: the page total is read back from it, and builds may run in
        # parallel threads.
        canvas_class = type("DossierCanvas", (_TotalPagesCanvas,),
                            {"pdf_date": pdf_date(self.data.generated_at)})
        doc.build(self.story(), canvasmaker=canvas_class)
        return canvas_class.last_pages


_LEVEL_KEYS = {"level_required", "level_any_of", "level_recommended"}


# -- PDF exhibits ----------------------------------------------------------------------------------


def _failure_overlay(size: tuple[float, float], box: tuple[float, float, float, float],
                     text: str) -> Any:
    """A page of `size` with `text` written at the top of `box`: laid over a slot whose
    PDF page failed to merge after layout."""
    import io

    from pypdf import PdfReader

    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=size, initialFontName=dfonts.fonts()[0], invariant=1)
    x, y, w, h = box
    size_pt = 10
    line, lines = "", []
    for word in text.split():
        if dfonts.string_width(f"{line} {word}", size_pt) > w - 20 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    for k, one in enumerate(lines[:12]):
        dfonts.draw_string(canv, x + 10, y + h - 24 - k * 14, one, size_pt)
    canv.showPage()
    canv.save()
    buf.seek(0)
    return PdfReader(buf).pages[0]


def _place_pdf_pages(skeleton: Path, out: Path, slots: list[PdfSlotRecord],
                     prepared: Sequence[Prepared], lang: str) -> list[tuple[int, int, str]]:
    """Scale each normalized PDF page onto its reserved page, keeping its vector content.

    Pages come from the normalized copies (upright, sane boxes and annotations: see
    pdf_normalize). Each exhibit's reader is dropped once its pages are placed, so memory does
    not grow with the number of PDF exhibits read. A page that still fails to merge gets a
    "could not be drawn" text in its slot; returns those as (exhibit index, page, reason).
    """
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=str(skeleton))
    failed: list[tuple[int, int, str]] = []
    current: tuple[int, Any] | None = None
    for slot in sorted(slots, key=lambda s: (s.exhibit, s.src_page)):
        prep = prepared[slot.exhibit]
        target = writer.pages[slot.page - 1]
        try:
            if current is None or current[0] != slot.exhibit:
                current = (slot.exhibit, PdfReader(str(prep.pdf_src)))
            src = current[1].pages[slot.src_page]
            box = src.cropbox
            sw, sh = float(box.width), float(box.height)
            x, y, w, h = slot.box
            s = min(w / sw, h / sh)
            tx = x + (w - sw * s) / 2
            ty = y + h - sh * s
            t = (Transformation().translate(-float(box.left), -float(box.bottom)).scale(s)
                 .translate(tx, ty))
            target.merge_transformed_page(src, t, over=False)
            # The merge leaves the page's content as parsed operators (Python objects, many
            # times the bytes); encoding it now keeps memory flat in the number of pages.
            target.compress_content_streams()
        except Exception as exc:  # noqa: BLE001 - one page must not sink the dossier
            reason = f"it cannot be placed ({type(exc).__name__})"
            log.info("exhibit %s page %d not placed: %s", prep.exhibit.info.id,
                     slot.src_page + 1, type(exc).__name__)
            failed.append((slot.exhibit, slot.src_page, reason))
            text = label("pdf_page_undrawn", lang, i=slot.src_page + 1, why=reason)
            size = (float(target.mediabox.width), float(target.mediabox.height))
            target.merge_page(_failure_overlay(size, slot.box, text))
    with open(out, "wb") as fh:
        writer.write(fh)
    return failed


# -- the whole export ----------------------------------------------------------------------------


Progress = Callable[[int, int, str], None]

# Bytes per image object beyond its data (dictionary, xref entry), and slack for the skeleton
# changing a little once the final image sizes are known.
_PER_IMAGE_OVERHEAD = 220
_SKELETON_SLACK = 4096


@dataclass
class _ImageWork:
    plans: list[di.ImagePlan]
    derived: dict[int, di.Derived] = field(default_factory=dict)


def _refs(plans: list[di.ImagePlan], derived: dict[int, di.Derived] | None = None
          ) -> dict[int, ImageRef]:
    refs: dict[int, ImageRef] = {}
    for p in plans:
        if p.passthrough:
            refs[p.index] = ImageRef(f"x{p.index}", (p.probe.width, p.probe.height),
                                     p.probe.orientation, p.upright,
                                     "DeviceGray" if p.probe.mode == "L" else "DeviceRGB")
        else:
            d = derived.get(p.index) if derived else None
            size = (d.width, d.height) if d and d.width else p.cap
            refs[p.index] = ImageRef(f"x{p.index}", size, 1, p.upright)
    return refs


def _strip_passed(plans: list[di.ImagePlan], image_budget: int, prepared: list[Prepared],
                  owner: dict[int, int], work: Path, cache: EncodeCache | None
                  ) -> list[di.ImagePlan]:
    """Strip the metadata of the JPEGs the budget passes through (prepare deferred it).

    Stripping only makes a file smaller, so the plan still holds; a JPEG that cannot be
    stripped is derived instead, and the budget shared again.
    """
    while True:
        again = False
        for n, plan in enumerate(plans):
            k = owner[plan.index]
            if not (plan.passthrough and prepared[k].strip_pending):
                continue
            prepared[k].strip_pending = False
            src, probe = _stripped(prepared[k], plan.probe, work, k, cache)
            prepared[k].frames = [(src, probe, turn) for _s, _p, turn in prepared[k].frames]
            plans[n] = replace(plan, src=src, probe=probe)
            again |= probe.damaged
        if not again:
            return plans
        plans = di.fit_budget(plans, image_budget)


def _image_budget(budget_bytes: int, skeleton_bytes: int, images: int) -> int:
    """What a budget leaves for the images' data once the pages around them are counted."""
    return budget_bytes - skeleton_bytes - _SKELETON_SLACK - _PER_IMAGE_OVERHEAD * images


# A guess at the laid-out size before the layout (see _skeleton_guess): fonts and fixed pages,
# each exhibit's heading, caption, hashes and table and timeline rows, and text at a few bytes
# a character (a recognised line's invisible text also needs its position). Above what cases
# measure (45 KB, and 1.8 KB an exhibit with a short caption): too much costs that share of
# the budget, too little a second pass over some pictures.
_GUESS_BASE = 80 * 1024
_GUESS_PER_EXHIBIT = 3 * 1024
_GUESS_PER_CHAR = 3
_GUESS_PER_LINE = 48


def _skeleton_guess(data: DossierData, prepared: list[Prepared]) -> int:
    chars = sum(len(str(v)) for v in (data.statement, data.case))
    total = _GUESS_BASE + _GUESS_PER_CHAR * chars
    for text in data.recognised.values():
        total += _GUESS_PER_CHAR * len(text.text) + _GUESS_PER_LINE * len(text.lines)
    for p in prepared:
        info = p.exhibit.info
        total += _GUESS_PER_EXHIBIT + _GUESS_PER_CHAR * (
            len(info.caption or "") + len(info.original_name or "") + len(p.text)
            + sum(len(c) for row in p.rows for c in row)
            + sum(len(k) + len(v) for k, v in p.headers))
        if p.pdf_src is not None:
            total += p.pdf_src.stat().st_size  # its pages go into the layout as they are
    return total


def _images_size(plans: list[di.ImagePlan], derived: dict[int, di.Derived]) -> int:
    return sum(p.probe.file_size if p.passthrough else derived[p.index].size
               for p in plans if p.passthrough or p.index in derived)


def _target_of(plans: list[di.ImagePlan], index: int) -> int | None:
    return next((p.target_bytes for p in plans if p.index == index and not p.passthrough), None)


def _cache_keys(jobs: list[di.DeriveJob], prepared: list[Prepared],
                owner: dict[int, int]) -> dict[int, str]:
    keys = {}
    for job in jobs:
        p = prepared[owner[job.index]]
        info = p.exhibit.info
        # A marked exhibit is drawn from its marked copy, whose hash also covers the rotation
        # the marks were burned in at.
        keys[job.index] = exhibit_key(p.exhibit.derived_sha256 or info.sha256, info.marks or "",
                                      getattr(info, "rotation", 0) or 0,
                                      p.image_keys.index(job.index), job)
    return keys


def _mb(n: int, *, up: bool = False) -> str:
    """Bytes as MB with one decimal (MiB, as the budget is given), or KB below 1 MB; `up`
    rounds up so that a budget of the printed size really is enough."""
    n = max(0, n)
    rnd = math.ceil if up else round
    if n < 1024 * 1024:
        return f"{max(1, rnd(n / 1024))} KB"
    return f"{rnd(n * 10 / (1024 * 1024)) / 10:.1f} MB"


def build_dossier(
    data: DossierData,
    out: Path,
    *,
    lang: str = "both",
    budget_bytes: int | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    work_root: Path | None = None,
    encode_cache: EncodeCache | None = None,
) -> DossierResult:
    """Write the dossier PDF to `out` atomically and return its hash, page count and size.

    Intermediate files go in a scratch folder below `work_root` (see export.scratch; the
    system's temporary folder when None).

    budget_bytes None means no size limit: JPEGs pass through, other images are derived at
    up to 2400 px. Raises BudgetTooSmall if the budget would make evidence illegible,
    ExportCancelled if cancel() turns true (checked between exhibits). With `encode_cache`,
    derived pictures made by an earlier export of the same exhibits are reused.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    out = Path(out)
    total = len(data.exhibits)
    done = 0
    notes: list[str] = []

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total, what)

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise ExportCancelled("export cancelled")

    with scratch_dir(work_root, "dossier") as tmp:
        skeleton = tmp / "skeleton.pdf"
        # Marked exhibits are shown from a derived copy with the marks burned in at full
        # resolution; from here on the copy is the exhibit's picture (the original's hash is
        # still printed beside it). One whose marks cannot be drawn is shown as such, never
        # unmarked.
        shown: list[Exhibit] = []
        unmarked: dict[int, str] = {}
        for k, ex in enumerate(data.exhibits):
            check_cancel()
            try:
                shown.append(marked_exhibit(ex, tmp))
            except RedactError as exc:
                unmarked[k] = str(exc)
                shown.append(ex)
        data = replace(data, exhibits=tuple(shown))
        prepared: list[Prepared] = []
        for k, ex in enumerate(data.exhibits):
            check_cancel()
            if k in unmarked:
                p = Prepared(ex, category(ex), problem=unmarked[k], in_pack=False)
            else:
                p = prepare(ex, tmp, k, encode_cache, defer_strip=budget_bytes is not None)
            prepared.append(p)
        _prepare_pdfs(prepared, tmp, notes, cancel)
        check_cancel()
        items = []
        owner: dict[int, int] = {}
        for k, p in enumerate(prepared):
            if p.problem:
                continue
            for src, probe, turn in p.frames:
                key = len(owner)
                owner[key] = k
                p.image_keys.append(key)
                items.append((key, src, probe, p.screenshot, turn))
        plans = di.initial_plans(items)

        def layout(current: list[di.ImagePlan],
                   derived: dict[int, di.Derived] | None = None) -> tuple[int, Path]:
            renderer = DossierRenderer(data, lang, prepared, _refs(current, derived))
            pages = renderer.render(skeleton)
            if not renderer.pdf_slots:
                return pages, skeleton
            placed = tmp / "skeleton-placed.pdf"
            for k, page, why in _place_pdf_pages(skeleton, placed, renderer.pdf_slots,
                                                 prepared, lang):
                prepared[k].pdf_failed[page] = why
            return pages, placed

        def share(image_budget: int) -> list[di.ImagePlan]:
            return _strip_passed(di.fit_budget(plans, image_budget), image_budget, prepared,
                                 owner, tmp, encode_cache)

        def jobs_of(current: list[di.ImagePlan]) -> tuple[list[di.DeriveJob], dict[int, str]]:
            jobs = [di.DeriveJob(p.index, p.src, tmp / f"img{p.index}.jpg", p.cap, p.floor,
                                 p.target_bytes, p.rotation)
                    for p in current if not p.passthrough]
            return jobs, _cache_keys(jobs, prepared, owner)

        with DerivePool(cancel) as pool:
            # The pictures are made while the pages are laid out (export.derive_pool). Under a
            # budget, what is left for them depends on the laid-out size, so they start from
            # a guess at it (_skeleton_guess); a short guess costs a second pass, never the
            # budget.
            planned: list[di.ImagePlan] | None = plans
            guessed = 0
            if budget_bytes is not None:
                guessed = _image_budget(budget_bytes, _skeleton_guess(data, prepared),
                                        len(plans))
                try:
                    planned = share(guessed)
                except ValueError:
                    planned = None  # the budget is tight: wait for the real layout
            derived: dict[int, di.Derived] = {}
            keys: dict[int, str] = {}
            if planned is not None:
                jobs, keys = jobs_of(planned)
                derived, todo = from_cache(jobs, keys, encode_cache, tick)
                pool.start(todo)
            pages, skel = layout(plans)
            if planned is not None:
                derived.update(pool.results(
                    tick, lambda d: keep({d.index: d}, keys, encode_cache)))
                plans = planned
            if budget_bytes is not None:
                image_budget = _image_budget(budget_bytes, skel.stat().st_size, len(plans))
                if planned is None or (image_budget < guessed
                                       and _images_size(planned, derived) > image_budget):
                    try:
                        plans = share(image_budget)
                    except ValueError:
                        fixed = budget_bytes - image_budget
                        needed = fixed + sum(di.minimum_bytes(p) for p in plans)
                        raise BudgetTooSmall(
                            f"A budget of {_mb(budget_bytes)} cannot hold these exhibits "
                            f"legibly: the text and tables alone take {_mb(fixed)}; a budget "
                            f"of at least {_mb(needed, up=True)} is needed for legible images "
                            f"(screenshots keep {di.SCREENSHOT_MIN_WIDTH} px of width, photos "
                            f"{di.PHOTO_MIN_LONG_SIDE} px on their long side). Raise the "
                            "budget or leave exhibits out."
                        ) from None
                    jobs, keys = jobs_of(plans)
                    # What the guess already made right is kept; the rest is made again.
                    again = [j for j in jobs if j.index not in derived or planned is None
                             or _target_of(planned, j.index) != j.target_bytes]
                    redo = {j.index for j in again}
                    derived = {j.index: derived[j.index] for j in jobs if j.index not in redo}
                    derived.update(derive_cached(again, keys, encode_cache,
                                                 lambda todo: pool.derive_all(todo, tick),
                                                 tick))
        for p in plans:
            if p.passthrough:
                tick(prepared[owner[p.index]].exhibit.path.name)
        check_cancel()
        # A picture no decoder can read gets its "could not be drawn" page; the others stay.
        broken = {owner[key]: d.error for key, d in derived.items() if d.error}
        for k, why in broken.items():
            prepared[k].problem = f"the picture cannot be decoded ({why})"[:300]
            prepared[k].image_keys = []
        if broken:
            plans = [p for p in plans if owner[p.index] not in broken]
            derived = {key: d for key, d in derived.items() if owner[key] not in broken}
        # The layout depends only on each picture's upright aspect ratio, and the splicer
        # writes every image's real pixel size into its object; so only a picture that could
        # not be decoded (its exhibit becomes a "could not be drawn" page) needs a new layout.
        check_cancel()
        if broken:
            pages, skel = layout(plans, derived)
        images: dict[str, ImageStream] = {}
        refs = _refs(plans, derived)
        for p in plans:
            src = p.src if p.passthrough else derived[p.index].path
            ref = refs[p.index]
            fmt = "png" if p.passthrough and p.probe.fmt == "PNG" else "jpeg"
            # A passed-through JPEG was stripped of its metadata when prepared; a PNG passes
            # only its IDAT data, so its text and EXIF chunks never get in.
            images[ref.token] = ImageStream(src, ref.stored[0], ref.stored[1], ref.color_space,
                                            fmt)
        # Only pages that were placed carry their streams' placeholders into the file.
        placed = skel.read_bytes() if any(p.pdf_streams for p in prepared) else b""
        for p in prepared:
            for token, path in p.pdf_streams.items():
                if b"EDIMG:" + token.encode("ascii") in placed:
                    images[token] = ImageStream(path, 0, 0, fmt="raw")
        if budget_bytes is not None:
            expected = skel.stat().st_size + sum(
                s.path.stat().st_size + _PER_IMAGE_OVERHEAD for s in images.values())
            if expected > budget_bytes:
                too_big = sorted({prepared[owner[i]].exhibit.number
                                  for i, d in derived.items() if not d.fits})
                raise BudgetTooSmall(
                    f"The dossier needs about {_mb(expected, up=True)} but the budget is "
                    f"{_mb(budget_bytes)}; "
                    + (f"{', '.join(too_big)} cannot be made smaller and stay legible. "
                       if too_big else "")
                    + "Raise the budget or leave exhibits out."
                )
        if any(d.path.exists() and not d.fits for d in derived.values()):
            notes.append("some images are at their legibility floor")
        check_cancel()
        with atomic_output(out) as tmp_out:
            splice_images(skel, tmp_out, images)
            check_cancel()
            digest = hashlib.sha256()
            with open(tmp_out, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            size = os.path.getsize(tmp_out)
    if encode_cache is not None:
        # Only now: the dossier was read from the cache's stripped copies until written.
        encode_cache.prune()
    if progress is not None:
        progress(total, total, "done")
    return DossierResult(out, digest.hexdigest(), pages, size, tuple(notes),
                         tuple(_affected(prepared)))


def _prepare_pdfs(prepared: list[Prepared], tmp: Path, notes: list[str],
                  cancel: Callable[[], bool] | None) -> None:
    """Normalize every PDF exhibit in bounded worker processes (see pdf_guard)."""
    jobs = [PdfJob(k, p.exhibit.path, tmp / f"pdf{k}.pdf", tmp / f"pdf{k}", p.exhibit.number,
                   f"r{k}_")
            for k, p in enumerate(prepared) if p.cat == "pdf" and not p.problem]
    if not jobs:
        return
    with PdfGuard() as guard:
        for job, res in guard.run_all(jobs, cancel):
            p = prepared[job.key]
            if res.error:
                # The worker's reasons read "it …" / "its …": say what "it" is.
                p.problem = re.sub(r"^it(s?) ", lambda m: "the PDF" + ("'s " if m[1] else " "),
                                   res.error)
                continue
            p.pdf_src = job.dst
            p.pdf_streams = {t: Path(f) for t, f in res.streams.items()}
            p.pdf_pages = list(res.pages)
            p.pdf_failed = dict(res.failed)
            notes.extend(res.notes)
            if res.capped:
                notes.append(f"{p.exhibit.number}: only the first {len(res.pages)} of its "
                             f"{res.capped} pages are shown; the whole file is in the pack")
    if cancel is not None and cancel():
        raise ExportCancelled("export cancelled")


def _affected(prepared: Sequence[Prepared]) -> list[Affected]:
    out: list[Affected] = []
    for p in prepared:
        ex = p.exhibit
        if p.problem:
            out.append(Affected(ex.number, ex.info.original_name,
                                f"could not be drawn: {p.problem}", p.in_pack))
        elif p.pdf_failed:
            pages = sorted(p.pdf_failed)
            shown = ", ".join(str(i + 1) for i in pages[:10]) + (" …" if len(pages) > 10 else "")
            why = p.pdf_failed[pages[0]]
            out.append(Affected(ex.number, ex.info.original_name,
                                f"page(s) {shown} of {len(p.pdf_pages)} could not be drawn "
                                f"({why})", True))
    return out
