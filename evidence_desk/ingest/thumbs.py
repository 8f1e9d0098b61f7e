"""Small upright 8-bit previews, decoded at reduced size whenever the format allows.

`open_upright_reduced` is the one place that knows how to turn any accepted image (CMYK, 16-bit,
palette, HEIC, animated, truncated) into something a screen or a PDF can show; the viewer and the
dossier use it too, so a picture looks the same everywhere.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, JpegImagePlugin

from evidence_desk.ingest.imaging import Refused, open_image
from evidence_desk.ingest.sniff import sniff_path


class ThumbnailUnavailable(Exception):
    """No picture can be made from this file (not an image, or not decodable)."""


_SRGB = None


def _srgb_profile() -> ImageCms.ImageCmsProfile:
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return _SRGB


def open_upright_reduced(src: Path, max_side: int, *, keep_alpha: bool = False,
                         upright: bool = True) -> Image.Image:
    """Decode `src` so that its longer side is at most `max_side`, upright, in 8-bit RGB.

    The result is "RGB", or "RGBA" when `keep_alpha` and the picture has real transparency
    (otherwise transparency is laid on white). Raises ThumbnailUnavailable when impossible.
    """
    src = Path(src)
    try:
        filetype = sniff_path(src)
    except OSError as exc:
        raise ThumbnailUnavailable(f"cannot read the file ({exc})") from None
    if filetype is not None and filetype.category == "video":
        return _video_poster(src, max_side)
    if filetype is None or filetype.category != "image":
        raise ThumbnailUnavailable(f"{filetype.ext if filetype else 'this file'} has no picture")
    try:
        im = open_image(src, filetype.ext)
    except Refused as exc:
        raise ThumbnailUnavailable(exc.reason) from None
    try:
        with im:
            decoded = to_8bit(_decode_reduced(im, src, filetype.ext, max_side), keep_alpha=True)
            exif = im.info.get("exif")
    except Image.DecompressionBombError as exc:
        raise ThumbnailUnavailable(f"image too large to decode safely ({exc})") from None
    if max(decoded.size) > 2 * max_side:
        # reduce() is a cheap box filter; the final LANCZOS pass then runs on a small image.
        decoded = decoded.reduce(max(decoded.size) // (2 * max_side))
    if upright and exif and filetype.ext != "heic":
        decoded = _transpose(decoded, exif)
    decoded.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return decoded if keep_alpha else to_8bit(decoded)


def _video_poster(src: Path, max_side: int) -> Image.Image:
    from evidence_desk.ingest.video_poster import PosterUnavailable, poster_frame

    try:
        frame = poster_frame(src, max_side)
    except PosterUnavailable as exc:
        raise ThumbnailUnavailable(str(exc)) from None
    frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return frame


def _decode_reduced(im: Image.Image, src: Path, ext: str, max_side: int) -> Image.Image:
    if ext == "jpg":
        # JPEG decodes at 1/2, 1/4 or 1/8 scale: a 12-MP photo never exists in memory.
        im.draft(im.mode if im.mode == "CMYK" else "RGB", (max_side, max_side))
    try:
        im.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        return _decode_damaged(im, src, ext, max_side)
    # The pixels stay usable after the file closes; copying a 144-MP image would double memory.
    return im


def _decode_damaged(im: Image.Image, src: Path, ext: str, max_side: int) -> Image.Image:
    """Show what survives of a damaged image, the way viewers do (the rest grey or blank)."""
    if ext == "jpg":
        # A JPEG cut short decodes fully once it is given an end marker: libjpeg greys the rest.
        data = src.read_bytes() + b"\xff\xd9"
        with JpegImagePlugin.JpegImageFile(io.BytesIO(data)) as again:
            again.draft(again.mode if again.mode == "CMYK" else "RGB", (max_side, max_side))
            try:
                again.load()
                return again.copy()
            except (OSError, SyntaxError, ValueError, EOFError):
                pass
    # Other decoders leave the rows they managed in the image memory; keep those.
    try:
        im.tile = []
        im.load()
        return im.copy()
    except (OSError, SyntaxError, ValueError, EOFError, AttributeError):
        raise ThumbnailUnavailable("image is truncated or damaged") from None


def _transpose(decoded: Image.Image, exif: bytes) -> Image.Image:
    decoded.info["exif"] = exif
    try:
        return ImageOps.exif_transpose(decoded)
    except Exception:  # noqa: BLE001 - unreadable EXIF: show the pixels as stored
        return decoded


def to_8bit(im: Image.Image, *, keep_alpha: bool = False) -> Image.Image:
    """8-bit "RGB" (or "RGBA" with real transparency when `keep_alpha`) from any Pillow mode."""
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        im = _scale_wide_gray(im)
    elif im.mode == "CMYK":
        im = _cmyk_to_rgb(im)
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            im.mode == "P" and "transparency" in im.info) or (
            im.mode in ("L", "RGB") and "transparency" in im.info):
        im = im.convert("RGBA")
        if im.getextrema()[3][0] == 255:
            return im.convert("RGB")
        if keep_alpha:
            return im
        canvas = Image.new("RGB", im.size, (255, 255, 255))
        canvas.paste(im, mask=im.getchannel("A"))
        return canvas
    return im if im.mode == "RGB" else im.convert("RGB")


def _scale_wide_gray(im: Image.Image) -> Image.Image:
    # convert("L") clips 16-bit values at 255 and turns the picture white; scale instead.
    if im.mode == "F":
        low, high = im.getextrema()
        span = (high - low) or 1.0
        return im.point(lambda v: (v - low) * 255.0 / span).convert("L")
    wide = im.convert("I") if im.mode != "I" else im
    high = wide.getextrema()[1]
    divisor = 257.0 if high > 255 else 1.0
    return wide.point(lambda v: v / divisor).convert("L")


def _cmyk_to_rgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(im, profile, _srgb_profile(), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return im.convert("RGB")


def make_thumbnail(src: Path, dest: Path, size: int = 256, *,
                   orientation_applied: bool = True) -> tuple[int, int]:
    """Write an upright thumbnail of `src` fitting `size`×`size` to `dest`; return its size.

    JPEG, or PNG when the picture has transparency; a `.png` or `.jpg` suffix on `dest` forces
    that format. `orientation_applied=False` keeps the stored pixel orientation. The file appears
    atomically. Raises ThumbnailUnavailable for PDFs, text and undecodable images.
    """
    dest = Path(dest)
    suffix = dest.suffix.lower()
    keep_alpha = suffix not in (".jpg", ".jpeg")
    im = open_upright_reduced(src, size, keep_alpha=keep_alpha, upright=orientation_applied)
    fmt = "PNG" if suffix == ".png" or im.mode == "RGBA" else "JPEG"
    if fmt == "PNG" and im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGB")
    _save_atomic(im, dest, fmt)
    return im.size


def _save_atomic(im: Image.Image, dest: Path, fmt: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".thumb-", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "JPEG":
                im.save(fh, "JPEG", quality=85, optimize=True)
            else:
                im.save(fh, "PNG", optimize=False)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
