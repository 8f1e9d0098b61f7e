"""Formats evidence really arrives in: TIFF scans, BMP, Word files and videos; broken EXIF/APNG."""

from __future__ import annotations

import shutil
import struct
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


# ---- TIFF and BMP --------------------------------------------------------------------------

@pytest.mark.parametrize("compression", ["tiff_deflate", "group4", "raw"])
def test_multi_page_tiff_is_an_image_with_its_page_count(tmp_path: Path,
                                                         compression: str) -> None:
    path = f.tiff_pages(tmp_path / "营业执照.tif", 3, compression)
    found = probe(path, now=NOW)
    assert (found.filetype.ext, found.filetype.category, found.pages) == ("tif", "image", 3)
    assert (found.width, found.height) == (620, 877)
    assert "animated" not in found.flags and "damaged_image" not in found.flags
    assert found.suggested_kind == "identity_document"  # 营业执照: business licence
    w, h = make_thumbnail(path, tmp_path / "t.jpg", 256)
    assert max(w, h) == 256


def test_single_page_tiff_and_tiff_extension(tmp_path: Path) -> None:
    found = probe(f.tiff_pages(tmp_path / "scan.tiff", 1), now=NOW)
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
    found = probe(f.docx(tmp_path / "买家确认函.docx"), now=NOW)
    assert (found.filetype.category, found.filetype.ext) == ("document", "docx")
    assert found.filetype.mime.endswith("wordprocessingml.document")


def test_docx_words_guide_the_kind(tmp_path: Path) -> None:
    found = probe(f.docx(tmp_path / "letter.docx", "Tracking number and waybill of the carrier"),
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
    ("开箱视频.mp4", lambda p: f.iso_video(p, b"isom", (b"isom", b"iso2", b"mp41")), "mp4"),
    ("VID_20240205_153628.mp4", lambda p: f.iso_video(p, b"mp42", (b"mp42", b"isom")), "mp4"),
    ("IMG_0420.MOV", lambda p: f.iso_video(p, b"qt  ", (b"qt  ",)), "mov"),
    ("clip.3gp", lambda p: f.iso_video(p, b"3gp4", (b"3gp4", b"isom")), "3gp"),
    ("clip.avi", f.avi, "avi"),
    ("clip.mkv", f.mkv, "mkv"),
    ("clip.webm", lambda p: f.mkv(p, b"webm"), "webm"),
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
    found = probe(f.iso_video(tmp_path / "VID_20240205_153628.mp4", b"mp42"), now=NOW)
    assert (found.captured_at, found.captured_from) == (datetime(2024, 2, 5, 15, 36, 28),
                                                        "file_name")


def test_video_renamed_as_a_picture_is_flagged(tmp_path: Path) -> None:
    found = probe(f.iso_video(tmp_path / "photo.jpg", b"isom"), now=NOW)
    assert found.filetype.category == "video" and "wrong_extension" in found.flags


@pytest.mark.skipif(decoder() is not None, reason="a video decoder is installed here")
def test_no_decoder_means_no_poster_and_nothing_worse(tmp_path: Path) -> None:
    with pytest.raises(ThumbnailUnavailable, match="ffmpeg"):
        make_thumbnail(f.iso_video(tmp_path / "v.mp4", b"isom"), tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()


# ---- broken EXIF and APNG ----------------------------------------------------------------

def test_truncated_exif_block_loses_only_the_exif(tmp_path: Path) -> None:
    full = len(f.photo_exif(when=datetime(2024, 3, 5, 14, 30)).tobytes()) + 6
    for keep in range(0, full, 3):
        path = f.truncated_exif_jpeg(tmp_path / f"cut{keep}.jpg", keep)
        found = probe(path, now=NOW)  # never Refused
        assert found.filetype.ext == "jpg" and "damaged_image" not in found.flags, keep
        make_thumbnail(path, tmp_path / f"cut{keep}-t.jpg", 64)


def test_truncated_exif_block_in_the_middle_of_a_tag(tmp_path: Path) -> None:
    # Cut inside the first IFD's entry count: the case the EXIF reader used to fail on.
    found = probe(f.truncated_exif_jpeg(tmp_path / "cut.jpg", 11), now=NOW)
    assert found.captured_from in ("file", "file_name")


def test_apng_with_no_frames_is_flagged_damaged(tmp_path: Path) -> None:
    found = probe(f.apng(tmp_path / "anim.png", frames_declared=0), now=NOW)
    assert "damaged_image" in found.flags


def test_good_apng_is_animated_not_damaged(tmp_path: Path) -> None:
    found = probe(f.apng(tmp_path / "anim.png"), now=NOW)
    assert "animated" in found.flags and "damaged_image" not in found.flags


def test_apng_whose_frame_data_is_cut_is_flagged_damaged(tmp_path: Path) -> None:
    data = f.apng(tmp_path / "full.png").read_bytes()
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
    full = f.tiff_pages(tmp_path / "full.tif", 1, "raw").read_bytes()
    (tmp_path / "cut.tif").write_bytes(full[: len(full) // 2])
    found = probe(tmp_path / "cut.tif", now=NOW)
    assert "damaged_image" in found.flags
    assert "damaged_image" not in probe(tmp_path / "full.tif", now=NOW).flags


def test_a_few_tiff_bytes_are_not_a_crash() -> None:
    from evidence_desk.ingest.sniff import sniff

    assert sniff(b"II*\x00") is None


def test_docx_text_reads_paragraphs_in_order(tmp_path: Path) -> None:
    from evidence_desk.ingest.doc_text import docx_text

    path = f.docx(tmp_path / "letter.docx", "买家确认 &amp; 同意</w:t></w:r></w:p><w:p><w:r>"
                  "<w:t xml:space=\"preserve\">Order 2410762415855894")
    assert docx_text(path) == "买家确认 & 同意\nOrder 2410762415855894"
    assert docx_text(f.plain_zip(tmp_path / "x.docx")) == ""
    assert docx_text(tmp_path / "missing.docx") == ""
