"""Opening images safely: the pixel limit is checked on the header, before anything is decoded.

`PIL.Image.open` applies a process-wide limit (`Image.MAX_IMAGE_PIXELS`, 89 MP by default) that
both refuses a legitimate 12000×12000 screenshot and cannot say what the file declared. Here each
format's header reader is called directly and our own limit is applied to the declared size, so
nothing global has to be changed and every refusal can name the numbers.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

from evidence_desk.i18n import Message
from evidence_desk.ingest.sniff import sniff_path

MAX_PIXELS = 200_000_000
_MEGAPIXEL_LIMIT = MAX_PIXELS // 1_000_000

_heif_lock = threading.Lock()
_heif_registered = False


class Refused(Exception):
    """The file cannot be taken in as evidence; `reason` is a human sentence in English."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def register_heif() -> None:
    """Teach Pillow HEIC/HEIF on first use: importing pillow-heif costs time at start-up."""
    global _heif_registered
    with _heif_lock:
        if not _heif_registered:
            import pillow_heif

            pillow_heif.register_heif_opener()
            _heif_registered = True


def _heif_class() -> type[Image.Image]:
    register_heif()
    from pillow_heif import HeifImageFile

    return HeifImageFile


_READERS = {
    "png": PngImagePlugin.PngImageFile,
    "jpg": JpegImagePlugin.JpegImageFile,
    "gif": GifImagePlugin.GifImageFile,
    "webp": WebPImagePlugin.WebPImageFile,
    "tif": TiffImagePlugin.TiffImageFile,
    "bmp": BmpImagePlugin.BmpImageFile,
}


def check_declared_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise Refused(Message("image declares {width}×{height} pixels (over the "
                              "{limit}-megapixel limit)", width=width, height=height,
                              limit=_MEGAPIXEL_LIMIT))


def open_image(path: Path, ext: str | None = None) -> Image.Image:
    """Read only the header of the image at `path`; Refused if unreadable or too large.

    `ext` is the sniffed canonical extension; it is sniffed here when not given.
    """
    path = Path(path)
    if ext is None:
        filetype = sniff_path(path)
        if filetype is None or filetype.category != "image":
            raise Refused(Message("not an image"))
        ext = filetype.ext
    reader = _heif_class() if ext == "heic" else _READERS.get(ext)
    if reader is None:
        raise Refused(Message("not a supported image format ({ext})", ext=ext))
    try:
        im = reader(path)
    except Image.DecompressionBombError:
        # Some readers (WebP) apply Pillow's own, lower limit while reading the header.
        raise Refused(_too_large(path, ext)) from None
    except (SyntaxError, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise Refused(Message("image is truncated or damaged (cannot read its header: {why})",
                              why=str(exc))) from None
    try:
        check_declared_size(*im.size)
    except Refused:
        im.close()
        raise
    return im


def _too_large(path: Path, ext: str) -> str:
    size = webp_declared_size(path) if ext == "webp" else None
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        return (f"image declares {size[0]}×{size[1]} pixels "
                f"(over the {_MEGAPIXEL_LIMIT}-megapixel limit)")
    return "image declares too many pixels to open safely"


def webp_declared_size(path: Path) -> tuple[int, int] | None:
    """Canvas size from a WebP header (extended, lossless or lossy), without Pillow."""
    with Path(path).open("rb") as fh:
        head = fh.read(30)
    if len(head) < 30:
        return None
    chunk = head[12:16]
    if chunk == b"VP8X":
        return (int.from_bytes(head[24:27], "little") + 1,
                int.from_bytes(head[27:30], "little") + 1)
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        return (int.from_bytes(head[26:28], "little") & 0x3FFF,
                int.from_bytes(head[28:30], "little") & 0x3FFF)
    return None
