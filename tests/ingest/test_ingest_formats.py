"""Formats evidence really arrives in: TIFF scans, BMP, Word files and videos; broken EXIF/APNG."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import factories as f
import pytest
from PIL import Image

from evidence_desk.ingest import probe
from evidence_desk.ingest.thumbs import ThumbnailUnavailable, make_thumbnail
from evidence_desk.ingest.video_poster import decoder

NOW = datetime(2026, 12, 1, 9, 0)


# ---- generators ----------------------------------------------------------------------------

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
    good = f.photo(path.with_name("full-" + path.name), when=datetime(2024, 3, 5, 14, 30))
    data = good.read_bytes()
    at = data.index(b"Exif\x00\x00")
    (seg_len,) = struct.unpack(">H", data[at - 2:at])
    payload = data[at:at - 2 + seg_len][:keep]
    path.write_bytes(data[:at - 2] + struct.pack(">H", len(payload) + 2) + payload
                     + data[at - 2 + seg_len:])
    return path


# ---- TIFF and BMP --------------------------------------------------------------------------

@pytest.mark.parametrize("compression", ["tiff_deflate", "group4", "raw"])
def test_multi_page_tiff_is_an_image_with_its_page_count(tmp_path: Path,
                                                         compression: str) -> None:
    path = tiff_pages(tmp_path / "营业执照.tif", 3, compression)
    found = probe(path, now=NOW)
    assert (found.filetype.ext, found.filetype.category, found.pages) == ("tif", "image", 3)
    assert (found.width, found.height) == (620, 877)
    assert "animated" not in found.flags and "damaged_image" not in found.flags
    assert found.suggested_kind == "identity_document"  # 营业执照: business licence
    w, h = make_thumbnail(path, tmp_path / "t.jpg", 256)
    assert max(w, h) == 256


def test_single_page_tiff_and_tiff_extension(tmp_path: Path) -> None:
    found = probe(tiff_pages(tmp_path / "scan.tiff", 1), now=NOW)
    assert found.pages == 1 and "wrong_extension" not in found.flags


def test_bmp_is_an_image_with_a_thumbnail(tmp_path: Path) -> None:
    path = tmp_path / "截图.bmp"
    Image.new("RGB", (1280, 720), (10, 120, 200)).save(path, "BMP")
    found = probe(path, now=NOW)
    assert (found.filetype.ext, found.filetype.mime, found.width) == ("bmp", "image/bmp", 1280)
    make_thumbnail(path, tmp_path / "t.jpg", 128)
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.size == (128, 72)
        r, g, b = thumb.getpixel((64, 36))
        assert abs(r - 10) < 8 and abs(b - 200) < 8


def test_text_starting_with_bm_is_not_a_bmp(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("BM meeting notes: the buyer agreed to pay by Friday.\n", "utf-8")
    assert probe(path, now=NOW).filetype.ext == "txt"


# ---- Word --------------------------------------------------------------------------------

def test_docx_is_a_word_document_not_a_refused_zip(tmp_path: Path) -> None:
    found = probe(docx(tmp_path / "买家确认函.docx"), now=NOW)
    assert (found.filetype.category, found.filetype.ext) == ("document", "docx")
    assert found.filetype.mime.endswith("wordprocessingml.document")


def test_docx_words_guide_the_kind(tmp_path: Path) -> None:
    found = probe(docx(tmp_path / "letter.docx", "Tracking number and waybill of the carrier"),
                  now=NOW)
    assert found.suggested_kind == "logistics_record"


def test_doc_is_sniffed_from_its_ole_streams(tmp_path: Path) -> None:
    path = tmp_path / "确认函.doc"
    path.write_bytes(f._cfb(["WordDocument", "1Table"]))
    found = probe(path, now=NOW)
    assert (found.filetype.category, found.filetype.ext, found.filetype.mime) == (
        "document", "doc", "application/msword")
    renamed = tmp_path / "letter.xls"
    shutil.copy(path, renamed)
    assert "wrong_extension" in probe(renamed, now=NOW).flags


# ---- videos --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "make", "ext"), [
    ("开箱视频.mp4", lambda p: iso_video(p, b"isom", (b"isom", b"iso2", b"mp41")), "mp4"),
    ("VID_20240205_153628.mp4", lambda p: iso_video(p, b"mp42", (b"mp42", b"isom")), "mp4"),
    ("IMG_0420.MOV", lambda p: iso_video(p, b"qt  ", (b"qt  ",)), "mov"),
    ("clip.3gp", lambda p: iso_video(p, b"3gp4", (b"3gp4", b"isom")), "3gp"),
    ("clip.avi", avi, "avi"),
    ("clip.mkv", mkv, "mkv"),
    ("clip.webm", lambda p: mkv(p, b"webm"), "webm"),
])
def test_videos_are_kept_and_marked_not_uploadable(tmp_path: Path, name: str, make,
                                                   ext: str) -> None:
    path = make(tmp_path / name)
    found = probe(path, now=NOW)
    assert (found.filetype.category, found.filetype.ext) == ("video", ext)
    assert "video_not_uploadable" in found.flags
    assert "wrong_extension" not in found.flags
    assert found.suggested_kind == "product_photo"  # an unboxing video, by default


def test_video_named_like_a_phone_recording_is_dated_by_its_name(tmp_path: Path) -> None:
    found = probe(iso_video(tmp_path / "VID_20240205_153628.mp4", b"mp42"), now=NOW)
    assert (found.captured_at, found.captured_from) == (datetime(2024, 2, 5, 15, 36, 28),
                                                        "file_name")


def test_video_renamed_as_a_picture_is_flagged(tmp_path: Path) -> None:
    found = probe(iso_video(tmp_path / "photo.jpg", b"isom"), now=NOW)
    assert found.filetype.category == "video" and "wrong_extension" in found.flags


@pytest.mark.skipif(decoder() is not None, reason="a video decoder is installed here")
def test_no_decoder_means_no_poster_and_nothing_worse(tmp_path: Path) -> None:
    with pytest.raises(ThumbnailUnavailable, match="ffmpeg"):
        make_thumbnail(iso_video(tmp_path / "v.mp4", b"isom"), tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()


# ---- broken EXIF and APNG ----------------------------------------------------------------

def test_truncated_exif_block_loses_only_the_exif(tmp_path: Path) -> None:
    full = len(f.photo_exif(when=datetime(2024, 3, 5, 14, 30)).tobytes()) + 6
    for keep in range(0, full, 3):
        path = truncated_exif_jpeg(tmp_path / f"cut{keep}.jpg", keep)
        found = probe(path, now=NOW)  # never Refused
        assert found.filetype.ext == "jpg" and "damaged_image" not in found.flags, keep
        make_thumbnail(path, tmp_path / f"cut{keep}-t.jpg", 64)


def test_truncated_exif_block_in_the_middle_of_a_tag(tmp_path: Path) -> None:
    # Cut inside the first IFD's entry count: the case the EXIF reader used to fail on.
    found = probe(truncated_exif_jpeg(tmp_path / "cut.jpg", 11), now=NOW)
    assert found.captured_from in ("file", "file_name")


def test_apng_with_no_frames_is_flagged_damaged(tmp_path: Path) -> None:
    found = probe(apng(tmp_path / "anim.png", frames_declared=0), now=NOW)
    assert "damaged_image" in found.flags


def test_good_apng_is_animated_not_damaged(tmp_path: Path) -> None:
    found = probe(apng(tmp_path / "anim.png"), now=NOW)
    assert "animated" in found.flags and "damaged_image" not in found.flags


def test_apng_whose_frame_data_is_cut_is_flagged_damaged(tmp_path: Path) -> None:
    data = apng(tmp_path / "full.png").read_bytes()
    # Cut the last frame's data chunk and close the file properly: only decoding shows it.
    at = data.rindex(b"fdAT")
    (length,) = struct.unpack(">I", data[at - 4:at])
    short = data[at + 4:at + 4 + length // 2]
    broken = (data[:at - 4] + struct.pack(">I", len(short)) + b"fdAT" + short
              + struct.pack(">I", zlib.crc32(b"fdAT" + short) & 0xFFFFFFFF)
              + data[at + 8 + length:])
    (tmp_path / "cut.png").write_bytes(broken)
    assert "damaged_image" in probe(tmp_path / "cut.png", now=NOW).flags


# ---- EXIF time-zone offset -----------------------------------------------------------------

def test_iphone_photo_keeps_its_local_time_and_offset(tmp_path: Path) -> None:
    path = f.photo(tmp_path / "IMG_0420.JPG", when=datetime(2026, 3, 1, 12, 55), make="Apple",
                   offset="+01:00")
    found = probe(path, now=NOW)
    assert (found.captured_at, found.captured_offset, found.captured_from) == (
        datetime(2026, 3, 1, 12, 55), 60, "exif")


@pytest.mark.parametrize("offset", ["+25:00", "+01:75", "garbage", "   "])
def test_nonsense_offsets_are_ignored(tmp_path: Path, offset: str) -> None:
    path = f.photo(tmp_path / "p.jpg", when=datetime(2026, 3, 1, 12, 55), offset=offset)
    found = probe(path, now=NOW)
    assert (found.captured_at, found.captured_offset) == (datetime(2026, 3, 1, 12, 55), None)


def test_tiff_cut_short_is_flagged_damaged(tmp_path: Path) -> None:
    full = tiff_pages(tmp_path / "full.tif", 1, "raw").read_bytes()
    (tmp_path / "cut.tif").write_bytes(full[: len(full) // 2])
    found = probe(tmp_path / "cut.tif", now=NOW)
    assert "damaged_image" in found.flags
    assert "damaged_image" not in probe(tmp_path / "full.tif", now=NOW).flags


def test_a_few_tiff_bytes_are_not_a_crash() -> None:
    from evidence_desk.ingest.sniff import sniff

    assert sniff(b"II*\x00") is None
