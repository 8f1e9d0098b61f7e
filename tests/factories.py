"""Make evidence files for tests on the fly, so no binary test data lives in the repository.

Every factory writes one file at `path`, returns `path`, and takes well under a second.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from evidence_desk.paths import CJK_FONT
from evidence_desk.textdraw import draw_text, text_size

# The stored top-left corner of `photo` carries this marker so tests can see where it ends up
# once EXIF orientation is applied.
MARKER = (20, 40, 230)
MARKER_FRACTION = 4  # the marker covers 1/4 of each side

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


@lru_cache(maxsize=8)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(CJK_FONT), size)


# ---- images -------------------------------------------------------------------------------

def chat_screenshot(path: Path, lines: list[str], width: int = 1080,
                    height: int = 2340) -> Path:
    """A phone chat screenshot: alternating grey (buyer) and green (seller) bubbles, PNG."""
    im = Image.new("RGB", (width, height), (237, 237, 237))
    draw = ImageDraw.Draw(im)
    size = max(12, width // 27)
    draw.rectangle((0, 0, width, height // 14), fill=(40, 40, 40))
    draw_text(draw, (width // 20, height // 50), "Buyer 买家", size, (255, 255, 255))
    y = height // 12
    for i, text in enumerate(lines):
        tw, th = text_size(text, size)
        pad = width // 40
        seller = i % 2 == 1
        x = width - tw - 3 * pad if seller else 2 * pad
        fill = (149, 236, 105) if seller else (255, 255, 255)
        draw.rounded_rectangle((x - pad, y - pad, x + tw + pad, y + th + pad), radius=pad,
                               fill=fill)
        draw_text(draw, (x, y), text, size, (0, 0, 0))
        y += th + 4 * pad
        if y > height - 4 * pad:
            break
    im.save(path, "PNG", compress_level=1)
    return Path(path)


def order_screenshot(path: Path, order_no: str, width: int = 1440, height: int = 900) -> Path:
    """A landscape order-detail page screenshot, PNG."""
    im = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, 70), fill=(255, 106, 0))
    draw_text(draw, (30, 18), "Alibaba.com  订单详情 Order details", 28, (255, 255, 255))
    rows = [f"订单号 Order No.: {order_no}", "金额 Amount: USD 1,280.00",
            "状态 Status: 已付款 Paid", "下单时间 Ordered: 2024-03-01 10:12"]
    for i, row in enumerate(rows):
        draw_text(draw, (60, 120 + 60 * i), row, 28, (30, 30, 30))
    im.save(path, "PNG", compress_level=1)
    return Path(path)


def _size_for(megapixels: float) -> tuple[int, int]:
    width = int(math.sqrt(megapixels * 1_000_000 * 4 / 3))
    return width, width * 3 // 4


def marked_image(size: tuple[int, int], color: tuple[int, int, int]) -> Image.Image:
    """A flat `color` picture with MARKER in its top-left corner."""
    im = Image.new("RGB", size, color)
    w, h = size
    ImageDraw.Draw(im).rectangle((0, 0, w // MARKER_FRACTION, h // MARKER_FRACTION),
                                 fill=MARKER)
    return im


def photo_exif(*, orientation: int = 1, when: datetime | None = None, make: str | None = "Canon",
               model: str | None = None, gps: bool = False,
               offset: str | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    if make:
        exif[0x010F] = make
        exif[0x0110] = model or f"{make} EOS 90D"
    if when is not None:
        stamp = when.strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = stamp
        sub = exif.get_ifd(_EXIF_IFD)
        sub[0x9003] = stamp
        if offset:
            sub[0x9011] = offset
    if gps:
        gps_ifd = exif.get_ifd(_GPS_IFD)
        gps_ifd[1] = "N"
        gps_ifd[2] = (31.0, 14.0, 0.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (121.0, 28.0, 0.0)
    return exif


def photo(path: Path, *, orientation: int = 1, when: datetime | None = datetime(2024, 3, 5, 14, 30),
          megapixels: float = 0.3, make: str | None = "Canon", gps: bool = False,
          color: tuple[int, int, int] = (200, 30, 30), offset: str | None = None) -> Path:
    """A camera JPEG with EXIF; the stored pixels carry MARKER top-left (see `marked_image`)."""
    im = marked_image(_size_for(megapixels), color)
    exif = photo_exif(orientation=orientation, when=when, make=make, gps=gps, offset=offset)
    im.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return Path(path)


def noise_photo(path: Path, size: tuple[int, int] = (4000, 3000), quality: int = 92) -> Path:
    """A camera-sized JPEG that weighs like one (noise compresses as badly as detail does)."""
    noise = Image.effect_noise((500, 500), 40).convert("RGB")
    im = Image.new("RGB", size)
    for x in range(0, size[0], 500):
        for y in range(0, size[1], 500):
            im.paste(noise, (x, y))
    im.save(path, "JPEG", quality=quality)
    return Path(path)


def heic_photo(path: Path, *, when: datetime | None = datetime(2024, 3, 5, 14, 30),
               megapixels: float = 0.3, make: str | None = "Apple",
               color: tuple[int, int, int] = (200, 30, 30)) -> Path:
    """An iPhone-style HEIC photo with EXIF time and camera."""
    from evidence_desk.ingest.imaging import register_heif

    register_heif()
    im = marked_image(_size_for(megapixels), color)
    exif = photo_exif(when=when, make=make, model="iPhone 14" if make else None)
    im.save(path, "HEIF", quality=80, exif=exif.tobytes())
    return Path(path)


def truncated_jpeg(path: Path, keep: float = 0.6) -> Path:
    """A photo cut short, as an interrupted download or copy leaves it."""
    photo(path, megapixels=0.3)
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def cmyk_jpeg(path: Path, cmyk: tuple[int, int, int, int] = (0, 255, 255, 0)) -> Path:
    """A print-shop CMYK JPEG; the default ink is pure red."""
    Image.new("CMYK", (320, 240), cmyk).save(path, "JPEG", quality=90)
    return Path(path)


def sixteen_bit_png(path: Path, value: int = 32768) -> Path:
    """A 16-bit greyscale PNG: a flat mid grey by default (8-bit 128)."""
    Image.new("I;16", (300, 200), value).save(path, "PNG")
    return Path(path)


def rgba_png(path: Path, size: tuple[int, int] = (400, 300)) -> Path:
    """A PNG with real transparency: left half transparent, right half opaque green."""
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(0, 160, 0, 255))
    im.save(path, "PNG")
    return Path(path)


def animated_gif(path: Path, frames: int = 3) -> Path:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    ims = [Image.new("RGB", (120, 90), colours[i % 4]) for i in range(frames)]
    ims[0].save(path, "GIF", save_all=True, append_images=ims[1:], duration=100, loop=0)
    return Path(path)


def webp(path: Path, size: tuple[int, int] = (1280, 720), animated: bool = False) -> Path:
    first = Image.new("RGB", size, (10, 120, 200))
    if animated:
        second = Image.new("RGB", size, (200, 120, 10))
        first.save(path, "WEBP", save_all=True, append_images=[second], duration=100)
    else:
        first.save(path, "WEBP", quality=80)
    return Path(path)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png(width: int, height: int, color_type: int, idat: bytes, bit_depth: int = 8) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def bomb_png(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """A tiny PNG whose header declares a gigantic 1-bit image (a decompression bomb)."""
    row = b"\x00" + bytes((width + 7) // 8)
    idat = zlib.compress(row * 4, 9)  # a few rows only: the declaration is the attack
    Path(path).write_bytes(_png(width, height, 0, idat, bit_depth=1))
    return Path(path)


def bomb_webp(path: Path, width: int = 20_000, height: int = 20_000) -> Path:
    """A 1-pixel lossless WebP wrapped in an extended header declaring a gigantic canvas."""
    import io

    buf = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buf, "WEBP", lossless=True)
    vp8x = (b"VP8X" + struct.pack("<I", 10) + bytes(4) + (width - 1).to_bytes(3, "little")
            + (height - 1).to_bytes(3, "little"))
    body = b"WEBP" + vp8x + buf.getvalue()[12:]
    Path(path).write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return Path(path)


def big_screenshot(path: Path, width: int = 12000, height: int = 12000) -> Path:
    """A huge, mostly flat RGB screenshot (a scrolling capture), built row by row in ~0.5 s.

    The top eighth is orange and the rest light grey; rows repeat via the PNG "Up" filter so
    the compressor sees long runs of zeros.
    """
    comp = zlib.compressobj(1)
    parts = []
    same = b"\x02" + bytes(3 * width)
    band = height // 8
    for colour, rows in (((255, 106, 0), band), ((240, 240, 240), height - band)):
        parts.append(comp.compress(b"\x00" + bytes(colour) * width))
        for _ in range(rows - 1):
            parts.append(comp.compress(same))
    parts.append(comp.flush())
    Path(path).write_bytes(_png(width, height, 2, b"".join(parts)))
    return Path(path)


def sixteen_bit_rgb_png(path: Path, width: int = 4, height: int = 2) -> Path:
    """A 48-bit RGB PNG, which Pillow quietly opens as 8-bit RGB."""
    row = b"\x00" + b"\x80\x00\x10\x00\x20\x00" * width
    Path(path).write_bytes(_png(width, height, 2, zlib.compress(row * height), bit_depth=16))
    return Path(path)


def text_as_png(path: Path) -> Path:
    """Plain text wearing an image's extension."""
    Path(path).write_text("This is not a picture.\nJust some notes 备注.\n", encoding="utf-8")
    return Path(path)


# ---- documents ----------------------------------------------------------------------------

def pdf_waybill(path: Path, tracking_no: str, pages: int = 1) -> Path:
    """A carrier's air waybill as a real (compressed) PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=A4, initialFontName="Helvetica")
    for page in range(pages):
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawString(72, 760, "AIR WAYBILL")
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, 730, f"Tracking No.: {tracking_no}")
        canvas.drawString(72, 710, "Shipper: Ningbo Example Trading Co., Ltd.")
        canvas.drawString(72, 690, f"Consignee: ACME GmbH   page {page + 1}")
        canvas.showPage()
    canvas.save()
    return Path(path)


def plain_pdf(path: Path, text: str = "Meeting notes") -> Path:
    """A PDF with nothing logistics-like in it."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), initialFontName="Helvetica")
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return Path(path)


TRACKING_HEADERS = ["运单号", "物流状态", "时间", "地点"]
TRACKING_ROWS = [
    ["SF1234567890", "已揽收", "2024-03-01 09:00", "宁波"],
    ["SF1234567890", "运输中", "2024-03-02 18:30", "上海"],
    ["SF1234567890", "已签收", "2024-03-05 11:20", "Hamburg"],
]


def tracking_csv(path: Path, encoding: str = "utf-8-sig",
                 rows: list[list[str]] | None = None) -> Path:
    """A carrier's tracking export with Chinese headers, in one of the encodings they use."""
    lines = [",".join(row) for row in [TRACKING_HEADERS, *(rows or TRACKING_ROWS)]]
    Path(path).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return Path(path)


def payments_csv(path: Path) -> Path:
    lines = ["Date,Payment ID,Amount,Currency", "2024-03-01,P-001,1280.00,USD",
             "2024-03-02,P-002,-80.00,USD"]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(path)


def eml(path: Path, subject: str = "Re: Order 2024030112345 shipment") -> Path:
    text = (
        "Return-Path: <buyer@example.com>\r\n"
        "Received: from mail.example.com by mx.example.net; Tue, 5 Mar 2024 10:00:00 +0800\r\n"
        "From: Buyer <buyer@example.com>\r\n"
        "To: Seller <seller@example.cn>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Tue, 5 Mar 2024 10:00:00 +0800\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "We agree to use e-mail for this order.\r\n"
    )
    Path(path).write_bytes(text.encode("utf-8"))
    return Path(path)


def _xml(body: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xlsx(path: Path, rows: list[list[str]] | None = None) -> Path:
    """A minimal but valid XLSX workbook (shared strings), written by hand with zipfile."""
    rows = rows if rows is not None else [TRACKING_HEADERS, *TRACKING_ROWS]
    strings: list[str] = []
    cells = []
    for r, row in enumerate(rows, start=1):
        refs = []
        for c, value in enumerate(row):
            strings.append(value)
            refs.append(f'<c r="{chr(65 + c)}{r}" t="s"><v>{len(strings) - 1}</v></c>')
        cells.append(f'<row r="{r}">{"".join(refs)}</row>')
    ns = "http://schemas.openxmlformats.org"
    files = {
        "[Content_Types].xml": _xml(
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"),
        "_rels/.rels": _xml(
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": _xml(
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": _xml(
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": _xml(
            f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{"".join(cells)}'
            "</sheetData></worksheet>"),
        "xl/sharedStrings.xml": _xml(
            f'<sst xmlns="{ns}/spreadsheetml/2006/main" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{_escape(s)}</t></si>" for s in strings) + "</sst>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return Path(path)


def plain_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("photo.txt", "not a workbook")
    return Path(path)


def _cfb(stream_names: list[str]) -> bytes:
    """A minimal OLE compound file whose root holds empty streams with the given names."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, end, 0, end, 0, 0)
    struct.pack_into("<I", header, 0x4C, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, free)
    fat = struct.pack("<II", fat_sector, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        raw = (name + "\x00").encode("utf-16-le")
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, free, right, child)
        struct.pack_into("<IQ", e, 116, end, 0)
        return bytes(e)

    entries = [entry("Root Entry", 5, child=1 if stream_names else free)]
    for i, name in enumerate(stream_names[:3]):
        right = i + 2 if i + 1 < len(stream_names[:3]) else free
        entries.append(entry(name, 2, right=right))
    directory = b"".join(entries).ljust(512, b"\x00")
    return bytes(header) + fat + directory


def outlook_msg(path: Path) -> Path:
    """A skeletal Outlook .msg: an OLE file with the property streams Outlook writes."""
    Path(path).write_bytes(_cfb(["__substg1.0_0037001F", "__properties_version1.0"]))
    return Path(path)


def legacy_xls(path: Path) -> Path:
    """An OLE file shaped like an old Excel workbook (not an e-mail)."""
    Path(path).write_bytes(_cfb(["Workbook"]))
    return Path(path)


def binary_junk(path: Path, size: int = 4096) -> Path:
    import random

    rng = random.Random(7)
    Path(path).write_bytes(bytes(rng.randrange(256) for _ in range(size)))
    return Path(path)


# ---- hostile inputs (integrity tests) -----------------------------------------------------

def real_bomb_png(path: Path, side: int = 20_000) -> Path:
    """A ~400 KB greyscale PNG whose every row is really there: 400 MB once decoded.

    Unlike `bomb_png`, whose header lies, this one is an honest image that is simply too big to
    decode: the pixel limit must stop it before any decoder allocates it.
    """
    comp = zlib.compressobj(9)
    row = b"\x00" + bytes(side)
    parts = [comp.compress(row) for _ in range(side)]
    parts.append(comp.flush())
    Path(path).write_bytes(_png(side, side, 0, b"".join(parts)))
    return Path(path)


# ---- formats that arrive as evidence: TIFF scans, Word files, videos, broken EXIF/APNG ---------

def tiff_pages(path: Path, pages: int = 3, compression: str = "tiff_deflate") -> Path:
    frames = [Image.new("L" if compression == "group4" else "RGB", (620, 877), 255 - 60 * i)
              for i in range(pages)]
    if compression == "group4":
        frames = [fr.convert("1") for fr in frames]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression=compression)
    return path


def docx(path: Path, text: str = "买家确认收到货物,同意撤销退款申请。") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/word/document.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.'
                    'wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        zf.writestr("word/document.xml",
                    '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.'
                    f'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t>'
                    '</w:r></w:p></w:body></w:document>')
    return path


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def iso_video(path: Path, major: bytes, compatible: tuple[bytes, ...] = (b"isom",)) -> Path:
    """An ISO base media file laid out as phones write it: ftyp, a movie header, media data."""
    ftyp = _box(b"ftyp", major + struct.pack(">I", 0x200) + b"".join(compatible))
    mvhd = _box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 600, 6000) + bytes(80))
    path.write_bytes(ftyp + _box(b"moov", mvhd) + _box(b"mdat", bytes(4096)))
    return path


def avi(path: Path) -> Path:
    body = b"AVI " + b"LIST" + struct.pack("<I", 4) + b"hdrl"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body + bytes(2048))
    return path


def mkv(path: Path, doctype: bytes = b"matroska") -> Path:
    ebml = b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    path.write_bytes(b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(ebml)]) + ebml + bytes(2048))
    return path


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def apng(path: Path, frames_declared: int | None = None) -> Path:
    frames = [Image.new("RGB", (120, 90), c) for c in ((255, 0, 0), (0, 200, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "PNG", save_all=True, append_images=frames[1:], duration=120)
    data = buf.getvalue()
    out = data[:8]
    for kind, payload in _chunks(data):
        if kind == b"acTL" and frames_declared is not None:
            payload = struct.pack(">II", frames_declared, 0)
        out += struct.pack(">I", len(payload)) + kind + payload + struct.pack(
            ">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    path.write_bytes(out)
    return path


def truncated_exif_jpeg(path: Path, keep: int) -> Path:
    """A JPEG whose APP1 EXIF segment holds only its first `keep` bytes (lengths consistent)."""
    good = photo(path.with_name("full-" + path.name), when=datetime(2024, 3, 5, 14, 30))
    data = good.read_bytes()
    at = data.index(b"Exif\x00\x00")
    (seg_len,) = struct.unpack(">H", data[at - 2:at])
    payload = data[at:at - 2 + seg_len][:keep]
    path.write_bytes(data[:at - 2] + struct.pack(">H", len(payload) + 2) + payload
                     + data[at - 2 + seg_len:])
    return path
