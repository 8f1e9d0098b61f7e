"""Put image bytes into a finished PDF without holding them in memory.

reportlab builds the whole file in memory, so a dossier of 200 photos would need the photos'
size in RAM twice over. Instead the renderer gives each image a tiny placeholder stream
(`EDIMG:<token>`); this module then copies the small PDF to the output and streams each image
file into its placeholder object, rewriting the object's dictionary and the cross-reference
table. Only classic cross-reference tables are handled, which is what reportlab and pypdf write.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MARKER = b"EDIMG:"
_PLACEHOLDER = re.compile(rb"stream\r?\nEDIMG:(x\d+|r\d+_\d+)")
_LENGTH = re.compile(rb"/Length\s+\d+(?![\d.])")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")


@dataclass(frozen=True)
class ImageStream:
    path: Path
    width: int
    height: int
    color_space: str = "DeviceRGB"
    # "jpeg": the file is a DCT stream; "png": its IDAT data is a PNG-predicted zlib stream;
    # "raw": the file is a PDF exhibit's image stream, still encoded, whose dictionary the
    # placeholder object already carries (only its /Length changes).
    fmt: str = "jpeg"


class SpliceError(RuntimeError):
    pass


def _read_xref(data: bytes) -> tuple[int, dict[int, int], bytes]:
    """(offset of the xref table, object number -> offset, trailer dictionary bytes)."""
    at = data.rfind(b"startxref")
    if at < 0:
        raise SpliceError("no startxref")
    xref_at = int(data[at + 9:].split()[0])
    if not data.startswith(b"xref", xref_at):
        raise SpliceError("not a classic cross-reference table")
    pos = xref_at + 4
    offsets: dict[int, int] = {}
    trailer_at = data.find(b"trailer", pos)
    lines = data[pos:trailer_at].split()
    i = 0
    while i < len(lines):
        first, count = int(lines[i]), int(lines[i + 1])
        i += 2
        for n in range(count):
            off, _gen, kind = lines[i], lines[i + 1], lines[i + 2]
            i += 3
            if kind == b"n":
                offsets[first + n] = int(off)
    trailer_end = data.find(b"startxref", trailer_at)
    return xref_at, offsets, data[trailer_at:trailer_end]


def _png_idat(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of each IDAT chunk's data, read from the chunk headers only."""
    out: list[tuple[int, int]] = []
    with open(path, "rb") as fh:
        if fh.read(8) != b"\x89PNG\r\n\x1a\n":
            raise SpliceError(f"{path.name} is not a PNG")
        while True:
            head = fh.read(8)
            if len(head) < 8:
                break
            n = int.from_bytes(head[:4], "big")
            if head[4:] == b"IDAT":
                out.append((fh.tell(), n))
            elif head[4:] == b"IEND":
                break
            fh.seek(n + 4, 1)
    if not out:
        raise SpliceError(f"{path.name} has no image data")
    return out


def _copy(src, dst, n: int) -> None:  # noqa: ANN001 - binary file objects
    while n > 0:
        chunk = src.read(min(n, 1 << 20))
        if not chunk:
            raise SpliceError("image file shrank while being copied")
        dst.write(chunk)
        n -= len(chunk)


def splice_images(
    skeleton: Path,
    out: Path,
    images: dict[str, ImageStream],
    on_image: Callable[[str], None] | None = None,
) -> None:
    """Copy `skeleton` to `out`, replacing every placeholder stream by the named image file."""
    data = skeleton.read_bytes()
    xref_at, offsets, trailer = _read_xref(data)
    order = sorted(offsets.items(), key=lambda kv: kv[1])
    new_offsets: dict[int, int] = {}
    seen: set[str] = set()
    with open(out, "wb") as fh:
        # Everything before the first object (header, binary comment) is kept as is.
        first = order[0][1] if order else xref_at
        fh.write(data[:first])
        for k, (num, off) in enumerate(order):
            end = order[k + 1][1] if k + 1 < len(order) else xref_at
            new_offsets[num] = fh.tell()
            chunk = data[off:end]
            m = _PLACEHOLDER.search(chunk, 0, 4096) if len(chunk) < 4096 else None
            if m is None:
                fh.write(chunk)
                continue
            token = m.group(1).decode("ascii")
            img = images.get(token)
            if img is None:
                raise SpliceError(f"no image for placeholder {token}")
            seen.add(token)
            if img.fmt == "raw":
                size = img.path.stat().st_size
                head, n_sub = _LENGTH.subn(b"/Length %d" % size, chunk[:m.start()], count=1)
                if n_sub != 1:
                    raise SpliceError(f"placeholder {token} has no /Length")
                fh.write(head + b"stream\n")
                with open(img.path, "rb") as src:
                    shutil.copyfileobj(src, fh, 1024 * 1024)
                fh.write(b"\nendstream\nendobj\n")
                if on_image is not None:
                    on_image(token)
                continue
            if img.fmt == "png":
                idat = _png_idat(img.path)
                size = sum(n for _, n in idat)
                colors = 1 if img.color_space == "DeviceGray" else 3
                filt = (f"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors {colors} "
                        f"/BitsPerComponent 8 /Columns {img.width} >>")
            else:
                size = img.path.stat().st_size
                filt = "/Filter /DCTDecode"
            head = (
                f"{num} 0 obj\n<< /Type /XObject /Subtype /Image /Width {img.width} "
                f"/Height {img.height} /ColorSpace /{img.color_space} /BitsPerComponent 8 "
                f"{filt} /Length {size} >>\nstream\n"
            ).encode("ascii")
            fh.write(head)
            with open(img.path, "rb") as src:
                if img.fmt == "png":
                    for offset, n in idat:
                        src.seek(offset)
                        _copy(src, fh, n)
                else:
                    shutil.copyfileobj(src, fh, 1024 * 1024)
            fh.write(b"\nendstream\nendobj\n")
            if on_image is not None:
                on_image(token)
        new_xref = fh.tell()
        size = max(offsets) + 1 if offsets else 1
        fh.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode("ascii"))
        for num in range(1, size):
            if num in new_offsets:
                fh.write(b"%010d 00000 n \n" % new_offsets[num])
            else:
                fh.write(b"0000000000 65535 f \n")
        fh.write(trailer)
        fh.write(b"startxref\n%d\n%%%%EOF\n" % new_xref)
    missing = set(images) - seen
    if missing:
        raise SpliceError(f"placeholders not found for {sorted(missing)}")
