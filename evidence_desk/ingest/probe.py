"""Look at one file before it is taken in: its real type, size, capture time, problems and kind.

Everything here reads headers and tails only. A 12-MP photo is never decoded; images are fully
decoded only when they are small and their format has no cheap end-of-file check.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import stat
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image

from evidence_desk.i18n import Message
from evidence_desk.ingest import kinds as kinds_mod
from evidence_desk.ingest.doc_text import docx_text
from evidence_desk.ingest.imaging import Refused, open_image
from evidence_desk.ingest.name_times import time_from_name
from evidence_desk.ingest.sniff import (
    HEAD_BYTES,
    FileType,
    describe_unrecognised,
    ext_of,
    sniff_path,
    sniff_text,
)

# Codes put in Probe.flags (and stored with the evidence), with the sentence the UI can show.
FLAG_MESSAGES: dict[str, str] = {
    "damaged_image": "The image is truncated or damaged; part of it may be missing.",
    "future_capture": "The capture time lies in the future; check the camera or phone clock.",
    "animated": "Animated image: only the first frame appears in thumbnails and the dossier.",
    "no_exif_time": "No capture time inside the file; the file's modification time is used.",
    "time_from_name": "No capture time inside the file; the time in its file name is used.",
    "video_not_uploadable": "A video: kept as evidence, but the platform takes no video "
                            "attachments, so it cannot be uploaded as it is.",
    "cmyk": "CMYK image (print colours); colours may shift slightly on screen.",
    "high_bit_depth": "More than 8 bits per channel; previews are reduced to 8 bits.",
    "has_gps": "The photo records a GPS location, which the other party would see.",
    "wrong_extension": "The file name's extension does not match its real type.",
    "encrypted_pdf": "The PDF is encrypted; its pages may not open in the dossier.",
    "damaged_pdf": "The PDF has no proper end; it may be truncated.",
    "deceptive_name": "The file name holds invisible direction controls that can disguise its "
                      "real extension (e.g. 'invoice\u202egnp.exe' shows as 'invoiceexe.png').",
}

# Bidirectional controls reorder how a name is shown, so "x\u202egnp.exe" reads as "xexe.png".
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

SMALL_FILE = 20 * 1024 * 1024
# Cameras without a time zone write local time; a clock in another zone can run this far ahead.
_FUTURE_SLACK = timedelta(hours=14)
_IMAGE_EXTS = {"png", "jpg", "jpeg", "jpe", "jfif", "gif", "webp", "heic", "heif", "bmp",
               "dib", "tif", "tiff"}
_VIDEO_EXTS = {"mp4", "m4v", "mov", "qt", "3gp", "3g2", "avi", "mkv", "webm", "wmv", "asf",
               "flv", "mpg", "mpeg"}
_DECLARED_CATEGORY = {
    **{e: "image" for e in _IMAGE_EXTS},
    **{e: "video" for e in _VIDEO_EXTS},
    "pdf": "pdf", "xlsx": "spreadsheet", "xls": "spreadsheet", "msg": "email",
    "doc": "document", "docx": "document", "zip": "archive", "rar": "archive",
}
_TEXT_FAMILY = {"txt", "csv", "eml"}
_NOUN = {"image": Message("an image"), "pdf": Message("a PDF"),
         "spreadsheet": Message("a spreadsheet"), "email": Message("an Outlook message"),
         "document": Message("a Word document"), "archive": Message("an archive"),
         "video": Message("a video")}

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_ORIGINAL = 0x9011
_TAG_OFFSET = 0x9010
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Probe:
    filetype: FileType
    # Size as the picture is shown, i.e. after `orientation` is applied; None for non-images.
    width: int | None
    height: int | None
    # EXIF orientation 1-8 still to be applied to the stored pixels (HEIC decodes upright: 1).
    orientation: int
    # Naive wall time as the camera, phone or file name recorded it (never shifted to a zone).
    captured_at: datetime | None
    captured_from: str  # "exif", "file_name" or "file"
    flags: tuple[str, ...]
    suggested_kind: str
    pages: int | None = None
    text_encoding: str | None = None
    size: int = 0
    camera: str = ""  # EXIF make and model, "" when none
    # Minutes east of UTC at which `captured_at` was taken, when the EXIF records it.
    captured_offset: int | None = None


@dataclass
class _ImageFacts:
    width: int
    height: int
    orientation: int = 1
    exif_time: datetime | None = None
    exif_offset: int | None = None  # minutes east of UTC
    camera: str = ""
    has_exif: bool = False
    frames: int = 1


def probe(path: Path, *, now: datetime | None = None,
          kinds: kinds_mod.KindsArg | None = None, name: str | None = None) -> Probe:
    """Describe the file at `path`; raise Refused with a human reason if it cannot be evidence.

    `kinds` is the rules in force (`Rules.kinds`, or kind key -> accepted file categories;
    the shipped rules when None), so the suggested kind is always one they accept.
    `now` (default: the local clock) decides what counts as a capture time in the future.
    `name` is the name the user knows the file by, when `path` is a staged or temporary copy;
    it drives the extension check and the kind hints.
    """
    path = Path(path)
    name = name if name is not None else path.name
    st = _stat_regular(path)
    if st.st_size == 0:
        raise Refused(Message("empty file"))
    now = _local_naive(now) if now is not None else datetime.now()
    try:
        head = _read(path, 0, HEAD_BYTES)
        filetype = sniff_path(path, name=name)
    except OSError as exc:
        raise Refused(Message("cannot read the file ({why})", why=exc.strerror or str(exc))) from None
    if filetype is None:
        raise Refused(describe_unrecognised(head))
    flags: list[str] = []
    _check_extension(name, filetype, flags)
    if _BIDI_CONTROLS.intersection(name):
        flags.append("deceptive_name")
    try:
        found = _inspect(path, name, filetype, head, st.st_size, flags)
    except OSError as exc:
        raise Refused(Message("cannot read the file ({why})", why=exc.strerror or str(exc))) from None
    facts = found.image

    captured_at, captured_from = _capture_time(facts, st, name, now)
    if captured_from == "file_name":
        flags[:] = [f for f in flags if f != "no_exif_time"]
        flags.append("time_from_name")
    if filetype.category == "video":
        flags.append("video_not_uploadable")
    offset = facts.exif_offset if facts and captured_from == "exif" else None
    if captured_at is not None and _as_local(captured_at, offset) > now + _FUTURE_SLACK:
        flags.append("future_capture")
    suggestion = kinds_mod.suggest_kind(kinds_mod.Clues(
        name=name, filetype=filetype,
        width=facts.width if facts else None, height=facts.height if facts else None,
        camera=bool(facts and facts.camera), has_exif=bool(facts and facts.has_exif),
        content_text=found.content_text,
    ), kinds)
    return Probe(
        filetype=filetype,
        width=facts.width if facts else None,
        height=facts.height if facts else None,
        orientation=facts.orientation if facts else 1,
        captured_at=captured_at,
        captured_from=captured_from,
        flags=tuple(dict.fromkeys(flags)),
        suggested_kind=suggestion,
        pages=found.pages,
        text_encoding=found.encoding,
        size=st.st_size,
        camera=facts.camera if facts else "",
        captured_offset=offset,
    )


@dataclass
class _Found:
    image: _ImageFacts | None = None
    pages: int | None = None
    encoding: str | None = None
    content_text: str = ""  # spreadsheet headers or words in a PDF, for the kind guess


def _inspect(path: Path, name: str, filetype: FileType, head: bytes, size: int,
             flags: list[str]) -> _Found:
    if filetype.category == "image":
        facts = _probe_image(path, filetype, size, flags)
        # A multi-page TIFF (a fax, a scanned contract) is several exhibit pages.
        return _Found(image=facts, pages=facts.frames if filetype.ext == "tif" else None)
    if filetype.category == "pdf":
        pages, words = _probe_pdf(path, size, flags)
        return _Found(pages=pages, content_text=words)
    if filetype.ext == "xlsx":
        return _Found(content_text=_xlsx_strings(path))
    if filetype.ext == "docx":
        return _Found(content_text=docx_text(path))
    if filetype.ext in _TEXT_FAMILY:
        encoding = sniff_text(head, name)[1]
        headers = _first_line(head, encoding) if filetype.ext == "csv" else ""
        return _Found(encoding=encoding, content_text=headers)
    return _Found()


def _stat_regular(path: Path) -> os.stat_result:
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise Refused(Message("no such file")) from None
    except OSError as exc:
        raise Refused(Message("cannot read the file ({why})", why=exc.strerror or str(exc))) from None
    if stat.S_ISLNK(st.st_mode):
        raise Refused(Message("symbolic link: not followed"))
    if stat.S_ISDIR(st.st_mode):
        raise Refused(Message("a folder, not a file"))
    if not stat.S_ISREG(st.st_mode):
        raise Refused(Message("not a regular file"))
    return st


def _read(path: Path, offset: int, size: int) -> bytes:
    with path.open("rb") as fh:
        if offset < 0:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() + offset))
        else:
            fh.seek(offset)
        return fh.read(size)


def _local_naive(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _as_local(wall: datetime, offset: int | None) -> datetime:
    """The desk's local time at the moment a clock `offset` minutes east of UTC showed `wall`."""
    if offset is None:
        return wall
    return wall.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone().replace(
        tzinfo=None)


def _check_extension(name: str, filetype: FileType, flags: list[str]) -> None:
    """Refuse text posing as a binary format; merely flag one binary format named as another."""
    ext = ext_of(name)
    declared = _DECLARED_CATEGORY.get(ext)
    if declared is None:
        return
    if filetype.ext in _TEXT_FAMILY:
        if declared in _NOUN:
            raise Refused(Message("file says .{ext} but its content is plain text, not {noun}",
                                  ext=ext, noun=_NOUN[declared]))
        return
    if declared != filetype.category or (declared == "image" and ext not in _same_ext(filetype)):
        flags.append("wrong_extension")


def _same_ext(filetype: FileType) -> set[str]:
    return {"jpg": {"jpg", "jpeg", "jpe", "jfif"}, "heic": {"heic", "heif"},
            "tif": {"tif", "tiff"}, "bmp": {"bmp", "dib"}}.get(filetype.ext, {filetype.ext})


# ---- images --------------------------------------------------------------------------------

def _probe_image(path: Path, filetype: FileType, size: int, flags: list[str]) -> _ImageFacts:
    try:
        with open_image(path, filetype.ext) as im:
            facts = _image_facts(im, filetype)
            _image_flags(im, path, filetype, size, flags)
    except Image.DecompressionBombError:
        # A GIF frame can declare more than its screen; Pillow checks it while seeking.
        raise Refused(Message("image has a frame too large to open safely")) from None
    if facts.exif_time is None:
        flags.append("no_exif_time")
    return facts


def _exif_of(im: Image.Image) -> Image.Exif | None:
    # Reading the EXIF from info avoids getexif(), which makes a PNG decode all its pixels.
    raw = im.info.get("exif")
    if not raw:
        return None
    exif = Image.Exif()
    try:
        exif.load(raw)
    except Exception:  # noqa: BLE001 - a broken EXIF block loses the EXIF, never the file
        return None
    return exif


def _exif_for(im: Image.Image, filetype: FileType) -> Image.Exif | None:
    if filetype.ext == "tif":
        # TIFF tags are the EXIF; reading them decodes no pixels.
        try:
            exif = im.getexif()
        except Exception:  # noqa: BLE001
            return None
        return exif if len(exif) else None
    return _exif_of(im)


def _image_facts(im: Image.Image, filetype: FileType) -> _ImageFacts:
    width, height = im.size
    # Counting frames walks a GIF's whole data; only a TIFF's pages matter here.
    facts = _ImageFacts(width=width, height=height,
                        frames=_frame_count(im) if filetype.ext == "tif" else 1)
    exif = _exif_for(im, filetype)
    if exif is None:
        return facts
    # Truncated or malformed EXIF loses the EXIF (what was read before the fault), never the file.
    with contextlib.suppress(Exception):
        _read_exif(exif, filetype, facts)
    return facts


def _frame_count(im: Image.Image) -> int:
    try:
        return max(1, int(getattr(im, "n_frames", 1)))
    except Exception:  # noqa: BLE001 - a broken page chain: the first page is what there is
        return 1


def _read_exif(exif: Image.Exif, filetype: FileType, facts: _ImageFacts) -> None:
    width, height = facts.width, facts.height
    facts.has_exif = True
    orientation = exif.get(_TAG_ORIENTATION, 1)
    # pillow-heif already turns HEIC pixels upright and resets the tag; a scanner's TIFF tag is
    # not applied by the previews either, so neither is recorded as still to apply.
    if filetype.ext not in ("heic", "tif") and isinstance(orientation, int) and 1 <= orientation <= 8:
        facts.orientation = orientation
    if facts.orientation in (5, 6, 7, 8):
        facts.width, facts.height = height, width
    make = _clean(exif.get(_TAG_MAKE))
    model = _clean(exif.get(_TAG_MODEL))
    facts.camera = model if make and model.lower().startswith(make.lower()) else \
        " ".join(p for p in (make, model) if p)
    facts.exif_time, facts.exif_offset = _exif_time(exif)


def _clean(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip("\x00 \t") if value is not None else ""


_EXIF_TIME = re.compile(r"(\d{4})[:\-](\d\d)[:\-](\d\d)[ T](\d\d):(\d\d):(\d\d)")
_OFFSET = re.compile(r"([+-])(\d\d):(\d\d)")


def _exif_time(exif: Image.Exif) -> tuple[datetime | None, int | None]:
    """The time the photo was taken, as its clock showed it, and that clock's UTC offset.

    The wall time is kept as taken: an iPhone photo from 12:55 in Paris stays 12:55, with
    +60 minutes beside it, wherever the desk is.
    """
    sub = exif.get_ifd(_EXIF_IFD)
    for value, offset in ((sub.get(_TAG_DATETIME_ORIGINAL), sub.get(_TAG_OFFSET_ORIGINAL)),
                          (exif.get(_TAG_DATETIME), sub.get(_TAG_OFFSET))):
        moment = _parse_exif_time(_clean(value))
        if moment is not None:
            return moment, parse_offset(_clean(offset))
    return None, None


def _parse_exif_time(value: str) -> datetime | None:
    match = _EXIF_TIME.match(value)
    if not match:
        return None  # includes the "0000:00:00 00:00:00" some cameras write when unset
    try:
        return datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_offset(text: str) -> int | None:
    """Minutes east of UTC from an EXIF offset such as "+01:00" or "-05:30"; None if invalid."""
    off = _OFFSET.fullmatch(text)
    if not off:
        return None
    minutes = int(off.group(2)) * 60 + int(off.group(3))
    if int(off.group(3)) >= 60 or minutes > 14 * 60:
        return None
    return minutes if off.group(1) == "+" else -minutes


def _image_flags(im: Image.Image, path: Path, filetype: FileType, size: int,
                 flags: list[str]) -> None:
    if im.mode == "CMYK":
        flags.append("cmyk")
    if _high_bit_depth(im, path, filetype):
        flags.append("high_bit_depth")
    # A TIFF's frames are pages, shown one by one, not an animation.
    if getattr(im, "is_animated", False) and filetype.ext != "tif":
        flags.append("animated")
    exif = _exif_for(im, filetype)
    try:
        if exif is not None and exif.get_ifd(_GPS_IFD):
            flags.append("has_gps")
    except Exception:  # noqa: BLE001 - an unreadable GPS block is no GPS block
        pass
    if _looks_damaged(im, path, filetype, size) or (
            filetype.ext == "png" and _apng_broken(im, path, size)):
        flags.append("damaged_image")


def _tiff_data_present(im: Image.Image, size: int) -> bool:
    """Every strip or tile of a TIFF's first page lies inside the file (a scan cut short
    fails this), read from its tags without decoding a 600-dpi page."""
    tags = getattr(im, "tag_v2", None)
    if tags is None:
        return False
    for offsets_tag, counts_tag in ((273, 279), (324, 325)):  # strips, tiles
        offsets, counts = tags.get(offsets_tag), tags.get(counts_tag)
        if offsets is None or counts is None:
            continue
        offsets = offsets if isinstance(offsets, tuple) else (offsets,)
        counts = counts if isinstance(counts, tuple) else (counts,)
        return len(offsets) == len(counts) > 0 and all(
            isinstance(o, int) and isinstance(c, int) and o > 0 and o + c <= size
            for o, c in zip(offsets, counts, strict=True))
    return False


def _high_bit_depth(im: Image.Image, path: Path, filetype: FileType) -> bool:
    if im.mode.startswith(("I", "F")):
        return True
    if filetype.ext == "png":
        # Pillow quietly reads 16-bit RGB PNGs as 8-bit RGB; the IHDR tells the truth.
        return _read(path, 24, 1) == b"\x10"
    return int(im.info.get("bit_depth", 8)) > 8


def _looks_damaged(im: Image.Image, path: Path, filetype: FileType, size: int) -> bool:
    """Cheap end-of-file checks first; a full decode only for small files that fail them."""
    if filetype.ext == "heic":
        # Decoding HEIC costs ~0.4 s per photo; the thumbnail will show any damage.
        return False
    tail = _read(path, -65536, 65536).rstrip(b"\x00\r\n\t ")
    intact_end = {
        "jpg": tail.endswith(b"\xff\xd9"),
        "png": b"IEND" in tail[-12:],
        "gif": tail.endswith(b"\x3b"),
        # RIFF states its own length: a shorter file lost its end.
        "webp": int.from_bytes(_read(path, 4, 4), "little") + 8 <= size,
        "tif": _tiff_data_present(im, size),
    }.get(filetype.ext, False)
    if intact_end:
        return False
    if size >= SMALL_FILE:
        # Too big to decode here; only trust a trailer found somewhere near the end.
        marker = {"jpg": b"\xff\xd9", "png": b"IEND"}.get(filetype.ext)
        return marker is not None and marker not in tail
    try:
        im.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        return True
    return False


_ACTL = re.compile(rb"acTL(....)", re.DOTALL)


def _apng_broken(im: Image.Image, path: Path, size: int) -> bool:
    """An APNG whose animation cannot be played: no frames declared, or a frame that fails.

    Pillow quietly falls back to the still image for such files, so without this check they
    would go in with no word; the dossier and viewers cannot rely on them.
    """
    head = _read(path, 0, 4096)
    found = _ACTL.search(head)
    if found is None:
        return False
    if int.from_bytes(found.group(1), "big") == 0 or not getattr(im, "is_animated", False):
        return True
    if size >= SMALL_FILE:
        return False
    try:
        for frame in range(im.n_frames):
            im.seek(frame)
            im.load()
        im.seek(0)
    except (OSError, SyntaxError, ValueError, EOFError):
        return True
    return False


# ---- PDF, spreadsheets, text ---------------------------------------------------------------

_PDF_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_LITERAL = re.compile(rb"\(((?:[^()\\]|\\.){1,200})\)")
_PDF_MAX_STREAMS = 12
_PDF_MAX_INFLATE = 256 * 1024


def _probe_pdf(path: Path, size: int, flags: list[str]) -> tuple[int | None, str]:
    tail = _read(path, -2048, 2048)
    if b"%%EOF" not in tail:
        flags.append("damaged_pdf")
    if b"/Encrypt" in tail:
        flags.append("encrypted_pdf")
    if size >= SMALL_FILE:
        return None, ""
    data = _read(path, 0, size)
    if b"/Encrypt" in data and "encrypted_pdf" not in flags:
        flags.append("encrypted_pdf")
    counts = [int(a or b) for a, b in _PDF_COUNT.findall(data)]
    pages = max(counts) if counts else None
    return pages, _pdf_words(data)


def _pdf_words(data: bytes) -> str:
    """Literal strings from the first few page streams and the info dictionary.

    Enough to spot "Waybill" or "Tracking No." on a carrier's PDF; text in embedded CJK fonts
    is glyph codes and is not recoverable this way, which the file name usually makes up for.
    """
    chunks = [data[:4096]]
    for count, match in enumerate(_PDF_STREAM.finditer(data)):
        if count >= _PDF_MAX_STREAMS:
            break
        dictionary = data[max(0, match.start() - 300):match.start()]
        end = data.find(b"endstream", match.end(), match.end() + _PDF_MAX_INFLATE)
        raw = data[match.end():end if end > 0 else match.end() + _PDF_MAX_INFLATE]
        chunks.append(_pdf_unfilter(dictionary, raw))
    words = [m.group(1) for c in chunks for m in _PDF_LITERAL.finditer(c)]
    return b" ".join(words).decode("latin-1")[:20000]


def _pdf_unfilter(dictionary: bytes, raw: bytes) -> bytes:
    """Undo the two filters text streams come in (reportlab uses both); images stay as they are."""
    if b"/Subtype /Image" in dictionary or b"/Subtype/Image" in dictionary:
        return b""
    try:
        if b"ASCII85Decode" in dictionary:
            raw = base64.a85decode(raw.split(b"~>")[0].strip())
        if b"FlateDecode" in dictionary:
            raw = zlib.decompressobj().decompress(raw, _PDF_MAX_INFLATE)
    except (ValueError, zlib.error):
        return b""
    return raw


def _first_line(head: bytes, encoding: str | None) -> str:
    text = head.decode(encoding or "utf-8", "replace")
    return text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""


def _xlsx_strings(path: Path) -> str:
    """Cell text from the shared strings and the first sheet (inline strings), bounded."""
    import zipfile

    texts = []
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            sheets = sorted(n for n in names if n.startswith("xl/worksheets/"))
            for member in ["xl/sharedStrings.xml", *sheets[:1]]:
                if member in names:
                    with zf.open(member) as fh:
                        xml = fh.read(256 * 1024).decode("utf-8", "replace")
                    texts += re.findall(r"<t[^>]*>([^<]*)</t>", xml)
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, RuntimeError):
        return ""
    return " ".join(texts)[:20000]


def _capture_time(facts: _ImageFacts | None, st: os.stat_result, name: str,
                  now: datetime) -> tuple[datetime | None, str]:
    """EXIF first, then a time the file name records, then the file's modification time."""
    if facts is not None and facts.exif_time is not None:
        return facts.exif_time, "exif"
    from_name = time_from_name(name, now)
    if from_name is not None:
        return from_name, "file_name"
    return datetime.fromtimestamp(st.st_mtime), "file"
