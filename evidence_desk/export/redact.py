"""Burning marks into derived copies, and stripping metadata from what leaves the desk.

Everything the seller uploads is shown to the buyer, so two rules hold here:

- A redaction is an opaque fill of the pixels, drawn at full resolution *before* any
  downscale. Blur and pixelation can be reversed; a box drawn after scaling lets the resampling
  filter carry a trace of the covered pixels into its neighbours.
- Nothing that leaves the desk carries the original's metadata: a redacted ID card photo whose
  EXIF thumbnail still shows the uncovered card, or whose GPS says where the seller lives,
  undoes the redaction.

Originals are only ever read; every function writes a new file.

`strip_metadata` keeps quality untouched where it can. For JPEG it rewrites the marker
segments and copies the entropy-coded scans byte for byte, dropping APP1 (EXIF, XMP), APP13
(Photoshop/IPTC), COM, the other APPn blocks (MPF preview images, FlashPix, maker data) and
anything after the end-of-image marker (second images, motion-photo videos); it keeps APP0 JFIF
(without its thumbnail), APP2 ICC profiles and APP14 Adobe (which says how to read the colours).
Dropping EXIF also drops the orientation tag, and a JPEG cannot be rotated losslessly in
general (only when its size is a multiple of the block size), so a JPEG whose orientation is not
1 is decoded, turned upright and re-encoded at high quality instead. The dossier does not need
that: it applies the orientation in the PDF, so it always uses the lossless `strip_jpeg`.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFont

from evidence_desk.core.marks import (
    Mark,
    marks_from_json,
    note_font_size,
    stroke_width,
)
from evidence_desk.core.textruns import split_runs
from evidence_desk.export import rotation as rot
from evidence_desk.export.dossier_model import Exhibit, ExportError
from evidence_desk.ingest.imaging import Refused, open_image
from evidence_desk.ingest.sniff import sniff_path
from evidence_desk.ingest.thumbs import ThumbnailUnavailable, open_upright_reduced
from evidence_desk.paths import CJK_FONT, LATIN_FONT

QUALITY = 90
# Re-encoding only to turn a photo upright: close to the original, and a second export of the
# same file gives the same bytes.
UPRIGHT_QUALITY = 95
HIGHLIGHT_ALPHA = 80  # of 255: the text under a highlight stays readable


@lru_cache(maxsize=32)
def _font(cjk: bool, size: int) -> ImageFont.FreeTypeFont:
    # Droid Sans Fallback has the Chinese glyphs but no Latin ones: text switches per run.
    return ImageFont.truetype(str(CJK_FONT if cjk else LATIN_FONT), size)


def _draw_text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int,
               fill: tuple[int, int, int]) -> None:
    x, y = xy
    for cjk, run in split_runs(text):
        font = _font(cjk, size)
        draw.text((x, y), run, font=font, fill=fill)
        x += round(font.getlength(run))


class RedactError(ExportError):
    """A marked copy could not be made; exporting the unmarked original instead would leak."""


# -- decoding -----------------------------------------------------------------------------------


def _declared(src: Path) -> tuple[str, tuple[int, int], bytes | None]:
    """(format extension, stored size, ICC profile) from the header, without decoding."""
    filetype = sniff_path(src)
    if filetype is None or filetype.category != "image":
        raise RedactError(f"{src.name} is not a picture")
    try:
        with open_image(src, filetype.ext) as im:
            return filetype.ext, im.size, im.info.get("icc_profile")
    except Refused as exc:
        raise RedactError(exc.reason) from None


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Pixels converted to sRGB, so the copy needs no profile and looks the same everywhere."""
    if not icc or im.mode != "RGB":
        return im
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        return ImageCms.profileToProfile(im, profile, srgb, outputMode="RGB") or im
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im


def open_upright_full(src: Path, rotation: int = 0) -> Image.Image:
    """The whole picture at full resolution, upright (EXIF orientation applied, then the
    seller's `rotation`, degrees clockwise), 8-bit RGB.

    The same decoding the editor shows (ingest.thumbs), so a box lands where it was drawn.
    """
    ext, size, icc = _declared(src)
    try:
        im = open_upright_reduced(src, max(size))
    except ThumbnailUnavailable as exc:
        raise RedactError(str(exc)) from None
    # A CMYK picture was already converted with its profile; an RGB one still needs it.
    return rot.rotate(_to_srgb(im, icc if ext != "heic" else None), rotation)


def load_upright_preview(src: Path, max_pixels: int, rotation: int = 0
                         ) -> tuple[Image.Image, tuple[int, int]]:
    """(an upright picture of at most about `max_pixels`, the full-resolution upright size).

    The mark editor shows the preview and stores marks in full-resolution upright pixels; the
    preview comes from the same decoder as `render_marked`, so both agree on "upright".
    """
    _ext, (w, h), _icc = _declared(src)
    scale = min(1.0, math.sqrt(max_pixels / max(1, w * h)))
    side = max(1, math.floor(max(w, h) * scale))
    try:
        im = open_upright_reduced(src, side)
    except ThumbnailUnavailable as exc:
        raise RedactError(str(exc)) from None
    # The decoder turned the picture upright (or not, for unreadable EXIF): follow its lead.
    swapped = (im.width > im.height) != (w > h) and w != h
    full = (h, w) if swapped else (w, h)
    if rot.normal(rotation) in (90, 270):
        full = (full[1], full[0])
    return rot.rotate(im, rotation), full


# -- drawing ------------------------------------------------------------------------------------


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _pixel_box(m: Mark, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The pixels a box touches, rounded outwards and clipped to the picture (inclusive)."""
    x0, y0, x1, y1 = m.bounds()
    left, top = max(0, math.floor(x0)), max(0, math.floor(y0))
    right, bottom = min(size[0], math.ceil(x1)) - 1, min(size[1], math.ceil(y1)) - 1
    if right < left or bottom < top:
        return None
    return left, top, right, bottom


def _highlight(im: Image.Image, m: Mark, lw: int) -> None:
    box = _pixel_box(m, im.size)
    if box is None:
        return
    left, top, right, bottom = box
    region = im.crop((left, top, right + 1, bottom + 1)).convert("RGBA")
    layer = Image.new("RGBA", region.size, (*_rgb(m.fill_color), HIGHLIGHT_ALPHA))
    region = Image.alpha_composite(region, layer).convert("RGB")
    im.paste(region, (left, top))
    ImageDraw.Draw(im).rectangle(box, outline=_rgb(m.fill_color), width=lw)


def _arrow(draw: ImageDraw.ImageDraw, m: Mark, lw: int) -> None:
    x0, y0, x1, y1 = m.x, m.y, m.x + m.w, m.y + m.h
    length = math.hypot(m.w, m.h)
    head = min(length * 0.6, max(6.0 * lw, 12.0))
    ux, uy = m.w / length, m.h / length
    # The shaft stops at the head's base so its square end does not poke through the tip.
    bx, by = x1 - ux * head * 0.8, y1 - uy * head * 0.8
    color = _rgb(m.fill_color)
    width = max(2, round(lw * 1.5))
    draw.line((x0, y0, bx, by), fill=color, width=width)
    half = head * 0.5
    px, py = -uy, ux
    base_x, base_y = x1 - ux * head, y1 - uy * head
    draw.polygon([(x1, y1), (base_x + px * half, base_y + py * half),
                  (base_x - px * half, base_y - py * half)], fill=color)


def _marker(draw: ImageDraw.ImageDraw, m: Mark, lw: int) -> None:
    x0, y0, x1, y1 = m.bounds()
    draw.ellipse((x0, y0, x1, y1), fill=_rgb(m.fill_color), outline=(255, 255, 255),
                 width=max(1, lw // 2))
    text = str(m.number)
    size = max(8, round(min(x1 - x0, y1 - y0) * (0.6 if len(text) < 2 else 0.48)))
    font = _font(False, size)
    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), text, font=font, fill=(255, 255, 255),
              anchor="mm")


_TOKENS = re.compile(r"\n|[ \t]+|[A-Za-z0-9'’\-.,:;!?()@#%&/+=_\"]+|.")


def wrap_text(text: str, size: int, width: float) -> list[str]:
    """Lines of mixed Chinese and Latin text no wider than `width` pixels at `size`.

    Latin words stay whole when they fit a line; Chinese breaks between any two characters.
    """

    def measure(s: str) -> float:
        return sum(_font(cjk, size).getlength(run) for cjk, run in split_runs(s))

    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token == "\n":
            lines.append(line.rstrip())
            line = ""
            continue
        candidate = line + token
        if measure(candidate) <= width or not line.strip():
            if measure(candidate) > width and len(token) > 1:
                # A single word wider than the box: break it by characters.
                for ch in token:
                    if line and measure(line + ch) > width:
                        lines.append(line.rstrip())
                        line = ""
                    line += ch
            else:
                line = candidate
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    lines.append(line.rstrip())
    return lines


def _note(im: Image.Image, m: Mark, lw: int) -> None:
    box = _pixel_box(m, im.size)
    if box is None:
        return
    left, top, right, bottom = box
    draw = ImageDraw.Draw(im)
    draw.rectangle(box, fill=_rgb(m.fill_color), outline=(90, 90, 90), width=max(1, lw // 2))
    size = note_font_size(*im.size)
    pad = max(4, size // 3)
    # Text is drawn on a separate tile and pasted, so a long note is cut at the box's edge.
    tile = Image.new("RGB", (right - left + 1 - 2 * pad, bottom - top + 1 - 2 * pad),
                     _rgb(m.fill_color)) if right - left > 2 * pad and bottom - top > 2 * pad \
        else None
    if tile is None:
        return
    tdraw = ImageDraw.Draw(tile)
    y = 0
    line_h = round(size * 1.3)
    for line in wrap_text(m.text, size, tile.width):
        if y >= tile.height:
            break
        _draw_text(tdraw, (0, y), line, size, (20, 20, 20))
        y += line_h
    im.paste(tile, (left + pad, top + pad))


def draw_marks(im: Image.Image, marks: Iterable[Mark]) -> Image.Image:
    """Burn `marks` into `im` (RGB, upright, full resolution) in place and return it.

    Redactions are drawn last, so no highlight, note or arrow can be laid over one and let a
    tint of the covered pixels show.
    """
    if im.mode != "RGB":
        raise ValueError("draw_marks needs an RGB image")
    marks = list(marks)
    lw = max(1, round(stroke_width(*im.size)))
    order = {"highlight": 0, "arrow": 1, "marker": 2, "note": 3, "redact": 4}
    for m in sorted(marks, key=lambda m: order[m.kind]):
        if m.kind == "highlight":
            _highlight(im, m, lw)
        elif m.kind == "arrow":
            _arrow(ImageDraw.Draw(im), m, lw)
        elif m.kind == "marker":
            _marker(ImageDraw.Draw(im), m, lw)
        elif m.kind == "note":
            _note(im, m, lw)
        else:
            box = _pixel_box(m, im.size)
            if box is not None:
                ImageDraw.Draw(im).rectangle(box, fill=_rgb(m.fill_color))
    return im


# -- writing ------------------------------------------------------------------------------------


def _save_clean(im: Image.Image, out: Path, fmt: str, quality: int) -> Path:
    """Write pixels only: no EXIF, XMP, ICC, comment or thumbnail, atomically."""
    clean = im if im.mode in ("RGB", "L") else im.convert("RGB")
    # Pillow copies some info entries (comment, dpi, icc on PNG) into the file it writes.
    clean.info = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".redact-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "PNG":
                clean.save(fh, "PNG", compress_level=6)
            else:
                clean.save(fh, "JPEG", quality=quality, optimize=True)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def render_marked(src: Path, marks: Sequence[Mark | dict], out: Path, *,
                  max_side: int | None = None, quality: int = QUALITY,
                  rotation: int = 0) -> Path:
    """Write a new upright copy of `src` with `marks` burned in, at `out`; return `out`.

    JPEG, or PNG when `out` ends in .png. Marks are in upright full-resolution pixels of the
    picture as shown: EXIF orientation applied, then `rotation` (see export.rotation). The
    copy is downscaled to `max_side` only after the marks are drawn.
    """
    src, out = Path(src), Path(out)
    parsed = marks_from_json(m.to_dict() if isinstance(m, Mark) else m for m in marks)
    im = open_upright_full(src, rotation)
    draw_marks(im, parsed)
    if max_side is not None and max(im.size) > max_side:
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    fmt = "PNG" if out.suffix.lower() == ".png" else "JPEG"
    return _save_clean(im, out, fmt, quality)


# -- stripping metadata -------------------------------------------------------------------------


_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _scan_end(data: bytes, pos: int) -> int:
    """Offset of the marker ending the entropy-coded data that starts at `pos`."""
    n = len(data)
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= n:
            return n
        nxt = data[pos + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7:
            pos += 2  # a stuffed 0xFF byte or a restart marker: still inside the scan
            continue
        return pos


def _jfif_without_thumbnail(segment: bytes) -> tuple[bytes, bool]:
    """(APP0 JFIF body, whether a thumbnail was removed)."""
    if len(segment) >= 14 and (segment[12] or segment[13]):
        return segment[:12] + b"\x00\x00", True
    return segment, False


def strip_jpeg_bytes(data: bytes) -> bytes | None:
    """The JPEG without metadata, its scans copied byte for byte; None when nothing to drop.

    Raises ValueError when the data is not a JPEG this parser can follow.
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG (no start-of-image marker)")
    out = bytearray(b"\xff\xd8")
    pos, n = 2, len(data)
    dropped = False
    ended = False
    while pos < n:
        if data[pos] != 0xFF:
            raise ValueError(f"JPEG marker expected at byte {pos}")
        while pos < n and data[pos] == 0xFF:  # fill bytes may precede a marker
            pos += 1
        if pos >= n:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            out += b"\xff\xd9"
            ended = True
            break
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            continue
        if pos + 2 > n:
            raise ValueError("JPEG segment cut short")
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2 or pos + length > n:
            raise ValueError("JPEG segment cut short")
        body = data[pos + 2:pos + length]
        whole = bytes((0xFF, marker)) + data[pos:pos + length]
        segment: bytes | None  # what to write; None drops the segment
        if marker == 0xE0:
            segment = None  # JFXX thumbnails and the like
            if body.startswith(b"JFIF\x00"):
                new_body, removed = _jfif_without_thumbnail(body)
                segment = (b"\xff\xe0" + (len(new_body) + 2).to_bytes(2, "big") + new_body
                           if removed else whole)
                dropped |= removed
        elif marker == 0xE2:
            segment = whole if body.startswith(b"ICC_PROFILE\x00") else None
        elif marker == 0xEE:
            segment = whole if body.startswith(b"Adobe") else None
        elif 0xE1 <= marker <= 0xEF or marker == 0xFE:
            segment = None
        else:
            segment = whole
        if segment is None:
            dropped = True
        else:
            out += segment
        pos += length
        if marker == 0xDA:
            end = _scan_end(data, pos)
            out += data[pos:end]
            pos = end
    if ended and pos < n:
        dropped = True  # a second image, a preview or a video appended after the picture
    return bytes(out) if dropped else None


def strip_jpeg(src: Path, out: Path) -> Path:
    """`src` without metadata (lossless) written to `out`, or `src` itself when it has none."""
    cleaned = strip_jpeg_bytes(Path(src).read_bytes())
    if cleaned is None:
        return Path(src)
    return _write_bytes(out, cleaned)


_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_PNG_DROP = frozenset({b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"})


def strip_png_bytes(data: bytes) -> bytes | None:
    """The PNG without text, time and EXIF chunks; None when nothing to drop."""
    if not data.startswith(_PNG_SIG):
        raise ValueError("not a PNG")
    out = bytearray(_PNG_SIG)
    pos, n = 8, len(data)
    dropped = False
    while pos + 8 <= n:
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > n:
            raise ValueError("PNG chunk cut short")
        if kind in _PNG_DROP:
            dropped = True
        else:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            break
    if pos < n:
        dropped = True
    return bytes(out) if dropped else None


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    while True:
        if pos >= len(data):
            raise ValueError("GIF data cut short")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


_GIF_KEEP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def strip_gif_bytes(data: bytes) -> bytes | None:
    """The GIF without comment and application extensions (XMP); None when nothing to drop."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise ValueError("not a GIF")
    pos = 13
    if data[10] & 0x80:
        pos += 3 * (2 << (data[10] & 0x07))
    out = bytearray(data[:pos])
    dropped = False
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:
            out += b"\x3b"
            pos += 1
            break
        if block == 0x21:
            label = data[pos + 1]
            end = _gif_sub_blocks(data, pos + 2)
            app_id = data[pos + 3:pos + 14] if label == 0xFF else b""
            if label == 0xFE or (label == 0xFF and app_id not in _GIF_KEEP_APPS):
                dropped = True
            else:
                out += data[pos:end]
            pos = end
        elif block == 0x2C:
            start = pos
            flags = data[pos + 9]
            pos += 10
            if flags & 0x80:
                pos += 3 * (2 << (flags & 0x07))
            pos = _gif_sub_blocks(data, pos + 1)
            out += data[start:pos]
        else:
            raise ValueError(f"unexpected GIF block {block:#x}")
    if pos < len(data):
        dropped = True
    return bytes(out) if dropped else None


def _write_bytes(out: Path, data: bytes) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def _exif_orientation(src: Path) -> int:
    try:
        with Image.open(src) as im:
            value = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # unreadable EXIF: the pixels are shown as stored anyway
        return 1
    return value if value in range(1, 9) else 1


def _reencode_upright(src: Path, out: Path, fmt: str, rotation: int = 0) -> Path:
    return _save_clean(open_upright_full(src, rotation), out, fmt, UPRIGHT_QUALITY)


def decoded_copy(src: Path, out: Path, rotation: int = 0) -> Path:
    """A complete, clean copy of a damaged picture: decoded (what survives, the rest grey, as
    viewers show it), turned upright and re-encoded, so no upload checker trips on the damage."""
    filetype = sniff_path(Path(src))
    fmt = "PNG" if filetype is not None and filetype.ext == "png" else "JPEG"
    return _reencode_upright(Path(src), Path(out), fmt, rotation)


def strip_metadata(src: Path, out: Path, rotation: int = 0) -> Path:
    """A copy of image `src` that carries no metadata, written at `out`; or `src` when clean.

    JPEG, PNG and GIF are rewritten without their metadata blocks, keeping the compressed
    picture byte for byte, except a JPEG or PNG that relies on its EXIF orientation, which is
    turned upright and re-encoded (see the module notes). Other pictures (WebP, HEIC …) are
    re-encoded as JPEG. Files that are not pictures are returned unchanged. A `rotation`
    (the seller's, degrees clockwise) always re-encodes, upright and turned.
    """
    src, out = Path(src), Path(out)
    filetype = sniff_path(src)
    if filetype is None or filetype.category != "image":
        return src
    if rot.normal(rotation):
        return _reencode_upright(src, out, "PNG" if filetype.ext == "png" else "JPEG", rotation)
    try:
        if filetype.ext == "jpg":
            if _exif_orientation(src) != 1:
                return _reencode_upright(src, out, "JPEG")
            return strip_jpeg(src, out)
        if filetype.ext == "png":
            data = src.read_bytes()
            if b"eXIf" in data and _exif_orientation(src) != 1:
                return _reencode_upright(src, out, "PNG")
            cleaned = strip_png_bytes(data)
        elif filetype.ext == "gif":
            cleaned = strip_gif_bytes(src.read_bytes())
        else:
            return _reencode_upright(src, out, "JPEG")
    except ValueError:
        # A file our parser cannot follow is re-encoded rather than passed on with its metadata.
        return _reencode_upright(src, out, "PNG" if filetype.ext == "png" else "JPEG")
    return src if cleaned is None else _write_bytes(out, cleaned)


# -- exhibits -------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def marked_exhibit(ex: Exhibit, work: Path) -> Exhibit:
    """The exhibit as it must leave the desk: with its marks burned into a derived JPEG.

    An exhibit without marks is returned as it is. The derived copy is full size, upright and
    free of metadata, named after the original's hash so that the pack and the dossier make the
    same bytes (its SHA-256, printed in the dossier, matches the file in the pack). Raises
    RedactError rather than let a marked exhibit out unredacted.
    """
    if not ex.info.marks:
        return ex
    label = f"{ex.number} ({ex.info.original_name})"
    try:
        marks = marks_from_json(ex.info.marks)
    except ValueError as exc:
        raise RedactError(f"{label}: its marks cannot be read ({exc}); open it in the "
                          "mark editor and fix or remove them.") from None
    if not marks:
        return ex
    if not (ex.info.mime or "").startswith("image/"):
        raise RedactError(f"{label} is not a picture, so its marks cannot be drawn in; "
                          "remove the marks or replace the file with a redacted picture.")
    out = Path(work) / f"marked-{ex.info.sha256[:16]}-{ex.info.id}.jpg"
    try:
        render_marked(ex.path, marks, out, rotation=getattr(ex.info, "rotation", 0))
    except (RedactError, OSError, ValueError) as exc:
        raise RedactError(f"{label}: the marks could not be drawn in ({exc}).") from None
    with Image.open(out) as im:
        width, height = im.size
    info = replace(ex.info, orientation=1, rotation=0, width=width, height=height,
                   mime="image/jpeg")
    return replace(ex, info=info, path=out, derived_sha256=_sha256(out),
                   redacted=any(m.kind == "redact" for m in marks))
