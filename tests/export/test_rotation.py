"""The seller's rotation of an item: drawn in the dossier (checked on pages rendered by
pdftoppm) and in the pack's copies; marks are drawn after it, in the rotated picture's
coordinates; PDF pages carrying /Rotate come out upright."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import case_builder
import pdf_kinds
import pytest
from PIL import Image, ImageDraw

from evidence_desk.export import rotation as rot
from evidence_desk.export.dossier import build_dossier
from evidence_desk.export.pack import build_pack

poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
RED, BLUE = (230, 20, 20), (20, 20, 230)


def striped(path: Path, fmt: str = "JPEG") -> Path:
    """450×200: left third red, middle white, right third blue."""
    im = Image.new("RGB", (450, 200), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 149, 199), fill=RED)
    draw.rectangle((300, 0, 449, 199), fill=BLUE)
    im.save(path, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return path


def page_with(pdf: Path, text: str) -> int:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout.split("\f")
    hits = [i + 1 for i, p in enumerate(out) if text in p and "Original file:" in p]
    assert len(hits) == 1, hits
    return hits[0]


def render(pdf: Path, page: int, tmp: Path) -> Image.Image:
    stem = tmp / f"r{page}"
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile",
                    "-png", str(pdf), str(stem)], check=True)
    return Image.open(f"{stem}.png").convert("RGB")


def region(im: Image.Image, color: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """Bounding box of the pixels close to `color`."""
    px = im.load()
    xs, ys = [], []
    for y in range(im.height):
        for x in range(im.width):
            r, g, b = px[x, y]
            if abs(r - color[0]) < 60 and abs(g - color[1]) < 60 and abs(b - color[2]) < 60:
                xs.append(x)
                ys.append(y)
    assert xs, f"no {color} on the page"
    return min(xs), min(ys), max(xs), max(ys)


def _case(tmp: Path, files: list[tuple[Path, str, str]], rotation: dict[str, int],
          marks: dict[str, list[dict]] | None = None):
    data = case_builder.make_case(tmp / "case", files=files)
    exhibits = []
    for ex in data.exhibits:
        info = replace(ex.info, rotation=rotation.get(ex.info.original_name, 0),
                       marks=tuple((marks or {}).get(ex.info.original_name, ())))
        exhibits.append(replace(ex, info=info))
    return replace(data, exhibits=tuple(exhibits))


def test_combined_orientation_matches_pillow() -> None:
    im = Image.frombytes("RGB", (5, 3), bytes(v for i in range(15) for v in (i, 2 * i, 3 * i)))
    for o in range(1, 9):
        for r in (0, 90, 180, 270):
            want = rot.rotate(rot._apply(im, o), r)
            got = rot._apply(im, rot.combined(o, r))
            assert got.tobytes() == want.tobytes(), (o, r)


def test_marks_turn_with_the_picture() -> None:
    box = {"kind": "redact", "x": 10, "y": 20, "w": 30, "h": 40}
    arrow = {"kind": "arrow", "x": 0, "y": 0, "w": 50, "h": 10}
    turned = rot.rotate_marks([box, arrow], (600, 200), 90)
    # A 600×200 picture turned clockwise is 200×600; the point (x, y) goes to (200 - y, x).
    assert turned[0] == {"kind": "redact", "x": 140, "y": 10, "w": 40, "h": 30}
    assert turned[1] == {"kind": "arrow", "x": 200, "y": 0, "w": -10, "h": 50}
    back = rot.rotate_marks(turned, (200, 600), 270)
    assert back[0] == {**box, "x": 10.0, "y": 20.0, "w": 30.0, "h": 40.0}


@poppler
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_rotated_item_is_drawn_rotated_in_the_dossier(tmp_path: Path, fmt: str) -> None:
    ext = "jpg" if fmt == "JPEG" else "png"
    turned = striped(tmp_path / f"sideways.{ext}", fmt)
    plain = striped(tmp_path / f"level.{ext}", fmt)
    data = _case(tmp_path, [(turned, "product_photo", "turned"),
                            (plain, "product_photo", "level")], {turned.name: 90})
    out = tmp_path / "d.pdf"
    build_dossier(data, out, lang="en")
    im = render(out, page_with(out, turned.name), tmp_path)
    red, blue = region(im, RED), region(im, BLUE)
    # Turned clockwise: red (the left third) on top, blue below, each as wide as tall.
    assert red[3] < blue[1], (red, blue)
    assert abs(red[0] - blue[0]) < 5
    im = render(out, page_with(out, plain.name), tmp_path)
    red, blue = region(im, RED), region(im, BLUE)
    assert red[2] < blue[0], (red, blue)


@poppler
def test_marks_are_drawn_after_the_rotation(tmp_path: Path) -> None:
    src = striped(tmp_path / "marked.jpg")
    # In the turned picture (200×450) the red third is the top 150 rows; cover its top half.
    mark = {"kind": "redact", "x": 0, "y": 0, "w": 200, "h": 75}
    data = _case(tmp_path, [(src, "product_photo", "marked")], {src.name: 90},
                 {src.name: [mark]})
    out = tmp_path / "d.pdf"
    build_dossier(data, out, lang="en")
    im = render(out, page_with(out, src.name), tmp_path)
    red, blue = region(im, RED), region(im, BLUE)
    assert red[3] < blue[1]
    black = region(im.crop((0, 0, im.width, red[3])), (0, 0, 0))
    assert black[3] < red[1] + 3 and abs(black[0] - red[0]) < 5, (black, red)

    pack = build_pack(data, tmp_path / "pack", statement_en="The buyer refuses to pay.")
    name = pack.zips[0].members[0]
    with zipfile.ZipFile(pack.zips[0].path) as zf:
        zf.extract(name, tmp_path)
    with Image.open(tmp_path / name) as copy:
        assert copy.size == (200, 450)
        assert copy.getpixel((100, 35))[0] < 40  # covered
        assert copy.getpixel((100, 110))[0] > 180  # red shows below the box


def test_pack_copy_of_a_rotated_item_is_turned(tmp_path: Path) -> None:
    src = striped(tmp_path / "photo.jpg")
    data = _case(tmp_path, [(src, "product_photo", "p")], {src.name: 270})
    pack = build_pack(data, tmp_path / "pack", statement_en="The buyer refuses to pay.")
    name = pack.zips[0].members[0]
    with zipfile.ZipFile(pack.zips[0].path) as zf:
        zf.extract(name, tmp_path)
    with Image.open(tmp_path / name) as copy:
        assert copy.size == (200, 450)
        # Turned counter-clockwise: blue (the right third) on top.
        assert copy.getpixel((100, 75))[2] > 180 and copy.getpixel((100, 375))[0] > 180


@poppler
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_pdf_page_with_rotate_comes_out_upright(tmp_path: Path, turn: int) -> None:
    """Placed as a viewer shows it: the black block (120×60 pt at the bottom left of the
    unrotated content) turns with the page."""
    pdf = pdf_kinds.rotated(tmp_path / "scan.pdf", turn)
    data = case_builder.make_case(tmp_path / "case", files=[(pdf, "logistics_record", "s")])
    out = tmp_path / "d.pdf"
    result = build_dossier(data, out, lang="en")
    assert result.affected == ()
    page = page_with(out, "ROTATED page 1")
    # Where the block lies seen from the word "ROTATED": the same on the dossier page as in
    # a viewer showing the original (pdftoppm honours /Rotate).
    assert _direction(out, page, tmp_path) == _direction(pdf, 1, tmp_path)


def _direction(pdf: Path, page: int, tmp: Path) -> tuple[str, int]:
    import re

    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                          "-"], capture_output=True, text=True, check=True).stdout
    m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">ROTATED<',
                  xml)
    assert m, xml[:500]
    x0, y0, x1, y1 = (float(v) * 40 / 72 for v in m.groups())
    bx0, by0, bx1, by1 = _block(render(pdf, page, tmp))
    dx = (bx0 + bx1) / 2 - (x0 + x1) / 2
    dy = (by0 + by1) / 2 - (y0 + y1) / 2
    return ("x", 1 if dx > 0 else -1) if abs(dx) > abs(dy) else ("y", 1 if dy > 0 else -1)


def _block(im: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the solid black block: the rows and columns with a long black run."""
    px = im.load()
    rows = [y for y in range(im.height)
            if _run(px[x, y] for x in range(im.width)) >= 12]
    cols = [x for x in range(im.width)
            if _run(px[x, y] for y in range(im.height)) >= 12]
    assert rows and cols
    return min(cols), min(rows), max(cols), max(rows)


def _run(pixels) -> int:  # noqa: ANN001 - an iterator of RGB tuples
    best = cur = 0
    for r, g, b in pixels:
        cur = cur + 1 if r + g + b < 150 else 0
        best = max(best, cur)
    return best
