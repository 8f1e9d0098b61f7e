"""Images for the dossier: probe, decide pass-through or derive, and derive in worker processes.

Kept free of reportlab so that worker processes start quickly (they import only Pillow).

Choices:
- A JPEG (8-bit grey or RGB) that fits the budget goes into the PDF byte for byte: its DCT stream
  is copied, never decoded. A plain PNG (8-bit grey or RGB, not interlaced: most screenshots)
  likewise: its zlib data becomes a FlateDecode stream with the PNG predictor, as img2pdf does. Its EXIF orientation is applied in the PDF (a transformation matrix),
  so the original bytes stay untouched and still hash to the exhibit's SHA-256.
- Everything else (PNG, WebP, HEIC, CMYK, 16-bit, JPEGs too big for the budget) is decoded at a
  reduced size, turned upright and written as a new JPEG in a temporary folder; originals are only
  ever opened for reading.
- A legibility floor stops the budget from shrinking evidence into mush: screenshots keep at least
  600 px of width, photos at least 800 px on their long side; if that is not enough the export
  fails with BudgetTooSmall instead.
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps

# Pixel caps for derived copies when there is no budget: 2400 px prints a full A4 page at about
# 300 dpi; a tall screenshot is capped on its width only, since it is shown in slices.
MAX_SIDE = 2400
MAX_TALL_WIDTH = 1600
SCREENSHOT_MIN_WIDTH = 600
PHOTO_MIN_LONG_SIDE = 800
QUALITY = 85
# Above this many pixels an image is never embedded as is, even when its data could be: a
# 12000 x 12000 scrolling capture would make every PDF reader decode 144 Mpx (over 600 MB).
# It is derived at MAX_SIDE instead, as any other image.
MAX_PASSTHROUGH_PIXELS = 40_000_000
# Below budget.QUALITY_RANGE, only for a picture already at its legibility floor.
LOW_QUALITIES = (65, 55)
TARGET_STEP = 1.02
# Bytes per pixel below which JPEG cannot go at the lowest quality we accept; used only to refuse
# an impossible budget early, before any decoding.
MIN_BYTES_PER_PIXEL = 0.04
SCREENSHOT_KINDS = frozenset({"chat_record", "order_screenshot", "transaction_record"})
SCREENSHOT_FORMATS = frozenset({"PNG", "GIF", "BMP", "WEBP", "TIFF"})

with contextlib.suppress(ImportError):  # HEIC support is optional in the worker processes
    from pillow_heif import register_heif_opener

    register_heif_opener()


@dataclass(frozen=True)
class ImageProbe:
    """What the header of an image says, read without decoding its pixels."""

    fmt: str
    mode: str
    width: int  # as stored
    height: int
    orientation: int
    file_size: int
    # An 8-bit grey or RGB, non-interlaced PNG: its zlib data goes into the PDF as is.
    png_plain: bool = False
    # The file's own data is damaged or unusual enough (junk between JPEG markers, a PNG chunk
    # cut short) that only a decoded copy is safe to put in the PDF.
    damaged: bool = False

    @property
    def upright_size(self) -> tuple[int, int]:
        if self.orientation in (5, 6, 7, 8):
            return self.height, self.width
        return self.width, self.height

    @property
    def jpeg_passable(self) -> bool:
        # Grey and RGB JPEGs decode the same everywhere; CMYK ones depend on Adobe markers.
        return self.fmt == "JPEG" and self.mode in ("L", "RGB") and not self.damaged

    @property
    def passable(self) -> bool:
        """The file's own compressed data can go into the PDF without decoding (and is not so
        large that embedding it whole would burden every reader)."""
        return not self.damaged and (self.jpeg_passable or self.png_plain) \
            and self.width * self.height <= MAX_PASSTHROUGH_PIXELS


def _png_plain(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(29)
    # IHDR: bit depth at 24, colour type at 25 (0 grey, 2 RGB), interlace at 28.
    return (len(head) == 29 and head[12:16] == b"IHDR" and head[24] == 8
            and head[25] in (0, 2) and head[28] == 0)


def png_complete(path: Path) -> bool:
    """Every chunk of the PNG is whole (CRC checked for the image data) and IEND is there."""
    import zlib

    try:
        with open(path, "rb") as fh:
            if fh.read(8) != b"\x89PNG\r\n\x1a\n":
                return False
            while True:
                head = fh.read(8)
                if len(head) < 8:
                    return False
                n = int.from_bytes(head[:4], "big")
                kind = head[4:]
                if kind == b"IDAT":
                    crc = zlib.crc32(kind)
                    left = n
                    while left:
                        chunk = fh.read(min(left, 1 << 20))
                        if not chunk:
                            return False
                        crc = zlib.crc32(chunk, crc)
                        left -= len(chunk)
                    tail = fh.read(4)
                    if len(tail) < 4 or int.from_bytes(tail, "big") != crc & 0xFFFFFFFF:
                        return False
                    continue
                if kind == b"IEND":
                    return True
                fh.seek(n, 1)
                if len(fh.read(4)) < 4:
                    return False
    except OSError:
        return False


@contextlib.contextmanager
def _quiet_about_size() -> Iterator[None]:
    """Pillow warns on stderr about images over ~89 Mpx; huge ones are expected here (they are
    reduced, never decoded whole), and a user must never see a raw Python warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def _exif(im: Image.Image) -> Image.Exif:
    """The EXIF a header carries. For a PNG, Pillow's getexif() decodes every pixel to look for
    an eXIf chunk after the image data (576 MB for a 144 Mpx screenshot); only one before the
    data is read here, where cameras and phones put it."""
    if im.format != "PNG":
        return im.getexif()
    exif = Image.Exif()
    raw = im.info.get("exif")
    if raw:
        exif.load(raw)
    return exif


def probe_image(path: Path, fallback_orientation: int = 1) -> ImageProbe:
    with _quiet_about_size(), Image.open(path) as im:
        try:
            orientation = int(_exif(im).get(0x0112, fallback_orientation) or 1)
        except Exception:  # a damaged EXIF block should not hide the picture
            orientation = fallback_orientation
        if orientation not in range(1, 9):
            orientation = 1
        return ImageProbe(
            fmt=im.format or "", mode=im.mode, width=im.width, height=im.height,
            orientation=orientation, file_size=path.stat().st_size,
            png_plain=im.format == "PNG" and im.mode in ("L", "RGB") and _png_plain(path),
        )


def is_screenshot(kind: str, probe: ImageProbe) -> bool:
    w, h = probe.upright_size
    return kind in SCREENSHOT_KINDS or probe.fmt in SCREENSHOT_FORMATS or h >= 1.6 * w


def floor_size(screenshot: bool, upright: tuple[int, int]) -> tuple[int, int]:
    """The smallest upright pixel size that stays legible (never more than the original)."""
    w, h = upright
    if screenshot:
        scale = min(1.0, SCREENSHOT_MIN_WIDTH / w)
    else:
        scale = min(1.0, PHOTO_MIN_LONG_SIDE / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def cap_size(screenshot: bool, upright: tuple[int, int]) -> tuple[int, int]:
    w, h = upright
    tall = screenshot and h >= 1.6 * w
    scale = min(1.0, MAX_TALL_WIDTH / w) if tall else min(1.0, MAX_SIDE / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


# -- decoding -------------------------------------------------------------------------------


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # convert("L") clips 16-bit values and turns the picture white; scale them down instead.
        hi = im.getextrema()[1] or 1
        factor = 255.0 / hi if hi > 255 else 1.0
        im = im.point(lambda v: v * factor).convert("L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        background = Image.new("RGB", im.size, (255, 255, 255))
        background.paste(im, mask=im.getchannel("A"))
        return background
    return im.convert("RGB") if im.mode != "RGB" else im


def _local_open_upright_reduced(src: Path, max_side: int) -> Image.Image:
    with Image.open(src) as im:
        if im.format == "JPEG":
            # Draft decoding lets libjpeg skip most of the work for a reduced size.
            im.draft("RGB", (max_side, max_side))
        im.load()
        im = ImageOps.exif_transpose(im)
        if max(im.size) > max_side:
            im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        return _to_rgb(im)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: ("L", 1), 2: ("RGB", 3), 4: ("LA", 2), 6: ("RGBA", 4)}
STRIP_BYTES = 8 * 1024 * 1024


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _idat_pieces(fh: BinaryIO) -> Iterator[bytes]:
    while True:
        head = fh.read(8)
        if len(head) < 8:
            raise ValueError("the PNG ends before its image data does")
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IEND":
            return
        left = length
        while left:
            piece = fh.read(min(left, CHUNK_READ))
            if not piece:
                raise ValueError("the PNG is truncated")
            left -= len(piece)
            if kind == b"IDAT":
                yield piece
        fh.read(4)  # CRC: Pillow checks each strip it decodes


CHUNK_READ = 1 << 20


def _png_in_strips(src: Path, max_side: int) -> Image.Image | None:
    """A huge plain PNG reduced strip by strip: never more than ~8 MB of its pixels in memory.

    Pillow can only decode a PNG whole (144 Mpx of screenshot is 576 MB). Here the zlib stream
    is inflated a strip at a time; each strip becomes a small PNG of its own, led by the last
    row of the strip before (unfiltered) so that "Up" and "Paeth" rows decode exactly, and is
    box-reduced into the result. None when the file is not a PNG this handles (8-bit,
    non-interlaced grey, RGB or with alpha); the caller then decodes it the usual way.
    """
    with open(src, "rb") as fh:
        if fh.read(8) != _PNG_SIGNATURE:
            return None
        length, kind = struct.unpack(">I4s", fh.read(8))
        ihdr = fh.read(length)
        fh.read(4)
        if kind != b"IHDR" or len(ihdr) != 13:
            return None
        w, h, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", ihdr)
        if depth != 8 or interlace or ctype not in _PNG_CHANNELS or not w or not h:
            return None
        mode, channels = _PNG_CHANNELS[ctype]
        row_bytes = w * channels
        stride = 1 + row_bytes
        factor = max(1, math.ceil(max(w, h) / max_side))
        rows = factor * max(1, STRIP_BYTES // (row_bytes * factor))
        out = Image.new(mode, (math.ceil(w / factor), math.ceil(h / factor)))
        inflate = zlib.decompressobj()
        pending = bytearray()
        prev = bytes(row_bytes)
        y = 0

        def emit(n: int) -> None:
            nonlocal prev, y
            body = b"\x00" + prev + bytes(pending[:n * stride])
            del pending[:n * stride]
            strip_png = (_PNG_SIGNATURE + _png_chunk(b"IHDR", struct.pack(
                ">IIBBBBB", w, n + 1, 8, ctype, 0, 0, 0))
                + _png_chunk(b"IDAT", zlib.compress(body, 0)) + _png_chunk(b"IEND", b""))
            with Image.open(io.BytesIO(strip_png)) as im:
                im.load()
                strip = im.crop((0, 1, w, n + 1))
            prev = strip.crop((0, n - 1, w, n)).tobytes()
            size = (math.ceil(w / factor), math.ceil(n / factor))
            small = strip.reduce(factor) if n % factor == 0 else \
                strip.resize(size, Image.Resampling.BOX)
            out.paste(small, (0, y // factor))
            y += n

        for piece in _idat_pieces(fh):
            data = piece
            while data and y < h:
                pending += inflate.decompress(data, STRIP_BYTES)
                data = inflate.unconsumed_tail
                while len(pending) >= rows * stride and y < h:
                    emit(min(rows, h - y))
            if y >= h:
                break
        pending += inflate.flush()
        while y < h:
            n = min(rows, h - y, len(pending) // stride)
            if n <= 0:
                raise ValueError("the PNG's image data ends early")
            emit(n)
    return out


def open_upright_reduced(src: Path, max_side: int) -> Image.Image:
    with contextlib.suppress(Exception):  # anything unusual: decode it the ordinary way
        head = probe_image(src)
        if head.fmt == "PNG" and head.width * head.height > MAX_PASSTHROUGH_PIXELS:
            reduced = _png_in_strips(src, max_side)
            if reduced is not None:
                if max(reduced.size) > max_side:
                    reduced.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                return _to_rgb(reduced)
    try:
        from evidence_desk.ingest.thumbs import ThumbnailUnavailable
        from evidence_desk.ingest.thumbs import open_upright_reduced as shared
    except ImportError:
        return _local_open_upright_reduced(src, max_side)
    try:
        return _to_rgb(shared(src, max_side))
    except ThumbnailUnavailable:
        # Formats the shared decoder does not know (yet) but Pillow reads plainly (BMP).
        with Image.open(src) as im:
            if im.format not in ("BMP", "DIB", "TIFF"):
                raise
        return _local_open_upright_reduced(src, max_side)


# -- deriving (runs in worker processes) ------------------------------------------------------


@dataclass(frozen=True)
class DeriveJob:
    index: int
    src: Path
    dst: Path
    # Upright pixel box to start from, and the legibility floor.
    cap: tuple[int, int]
    floor: tuple[int, int]
    target_bytes: int | None = None
    # Degrees clockwise to turn the upright picture (the seller's rotation of the item).
    rotation: int = 0


@dataclass(frozen=True)
class Derived:
    index: int
    path: Path
    width: int
    height: int
    size: int
    # False when even the floor at the lowest quality is larger than the target.
    fits: bool
    error: str = ""


def _encode(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # Pillow writes a decoded JPEG's comment (and other info entries) back into the copy;
    # a derived copy leaves the desk, so it carries pixels only.
    im.info = {}
    im.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def _is_jpeg(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == b"\xff\xd8\xff"


def _open_for_target(job: DeriveJob) -> Image.Image:
    """The picture, decoded no larger than job's byte target needs: a JPEG the budget will
    shrink is draft-decoded at the scale export.budget.decode_box picks (1/2, 1/4 or 1/8,
    whichever already fits at a sane quality), so it is neither fully decoded nor resampled
    from 12 Mpx. Anything unusual goes through the ordinary decoder."""
    if job.target_bytes is not None and _is_jpeg(job.src):
        from evidence_desk.export import budget

        with contextlib.suppress(Exception), Image.open(job.src) as im:
            if im.mode in ("L", "RGB"):
                im.draft("RGB", budget.decode_box(job.target_bytes, job.src.stat().st_size,
                                                  im.size, job.cap, job.floor))
                im.load()
                # In place: an upright photo is not copied (about 7 ms a 3-Mpx draft, for nothing).
                ImageOps.exif_transpose(im, in_place=True)
                return _to_rgb(im)
    return open_upright_reduced(job.src, max(job.cap))


def derive(job: DeriveJob) -> Derived:
    """Write an upright JPEG copy of job.src within job.target_bytes if the floor allows."""
    try:
        with _quiet_about_size():
            base = _open_for_target(job)
        if job.rotation:
            from evidence_desk.export.rotation import rotate

            base = rotate(base, job.rotation)
    except Exception as exc:  # reported per exhibit; one bad file must not sink the export
        return Derived(job.index, job.dst, 0, 0, 0, False, f"{type(exc).__name__}: {exc}")
    if base.size != job.cap and max(base.size) > max(job.cap):
        base = base.resize(job.cap, Image.Resampling.LANCZOS, reducing_gap=2.0)
    if job.target_bytes is None:
        img, data, fits = base, _encode(base, QUALITY), True
    else:
        from evidence_desk.export import budget

        img, data, fits, _q = budget.fit(base, job.floor[0], job.target_bytes, _encode,
                                         budget.QUALITY_RANGE, LOW_QUALITIES)
    job.dst.write_bytes(data)
    return Derived(job.index, job.dst, img.width, img.height, len(data), fits)


# -- budget -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImagePlan:
    index: int  # exhibit index
    src: Path
    probe: ImageProbe
    screenshot: bool
    passthrough: bool
    target_bytes: int | None = None
    rotation: int = 0

    @property
    def upright(self) -> tuple[int, int]:
        return self.probe.upright_size

    @property
    def cap(self) -> tuple[int, int]:
        return cap_size(self.screenshot, self.upright)

    @property
    def floor(self) -> tuple[int, int]:
        return floor_size(self.screenshot, self.upright)


def initial_plans(items: list[tuple[int, Path, ImageProbe, bool, int]]) -> list[ImagePlan]:
    """Without a budget: JPEGs pass through, everything else is derived at the cap.

    Items are (key, source, probe, screenshot, rotation); a probe's orientation already holds
    the rotation (for the PDF's matrix), the plan's rotation is for derived copies.
    """
    return [
        ImagePlan(i, src, probe, shot, passthrough=probe.passable, rotation=rotation)
        for i, src, probe, shot, rotation in items
    ]


def minimum_bytes(plan: ImagePlan) -> int:
    w, h = plan.floor
    return int(w * h * MIN_BYTES_PER_PIXEL)


def fit_budget(plans: list[ImagePlan], image_budget: int) -> list[ImagePlan]:
    """Share `image_budget` among the images by (capped) pixel area, water-filling.

    A JPEG whose file is no larger than its share passes through as is; the slack it leaves goes
    to the others. Raises ValueError with the shortfall when even the floors cannot fit.
    """
    floor_total = sum(minimum_bytes(p) for p in plans)
    if floor_total > image_budget:
        raise ValueError(f"images need at least {floor_total:,} bytes; the budget leaves "
                         f"{max(0, image_budget):,} for them")
    weights = {p.index: float(p.cap[0] * p.cap[1]) for p in plans}
    fixed: dict[int, int] = {}
    open_ = {p.index: p for p in plans}
    changed = True
    while changed:
        changed = False
        left = image_budget - sum(fixed.values())
        total_w = sum(weights[i] for i in open_) or 1.0
        for i, p in list(open_.items()):
            share = left * weights[i] / total_w
            if p.probe.passable and p.probe.file_size <= share:
                fixed[i] = p.probe.file_size
                del open_[i]
                changed = True
    left = image_budget - sum(fixed.values())
    total_w = sum(weights[i] for i in open_) or 1.0
    out = []
    for p in plans:
        if p.index in fixed:
            out.append(replace(p, passthrough=True, target_bytes=None))
        else:
            share = int(left * weights[p.index] / total_w)
            out.append(replace(p, passthrough=False, target_bytes=_bucket(share)))
    return out


def _bucket(n: int) -> int:
    """`n` rounded down to a step of 2 %: the next export of the same case, whose text pages
    differ by a few bytes (the date printed on them), then asks for the same targets and finds
    its encoded exhibits in the cache (export.encode_cache)."""
    if n <= 64:
        return max(1, n)
    return min(n, int(TARGET_STEP ** math.floor(math.log(n) / math.log(TARGET_STEP))))
