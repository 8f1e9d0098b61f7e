"""The real type comes from the bytes, whatever the file is called."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import factories as f
import pytest

from evidence_desk.ingest.sniff import HEAD_BYTES, sniff, sniff_path, sniff_text

MAKERS: dict[str, Callable[[Path], Path]] = {
    "png": lambda p: f.order_screenshot(p, "1"),
    "jpg": f.photo,
    "gif": f.animated_gif,
    "webp": f.webp,
    "heic": f.heic_photo,
    "pdf": lambda p: f.pdf_waybill(p, "1Z999"),
    "xlsx": f.xlsx,
    "msg": f.outlook_msg,
    "eml": f.eml,
    "csv": f.tracking_csv,
}
CATEGORY = {"png": "image", "jpg": "image", "gif": "image", "webp": "image", "heic": "image",
            "pdf": "pdf", "xlsx": "spreadsheet", "csv": "spreadsheet", "msg": "email",
            "eml": "email"}


@pytest.mark.parametrize("ext", sorted(MAKERS))
@pytest.mark.parametrize("name", ["evidence.bin", "no_extension", "misnamed.docx"])
def test_type_comes_from_bytes_not_name(tmp_path: Path, ext: str, name: str) -> None:
    made = MAKERS[ext](tmp_path / f"real.{ext}")
    renamed = made.rename(tmp_path / name)
    found = sniff_path(renamed)
    assert found is not None
    assert (found.ext, found.category) == (ext, CATEGORY[ext])


@pytest.mark.parametrize("ext", ["png", "jpg", "gif", "webp", "heic", "pdf", "xlsx", "msg", "eml"])
def test_sniff_works_on_the_head_alone(tmp_path: Path, ext: str) -> None:
    made = MAKERS[ext](tmp_path / f"real.{ext}")
    found = sniff(made.read_bytes()[:HEAD_BYTES])
    assert found is not None and found.ext == ext


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00" * 16


@pytest.mark.parametrize(("head", "mime"), [
    (_ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
    (_ftyp(b"mif1", b"heic"), "image/heic"),
    (_ftyp(b"heix", b"mif1"), "image/heic"),
    (_ftyp(b"hevc", b"msf1"), "image/heic"),
    (_ftyp(b"msf1", b"iso8"), "image/heif"),
    (_ftyp(b"mif1", b"miaf"), "image/heif"),
])
def test_heif_brands(head: bytes, mime: str) -> None:
    found = sniff(head)
    assert found is not None and (found.mime, found.ext) == (mime, "heic")


@pytest.mark.parametrize("head", [_ftyp(b"avif", b"mif1", b"miaf"), _ftyp(b"mif1", b"avif")])
def test_avif_is_not_heic(head: bytes) -> None:
    assert sniff(head) is None


@pytest.mark.parametrize(("head", "ext"), [
    (_ftyp(b"isom", b"mp41"), "mp4"), (_ftyp(b"mp42", b"isom"), "mp4"),
    (_ftyp(b"qt  ", b"qt  "), "mov"), (_ftyp(b"3gp4", b"3gp4"), "3gp"),
    (_ftyp(b"M4V ", b"M4V "), "m4v"),
])
def test_video_brands_are_video_not_heic(head: bytes, ext: str) -> None:
    found = sniff(head)
    assert found is not None and (found.category, found.ext) == ("video", ext)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_csv_in_every_encoding_sellers_use(tmp_path: Path, encoding: str) -> None:
    path = f.tracking_csv(tmp_path / "export.dat", encoding=encoding)
    head = path.read_bytes()
    found, used = sniff_text(head)
    assert found is not None and found.ext == "csv"
    assert head.decode(used).lstrip("\ufeff").startswith("运单号")


def test_pdf_header_after_junk_is_still_pdf() -> None:
    found = sniff(b"\r\n\x00junk" + b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert found is not None and found.ext == "pdf"


def test_text_decodes_with_cut_multibyte_character() -> None:
    text = ("订单已发货。请查收。\n" * 5000).encode("utf-8")
    head = text[:HEAD_BYTES]
    assert len(head) == HEAD_BYTES
    found = sniff(head, "notes")
    assert found is not None and found.ext == "txt"


def test_name_settles_text_versus_csv() -> None:
    table = b"a,b,c\n1,2,3\n4,5,6\n"
    assert sniff(table, "notes.txt").ext == "txt"  # type: ignore[union-attr]
    assert sniff(table, "x").ext == "csv"  # type: ignore[union-attr]
    one_column = b"tracking\nSF1\nSF2\n"
    assert sniff(one_column, "export.csv").ext == "csv"  # type: ignore[union-attr]
    assert sniff(one_column, "export").ext == "txt"  # type: ignore[union-attr]


def test_email_needs_real_headers() -> None:
    assert sniff(b"Subject: hello\nthanks for the order\n").ext == "txt"  # type: ignore[union-attr]
    found = sniff(b"From: a@b.c\nTo: d@e.f\nSubject: hi\n\nbody\n", "mail.txt")
    assert found is not None and found.ext == "eml"


def test_refused_kinds_of_bytes(tmp_path: Path) -> None:
    assert sniff(b"") is None
    assert sniff_path(f.binary_junk(tmp_path / "a.jpg")) is None
    assert sniff_path(f.plain_zip(tmp_path / "b.xlsx")) is None
    # An OLE file that is neither a message, a Word document nor a workbook.
    (tmp_path / "c.msg").write_bytes(f._cfb(["PowerPoint Document"]))
    assert sniff_path(tmp_path / "c.msg") is None
    assert sniff(b"\x00\x01\x02\x03" * 100) is None
    assert sniff(b"MZ\x90\x00" + bytes(range(256)) * 4) is None
