"""probe(): what a file is, when it was captured, what is wrong with it, or why it is refused."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import factories as f
import pytest
from PIL import Image

from evidence_desk.ingest import FLAG_MESSAGES, Refused, probe

WHEN = datetime(2024, 3, 5, 14, 30)


def _refusal(path: Path) -> str:
    with pytest.raises(Refused) as caught:
        probe(path)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


# ---- refusals ------------------------------------------------------------------------------

def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"")
    assert _refusal(tmp_path / "a.jpg") == "empty file"


def test_binary_junk(tmp_path: Path) -> None:
    assert _refusal(f.binary_junk(tmp_path / "a.jpg")) == (
        "not a recognised evidence file (looks like binary data)")


@pytest.mark.parametrize(("name", "noun"), [("shot.png", "an image"), ("scan.JPG", "an image"),
                                            ("waybill.pdf", "a PDF"),
                                            ("book.xlsx", "a spreadsheet")])
def test_text_wearing_a_binary_extension(tmp_path: Path, name: str, noun: str) -> None:
    reason = _refusal(f.text_as_png(tmp_path / name))
    ext = name.rsplit(".", 1)[1].lower()
    assert reason == f"file says .{ext} but its content is plain text, not {noun}"


def test_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    path = f.bomb_png(tmp_path / "bomb.png", 100_000, 100_000)
    assert path.stat().st_size < 20_000
    assert _refusal(path) == (
        "image declares 100000×100000 pixels (over the 200-megapixel limit)")


def test_webp_bomb_is_refused_with_its_size(tmp_path: Path) -> None:
    assert _refusal(f.bomb_webp(tmp_path / "b.webp", 20_000, 20_000)) == (
        "image declares 20000×20000 pixels (over the 200-megapixel limit)")


def test_big_legitimate_screenshot_is_accepted_without_decoding(tmp_path: Path) -> None:
    path = f.big_screenshot(tmp_path / "long.png", 12000, 12000)
    started = time.perf_counter()
    found = probe(path)
    assert time.perf_counter() - started < 0.5  # a decode would take seconds
    assert (found.width, found.height) == (12000, 12000)
    assert "damaged_image" not in found.flags


def test_undecodable_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\xff" * 40)
    assert _refusal(path).startswith("image is truncated or damaged")


def test_zip_and_old_office_files(tmp_path: Path) -> None:
    assert "ZIP archive" in _refusal(f.plain_zip(tmp_path / "x.zip"))
    # An old Excel workbook is an attachment the platform takes.
    found = probe(f.legacy_xls(tmp_path / "x.xls"))
    assert (found.filetype.ext, found.filetype.category) == ("xls", "spreadsheet")
    other = tmp_path / "x.ppt"
    other.write_bytes(f._cfb(["PowerPoint Document"]))
    assert "not a Word document" in _refusal(other)


def test_missing_link_fifo_and_folder(tmp_path: Path) -> None:
    assert _refusal(tmp_path / "gone.jpg") == "no such file"
    real = f.photo(tmp_path / "real.jpg")
    (tmp_path / "link.jpg").symlink_to(real)
    assert _refusal(tmp_path / "link.jpg") == "symbolic link: not followed"
    os.mkfifo(tmp_path / "pipe.jpg")
    assert _refusal(tmp_path / "pipe.jpg") == "not a regular file"
    assert _refusal(tmp_path) == "a folder, not a file"


# ---- capture time --------------------------------------------------------------------------

def test_exif_date_time_original(tmp_path: Path) -> None:
    found = probe(f.photo(tmp_path / "p.jpg", when=WHEN))
    assert (found.captured_at, found.captured_from) == (WHEN, "exif")
    assert "no_exif_time" not in found.flags
    assert found.camera == "Canon EOS 90D"


def test_exif_offset_keeps_the_time_as_taken(tmp_path: Path) -> None:
    # Not shifted to the desk's zone: the photo was taken at 14:30 where it was taken.
    found = probe(f.photo(tmp_path / "p.jpg", when=WHEN, offset="+08:00"))
    assert (found.captured_at, found.captured_offset) == (WHEN, 8 * 60)
    west = probe(f.photo(tmp_path / "w.jpg", when=WHEN, offset="-05:30"))
    assert (west.captured_at, west.captured_offset) == (WHEN, -(5 * 60 + 30))
    assert probe(f.photo(tmp_path / "n.jpg", when=WHEN)).captured_offset is None


def test_future_check_uses_the_offset(tmp_path: Path) -> None:
    # 12:00 at UTC+14 is 22:00 the day before in UTC: not in the future for a UTC desk at 23:00.
    path = f.photo(tmp_path / "p.jpg", when=datetime(2030, 1, 2, 12, 0), offset="+14:00")
    now = datetime(2030, 1, 1, 22, 30, tzinfo=UTC)
    assert "future_capture" not in probe(path, now=now - timedelta(hours=0)).flags
    assert "future_capture" in probe(path, now=now - timedelta(days=2)).flags


def test_ifd0_datetime_when_no_original(tmp_path: Path) -> None:
    exif = f.photo_exif(when=None)
    exif[0x0132] = "2023:12:24 08:15:00"
    path = tmp_path / "p.jpg"
    f.marked_image((64, 48), (1, 2, 3)).save(path, "JPEG", exif=exif.tobytes())
    found = probe(path)
    assert (found.captured_at, found.captured_from) == (datetime(2023, 12, 24, 8, 15), "exif")


@pytest.mark.parametrize("stamp", [None, "0000:00:00 00:00:00", "garbage"])
def test_file_time_when_exif_has_none(tmp_path: Path, stamp: str | None) -> None:
    exif = f.photo_exif(when=None)
    if stamp:
        exif.get_ifd(0x8769)[0x9003] = stamp
    path = tmp_path / "p.jpg"
    f.marked_image((64, 48), (1, 2, 3)).save(path, "JPEG", exif=exif.tobytes())
    mtime = datetime(2024, 1, 2, 3, 4, 5)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    found = probe(path)
    assert (found.captured_at, found.captured_from) == (mtime, "file")
    assert "no_exif_time" in found.flags


def test_screenshot_without_exif_uses_file_time(tmp_path: Path) -> None:
    found = probe(f.chat_screenshot(tmp_path / "c.png", ["你好"]))
    assert found.captured_from == "file" and "no_exif_time" in found.flags


def test_future_capture(tmp_path: Path) -> None:
    path = f.photo(tmp_path / "p.jpg", when=datetime(2030, 1, 1, 12, 0))
    assert "future_capture" in probe(path, now=datetime(2024, 6, 1)).flags
    assert "future_capture" not in probe(path, now=datetime(2030, 1, 1, 13, 0)).flags
    aware_now = datetime(2024, 6, 1, tzinfo=UTC)
    assert "future_capture" in probe(path, now=aware_now).flags


# ---- images ------------------------------------------------------------------------------

@pytest.mark.parametrize(("orientation", "swapped"), [(1, False), (3, False), (6, True),
                                                      (8, True)])
def test_orientation_and_shown_size(tmp_path: Path, orientation: int, swapped: bool) -> None:
    found = probe(f.photo(tmp_path / "p.jpg", orientation=orientation))
    with Image.open(tmp_path / "p.jpg") as im:
        w, h = im.size
    assert found.orientation == orientation
    assert (found.width, found.height) == ((h, w) if swapped else (w, h))


def test_bad_orientation_value_means_upright(tmp_path: Path) -> None:
    assert probe(f.photo(tmp_path / "p.jpg", orientation=42)).orientation == 1


def test_truncated_jpeg_is_accepted_with_a_flag(tmp_path: Path) -> None:
    found = probe(f.truncated_jpeg(tmp_path / "t.jpg"))
    assert "damaged_image" in found.flags
    assert found.captured_from == "exif"


def test_truncated_png_is_flagged(tmp_path: Path) -> None:
    whole = f.chat_screenshot(tmp_path / "c.png", ["你好", "在吗"]).read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "damaged_image" in probe(cut).flags
    assert "damaged_image" not in probe(tmp_path / "c.png").flags


def test_jpeg_with_trailing_data_is_not_damaged(tmp_path: Path) -> None:
    path = f.photo(tmp_path / "p.jpg")
    path.write_bytes(path.read_bytes() + b"SEFH trailer written by some phones")
    assert "damaged_image" not in probe(path).flags


def test_image_flags(tmp_path: Path) -> None:
    assert "cmyk" in probe(f.cmyk_jpeg(tmp_path / "c.jpg")).flags
    assert "high_bit_depth" in probe(f.sixteen_bit_png(tmp_path / "s.png")).flags
    assert "animated" in probe(f.animated_gif(tmp_path / "a.gif")).flags
    assert "animated" in probe(f.webp(tmp_path / "a.webp", animated=True)).flags
    assert "animated" not in probe(f.webp(tmp_path / "s.webp")).flags
    assert "has_gps" in probe(f.photo(tmp_path / "g.jpg", gps=True)).flags
    assert "has_gps" not in probe(f.photo(tmp_path / "n.jpg")).flags


def test_sixteen_bit_rgb_png_is_high_bit_depth(tmp_path: Path) -> None:
    assert "high_bit_depth" in probe(f.sixteen_bit_rgb_png(tmp_path / "deep.png")).flags


def test_wrong_extension_between_binary_types_is_only_flagged(tmp_path: Path) -> None:
    found = probe(f.order_screenshot(tmp_path / "order.jpg", "1"))
    assert found.filetype.ext == "png"
    assert "wrong_extension" in found.flags
    assert "wrong_extension" not in probe(f.photo(tmp_path / "p.JPEG")).flags


def test_heic_photo(tmp_path: Path) -> None:
    found = probe(f.heic_photo(tmp_path / "IMG_0001.HEIC", when=WHEN))
    assert found.filetype.mime == "image/heic"
    assert (found.captured_at, found.captured_from) == (WHEN, "exif")
    assert found.orientation == 1  # pillow-heif decodes HEIC upright
    assert found.camera == "Apple iPhone 14"


def test_every_flag_has_a_message() -> None:
    assert all(message.endswith(".") for message in FLAG_MESSAGES.values())


# ---- documents ---------------------------------------------------------------------------

def test_pdf_pages_and_no_image_fields(tmp_path: Path) -> None:
    found = probe(f.pdf_waybill(tmp_path / "scan.pdf", "1Z999", pages=3))
    assert found.pages == 3
    assert (found.width, found.height, found.orientation) == (None, None, 1)
    assert found.captured_from == "file" and found.flags == ()


def test_truncated_pdf_is_flagged(tmp_path: Path) -> None:
    path = f.pdf_waybill(tmp_path / "w.pdf", "1Z999")
    path.write_bytes(path.read_bytes()[:-200])
    assert "damaged_pdf" in probe(path).flags


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-16"])
def test_csv_encoding(tmp_path: Path, encoding: str) -> None:
    found = probe(f.tracking_csv(tmp_path / "track.csv", encoding=encoding))
    assert found.filetype.ext == "csv"
    assert found.text_encoding == encoding


def test_email_and_workbook(tmp_path: Path) -> None:
    assert probe(f.eml(tmp_path / "m.eml")).filetype.category == "email"
    assert probe(f.outlook_msg(tmp_path / "m.msg")).filetype.ext == "msg"
    assert probe(f.xlsx(tmp_path / "b.xlsx")).filetype.category == "spreadsheet"


def test_name_of_a_staged_copy(tmp_path: Path) -> None:
    staged = f.text_as_png(tmp_path / "tmp123")
    assert probe(staged).filetype.ext == "txt"
    with pytest.raises(Refused, match="file says .png"):
        probe(staged, name="shot.png")
    copy = f.order_screenshot(tmp_path / "tmp456", "1")
    assert probe(copy, name="退货.png").suggested_kind == "return_record"
