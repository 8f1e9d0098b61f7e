"""Capture times read from file names: every pattern phones, messengers and desktops write."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import factories as f
import pytest
from PIL import Image

from evidence_desk.ingest import probe
from evidence_desk.ingest.name_times import PATTERNS, pattern_for, time_from_name

NOW = datetime(2026, 12, 1, 9, 0)
T = datetime(2024, 2, 5, 15, 36, 28)
# WeChat stamps milliseconds since 1970: shown in the desk's zone, as the phone showed it.
WECHAT = datetime.fromtimestamp(1707118588)

CASES = [
    ("Screenshot_20240205-153628_Alibaba.png", T, "date_time"),
    ("Screenshot_2024-02-05-15-36-28-123_com.tencent.mm.jpg", T, "date_time"),
    ("mmexport1707118588000.jpg", WECHAT, "wechat_epoch_ms"),
    ("wx_camera_1707118588000.jpg", WECHAT, "wechat_epoch_ms"),
    ("Screenshot 2024-02-05 153628.png", T, "date_time"),
    ("Screenshot 2024-02-05 at 15.36.28.png", T, "macos"),
    ("Screen Shot 2024-02-05 at 3.36.28 PM.png", T, "macos"),
    ("IMG_20240205_153628.jpg", T, "date_time"),
    ("微信图片_20240205153628.jpg", T, "digits14"),
    ("order_2410762415855894_20241121100946.png", datetime(2024, 11, 21, 10, 9, 46), "digits14"),
    ("C:\\Users\\me\\Pictures\\IMG_20240205_153628.jpg", T, "date_time"),
]


@pytest.mark.parametrize(("name", "expected", "pattern"), CASES)
def test_each_pattern_gives_the_time_the_name_records(name: str, expected: datetime,
                                                      pattern: str) -> None:
    assert time_from_name(name, NOW) == expected
    assert pattern_for(name, NOW) == pattern


def test_every_pattern_row_is_exercised() -> None:
    assert {p.name for p in PATTERNS} == {c[2] for c in CASES}


@pytest.mark.parametrize("name", [
    "photo.jpg",
    "IMG_20241305_153628.jpg",            # month 13
    "IMG_20240230_153628.jpg",            # 30 February
    "Screenshot_20240205-256628.png",     # hour 25
    "IMG_19990205_153628.jpg",            # before digital screenshots: another number
    "IMG_20270205_153628.jpg",            # after the desk's today (+1 day slack)
    "mmexport1907118588000.jpg",          # 2030: in the future
    "2410762415855894.png",               # an order number, not a time
    "order_12024020515362812.png",        # a date inside a longer digit run
    "invoice 2024-02-05.pdf",             # a date without a time of day
])
def test_names_without_a_believable_time(name: str) -> None:
    assert time_from_name(name, NOW) is None


def test_a_day_of_slack_for_a_phone_clock_ahead() -> None:
    assert time_from_name("IMG_20261201_230000.jpg", NOW) == datetime(2026, 12, 1, 23, 0)
    assert time_from_name("IMG_20261203_090000.jpg", NOW) is None


def _old_mtime(path: Path) -> Path:
    stamp = datetime(2026, 11, 30, 7, 8).timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.mark.parametrize(("name", "expected", "pattern"), CASES[:10])
def test_probe_dates_a_screenshot_by_its_name_not_its_copy_time(
        tmp_path: Path, name: str, expected: datetime, pattern: str) -> None:
    path = tmp_path / name
    ext = path.suffix.lower()
    Image.new("RGB", (720, 1280), (240, 240, 240)).save(path, "PNG" if ext == ".png" else "JPEG")
    found = probe(_old_mtime(path), now=NOW)
    assert (found.captured_at, found.captured_from) == (expected, "file_name")
    assert "time_from_name" in found.flags and "no_exif_time" not in found.flags


def test_exif_time_wins_over_the_name(tmp_path: Path) -> None:
    path = f.photo(tmp_path / "IMG_20240205_153628.jpg", when=datetime(2024, 2, 5, 15, 30))
    found = probe(path, now=NOW)
    assert (found.captured_at, found.captured_from) == (datetime(2024, 2, 5, 15, 30), "exif")
    assert "time_from_name" not in found.flags


def test_a_pdf_export_is_dated_by_its_name_too(tmp_path: Path) -> None:
    path = f.plain_pdf(tmp_path / "order_2410762415855894_20241121100946.pdf")
    found = probe(_old_mtime(path), now=NOW)
    assert (found.captured_at, found.captured_from) == (datetime(2024, 11, 21, 10, 9, 46),
                                                        "file_name")


def test_a_name_without_a_time_keeps_the_file_time(tmp_path: Path) -> None:
    path = _old_mtime(f.chat_screenshot(tmp_path / "chat.png", ["hi"]))
    found = probe(path, now=NOW)
    assert (found.captured_at, found.captured_from) == (datetime(2026, 11, 30, 7, 8), "file")
    assert "no_exif_time" in found.flags
