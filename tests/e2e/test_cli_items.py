"""`item edit`, capture-time origins in `case show --json`, and a quiet `add` of odd files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import factories
import pytest
from factories import apng, docx, iso_video, tiff_pages, truncated_exif_jpeg
from PIL import Image


def run(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "library"


def _case(lib: Path, order_no: str = "2410762415855894") -> str:
    proc = run(lib, "case", "new", "--type", "fake_transaction", "--order", order_no)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _items(lib: Path, case_id: str) -> dict[str, dict]:
    proc = run(lib, "case", "show", case_id, "--json")
    assert proc.returncode == 0, proc.stderr
    return {e["original_name"]: e for e in json.loads(proc.stdout)["evidence"]}


def _screens(folder: Path) -> list[Path]:
    folder.mkdir()
    names = ["Screenshot_20240205-153628_Alibaba.png",
             "Screenshot_2024-02-05-15-36-28-123_com.tencent.mm.jpg",
             "mmexport1707118588000.jpg", "wx_camera_1707118588000.jpg",
             "Screenshot 2024-02-05 153628.png", "Screenshot 2024-02-05 at 15.36.28.png",
             "IMG_20240205_153628.jpg", "微信图片_20240205153628.jpg",
             "order_2410762415855894_20241121100946.png"]
    out = []
    for i, name in enumerate(names):
        path = folder / name
        Image.new("RGB", (720, 1280), (10 * i, 100, 200)).save(
            path, "PNG" if name.endswith(".png") else "JPEG")
        stamp = datetime(2026, 11, 30, 7, 8).timestamp()
        os.utime(path, (stamp, stamp))
        out.append(path)
    return out


def test_every_file_name_pattern_shows_as_file_name_in_case_show(lib: Path,
                                                                 tmp_path: Path) -> None:
    case_id = _case(lib)
    paths = _screens(tmp_path / "in")
    added = run(lib, "add", case_id, *map(str, paths))
    assert added.returncode == 0, added.stdout + added.stderr
    assert added.stdout.count("the time in its file name is used") == len(paths)
    items = _items(lib, case_id)
    assert {e["captured_from"] for e in items.values()} == {"file_name"}
    assert {e["rotation"] for e in items.values()} == {0}
    wechat = datetime.fromtimestamp(1707118588).isoformat()
    assert items["mmexport1707118588000.jpg"]["captured_at"] == wechat
    assert items["IMG_20240205_153628.jpg"]["captured_at"] == "2024-02-05T15:36:28"


def test_item_edit_one_and_several(lib: Path, tmp_path: Path) -> None:
    case_id = _case(lib)
    run(lib, "add", case_id, *map(str, _screens(tmp_path / "in")[:3]))
    ids = [str(e["id"]) for e in _items(lib, case_id).values()]
    many = run(lib, "item", "edit", *ids, "--captured", "2024-02-05T09:30")
    assert many.returncode == 0, many.stderr
    assert many.stdout.count("captured 2024-02-05 09:30 (user)") == 3
    one = run(lib, "item", "edit", ids[0], "--rotate", "90", "--caption", "整单截图",
              "--kind", "order_screenshot")
    assert one.returncode == 0, one.stderr
    run(lib, "item", "edit", ids[0], "--rotate", "180")
    items = {str(e["id"]): e for e in _items(lib, case_id).values()}
    assert (items[ids[0]]["rotation"], items[ids[0]]["caption"], items[ids[0]]["kind"]) == (
        270, "整单截图", "order_screenshot")
    assert {items[i]["captured_at"] for i in ids} == {"2024-02-05T09:30:00"}
    assert {items[i]["captured_from"] for i in ids} == {"user"}


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--rotate", "45"], 2, "invalid choice"),
    (["--captured", "2024-13-01T10:00"], 2, "YYYY-MM-DDTHH:MM"),
    (["--captured", "2024-02-05"], 2, "YYYY-MM-DDTHH:MM"),
    (["--kind", "nonsense"], 2, "unknown evidence kind"),
    ([], 2, "nothing to change"),
])
def test_item_edit_refuses_bad_values_in_one_line(lib: Path, tmp_path: Path, args: list[str],
                                                  code: int, words: str) -> None:
    case_id = _case(lib)
    run(lib, "add", case_id, str(factories.photo(tmp_path / "p.jpg")))
    [item] = _items(lib, case_id).values()
    proc = run(lib, "item", "edit", str(item["id"]), *args)
    assert proc.returncode == code and words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_item_edit_with_one_unknown_id_changes_nothing(lib: Path, tmp_path: Path) -> None:
    case_id = _case(lib)
    run(lib, "add", case_id, str(factories.photo(tmp_path / "p.jpg")))
    [item] = _items(lib, case_id).values()
    proc = run(lib, "item", "edit", str(item["id"]), "999", "--captured", "2020-01-01T00:00")
    assert proc.returncode == 1 and "no evidence item 999" in proc.stderr
    assert _items(lib, case_id)["p.jpg"]["captured_from"] == "exif"


def test_add_of_odd_files_is_quiet_on_stderr(lib: Path, tmp_path: Path) -> None:
    src = tmp_path / "odd"
    src.mkdir()
    files = [
        truncated_exif_jpeg(src / "cut-exif.jpg", 11),
        truncated_exif_jpeg(src / "cut-exif2.jpg", 40),
        apng(src / "zero.png", frames_declared=0),
        tiff_pages(src / "contract.tif", 3),
        docx(src / "买家确认函.docx"),
        iso_video(src / "unboxing.mp4", b"isom", (b"isom", b"mp41")),
    ]
    bmp = src / "scan.bmp"
    Image.new("RGB", (300, 200), (1, 2, 3)).save(bmp)
    pdf = factories.plain_pdf(src / "broken.pdf")
    pdf.write_bytes(pdf.read_bytes()[: pdf.stat().st_size * 2 // 3])
    case_id = _case(lib)
    proc = run(lib, "add", case_id, *map(str, [*files, bmp, pdf]))
    assert proc.returncode == 0, proc.stdout
    assert proc.stderr == ""
    items = _items(lib, case_id)
    assert "damaged_image" in items["zero.png"]["flags"]
    assert items["contract.tif"]["pages"] == 3
    assert items["买家确认函.docx"]["mime"].endswith("wordprocessingml.document")
    assert "video_not_uploadable" in items["unboxing.mp4"]["flags"]
    assert items["scan.bmp"]["mime"] == "image/bmp"
    assert "A video" in proc.stdout


def test_iphone_offset_in_case_show(lib: Path, tmp_path: Path) -> None:
    case_id = _case(lib)
    photo = factories.photo(tmp_path / "IMG_0001.JPG", when=datetime(2026, 3, 1, 12, 55),
                            make="Apple", offset="+01:00")
    run(lib, "add", case_id, str(photo))
    item = _items(lib, case_id)["IMG_0001.JPG"]
    assert (item["captured_at"], item["captured_offset"], item["captured_from"]) == (
        "2026-03-01T12:55:00", 60, "exif")


def test_check_names_a_file_of_another_order(lib: Path, tmp_path: Path) -> None:
    case_id = _case(lib, "2410762415855000")
    run(lib, "add", case_id, *map(str, _screens(tmp_path / "in")[-1:]))
    data = json.loads(run(lib, "check", case_id, "--json").stdout)
    [found] = [w for w in data["warnings"] if w["code"] == "order_mismatch"]
    assert "order_2410762415855894_20241121100946.png" in found["message"]


def test_dossier_shows_the_time_as_taken_with_its_zone_and_origin(lib: Path,
                                                                  tmp_path: Path) -> None:
    case_id = _case(lib)
    photo = factories.photo(tmp_path / "IMG_0001.JPG", when=datetime(2026, 3, 1, 12, 55),
                            make="Apple", offset="+01:00")
    [shot] = _screens(tmp_path / "in")[:1]
    assert run(lib, "add", case_id, str(photo), str(shot)).returncode == 0
    for lang, words in (("en", ("2026-03-01 12:55 (UTC+01:00, from the photo's EXIF)",
                                "2024-02-05 15:36 (from the file name)")),
                        ("zh", ("2026-03-0112:55(UTC+01:00,取自照片EXIF)", "取自文件名"))):
        out = tmp_path / f"dossier-{lang}.pdf"
        proc = run(lib, "export", case_id, "-o", str(out), "--lang", lang)
        assert proc.returncode == 0, proc.stderr
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = " ".join(text.split())
        for expected in words:
            if lang == "zh":
                assert expected.replace(" ", "") in "".join(text.split()), expected
            else:
                assert expected in flat, expected
