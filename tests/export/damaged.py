"""Damaged and unusual evidence files, made on the fly (no binary test data in the repository).

Each factory writes one file at `path` and returns `path`. The damaged classes are the ones seen
in real cases: a JPEG with junk bytes between markers, a JPEG whose APP14 segment is cut short,
a camera photo whose data ends early, a PNG whose last chunk is cut, an APNG whose frame count
is 0. The other factories make formats the desk accepts beside pictures and PDFs: multi-page
TIFF, BMP, DOCX (built with zipfile), a tiny MP4 (a minimal box structure).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image, ImageDraw


def _jpeg_bytes(size: tuple[int, int] = (640, 480), color: tuple[int, int, int] = (200, 60, 30)
                ) -> bytes:
    im = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(im)
    for x in range(0, size[0], 40):
        draw.line((x, 0, size[0] - x, size[1]), fill=(20, 20, 20), width=3)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _segments_end(data: bytes) -> int:
    """Offset just after APP0 (the first segment after SOI)."""
    assert data[:4] == b"\xff\xd8\xff\xe0"
    return 4 + int.from_bytes(data[4:6], "big")


def jpeg_junk_between_markers(path: Path) -> Path:
    """Bytes that are no marker sit between APP0 and the next segment (libjpeg skips them)."""
    data = _jpeg_bytes()
    at = _segments_end(data)
    Path(path).write_bytes(data[:at] + b"\x00\x11garbage\x42" + data[at:])
    return Path(path)


def jpeg_truncated_app14(path: Path) -> Path:
    """An APP14 'Adobe' segment whose declared length runs past its real bytes."""
    data = _jpeg_bytes(color=(30, 90, 200))
    at = _segments_end(data)
    # Declares 14 bytes but only 7 follow before the next marker.
    app14 = b"\xff\xee" + (14).to_bytes(2, "big") + b"Adobe"
    Path(path).write_bytes(data[:at] + app14 + data[at:])
    return Path(path)


def jpeg_ends_early(path: Path, keep: float = 0.55) -> Path:
    """A camera photo whose entropy-coded data stops part way (no end-of-image marker)."""
    data = _jpeg_bytes((1024, 768), (60, 160, 60))
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def _png_parts(size: tuple[int, int] = (320, 240), color: tuple[int, int, int] = (240, 200, 0)
               ) -> tuple[bytes, list[bytes]]:
    """(signature + IHDR, IDAT chunks) of an RGB PNG split into several IDAT chunks."""
    w, h = size
    row = b"\x00" + bytes(color) * w
    raw = zlib.compress(b"".join(row if y % 9 else b"\x00" + b"\x10\x10\x10" * w
                                 for y in range(h)), 9)
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    step = max(1, len(raw) // 3)
    idats = [_chunk(b"IDAT", raw[i:i + step]) for i in range(0, len(raw), step)]
    return head, idats


def png_last_chunk_truncated(path: Path) -> Path:
    """A PNG cut in the middle of its last IDAT chunk (no IEND): a copy that stopped early."""
    head, idats = _png_parts()
    last = idats[-1]
    Path(path).write_bytes(head + b"".join(idats[:-1]) + last[: len(last) // 2])
    return Path(path)


def apng_zero_frames(path: Path) -> Path:
    """An APNG whose acTL chunk says it has 0 frames."""
    head, idats = _png_parts(color=(0, 180, 200))
    actl = _chunk(b"acTL", struct.pack(">II", 0, 0))
    Path(path).write_bytes(head + actl + b"".join(idats) + _chunk(b"IEND", b""))
    return Path(path)


DAMAGED = {
    "jpeg_junk_between_markers.jpg": jpeg_junk_between_markers,
    "jpeg_truncated_app14.jpg": jpeg_truncated_app14,
    "jpeg_ends_early.jpg": jpeg_ends_early,
    "png_last_chunk_truncated.png": png_last_chunk_truncated,
    "apng_zero_frames.png": apng_zero_frames,
}


# -- other formats ---------------------------------------------------------------------------


def multipage_tiff(path: Path, pages: int = 3) -> Path:
    """A scanner's multi-page TIFF: page i is a different colour with a black bar at its top."""
    colours = [(220, 40, 40), (40, 180, 40), (40, 40, 220), (200, 200, 40)]
    ims = []
    for i in range(pages):
        im = Image.new("RGB", (400, 560), colours[i % len(colours)])
        ImageDraw.Draw(im).rectangle((0, 0, 399, 60), fill=(0, 0, 0))
        ims.append(im)
    ims[0].save(path, "TIFF", save_all=True, append_images=ims[1:], compression="tiff_lzw")
    return Path(path)


def bmp(path: Path) -> Path:
    im = Image.new("RGB", (300, 200), (250, 120, 0))
    ImageDraw.Draw(im).rectangle((0, 0, 149, 199), fill=(0, 0, 0))
    im.save(path, "BMP")
    return Path(path)


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx(path: Path, paragraphs: list[str]) -> Path:
    """A Word document with one paragraph per string (runs split to test joining)."""
    from xml.sax.saxutils import escape

    body = "".join(
        f"<w:p><w:r><w:t>{escape(p[: len(p) // 2])}</w:t></w:r>"
        f'<w:r><w:t xml:space="preserve">{escape(p[len(p) // 2:])}</w:t></w:r></w:p>'
        for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        zf.writestr("word/document.xml", document)
    return Path(path)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(path: Path) -> Path:
    """A minimal MP4: ftyp, a movie header (2 s) and an empty media data box."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 1000, 2000)
                + struct.pack(">I", 0x00010000) + struct.pack(">H", 0x0100) + bytes(10)
                + struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
                + bytes(24) + struct.pack(">I", 2))
    moov = _box(b"moov", mvhd)
    mdat = _box(b"mdat", bytes(64))
    Path(path).write_bytes(ftyp + moov + mdat)
    return Path(path)
