"""Thumbnails and reduced decodes: upright, 8-bit, right colours, bounded size."""

from __future__ import annotations

from pathlib import Path

import factories as f
import pytest
from PIL import Image

from evidence_desk.ingest import ThumbnailUnavailable, make_thumbnail, open_upright_reduced

RED = (200, 30, 30)


def _close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 30) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=False))


def _corners(im: Image.Image) -> dict[str, tuple[int, ...]]:
    w, h = im.size
    return {"top_left": im.getpixel((2, 2)), "top_right": im.getpixel((w - 3, 2)),
            "bottom_left": im.getpixel((2, h - 3)), "bottom_right": im.getpixel((w - 3, h - 3))}


@pytest.mark.parametrize(("orientation", "corner", "portrait"), [
    (1, "top_left", False), (3, "bottom_right", False), (6, "top_right", True),
    (8, "bottom_left", True), (2, "top_right", False),
])
def test_thumbnail_is_upright(tmp_path: Path, orientation: int, corner: str,
                              portrait: bool) -> None:
    src = f.photo(tmp_path / "p.jpg", orientation=orientation, color=RED)
    size = make_thumbnail(src, tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.format == "JPEG" and thumb.size == size
        assert (thumb.height > thumb.width) == portrait
        corners = _corners(thumb.convert("RGB"))
    assert _close(corners.pop(corner), f.MARKER)
    assert all(_close(c, RED) for c in corners.values())


def test_orientation_can_be_left_alone(tmp_path: Path) -> None:
    src = f.photo(tmp_path / "p.jpg", orientation=6)
    make_thumbnail(src, tmp_path / "t.jpg", orientation_applied=False)
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.width > thumb.height
        assert _close(_corners(thumb)["top_left"], f.MARKER)


def test_size_is_bounded_and_never_upscaled(tmp_path: Path) -> None:
    src = f.chat_screenshot(tmp_path / "c.png", ["你好"])
    assert make_thumbnail(src, tmp_path / "a.jpg", 256) == (118, 256)
    small = f.animated_gif(tmp_path / "g.gif")
    assert make_thumbnail(small, tmp_path / "b.jpg", 256) == (120, 90)


def test_sixteen_bit_is_scaled_not_white(tmp_path: Path) -> None:
    src = f.sixteen_bit_png(tmp_path / "s.png", value=32768)
    make_thumbnail(src, tmp_path / "t.png")
    with Image.open(tmp_path / "t.png") as thumb:
        assert _close(thumb.convert("RGB").getpixel((5, 5)), (128, 128, 128), 3)


def test_cmyk_colours_survive(tmp_path: Path) -> None:
    make_thumbnail(f.cmyk_jpeg(tmp_path / "c.jpg"), tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert _close(thumb.getpixel((5, 5)), (255, 0, 0), 40)


def test_transparency_gives_png_or_white(tmp_path: Path) -> None:
    src = f.rgba_png(tmp_path / "a.png")
    make_thumbnail(src, tmp_path / "t.thumb")
    with Image.open(tmp_path / "t.thumb") as thumb:
        assert (thumb.format, thumb.mode) == ("PNG", "RGBA")
        assert thumb.getpixel((2, 2))[3] == 0
    make_thumbnail(src, tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.format == "JPEG"
        assert _close(thumb.getpixel((2, 2)), (255, 255, 255), 5)


def test_first_frame_of_animation(tmp_path: Path) -> None:
    make_thumbnail(f.animated_gif(tmp_path / "a.gif"), tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert _close(thumb.getpixel((5, 5)), (255, 0, 0))


def test_heic(tmp_path: Path) -> None:
    make_thumbnail(f.heic_photo(tmp_path / "h.heic", color=RED), tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        corners = _corners(thumb)
    assert _close(corners["top_left"], f.MARKER, 40)
    assert _close(corners["bottom_right"], RED, 40)


def test_truncated_jpeg_shows_what_survives(tmp_path: Path) -> None:
    make_thumbnail(f.truncated_jpeg(tmp_path / "t.jpg", keep=0.6), tmp_path / "x.jpg")
    with Image.open(tmp_path / "x.jpg") as thumb:
        corners = _corners(thumb)
    assert _close(corners["top_left"], f.MARKER)


def test_truncated_png_shows_what_survives(tmp_path: Path) -> None:
    whole = f.order_screenshot(tmp_path / "o.png", "1").read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[: len(whole) * 2 // 3])
    make_thumbnail(tmp_path / "cut.png", tmp_path / "x.jpg")
    with Image.open(tmp_path / "x.jpg") as thumb:
        assert _close(thumb.getpixel((5, 5)), (255, 106, 0))


def test_huge_screenshot_decodes_reduced(tmp_path: Path) -> None:
    src = f.big_screenshot(tmp_path / "big.png", 12000, 12000)
    im = open_upright_reduced(src, 1024)
    assert im.mode == "RGB" and max(im.size) <= 1024
    assert _close(im.getpixel((10, 10)), (255, 106, 0), 3)
    assert _close(im.getpixel((10, 1000)), (240, 240, 240), 3)


def test_reduced_decode_of_a_photo(tmp_path: Path) -> None:
    src = f.photo(tmp_path / "p.jpg", megapixels=3, orientation=6)
    im = open_upright_reduced(src, 300)
    assert im.mode == "RGB" and im.height == 300 and im.width < 300


@pytest.mark.parametrize("make", [lambda p: f.pdf_waybill(p.with_suffix(".pdf"), "1"),
                                  lambda p: f.tracking_csv(p.with_suffix(".csv")),
                                  lambda p: f.bomb_png(p.with_suffix(".png")),
                                  lambda p: f.bomb_webp(p.with_suffix(".webp"))])
def test_no_picture_raises(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ThumbnailUnavailable):
        make_thumbnail(make(tmp_path / "src"), tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()


def test_write_is_atomic_and_replaces(tmp_path: Path) -> None:
    out = tmp_path / "thumbs" / "t.jpg"
    make_thumbnail(f.photo(tmp_path / "a.jpg", color=(0, 200, 0)), out)
    make_thumbnail(f.photo(tmp_path / "b.jpg", color=RED), out)
    assert [p.name for p in out.parent.iterdir()] == ["t.jpg"]
    with Image.open(out) as thumb:
        assert _close(_corners(thumb)["bottom_right"], RED)
