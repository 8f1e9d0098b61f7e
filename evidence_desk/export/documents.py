"""Word documents, videos and scanner TIFFs: what the dossier and the pack can show of them.

- DOCX is a zip of XML: the paragraphs of `word/document.xml` are read with the standard
  library, within limits (entry size, compression ratio, no DTD, a cap on characters), so a
  hostile file costs milliseconds and a few MB. Legacy DOC is listed without its text (reading
  it needs a heavy parser).
- A video is listed with its hash; the platform takes no video, so it never goes in the pack.
  No poster frame: that needs a video decoder the desk does not ship.
- A TIFF (often several pages: fax, scanner) becomes one upright JPEG per page, decoded within a
  pixel budget; the dossier shows each page, the pack carries them as JPEGs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image, ImageOps

from evidence_desk.export import rotation as rot

DOCX_XML_MAX = 30 * 1024 * 1024
DOCX_RATIO_MAX = 150
TEXT_MAX_CHARS = 20_000
TIFF_MAX_PAGES = 200
TIFF_MAX_PIXELS = 80_000_000
TIFF_MAX_SIDE = 2400

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VIDEO_EXT = frozenset({"mp4", "m4v", "mov", "avi", "mkv", "webm", "3gp", "wmv", "flv", "mpg",
                       "mpeg"})
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_MIME = "application/msword"


class DocumentUnreadable(Exception):
    """The file's text cannot be read safely; the message says why."""


def docx_paragraphs(path: Path, max_chars: int = TEXT_MAX_CHARS) -> tuple[list[str], bool]:
    """(paragraphs of the document's body, whether the text was cut at max_chars)."""
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                info = zf.getinfo("word/document.xml")
            except KeyError:
                raise DocumentUnreadable("it has no word/document.xml") from None
            if info.file_size > DOCX_XML_MAX:
                raise DocumentUnreadable("its text part is too large to read safely")
            if info.compress_size and info.file_size / info.compress_size > DOCX_RATIO_MAX:
                raise DocumentUnreadable("its text part is compressed suspiciously well")
            with zf.open(info) as fh:
                data = fh.read(DOCX_XML_MAX + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise DocumentUnreadable(f"it is not a readable DOCX ({type(exc).__name__})") from None
    if len(data) > DOCX_XML_MAX:
        raise DocumentUnreadable("its text part is too large to read safely")
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise DocumentUnreadable("its text part declares entities, which Word never writes")
    paragraphs: list[str] = []
    total = 0
    cut = False
    try:
        for _event, el in ElementTree.iterparse(io.BytesIO(data), events=("end",)):
            if el.tag != f"{_W}p":
                continue
            parts: list[str] = []
            for node in el.iter():
                if node.tag == f"{_W}t" and node.text:
                    parts.append(node.text)
                elif node.tag == f"{_W}tab":
                    parts.append("    ")
                elif node.tag in (f"{_W}br", f"{_W}cr"):
                    parts.append("\n")
            el.clear()
            text = "".join(parts)
            total += len(text) + 1
            if total > max_chars:
                paragraphs.append(text[: max(0, max_chars - (total - len(text) - 1))] + "…")
                cut = True
                break
            paragraphs.append(text)
    except ElementTree.ParseError as exc:
        raise DocumentUnreadable(f"its text part is not well-formed XML ({exc})") from None
    return paragraphs, cut


def is_video(mime: str, ext: str) -> bool:
    return (mime or "").lower().startswith("video/") or ext in VIDEO_EXT


def is_word(mime: str, ext: str) -> bool:
    return (mime or "").lower() in (DOCX_MIME, DOC_MIME) or ext in ("docx", "doc")


def is_tiff(mime: str, ext: str) -> bool:
    return (mime or "").lower() == "image/tiff" or ext in ("tif", "tiff")


class TiffUnreadable(Exception):
    pass


def tiff_pages(src: Path, out_dir: Path, stem: str, rotation: int = 0,
               max_side: int = TIFF_MAX_SIDE, quality: int = 90) -> list[Path]:
    """One upright (TIFF orientation, then `rotation`) JPEG per page of `src`, in out_dir."""
    from evidence_desk.ingest.thumbs import to_8bit

    out_dir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    try:
        with Image.open(src) as im:
            n = getattr(im, "n_frames", 1)
            if n > TIFF_MAX_PAGES:
                raise TiffUnreadable(f"it has {n} pages, more than {TIFF_MAX_PAGES}")
            for i in range(n):
                im.seek(i)
                if im.width * im.height > TIFF_MAX_PIXELS:
                    raise TiffUnreadable(f"page {i + 1} declares {im.width:,}×{im.height:,} "
                                         "pixels, too many to decode safely")
                im.load()
                page = ImageOps.exif_transpose(im.copy()) or im.copy()
                page = to_8bit(page)
                page.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                page = rot.rotate(page, rotation)
                page.info = {}
                dst = out_dir / f"{stem}-p{i + 1}.jpg"
                page.save(dst, "JPEG", quality=quality)
                out.append(dst)
    except TiffUnreadable:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        if out:  # the pages before the damage are still evidence
            return out
        raise TiffUnreadable(f"it cannot be decoded ({type(exc).__name__}: {exc})"[:200]) from None
    return out
