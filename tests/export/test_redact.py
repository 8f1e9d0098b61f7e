"""Redaction burned into what leaves the desk, proven from exported pixels; metadata stripped."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import factories
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps

from evidence_desk.export.jobs import export_dossier, export_pack
from evidence_desk.export.redact import (
    render_marked,
    strip_gif_bytes,
    strip_jpeg_bytes,
    strip_metadata,
    strip_png_bytes,
)
from evidence_desk.library.service import Library

poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")

RED = (220, 0, 0)
BLUE = (0, 0, 255)
# Where the red square sits in the *stored* pixels of the test picture.
SQUARE = (200, 150, 300, 250)
SIZE = (640, 480)


def card_photo(path: Path, *, orientation: int = 1) -> Path:
    """A white camera JPEG with a red square (the "ID number") and a blue frame, GPS in EXIF."""
    im = Image.new("RGB", SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, SIZE[0] - 1, SIZE[1] - 1), outline=BLUE, width=6)
    draw.rectangle((SQUARE[0], SQUARE[1], SQUARE[2] - 1, SQUARE[3] - 1), fill=RED)
    exif = factories.photo_exif(orientation=orientation, gps=True,
                                when=datetime(2024, 3, 5, 14, 30))
    im.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


def red_mask(im: Image.Image) -> Image.Image:
    """White where `im` is clearly red (as the square is, and nothing else in the pictures)."""
    r, g, _b = im.convert("RGB").split()
    return ImageChops.multiply(r.point(lambda v: 255 if v > 120 else 0),
                               g.point(lambda v: 255 if v < 90 else 0))


def red_box(im: Image.Image) -> tuple[int, int, int, int]:
    box = red_mask(im).getbbox()
    assert box is not None
    return box


def red_pixels(im: Image.Image) -> int:
    return red_mask(im).histogram()[255]


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as im:
        return bool(im.getexif().get_ifd(0x8825))


def assert_black(im: Image.Image, box: tuple[float, float, float, float], inset: int = 3) -> None:
    x0, y0, x1, y1 = (round(box[0]) + inset, round(box[1]) + inset, round(box[2]) - inset,
                      round(box[3]) - inset)
    region = im.convert("RGB").crop((x0, y0, x1, y1))
    highest = max(hi for _lo, hi in region.getextrema())
    assert highest <= 24, f"redacted region is not solid black (max channel {highest})"


@pytest.fixture
def lib(tmp_path: Path):
    library = Library(tmp_path / "lib")
    yield library
    library.close()


def add_card(lib: Library, tmp_path: Path, orientation: int = 1) -> tuple[int, int]:
    case = lib.create_case("transaction_fraud", "2024030112345", buyer_name="Buyer",
                           completed_on=date.today(), demand="Ban the buyer")
    src = card_photo(tmp_path / f"card{orientation}.jpg", orientation=orientation)
    [res] = lib.add_paths(case.id, [src], kind="identity_document")
    assert res.status == "added", res
    return case.id, res.item_id


def upright_square(path: Path) -> tuple[int, int, int, int]:
    """Where the user sees the red square: on the picture turned upright by its EXIF."""
    with Image.open(path) as im:
        return red_box(ImageOps.exif_transpose(im))


def pack_member(pack: Path, kind: str) -> tuple[str, bytes]:
    [zpath] = [p for p in pack.iterdir() if p.suffix == ".zip" and kind in p.name]
    with zipfile.ZipFile(zpath) as zf:
        [name] = zf.namelist()
        return name, zf.read(name)


@pytest.mark.parametrize("orientation", [1, 6])
def test_redaction_is_solid_in_the_pack_and_the_original_is_untouched(
        lib: Library, tmp_path: Path, orientation: int) -> None:
    case_id, item_id = add_card(lib, tmp_path, orientation)
    info = lib.get_evidence(item_id)
    blob = lib.blob_path(info.sha256)
    seen = upright_square(blob)  # the user draws over what they see, a little generously
    box = (seen[0] - 4, seen[1] - 4, seen[2] + 4, seen[3] + 4)
    lib.update_evidence(item_id, marks=[{"kind": "redact", "x": box[0], "y": box[1],
                                         "w": box[2] - box[0], "h": box[3] - box[1]}])
    assert "unredacted_personal_data" not in lib.check(case_id).warning_codes()

    result = export_pack(lib, case_id, tmp_path / "pack")
    name, data = pack_member(result.folder, "identity_document")
    assert name == "F-1_identity_document.jpg"
    with Image.open(io.BytesIO(data)) as out:
        assert out.format == "JPEG"
        assert not out.getexif()  # no EXIF at all: no GPS, no camera, no thumbnail
        assert "exif" not in out.info and "xmp" not in out.info and "comment" not in out.info
        out.load()
        upright = (SIZE[1], SIZE[0]) if orientation == 6 else SIZE
        assert out.size == upright
        assert_black(out, box)
        assert red_pixels(out) == 0
    assert b"Exif" not in data and not has_gps(data)
    assert has_gps(blob.read_bytes())
    # The original in the store is byte for byte what was added.
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == info.sha256
    assert lib.verify(case_id).ok
    readme = (result.folder / "README.txt").read_text(encoding="utf-8")
    assert "(redacted copy)" in readme and info.sha256 in readme
    assert hashlib.sha256(data).hexdigest() in readme


@poppler
def test_redaction_is_solid_in_the_rendered_dossier(lib: Library, tmp_path: Path) -> None:
    case_id, item_id = add_card(lib, tmp_path, orientation=6)
    info = lib.get_evidence(item_id)
    seen = upright_square(lib.blob_path(info.sha256))
    box = (seen[0] - 4, seen[1] - 4, seen[2] + 4, seen[3] + 4)
    lib.update_evidence(item_id, marks=[{"kind": "redact", "x": box[0], "y": box[1],
                                         "w": box[2] - box[0], "h": box[3] - box[1]}])
    out = tmp_path / "dossier.pdf"
    export_dossier(lib, case_id, out, lang="en")
    raw = out.read_bytes()
    assert b"Exif" not in raw

    # The exhibit is the last page; find the picture by its blue frame.
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "999", str(out),
                    str(tmp_path / "page")], check=False, capture_output=True)
    pages = sorted(tmp_path.glob("page*.png"))
    if not pages:  # -f beyond the last page renders nothing in some poppler versions
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(out), str(tmp_path / "page")],
                       check=True, capture_output=True)
        pages = sorted(tmp_path.glob("page*.png"))
    with Image.open(pages[-1]) as page:
        page = page.convert("RGB")
    b = page.split()[2].point(lambda v: 255 if v > 200 else 0)
    r = page.split()[0].point(lambda v: 255 if v < 60 else 0)
    frame = ImageChops.multiply(b, r).getbbox()
    assert frame is not None, "picture not found on the exhibit page"
    fx0, fy0, fx1, fy1 = frame
    sx, sy = (fx1 - fx0) / SIZE[1], (fy1 - fy0) / SIZE[0]  # upright: 480 wide, 640 tall
    assert abs(sx - sy) < 0.05 * sx  # shown upright, not squashed
    shown = (fx0 + box[0] * sx, fy0 + box[1] * sy, fx0 + box[2] * sx, fy0 + box[3] * sy)
    assert_black(page, shown, inset=4)
    assert red_pixels(page.crop(frame)) == 0

    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    assert info.sha256 in flat  # the original's hash …
    assert "Shownredacted" in flat  # … and that the exhibit is redacted, with the copy's hash
    derived = flat.split("SHA-256ofthecopy:")[1][:64]
    assert len(derived) == 64 and derived != info.sha256
    _name, packed = pack_member(export_pack(lib, case_id, tmp_path / "pack").folder,
                                "identity_document")
    assert hashlib.sha256(packed).hexdigest() == derived  # the same copy as in the pack


def test_unredacted_photo_leaves_without_metadata(lib: Library, tmp_path: Path) -> None:
    case_id, item_id = add_card(lib, tmp_path, orientation=1)
    info = lib.get_evidence(item_id)
    _name, data = pack_member(export_pack(lib, case_id, tmp_path / "pack").folder,
                              "identity_document")
    original = lib.blob_path(info.sha256).read_bytes()
    assert has_gps(original) and not has_gps(data) and b"Exif" not in data
    # Lossless: the compressed picture is the original's, byte for byte.
    assert data == strip_jpeg_bytes(original)
    with Image.open(io.BytesIO(data)) as a, Image.open(io.BytesIO(original)) as b:
        assert a.tobytes() == b.tobytes()
    out = tmp_path / "d.pdf"
    export_dossier(lib, case_id, out, lang="en")
    assert b"Exif" not in out.read_bytes() and data in out.read_bytes()


# --- the lossless strip -----------------------------------------------------------------------


def segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the first scan."""
    out, pos = [], 2
    while pos < len(data):
        marker = data[pos + 1]
        out.append(marker)
        if marker == 0xDA:
            break
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return out


def test_jpeg_strip_keeps_the_scans_byte_for_byte(tmp_path: Path) -> None:
    src = factories.photo(tmp_path / "p.jpg", gps=True, megapixels=0.3)
    with Image.open(src) as im:
        exif = im.info["exif"]
        pixels = im.tobytes()
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90, exif=exif, comment=b"Shot at home, 12 Secret Rd",
                progressive=True, icc_profile=b"\0" * 200)
    data = buf.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>secret</x:xmpmeta>"
    app13 = b"Photoshop 3.0\x008BIM secret"
    extra = b"".join(b"\xff" + bytes([m]) + (len(p) + 2).to_bytes(2, "big") + p
                     for m, p in ((0xE1, xmp), (0xED, app13)))
    data = data[:2] + extra + data[2:] + b"TRAILER secret second image"
    (tmp_path / "dirty.jpg").write_bytes(data)

    clean = strip_jpeg_bytes(data)
    assert clean is not None
    assert b"secret" not in clean.lower() and b"Exif" not in clean and not has_gps(clean)
    assert has_gps(data)
    kept = segments(clean)
    assert 0xE1 not in kept and 0xED not in kept and 0xFE not in kept
    assert 0xE0 in kept and 0xE2 in kept  # JFIF and the ICC profile stay
    # The entropy-coded data (from the first scan to the end) is identical.
    assert clean[clean.index(b"\xff\xda"):] == data[data.index(b"\xff\xda"):data.index(b"TRAILER")]
    with Image.open(io.BytesIO(clean)) as a, Image.open(io.BytesIO(data)) as b:
        assert a.tobytes() == b.tobytes()
        assert not a.getexif()
    with Image.open(io.BytesIO(clean)) as a:
        assert a.tobytes() == pixels or a.size == Image.open(src).size
    assert strip_jpeg_bytes(clean) is None  # nothing left to strip: the file is used as is
    out = strip_metadata(tmp_path / "dirty.jpg", tmp_path / "clean.jpg")
    assert out == tmp_path / "clean.jpg" and out.read_bytes() == clean
    assert strip_metadata(out, tmp_path / "again.jpg") == out


def test_rotated_jpeg_is_turned_upright_when_its_exif_goes(tmp_path: Path) -> None:
    src = card_photo(tmp_path / "r.jpg", orientation=6)
    out = strip_metadata(src, tmp_path / "r-clean.jpg")
    with Image.open(out) as im, Image.open(src) as orig:
        assert not im.getexif()
        assert im.size == (SIZE[1], SIZE[0])
        assert red_box(im) == pytest.approx(red_box(ImageOps.exif_transpose(orig)), abs=2)


def test_png_and_gif_strip(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "home address")
    meta.add_itxt("XML:com.adobe.xmp", "<x>secret</x>")
    im = Image.new("RGB", (40, 30), (10, 200, 30))
    exif = factories.photo_exif(gps=True)
    buf = io.BytesIO()
    im.save(buf, "PNG", pnginfo=meta, exif=exif.tobytes())
    clean = strip_png_bytes(buf.getvalue())
    assert clean is not None
    for word in (b"tEXt", b"iTXt", b"eXIf", b"secret", b"home"):
        assert word not in clean
    assert Image.open(io.BytesIO(clean)).tobytes() == im.tobytes()
    assert strip_png_bytes(clean) is None

    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], comment=b"secret note",
                   loop=0, duration=50)
    gif = strip_gif_bytes(buf.getvalue())
    assert gif is not None and b"secret" not in gif and b"NETSCAPE2.0" in gif
    with Image.open(io.BytesIO(gif)) as a, Image.open(io.BytesIO(buf.getvalue())) as b:
        assert a.n_frames == b.n_frames == 2
        assert a.tobytes() == b.tobytes()


# --- drawing ------------------------------------------------------------------------------------


def test_redaction_is_drawn_before_the_downscale(tmp_path: Path) -> None:
    src = tmp_path / "sq.png"
    im = Image.new("RGB", (1000, 800), (255, 255, 255))
    ImageDraw.Draw(im).rectangle((300, 300, 399, 399), fill=RED)
    im.save(src)
    out = render_marked(src, [{"kind": "redact", "x": 300, "y": 300, "w": 100, "h": 100}],
                        tmp_path / "small.jpg", max_side=333)
    with Image.open(out) as small:
        assert max(small.size) == 333
        # Not a trace of red in the box's neighbourhood: the resampling only saw black.
        assert red_pixels(small) == 0
        assert_black(small, (100, 100, 133, 133), inset=2)


def test_every_kind_of_mark_is_drawn(tmp_path: Path) -> None:
    src = tmp_path / "white.png"
    Image.new("RGB", (800, 600), (255, 255, 255)).save(src)
    marks = [
        {"kind": "highlight", "x": 20, "y": 20, "w": 200, "h": 60},
        {"kind": "arrow", "x": 400, "y": 300, "w": 150, "h": -100},
        {"kind": "marker", "x": 600, "y": 400, "w": 40, "h": 40, "number": 12},
        {"kind": "note", "x": 20, "y": 300, "w": 300, "h": 120,
         "text": "买家承认收到货物 The buyer admits receiving the goods"},
        {"kind": "redact", "x": 100, "y": 40, "w": 40, "h": 20},  # over the highlight
    ]
    out = render_marked(src, marks, tmp_path / "marked.png")
    with Image.open(out) as im:
        im = im.convert("RGB")
        r, g, b = im.getpixel((30, 50))
        assert r > 200 and g > 180 and b < 200  # translucent yellow, not opaque
        assert im.getpixel((120, 50)) == (0, 0, 0)  # the redaction wins over the highlight
        assert im.getpixel((548, 201))[0] > 150 and im.getpixel((548, 201))[2] < 120  # arrow tip
        assert im.getpixel((620, 420)) != (255, 255, 255)  # marker disc
        note = im.crop((30, 310, 310, 410)).convert("L")
        assert note.getextrema()[0] < 80  # dark text drawn in the note
        assert not im.info.get("exif") and "text" not in im.info
