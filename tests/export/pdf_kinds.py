"""PDFs of the kinds real cases hold, made on the fly: rotated, AES-encrypted with an empty user
password, truncated, many pages, embedded fonts, unembedded fonts, broken annotations (no
/Rect, null entries), a zero-size page box, and an image declaring a giant size.

Also used by bench/pdf_exhibits.py.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NullObject,
    NumberObject,
    RectangleObject,
    StreamObject,
)
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas


def _canvas_pdf(pages: int = 1, *, font: str = "Helvetica", text: str = "WAYBILL",
                size: tuple[float, float] = A4, embedded: bool = False) -> bytes:
    buf = io.BytesIO()
    initial = font
    if embedded:
        from evidence_desk.export import dossier_fonts as dfonts

        initial = font = dfonts.fonts()[0]
    canv = Canvas(buf, pagesize=size, initialFontName=initial)
    for i in range(pages):
        canv.setFont(font, 18)
        canv.drawString(60, size[1] - 80, f"{text} page {i + 1}")
        canv.rect(50, 50, 120, 60, fill=1)  # a black block at the bottom left of each page
        canv.showPage()
    canv.save()
    return buf.getvalue()


def plain(path: Path, pages: int = 1, text: str = "WAYBILL") -> Path:
    Path(path).write_bytes(_canvas_pdf(pages, text=text))
    return Path(path)


def embedded_fonts(path: Path, pages: int = 2) -> Path:
    Path(path).write_bytes(_canvas_pdf(pages, text="Invoice", embedded=True))
    return Path(path)


def many_pages(path: Path, pages: int = 60) -> Path:
    Path(path).write_bytes(_canvas_pdf(pages, text="Statement", embedded=True))
    return Path(path)


def rotated(path: Path, rotate: int = 90, embedded: bool = True) -> Path:
    """A landscape waybill scanned as a portrait page carrying /Rotate."""
    reader = PdfReader(io.BytesIO(_canvas_pdf(1, text="ROTATED", embedded=embedded)))
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    writer.pages[0].rotate(rotate)
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def encrypted_aes(path: Path, pages: int = 1) -> Path:
    """AES-256 encrypted, opening with an empty user password (an owner password is set)."""
    reader = PdfReader(io.BytesIO(_canvas_pdf(pages, text="SECRET", embedded=True)))
    writer = PdfWriter(clone_from=reader)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def truncated(path: Path, keep: float = 0.7) -> Path:
    data = _canvas_pdf(3, text="TRUNCATED")
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def broken_annotations(path: Path) -> Path:
    """Annotations without /Rect, a null annotation and a link with a proper /Rect."""
    reader = PdfReader(io.BytesIO(_canvas_pdf(1, text="ANNOTATED", embedded=True)))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    no_rect = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                NameObject("/Subtype"): NameObject("/Text")})
    good = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                             NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/Rect"): RectangleObject([60, 60, 160, 90])})
    page[NameObject("/Annots")] = ArrayObject([
        writer._add_object(no_rect), NullObject(), writer._add_object(good)])
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def zero_box(path: Path) -> Path:
    """First page with a zero-size crop box and media box; the second page is fine."""
    reader = PdfReader(io.BytesIO(_canvas_pdf(2, text="ZEROBOX", embedded=True)))
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].mediabox = RectangleObject([0, 0, 0, 0])
    writer.pages[0].cropbox = RectangleObject([0, 0, 0, 0])
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def giant_image(path: Path, side: int = 200_000) -> Path:
    """A page drawing a JBIG2-filtered image that declares side×side pixels (a few bytes)."""
    reader = PdfReader(io.BytesIO(_canvas_pdf(1, text="JBIG2", embedded=True)))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    img = StreamObject()
    img._data = b"\x00" * 32
    img.update({NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(side), NameObject("/Height"): NumberObject(side),
                NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                NameObject("/BitsPerComponent"): NumberObject(1),
                NameObject("/Filter"): NameObject("/JBIG2Decode")})
    ref = writer._add_object(img)
    resources = page["/Resources"].get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    xobjects.get_object()[NameObject("/Giant")] = ref
    content = StreamObject()
    content._data = zlib.decompress(zlib.compress(b"q 500 0 0 700 40 40 cm /Giant Do Q"))
    page.replace_contents(content)
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def scanned(path: Path, pages: int = 1, seed: int = 0) -> Path:
    """A scanner's PDF: each page one noisy JPEG of about 1.5 MB (DCT passed through)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    from evidence_desk.export import dossier_fonts as dfonts

    # No text: a scan references no font (reportlab would otherwise name Helvetica).
    canv = Canvas(str(path), pagesize=A4, initialFontName=dfonts.fonts()[0])
    for i in range(pages):
        noise = Image.effect_noise((1240, 1754), 60 + (seed + i) % 20).convert("RGB")
        buf = io.BytesIO()
        noise.save(buf, "JPEG", quality=92)
        buf.seek(0)
        canv.drawImage(ImageReader(buf), 0, 0, A4[0], A4[1])
        canv.showPage()
    canv.save()
    return Path(path)


def landscape_plain(path: Path) -> Path:
    Path(path).write_bytes(_canvas_pdf(1, text="LANDSCAPE", size=landscape(A4), embedded=True))
    return Path(path)


KINDS = {
    "plain": plain,
    "embedded": embedded_fonts,
    "many_pages": many_pages,
    "rotated": rotated,
    "encrypted": encrypted_aes,
    "truncated": truncated,
    "annotations": broken_annotations,
    "zero_box": zero_box,
    "giant_image": giant_image,
    "landscape": landscape_plain,
    "scanned": scanned,
}
