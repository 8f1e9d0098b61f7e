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
    data = case_builder.make_case(tmp_path / "n", files=[(path, "product_photo", "noise")])
    with pytest.raises(PackError, match="C-1 \\(noise.png\\)"):
        build_pack(data, tmp_path / "pack", statement_en=STATEMENT, zip_max_bytes=65_536)
    assert not (tmp_path / "pack").exists()


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
