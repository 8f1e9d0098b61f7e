from __future__ import annotations

import os
import zipfile

import case_builder
import factories
import pytest
from PIL import Image

from evidence_desk.export.dossier_model import ExportCancelled
from evidence_desk.export.pack import PackError, build_pack

STATEMENT = "The buyer received the goods on 5 March 2024 and refuses to pay."


def test_pack_layout(standard_case, tmp_path) -> None:
    out = tmp_path / "pack"
    result = build_pack(standard_case, out, statement_en=STATEMENT)
    limit = standard_case.rules.platform.zip_max_bytes
    names = sorted(p.name for p in out.iterdir())
    assert "statement_en.txt" in names and "README.txt" in names
    assert {"A_order_screenshot.zip", "B_chat_record.zip", "C_product_photo.zip",
            "D_logistics_record.zip"} <= set(names)
    members = []
    for z in result.zips:
        assert z.path.stat().st_size == z.size <= limit
        assert z.path.name.isascii()
        with zipfile.ZipFile(z.path) as zf:
            assert zf.testzip() is None
            members += zf.namelist()
    assert all(m.isascii() for m in members)
    assert "B-1_chat_record.jpg" in members  # PNG screenshot -> JPEG
    assert "C-1_product_photo.jpg" in members
    assert "D-1_logistics_record.pdf" in members
    assert "D-2_logistics_record.csv" in members
    assert result.statement_path.read_bytes().decode("ascii").startswith("The buyer")
    assert len(result.sha256) == 64
    readme = (out / "README.txt").read_text(encoding="utf-8")
    for ex in standard_case.exhibits:
        assert ex.info.sha256 in readme


def test_fitting_jpeg_keeps_its_scans_byte_for_byte(standard_case, tmp_path) -> None:
    from evidence_desk.export.redact import strip_jpeg_bytes

    result = build_pack(standard_case, tmp_path / "p", statement_en=STATEMENT)
    photo = next(ex for ex in standard_case.exhibits if ex.number == "C-2")
    zpath = next(z.path for z in result.zips if z.kind == "product_photo")
    with zipfile.ZipFile(zpath) as zf:
        # Only the EXIF block (camera, capture time) is gone; the picture is not re-encoded.
        assert zf.read("C-2_product_photo.jpg") == strip_jpeg_bytes(photo.path.read_bytes())


def test_splits_into_numbered_zips(tmp_path) -> None:
    files = [(factories.photo(tmp_path / f"p{i}.jpg", megapixels=2, color=(i * 50, 20, 90)),
              "product_photo", f"p{i}") for i in range(4)]
    data = case_builder.make_case(tmp_path, files=files)
    sizes = [p.stat().st_size for p, _k, _c in files]
    limit = max(sizes) * 2 + 4096
    result = build_pack(data, tmp_path / "pack", statement_en=STATEMENT, zip_max_bytes=limit)
    zips = [z.path.name for z in result.zips]
    assert zips[0] == "C_product_photo_1.zip" and len(zips) >= 2
    assert all(z.size <= limit for z in result.zips)
    assert sum(len(z.members) for z in result.zips) == 4


def test_too_big_image_is_downscaled(tmp_path) -> None:
    big = tmp_path / "big.jpg"
    Image.effect_noise((3000, 2000), 40).convert("RGB").save(big, quality=90)
    data = case_builder.make_case(tmp_path, files=[(big, "product_photo", "big")])
    limit = 200_000
    assert big.stat().st_size > limit
    result = build_pack(data, tmp_path / "pack", statement_en=STATEMENT, zip_max_bytes=limit)
    assert result.zips[0].size <= limit


def test_image_that_cannot_fit_legibly_is_named(tmp_path) -> None:
    # Noise does not compress: even at the legibility floor it stays far above the limit.
    noise = Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3))
    path = tmp_path / "noise.png"
    noise.save(path)
    photo = factories.photo(tmp_path / "small.jpg")
    data = case_builder.make_case(tmp_path / "n", files=[(path, "product_photo", "noise"),
                                                         (photo, "product_photo", "small")])
    # The pack is still made; the one that cannot fit is left out and named, with the reason.
    result = build_pack(data, tmp_path / "pack", statement_en=STATEMENT, zip_max_bytes=65_536)
    (left_out,) = result.affected
    assert (left_out.number, left_out.name, left_out.in_pack) == ("C-1", "noise.png", False)
    assert "stay legible" in left_out.reason and "left out of the pack" in left_out.reason
    members = [n for z in result.zips for n in z.members]
    assert members == ["C-2_product_photo.jpg"]
    readme = (tmp_path / "pack" / "README.txt").read_text(encoding="utf-8")
    assert "Not in any zip:" in readme and "noise.png" in readme


def test_statement_must_be_ascii(standard_case, tmp_path) -> None:
    with pytest.raises(PackError, match="'买'"):
        build_pack(standard_case, tmp_path / "p", statement_en="The 买家 refused")
    assert not (tmp_path / "p").exists()


def test_cancel_keeps_earlier_pack(standard_case, tmp_path) -> None:
    out = tmp_path / "pack"
    build_pack(standard_case, out, statement_en=STATEMENT)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(ExportCancelled):
        build_pack(standard_case, out, statement_en=STATEMENT, cancel=lambda: True)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_refuses_a_folder_with_other_files(standard_case, tmp_path) -> None:
    out = tmp_path / "Desktop"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(PackError, match="already holds other files .*notes.txt.*choose an empty "
                                        "folder or a new name"):
        build_pack(standard_case, out, statement_en=STATEMENT)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert [p.name for p in tmp_path.iterdir()] == ["Desktop"]


def test_replaces_an_earlier_pack_or_an_empty_folder(standard_case, tmp_path) -> None:
    from evidence_desk.export.pack import MARKER

    out = tmp_path / "pack"
    out.mkdir()
    build_pack(standard_case, out, statement_en=STATEMENT)  # empty folder: fine
    assert (out / MARKER).is_file()
    (out / "B_chat_record.zip").write_bytes(b"stale")
    result = build_pack(standard_case, out, statement_en=STATEMENT)
    assert (out / "B_chat_record.zip").read_bytes() != b"stale"
    assert result.folder == out
    # A file the seller added to the pack is theirs: the next export refuses to drop it.
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(PackError, match="notes.txt"):
        build_pack(standard_case, out, statement_en=STATEMENT)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_pack_written_before_the_marker_is_still_recognised(standard_case, tmp_path) -> None:
    from evidence_desk.export.pack import MARKER

    out = tmp_path / "pack"
    build_pack(standard_case, out, statement_en=STATEMENT)
    (out / MARKER).unlink()
    build_pack(standard_case, out, statement_en=STATEMENT)
    assert (out / MARKER).is_file()


def test_files_added_during_the_export_are_kept(standard_case, tmp_path) -> None:
    out = tmp_path / "pack"
    out.mkdir()

    def progress(done: int, total: int, what: str) -> None:
        if done == total:
            (out / "late.txt").write_text("added meanwhile", encoding="utf-8")

    with pytest.raises(PackError, match="late.txt"):
        build_pack(standard_case, out, statement_en=STATEMENT, progress=progress)
    assert [p.name for p in out.iterdir()] == ["late.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_pack_files_are_not_private(standard_case, tmp_path) -> None:
    if os.name == "nt":
        pytest.skip("POSIX permissions")
    old = os.umask(0o022)
    try:
        build_pack(standard_case, tmp_path / "pack", statement_en=STATEMENT)
    finally:
        os.umask(old)
    assert (tmp_path / "pack").stat().st_mode & 0o777 == 0o755
    for p in (tmp_path / "pack").iterdir():
        assert p.stat().st_mode & 0o777 == 0o644, p.name
