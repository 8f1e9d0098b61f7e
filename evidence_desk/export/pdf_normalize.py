"""Turn one PDF exhibit into pages the dossier can place safely; runs in a worker process.

Real-world PDFs are rotated, encrypted, truncated, carry broken annotations or zero-size page
boxes, and a few declare images so large that reading them takes gigabytes. The dossier
therefore never opens an exhibit's PDF in its own process. A worker (see `pdf_guard`, which
bounds its memory and time) reads it here and writes a *normalized* copy:

- every page upright (`/Rotate` moved into the content, on a page attached to a writer, as
  pypdf requires), with a non-empty crop box;
- annotations that are not dictionaries with a four-number `/Rect` dropped (they crash the
  merge and show nothing anyway);
- pages whose fonts are not embedded replaced by a picture of the page with its text laid
  invisibly over it (`dossier_pdfpages`), rendered from the normalized page, so poppler never
  sees the damaged original;
- a page that cannot be read, declares an image larger than `MAX_IMAGE_PIXELS`, or cannot be
  merged onto a page (tried here, on a throwaway page) is replaced by an empty page of the
  same size and reported with its reason, so the dossier can print "could not be drawn".

Large image streams (scans: megabytes per page) are moved out of the normalized copy into
files of their own and left as `EDIMG:` placeholders, which the dossier's splicer fills while
writing the final file (`dossier_splice`): the dossier process never holds a scan's bytes, so its
memory stays flat however many scanned PDFs a case holds.

The normalized copy is a temporary file; the original is only ever read.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# An image declaring more pixels than this (a 600 dpi A3 scan is about 70 MP) is not decoded.
MAX_IMAGE_PIXELS = 120_000_000
MAX_PAGES = 2000
# Image streams at least this large are moved out of the normalized copy (see above).
OFFLOAD_BYTES = 64 * 1024
log = logging.getLogger("evidence_desk.export.pdf")


@dataclass
class Normalized:
    pages: list[tuple[float, float]] = field(default_factory=list)
    # 0-based page index -> reason it could not be drawn.
    failed: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Set when the whole file could not be read.
    error: str = ""
    # The first pages only, when the file has more than MAX_PAGES.
    capped: int = 0
    # Placeholder token -> file holding that image stream's raw (still encoded) bytes.
    streams: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        d = asdict(self)
        d["failed"] = {str(k): v for k, v in self.failed.items()}
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> Normalized:
        d = json.loads(text)
        return cls(pages=[tuple(p) for p in d["pages"]],
                   failed={int(k): v for k, v in d["failed"].items()},
                   notes=list(d["notes"]), error=d["error"], capped=d.get("capped", 0),
                   streams=dict(d.get("streams", {})))


def _resolve(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _giant_image(resources: Any, depth: int = 0, seen: set[int] | None = None) -> str:
    """A description of the first image in `resources` declaring too many pixels, or ''."""
    seen = set() if seen is None else seen
    resources = _resolve(resources)
    if not isinstance(resources, dict) or depth > 8 or id(resources) in seen:
        return ""
    seen.add(id(resources))
    xobjects = _resolve(resources.get("/XObject"))
    if not isinstance(xobjects, dict):
        return ""
    for xobj in xobjects.values():
        xobj = _resolve(xobj)
        if not isinstance(xobj, dict):
            continue
        if xobj.get("/Subtype") == "/Image":
            try:
                w, h = int(_resolve(xobj.get("/Width", 0))), int(_resolve(xobj.get("/Height", 0)))
            except (TypeError, ValueError):
                return "an image without a proper size"
            if w * h > MAX_IMAGE_PIXELS or w < 0 or h < 0:
                filt = _resolve(xobj.get("/Filter"))
                kind = str(filt).lstrip("/") if filt is not None else "an"
                return f"a {kind} image declaring {w:,}×{h:,} pixels"
        elif xobj.get("/Subtype") == "/Form" and "/Resources" in xobj:
            found = _giant_image(xobj["/Resources"], depth + 1, seen)
            if found:
                return found
    return ""


def _box(page: Any) -> tuple[float, float, float, float] | None:
    """(left, bottom, width, height) of the page's crop box, or its media box, if not empty."""
    for name in ("cropbox", "mediabox"):
        try:
            box = getattr(page, name)
            left, bottom = float(box.left), float(box.bottom)
            w, h = float(box.width), float(box.height)
        except Exception:  # noqa: BLE001 - a malformed box is just not usable
            continue
        if w > 1 and h > 1 and w < 20_000 and h < 20_000:
            return left, bottom, w, h
    return None


def _clean_annotations(page: Any) -> None:
    from pypdf.generic import ArrayObject, NameObject

    annots = _resolve(page.get("/Annots"))
    if annots is None:
        return
    keep = ArrayObject()
    if isinstance(annots, list):
        for ref in annots:
            annot = _resolve(ref)
            rect = _resolve(annot.get("/Rect")) if isinstance(annot, dict) else None
            try:
                ok = rect is not None and len(rect) == 4 and all(
                    isinstance(float(_resolve(v)), float) for v in rect)
            except (TypeError, ValueError):
                ok = False
            if ok:
                keep.append(ref)
    if keep:
        page[NameObject("/Annots")] = keep
    else:
        del page["/Annots"]


def _try_merge(page: Any, box: tuple[float, float, float, float]) -> None:
    """Merge `page` onto a throwaway page the way the dossier will; raises what it raises."""
    from pypdf import PdfWriter, Transformation

    scratch = PdfWriter()
    blank = scratch.add_blank_page(595, 842)
    left, bottom, w, h = box
    s = min(560 / w, 800 / h)
    blank.merge_transformed_page(page, Transformation().translate(-left, -bottom).scale(s),
                                 over=False)


def _offload_images(writer: Any, work: Path, prefix: str) -> dict[str, str]:
    """Move every large image stream's bytes to a file, leaving a placeholder (see above)."""
    from pypdf.generic import StreamObject

    out: dict[str, str] = {}
    for n, obj in enumerate(writer._objects):
        if not isinstance(obj, StreamObject) or obj.get("/Subtype") != "/Image":
            continue
        data = obj._data
        if len(data) < OFFLOAD_BYTES or data.startswith(b"EDIMG:"):
            continue
        token = f"{prefix}{n}"
        path = work / f"stream{n}.bin"
        path.write_bytes(data)
        obj._data = b"EDIMG:" + token.encode("ascii")
        out[token] = str(path)
    return out


def normalize(src: Path, dst: Path, work: Path, label: str, prefix: str = "") -> Normalized:
    """Write the normalized copy of PDF `src` at `dst` (see the module notes)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    from evidence_desk.export import dossier_pdfpages as dp

    result = Normalized()
    try:
        reader = PdfReader(str(src))
        if reader.is_encrypted and not reader.decrypt(""):
            result.error = "it is protected by a password"
            return result
        count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - any reader failure means "cannot be read"
        result.error = f"it cannot be read ({type(exc).__name__}); it may be truncated or damaged"
        return result
    if count > MAX_PAGES:
        result.capped, count = count, MAX_PAGES
    writer = PdfWriter()
    work.mkdir(parents=True, exist_ok=True)
    raster_failed: list[str] = []
    for i in range(count):
        size: tuple[float, float] = (595.0, 842.0)
        try:
            page = writer.add_page(reader.pages[i])
            if int(_resolve(page.get("/Rotate", 0)) or 0) % 360:
                page.transfer_rotation_to_content()
            box = _box(page)
            if box is None:
                raise _PageProblem("the page has no size (empty page box)")
            page.cropbox = RectangleObject([box[0], box[1], box[0] + box[2], box[1] + box[3]])
            size = (box[2], box[3])
            giant = _giant_image(page.get("/Resources"))
            if giant:
                raise _PageProblem(f"it holds {giant}, too large to draw safely")
            _clean_annotations(page)
            if dp.unembedded_fonts(page):
                raster, why = dp.raster_of(page, box, work / f"p{i + 1}")
                if raster is None:
                    raster_failed.append(f"{i + 1} ({why})")
                else:
                    writer.remove_page(len(writer.pages) - 1)
                    page = writer.add_page(PdfReader(str(raster)).pages[0])
                    box = (0.0, 0.0, size[0], size[1])
            _try_merge(page, box)
        except Exception as exc:  # noqa: BLE001 - one bad page is reported, not fatal
            reason = str(exc) if isinstance(exc, _PageProblem) else (
                "it needs more memory than an exhibit may use" if isinstance(exc, MemoryError)
                else f"it cannot be read ({type(exc).__name__})")
            log.info("page %d of %s not drawn: %s", i + 1, label, reason)
            result.failed[i] = reason
            while len(writer.pages) > i:
                writer.remove_page(len(writer.pages) - 1)
            writer.add_blank_page(*size)
        result.pages.append(size)
    if raster_failed:
        result.notes.append(
            f"{label}: page(s) {', '.join(raster_failed)} use fonts that are not embedded and "
            "could not be shown as pictures; they are placed as they are and may print in a "
            "substitute font")
    if prefix:
        result.streams = _offload_images(writer, work, prefix)
    with open(dst, "wb") as fh:
        writer.write(fh)
    return result


class _PageProblem(Exception):
    pass


class _Timeout(BaseException):
    pass


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise _Timeout()
