"""Rotation, capture times for several items, offsets and file-name times through the Library."""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from datetime import datetime
from pathlib import Path

import factories
import pytest
from alembic import command
from PIL import Image

from evidence_desk.library.bundle import export_bundle, import_bundle
from evidence_desk.library.db import _alembic_config, make_engine
from evidence_desk.library.service import Library, LibraryError


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


def _screens(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for shade, name in enumerate(("Screenshot_20240205-153628_Alibaba.png",
                                  "mmexport1707118588000.jpg",
                                  "order_2410762415855894_20241121100946.png")):
        path = folder / name
        Image.new("RGB", (720, 1280), (230, 200 + 20 * shade, 230)).save(
            path, "PNG" if name.endswith(".png") else "JPEG")
        stamp = datetime(2026, 11, 30, 7, 8).timestamp()
        os.utime(path, (stamp, stamp))
        paths.append(path)
    return paths


def _rewrite_manifest(src_path: Path, dst_path: Path, change) -> Path:
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            dst.writestr(info, data)
    return dst_path


def test_file_name_times_reach_the_evidence(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("fake_transaction", "2410762415855894")
    results = lib.add_paths(case.id, _screens(tmp_path / "in"))
    items = {lib.get_evidence(r.item_id).original_name: lib.get_evidence(r.item_id)
             for r in results}
    assert {i.captured_from for i in items.values()} == {"file_name"}
    assert items["Screenshot_20240205-153628_Alibaba.png"].captured_at == datetime(
        2024, 2, 5, 15, 36, 28)
    assert items["mmexport1707118588000.jpg"].captured_at == datetime.fromtimestamp(1707118588)


def test_set_capture_times_of_several_items_at_once(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("fake_transaction", "A1")
    photo = factories.photo(tmp_path / "p.jpg", when=datetime(2026, 3, 1, 12, 55),
                            offset="+01:00")
    ids = [r.item_id for r in lib.add_paths(case.id, [*_screens(tmp_path / "in"), photo])]
    assert lib.get_evidence(ids[-1]).captured_offset == 60
    when = datetime(2024, 2, 5, 9, 30)
    infos = lib.set_capture_times(ids, when)
    assert [(i.captured_at, i.captured_from, i.captured_offset) for i in infos] == [
        (when, "user", None)] * len(ids)
    assert all(lib.get_evidence(i).captured_at == when for i in ids)
    audit = [e for e in lib.audit_log(case.id) if e.action == "evidence.update"]
    assert len(audit) == len(ids)
    lib.set_capture_times(ids[:1], None)
    assert lib.get_evidence(ids[0]).captured_at is None


def test_set_capture_times_refuses_all_when_one_id_is_wrong(lib: Library,
                                                           tmp_path: Path) -> None:
    case = lib.create_case("fake_transaction", "A1")
    ids = [r.item_id for r in lib.add_paths(case.id, _screens(tmp_path / "in"))]
    before = [lib.get_evidence(i).captured_at for i in ids]
    with pytest.raises(LibraryError, match="no evidence item 9999"):
        lib.set_capture_times([*ids, 9999], datetime(2020, 1, 1))
    assert [lib.get_evidence(i).captured_at for i in ids] == before
    with pytest.raises(LibraryError):
        lib.set_capture_times([], datetime(2020, 1, 1))


def test_a_typed_time_drops_the_photo_zone(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("fake_transaction", "A1")
    photo = factories.photo(tmp_path / "p.jpg", when=datetime(2026, 3, 1, 12, 55),
                            offset="+01:00")
    [r] = lib.add_paths(case.id, [photo])
    info = lib.update_evidence(r.item_id, captured_at=datetime(2026, 3, 1, 13, 0))
    assert (info.captured_from, info.captured_offset) == ("user", None)


def test_rotation_is_data_and_the_original_never_changes(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("quality_dispute", "A1")
    [r] = lib.add_paths(case.id, [factories.photo(tmp_path / "goods.jpg")])
    item = lib.get_evidence(r.item_id)
    original = lib.blob_path(item.sha256).read_bytes()
    assert item.rotation == 0
    assert lib.rotate_evidence(item.id, 90).rotation == 90
    assert lib.rotate_evidence(item.id, 270).rotation == 0
    assert lib.rotate_evidence(item.id, -90).rotation == 270
    assert lib.list_evidence(case.id)[0].rotation == 270
    assert lib.blob_path(item.sha256).read_bytes() == original
    with pytest.raises(LibraryError, match="quarter turns"):
        lib.rotate_evidence(item.id, 45)
    with pytest.raises(LibraryError, match="0, 90, 180, 270"):
        lib.update_evidence(item.id, rotation=45)
    assert lib.update_evidence(item.id, rotation=180).rotation == 180
    copy = lib.duplicate_case(case.id)
    assert lib.list_evidence(copy.id)[0].rotation == 180
    assert [e.action for e in lib.audit_log(case.id)].count("evidence.update") == 4


def test_bundle_carries_rotation_offset_and_origin(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("fake_transaction", "A1")
    photo = factories.photo(tmp_path / "p.jpg", when=datetime(2026, 3, 1, 12, 55),
                            offset="+01:00")
    results = lib.add_paths(case.id, [photo, *_screens(tmp_path / "in")])
    lib.rotate_evidence(results[0].item_id, 90)
    out = export_bundle(lib, case.id, tmp_path / "case.edbundle").path
    other = Library.open(tmp_path / "other")
    try:
        new_id = import_bundle(other, out)
        got = {i.original_name: i for i in other.list_evidence(new_id)}
        assert (got["p.jpg"].rotation, got["p.jpg"].captured_offset) == (90, 60)
        assert got["p.jpg"].captured_at == datetime(2026, 3, 1, 12, 55)
        assert got["mmexport1707118588000.jpg"].captured_from == "file_name"
    finally:
        other.close()


def test_an_older_bundle_without_the_new_fields_still_imports(lib: Library,
                                                             tmp_path: Path) -> None:
    case = lib.create_case("fake_transaction", "A1")
    lib.add_paths(case.id, [factories.photo(tmp_path / "p.jpg")])
    out = export_bundle(lib, case.id, tmp_path / "case.edbundle").path

    def drop(manifest: dict) -> None:
        for item in manifest["evidence"]:
            del item["rotation"], item["captured_offset"]

    old = _rewrite_manifest(out, tmp_path / "old.edbundle", drop)
    other = Library.open(tmp_path / "other")
    try:
        [item] = other.list_evidence(import_bundle(other, old))
        assert (item.rotation, item.captured_offset) == (0, None)
    finally:
        other.close()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("rotation", 45, "rotation must be 0, 90, 180 or 270"),
    ("rotation", True, "rotation must be 0, 90, 180 or 270"),
    ("captured_offset", 100_000, "captured_offset must be between"),
])
def test_a_bundle_with_a_bad_value_is_refused(lib: Library, tmp_path: Path, field: str,
                                              value: object, message: str) -> None:
    case = lib.create_case("fake_transaction", "A1")
    lib.add_paths(case.id, [factories.photo(tmp_path / "p.jpg")])
    out = export_bundle(lib, case.id, tmp_path / "case.edbundle").path

    def spoil(manifest: dict) -> None:
        manifest["evidence"][0][field] = value

    bad = _rewrite_manifest(out, tmp_path / "bad.edbundle", spoil)
    before = len(lib.list_cases())
    with pytest.raises(LibraryError, match=message):
        import_bundle(lib, bad)
    assert len(lib.list_cases()) == before


@pytest.mark.sqlite_only
def test_migration_0005_gives_existing_items_no_rotation(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    lib = Library.open(folder)
    case = lib.create_case("fake_transaction", "A1")
    [r] = lib.add_paths(case.id, [factories.photo(tmp_path / "p.jpg")])
    lib.close()
    engine = make_engine(f"sqlite:///{folder / 'library.sqlite3'}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    engine.dispose()
    con = sqlite3.connect(folder / "library.sqlite3")
    columns = {row[1] for row in con.execute("PRAGMA table_info(evidence)")}
    con.close()
    assert "rotation" not in columns and "captured_offset" not in columns
    lib = Library.open(folder)
    try:
        item = lib.get_evidence(r.item_id)
        assert (item.rotation, item.captured_offset) == (0, None)
        assert lib.rotate_evidence(item.id, 90).rotation == 90
    finally:
        lib.close()


def test_new_formats_import_with_thumbnails_where_they_have_pictures(lib: Library,
                                                                    tmp_path: Path) -> None:
    from evidence_desk.ingest.video_poster import decoder

    src = tmp_path / "in"
    src.mkdir()
    bmp = src / "scan.bmp"
    Image.new("RGB", (640, 480), (20, 40, 60)).save(bmp)
    paths = [factories.tiff_pages(src / "contract.tif", 3), bmp,
             factories.docx(src / "买家确认函.docx"),
             factories.iso_video(src / "unboxing.mp4", b"isom", (b"isom", b"mp41"))]
    case = lib.create_case("quality_dispute", "2410762415855894")
    results = lib.add_paths(case.id, paths)
    assert [r.status for r in results] == ["added"] * 4
    items = {i.original_name: i for i in lib.list_evidence(case.id)}
    for name in ("contract.tif", "scan.bmp"):
        thumb = lib.thumbnail(items[name].sha256)
        assert thumb is not None
        with Image.open(thumb) as im:
            assert max(im.size) == 256
    assert items["contract.tif"].pages == 3
    assert lib.thumbnail(items["买家确认函.docx"].sha256) is None
    if decoder() is None:
        assert lib.thumbnail(items["unboxing.mp4"].sha256) is None
    for item in items.values():  # every original byte for byte
        assert lib.blob_path(item.sha256).read_bytes() == (src / item.original_name).read_bytes()
