"""Hostile and awkward files at the entrances: each gets the outcome a careful user expects.

Every input is generated here (nothing binary is committed). Each goes through Library.add_paths;
a representative subset also goes through `evidence-desk add` in a real process. After each, the
library still verifies and whatever was there before is still there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import factories
import pytest
from PIL import Image

from evidence_desk.library.service import AddResult, Library

Make = Callable[[Path], Path]


@dataclass(frozen=True)
class Hostile:
    id: str
    name: str
    make: Make
    status: str  # "added" or "rejected"
    expect: str = ""  # a flag that must be set (added) or words in the reason (rejected)


def _write(data: bytes) -> Make:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path
    return make


def _shot(order: str = "X") -> Make:
    # The order number falls outside a narrow picture, so the width keeps each one distinct.
    return lambda p: factories.order_screenshot(p, order, width=200 + zlib.crc32(order.encode())
                                                % 997, height=120)


def _symlink(path: Path) -> Path:
    target = factories.animated_gif(path.with_name("link-target.gif"))
    os.symlink(target, path)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _folder_like_file(path: Path) -> Path:
    path.mkdir()
    factories.photo(path / "inside.jpg", color=(10, 200, 90))
    return path


HOSTILE = [
    Hostile("empty", "empty.png", _write(b""), "rejected", "empty"),
    Hostile("truncated-jpeg", "cut.jpg", factories.truncated_jpeg, "added", "damaged_image"),
    Hostile("png-named-jpg", "screen.jpg", _shot(), "added", "wrong_extension"),
    Hostile("jpeg-named-pdf", "photo.pdf", factories.photo, "added", "wrong_extension"),
    Hostile("text-named-png", "notes.png", factories.text_as_png, "rejected", "plain text"),
    Hostile("binary-junk", "junk.jpg", factories.binary_junk, "rejected", "not a recognised"),
    Hostile("zip-archive", "photos.zip", factories.plain_zip, "rejected", "ZIP archive"),
    Hostile("declared-bomb", "bomb.png", factories.bomb_png, "rejected", "100000×100000"),
    Hostile("real-bomb", "realbomb.png", factories.real_bomb_png, "rejected", "20000×20000"),
    Hostile("12000x12000", "scroll.png", factories.big_screenshot, "added"),
    Hostile("animated-gif", "anim.gif", factories.animated_gif, "added", "animated"),
    Hostile("cmyk", "print.jpg", factories.cmyk_jpeg, "added", "cmyk"),
    Hostile("16-bit-grey", "grey16.png", factories.sixteen_bit_png, "added", "high_bit_depth"),
    Hostile("future-exif", "future.jpg",
            lambda p: factories.photo(p, when=datetime.now() + timedelta(days=40)),
            "added", "future_capture"),
    Hostile("symlink", "link.gif", _symlink, "rejected", "symbolic link"),
    Hostile("fifo", "pipe.png", _fifo, "rejected", "not a regular file"),
    Hostile("chinese-name", "聊天记录 订单.png", _shot("CN"), "added"),
    Hostile("emoji-name", "😀📦 goods.png", _shot("EMOJI"), "added"),
    Hostile("leading-dash", "-rf.png", _shot("DASH"), "added"),
    Hostile("windows-con", "CON.png", _shot("CON"), "added"),
    Hostile("windows-nul", "nul.jpg", lambda p: factories.photo(p, color=(9, 9, 200)), "added"),
    Hostile("250-byte-ascii", "a" * 246 + ".png", _shot("LONGA"), "added"),
    Hostile("250-byte-cjk", "证" * 82 + ".png", _shot("LONGC"), "added"),
    Hostile("csv-gbk", "运单 gbk.csv", lambda p: factories.tracking_csv(p, "gbk"), "added"),
    Hostile("csv-utf8-bom", "tracking bom.csv", lambda p: factories.tracking_csv(p, "utf-8-sig"),
            "added"),
    Hostile("csv-utf16", "tracking u16.csv", lambda p: factories.tracking_csv(p, "utf-16"),
            "added"),
    Hostile("non-utf8-name", os.fsdecode(b"\xb6\xa9\xb5\xa5.png"), _shot("GBKNAME"), "added"),
]


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail instead of hanging if something opens a FIFO for reading."""
    def boom(*_: object) -> None:
        raise TimeoutError("add_paths hung")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _baseline(lib: Library, tmp_path: Path) -> tuple[int, AddResult]:
    case = lib.create_case("quality_dispute", "2026110500123")
    [first] = lib.add_paths(case.id, [factories.photo(tmp_path / "before.jpg",
                                                      color=(120, 60, 30))])
    assert first.status == "added"
    return case.id, first


@pytest.mark.parametrize("h", HOSTILE, ids=[h.id for h in HOSTILE])
def test_hostile_input_through_add_paths(lib: Library, tmp_path: Path, h: Hostile,
                                         no_hang: None) -> None:
    case_id, first = _baseline(lib, tmp_path)
    src = tmp_path / "in"
    src.mkdir()
    path = h.make(src / h.name)
    results = lib.add_paths(case_id, [path])
    assert len(results) == 1, results
    [res] = results
    assert res.status == h.status, res
    if h.status == "rejected":
        assert h.expect.lower() in res.reason.lower(), res.reason
        assert len(lib.list_evidence(case_id)) == 1
    else:
        item = lib.get_evidence(res.item_id)
        if h.expect:
            assert h.expect in item.flags, item.flags
        assert lib.blob_path(item.sha256).read_bytes() == path.read_bytes()
        assert item.original_name.encode("utf-8")  # storable, printable text
        if "\udcb6" not in h.name:
            assert item.original_name == h.name
    # Nothing lost, nothing half-done.
    assert lib.get_evidence(first.item_id).sha256 in {e.sha256 for e in
                                                      lib.list_evidence(case_id)}
    report = lib.verify()
    assert report.ok and not report.problems, report.problems


def test_a_folder_named_like_a_file_is_walked(lib: Library, tmp_path: Path) -> None:
    case_id, _ = _baseline(lib, tmp_path)
    folder = _folder_like_file(tmp_path / "photo.jpg")
    [res] = lib.add_paths(case_id, [folder])
    assert res.status == "added" and res.path.endswith("inside.jpg")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads chmod-000 files; the refusal cannot be shown as root")
def test_an_unreadable_file_is_refused_with_a_reason(lib: Library, tmp_path: Path) -> None:
    case_id, _ = _baseline(lib, tmp_path)
    path = factories.photo(tmp_path / "locked.jpg")
    os.chmod(path, 0)
    try:
        [res] = lib.add_paths(case_id, [path])
    finally:
        os.chmod(path, 0o600)
    assert res.status == "rejected" and "cannot read" in res.reason


def test_a_symlink_loop_and_fifo_inside_a_folder_neither_hang_nor_stop_the_rest(
        lib: Library, tmp_path: Path, no_hang: None) -> None:
    case_id, _ = _baseline(lib, tmp_path)
    folder = tmp_path / "dump"
    folder.mkdir()
    os.symlink(folder, folder / "loop")
    os.mkfifo(folder / "pipe.jpg")
    _shot("OK")(folder / "ok.png")
    results = {Path(r.path).name: r for r in lib.add_paths(case_id, [folder])}
    assert results["ok.png"].status == "added"
    assert results["loop"].status == "rejected" and "symbolic link" in results["loop"].reason
    assert results["pipe.jpg"].status == "rejected"


def _thumb_rgb(lib: Library, sha: str) -> tuple[int, int, int]:
    thumb = lib.thumbnail(sha)
    assert thumb is not None
    with Image.open(thumb) as im:
        assert max(im.size) <= 256
        rgb = im.convert("RGB")
        return rgb.getpixel((im.width // 2, im.height // 2))  # type: ignore[return-value]


def _close(rgb: tuple[int, int, int], want: tuple[int, int, int], tol: int = 24) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, want, strict=True))


def test_thumbnails_keep_true_colours(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("quality_dispute", "T1")
    red = factories.cmyk_jpeg(tmp_path / "red.jpg")
    grey = factories.sixteen_bit_png(tmp_path / "grey.png", value=32768)
    big = factories.big_screenshot(tmp_path / "big.png")
    res = {Path(r.path).name: r for r in lib.add_paths(case.id, [red, grey, big])}
    sha = {n: lib.get_evidence(r.item_id).sha256 for n, r in res.items()}
    assert _close(_thumb_rgb(lib, sha["red.jpg"]), (255, 0, 0), tol=40)
    assert _close(_thumb_rgb(lib, sha["grey.png"]), (128, 128, 128))  # not white
    thumb = lib.thumbnail(sha["big.png"])
    assert thumb is not None
    with Image.open(thumb) as im:
        assert im.size == (256, 256)
        assert _close(im.convert("RGB").getpixel((128, 5)), (255, 106, 0))
        assert _close(im.convert("RGB").getpixel((128, 200)), (240, 240, 240))


def test_right_to_left_override_in_a_name_is_flagged(lib: Library, tmp_path: Path) -> None:
    case_id, _ = _baseline(lib, tmp_path)
    path = _shot("RLO")(tmp_path / "invoice\u202egnp.exe")
    [res] = lib.add_paths(case_id, [path])
    assert res.status == "added"
    item = lib.get_evidence(res.item_id)
    # The name is kept as the file had it (evidence), and flagged so the seller sees it.
    assert "deceptive_name" in item.flags
    assert item.original_name == "invoice\u202egnp.exe"
    assert "deceptive_name" in {w.code for w in lib.check(case_id).warnings}


def test_csv_encodings_are_read_as_tracking_records(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("quality_dispute", "CSV1")
    paths = [factories.tracking_csv(tmp_path / f"t-{enc}.csv", enc)
             for enc in ("gbk", "utf-8-sig", "utf-16")]
    results = lib.add_paths(case.id, paths)
    # Different bytes for the same table: three items, each a CSV logistics record.
    assert [r.status for r in results] == ["added"] * 3
    for r in results:
        item = lib.get_evidence(r.item_id)
        assert item.mime == "text/csv" and item.kind == "logistics_record", item


# ---- the command line --------------------------------------------------------------------------

def _cli(lib: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           *args], capture_output=True, text=True, encoding="utf-8",
                          errors="replace", env=env, timeout=120, cwd=cwd)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


CLI_SUBSET = ["empty", "truncated-jpeg", "text-named-png", "declared-bomb", "animated-gif",
              "symlink", "fifo", "chinese-name", "emoji-name", "windows-con", "csv-gbk",
              "csv-utf16", "non-utf8-name", "250-byte-cjk"]


def test_hostile_inputs_through_the_cli(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    src = tmp_path / "in"
    src.mkdir()
    chosen = [h for h in HOSTILE if h.id in CLI_SUBSET]
    for h in chosen:
        h.make(src / h.name)
    case_id = _cli(lib, "case", "new", "--type", "quality_dispute", "--order", "C1"
                   ).stdout.strip()
    out = _cli(lib, "add", case_id, str(src))
    assert out.returncode == 3, out.stderr
    lines = out.stdout.splitlines()
    for h in chosen:
        shown = h.name.encode("utf-8", "backslashreplace").decode("utf-8")
        [line] = [x for x in lines if x.split(None, 1)[1].startswith(str(src / shown))]
        assert line.startswith(h.status), line
        if h.status == "rejected":
            assert h.expect.lower() in line.lower(), line
    # A leading dash is a file after "--", and a usage error (not a crash) without it.
    _shot("DASH")(src / "-rf.png")
    dash = _cli(lib, "add", case_id, "--", "-rf.png", cwd=src)
    assert dash.returncode == 0 and dash.stdout.startswith("added"), dash.stdout + dash.stderr
    bare = _cli(lib, "add", case_id, "-rf.png", cwd=src)
    assert bare.returncode == 2 and len(bare.stderr.strip().splitlines()) == 1
    assert _cli(lib, "verify").returncode == 0
