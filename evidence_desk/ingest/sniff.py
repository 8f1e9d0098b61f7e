"""Tell a file's real type from its bytes; the name only settles text-versus-CSV.

Sellers rename files, messengers strip extensions and screenshots arrive as `.jpg` that are really
PNG, so the extension is never trusted for binary formats. Anything not positively recognised is
refused (`None`) rather than guessed at, because everything accepted ends up in front of the
platform and the other party.
"""

from __future__ import annotations

import codecs
import csv
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evidence_desk.i18n import Message

# Enough for every magic number, a zip's first local headers, an OLE header plus its first
# directory sector, and twenty lines of a CSV export.
HEAD_BYTES = 64 * 1024
# A real XLSX central directory is a few kilobytes; a huge one means a zip bomb or an archive.
_ZIP_MAX_DIRECTORY = 4 * 1024 * 1024
_CFB_MAX_DIRECTORY_SECTORS = 64


@dataclass(frozen=True)
class FileType:
    mime: str
    category: str  # one of core.rules.FILE_CATEGORIES
    ext: str  # canonical extension, no dot


PNG = FileType("image/png", "image", "png")
JPEG = FileType("image/jpeg", "image", "jpg")
GIF = FileType("image/gif", "image", "gif")
WEBP = FileType("image/webp", "image", "webp")
HEIC = FileType("image/heic", "image", "heic")
HEIF = FileType("image/heif", "image", "heic")
PDF = FileType("application/pdf", "pdf", "pdf")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "spreadsheet", "xlsx")
CSV = FileType("text/csv", "spreadsheet", "csv")
EML = FileType("message/rfc822", "email", "eml")
MSG = FileType("application/vnd.ms-outlook", "email", "msg")
TEXT = FileType("text/plain", "text", "txt")
TIFF = FileType("image/tiff", "image", "tif")
BMP = FileType("image/bmp", "image", "bmp")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "document", "docx")
DOC = FileType("application/msword", "document", "doc")
XLS = FileType("application/vnd.ms-excel", "spreadsheet", "xls")
MP4 = FileType("video/mp4", "video", "mp4")
MOV = FileType("video/quicktime", "video", "mov")
M4V = FileType("video/x-m4v", "video", "m4v")
THREE_GP = FileType("video/3gpp", "video", "3gp")
AVI = FileType("video/x-msvideo", "video", "avi")
MKV = FileType("video/x-matroska", "video", "mkv")
WEBM = FileType("video/webm", "video", "webm")
WMV = FileType("video/x-ms-wmv", "video", "wmv")
FLV = FileType("video/x-flv", "video", "flv")
MPEG = FileType("video/mpeg", "video", "mpg")

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
# mif1 is also the base brand of AVIF, which Pillow here does not promise to decode.
_AVIF_BRANDS = {b"avif", b"avis"}
# ISO base media brands of video files (MP4, QuickTime, 3GPP); checked after the image brands.
_VIDEO_BRANDS = {
    b"qt  ": MOV, b"M4V ": M4V, b"M4VH": M4V, b"M4VP": M4V,
    **{b: THREE_GP for b in (b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gs7", b"3ge6", b"3ge7",
                             b"3gg6", b"3g2a", b"3g2b", b"3g2c")},
    **{b: MP4 for b in (b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                        b"avc1", b"dash", b"MSNV", b"NDAS", b"mmp4", b"f4v ", b"XAVC",
                        b"MP4 ")},
}
_ASF_MAGIC = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C")
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"


def ext_of(name: str) -> str:
    """The lower-case extension of a file name, without the dot ("" if none)."""
    suffix = Path(name).suffix
    return suffix[1:].lower() if suffix else ""


def sniff(head: bytes, name: str = "") -> FileType | None:
    """The real type of a file whose first bytes are `head`; None when it is not evidence.

    For zip and OLE containers only what lies inside `head` can be inspected; `sniff_path` looks
    at the whole container.
    """
    return _sniff(head, name, _head_reader(head), None)


def sniff_path(path: Path, name: str | None = None) -> FileType | None:
    """The real type of the file at `path`, reading only its head (and a container's directory).

    `name` stands in for the file's name when `path` is a temporary copy.
    """
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)

        def read_at(offset: int, size: int) -> bytes:
            fh.seek(offset)
            return fh.read(size)

        return _sniff(head, name if name is not None else path.name, read_at, path)


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with Path(path).open("rb") as fh:
        return fh.read(size)


def _head_reader(head: bytes) -> Callable[[int, int], bytes]:
    return lambda offset, size: head[offset:offset + size]


def _sniff(head: bytes, name: str, read_at: Callable[[int, int], bytes],
           path: Path | None) -> FileType | None:
    if not head:
        return None
    binary = _sniff_binary(head, read_at, path)
    if binary is not None:
        return binary or None
    return sniff_text(head, name)[0]


def _sniff_binary(head: bytes, read_at: Callable[[int, int], bytes],
                  path: Path | None) -> FileType | bool | None:
    """A FileType, False for a known container that is not evidence, None if not binary-magic."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _sniff_ftyp(head) or False
    if head[:1] == b"\x00" and head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return MOV  # QuickTime files from older cameras start without an ftyp box
    if _is_tiff(head):
        return TIFF
    if _is_bmp(head):
        return BMP
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return AVI
    if head.startswith(_EBML_MAGIC):
        return WEBM if b"webm" in head[:64] else MKV
    if head.startswith(_ASF_MAGIC):
        return WMV
    if head.startswith(b"FLV\x01"):
        return FLV
    if head.startswith(b"\x00\x00\x01\xba"):
        return MPEG
    # Some PDF writers put a little junk before the header; readers accept it within 1 KB.
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(head, path) or False
    if head.startswith(_CFB_MAGIC):
        return _sniff_cfb(read_at) or False
    return None


def _is_tiff(head: bytes) -> bool:
    if head[:4] not in (b"II*\x00", b"MM\x00*") or len(head) < 16:
        return False
    order = "<" if head[:2] == b"II" else ">"
    (first_ifd,) = struct.unpack(order + "I", head[4:8])
    return first_ifd >= 8


def _is_bmp(head: bytes) -> bool:
    """BM, then a DIB header size one of the known ones: "BM" alone starts plenty of text."""
    if not head.startswith(b"BM") or len(head) < 26:
        return False
    (dib_size,) = struct.unpack("<I", head[14:18])
    return dib_size in (12, 40, 52, 56, 64, 108, 124)


def _sniff_ftyp(head: bytes) -> FileType | None:
    (box_size,) = struct.unpack(">I", head[:4])
    box_size = min(max(box_size, 16), len(head), 256)
    brands = {head[8:12]} | {head[i:i + 4] for i in range(16, box_size - 3, 4)}
    if brands & _AVIF_BRANDS:
        return None
    if brands & _HEIC_BRANDS:
        return HEIC
    if brands & _HEIF_BRANDS:
        return HEIF
    # The major brand decides; a compatible brand list often names several.
    for brand in [head[8:12], *sorted(brands)]:
        if brand in _VIDEO_BRANDS:
            return _VIDEO_BRANDS[brand]
    return None


def _sniff_zip(head: bytes, path: Path | None) -> FileType | None:
    """XLSX or DOCX (Office Open XML packages); any other zip is an archive, not evidence."""
    names = _zip_names_from_directory(path) if path is not None else None
    if names is None:
        names = _zip_names_from_local_headers(head)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return XLSX
    if any(n.startswith("word/") for n in names):
        return DOCX
    return None


def _zip_names_from_directory(path: Path) -> list[str] | None:
    """Member names from the central directory, refusing directories too big to be a workbook."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            tail_len = min(size, 65536 + 22)
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
        eocd = tail.rfind(b"PK\x05\x06")
        if eocd < 0 or len(tail) < eocd + 22:
            return None
        (cd_size,) = struct.unpack("<I", tail[eocd + 12:eocd + 16])
        if cd_size > _ZIP_MAX_DIRECTORY:
            return []
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (OSError, zipfile.BadZipFile, struct.error, ValueError, NotImplementedError):
        return None


def _zip_names_from_local_headers(head: bytes) -> list[str]:
    names: list[str] = []
    pos = 0
    while head.startswith(_ZIP_MAGIC, pos) and pos + 30 <= len(head):
        comp_size, _, name_len, extra_len = struct.unpack("<IIHH", head[pos + 18:pos + 30])
        name = head[pos + 30:pos + 30 + name_len].decode("utf-8", "replace")
        names.append(name)
        flags = struct.unpack("<H", head[pos + 6:pos + 8])[0]
        if flags & 0x08:  # sizes follow the data: cannot skip without inflating; stop here
            break
        pos += 30 + name_len + extra_len + comp_size
    return names


def _sniff_cfb(read_at: Callable[[int, int], bytes]) -> FileType | None:
    """An OLE compound file is told by its streams: an Outlook message holds `__substg1.0_`
    streams, a Word document `WordDocument`, an Excel workbook `Workbook` (or `Book`)."""
    names = _cfb_stream_names(read_at)
    if any(n.startswith("__substg1.0_") or n == "__properties_version1.0" for n in names):
        return MSG
    if "WordDocument" in names:
        return DOC
    if "Workbook" in names or "Book" in names:
        return XLS
    return None


def _cfb_stream_names(read_at: Callable[[int, int], bytes]) -> list[str]:
    """The names in an OLE compound file's directory.

    The directory chain is followed through the FAT sectors listed in the header, bounded.
    """
    header = read_at(0, 512)
    if len(header) < 512:
        return []
    shift = struct.unpack("<H", header[0x1E:0x20])[0]
    if shift not in (9, 12):
        return []
    sector = 1 << shift
    fat_sectors = [s for s in struct.unpack("<109I", header[0x4C:0x200]) if s < 0xFFFFFFFA]

    def sector_at(n: int) -> bytes:
        return read_at((n + 1) * sector, sector)

    def next_sector(n: int) -> int:
        per = sector // 4
        index, slot = divmod(n, per)
        if index >= len(fat_sectors):
            return 0xFFFFFFFE
        data = sector_at(fat_sectors[index])
        if len(data) < (slot + 1) * 4:
            return 0xFFFFFFFE
        return struct.unpack("<I", data[slot * 4:slot * 4 + 4])[0]

    names: list[str] = []
    current = struct.unpack("<I", header[0x30:0x34])[0]
    for _ in range(_CFB_MAX_DIRECTORY_SECTORS):
        if current >= 0xFFFFFFFA:
            break
        data = sector_at(current)
        for off in range(0, len(data) - 127, 128):
            name_len = struct.unpack("<H", data[off + 64:off + 66])[0]
            name = data[off:off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            if name:
                names.append(name)
        current = next_sector(current)
    return names


# ---- text family ---------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_EML_KNOWN = {"from", "to", "subject", "date", "received", "mime-version", "message-id",
              "return-path", "content-type", "delivered-to", "reply-to", "cc", "sender"}
_HEADER_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]")
_CSV_DELIMITERS = (",", "\t", ";", "|")
# Controls other than tab, newline, form feed, carriage return and escape betray binary data.
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def decode_text(head: bytes) -> tuple[str, str] | None:
    """(text, encoding) when `head` reads as text in an encoding sellers' files come in."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            text = _decode_prefix(head, encoding)
            return (text, encoding) if text is not None and _looks_textual(text) else None
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gbk", "gb18030"):
        text = _decode_prefix(head, encoding)
        if text is not None:
            return (text, encoding) if _looks_textual(text) else None
    return None


def _decode_prefix(head: bytes, encoding: str) -> str | None:
    """Decode, tolerating a multi-byte character cut off where the head was read."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _looks_textual(text: str) -> bool:
    if not text.strip():
        return False
    bad = len(_BAD_CONTROL.findall(text))
    return bad <= max(1, len(text) // 1000)


def sniff_text(head: bytes, name: str = "") -> tuple[FileType | None, str | None]:
    """(type, encoding) for a text-family file: EML, CSV or plain text; (None, None) if binary."""
    decoded = decode_text(head)
    if decoded is None:
        return None, None
    text, encoding = decoded
    lines = _complete_lines(text, truncated=len(head) >= HEAD_BYTES)
    ext = ext_of(name)
    if _looks_like_email(lines):
        return EML, encoding
    if ext == "txt":
        return TEXT, encoding
    if ext in ("csv", "tsv") or csv_delimiter(lines) is not None:
        return CSV, encoding
    return TEXT, encoding


def _complete_lines(text: str, *, truncated: bool) -> list[str]:
    lines = text.splitlines()
    if truncated and lines:
        lines.pop()  # probably cut in the middle
    return lines[:40]


def _looks_like_email(lines: list[str]) -> bool:
    known = 0
    header_lines = 0
    for i, line in enumerate(lines):
        if not line.strip():
            break
        if i == 0 and line.startswith("From "):  # mbox separator line
            continue
        if line[:1] in (" ", "\t") and header_lines:
            continue  # folded header
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        header_lines += 1
        known += match.group(1).lower() in _EML_KNOWN
    return known >= 2


def csv_delimiter(lines: list[str]) -> str | None:
    """The delimiter giving every one of the first lines the same number (>= 2) of fields."""
    rows = [line for line in lines[:20] if line.strip()]
    if len(rows) < 2:
        return None
    for delimiter in _CSV_DELIMITERS:
        counts = {len(fields) for fields in csv.reader(rows, delimiter=delimiter)}
        if len(counts) == 1 and counts.pop() >= 2:
            return delimiter
    return None


def describe_unrecognised(head: bytes) -> Message:
    """A human reason for refusing a file `sniff` returned None for."""
    if not head:
        return Message("empty file")
    if head.startswith(_ZIP_MAGIC):
        return Message("a ZIP archive that is not a Word or Excel document (add the files "
                       "inside it instead)")
    if head.startswith(_CFB_MAGIC):
        return Message("an old Microsoft Office file that is not a Word document, an Excel "
                       "workbook or an Outlook message")
    if head[4:8] == b"ftyp":
        return Message("an AVIF image or a kind of video this desk does not know")
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf"):
        return Message("an archive (add the files inside it instead)")
    return Message("not a recognised evidence file (looks like binary data)")
