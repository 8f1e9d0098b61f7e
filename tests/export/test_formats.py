"""Formats beside pictures and PDFs: multi-page TIFF, BMP, DOCX, legacy DOC and video, in the
dossier and the pack; and, where the importer already takes them, through a real library."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import case_builder
import damaged
import pytest
from PIL import Image
from pypdf import PdfReader

from evidence_desk.export.documents import DocumentUnreadable, docx_paragraphs
from evidence_desk.export.dossier import build_dossier
from evidence_desk.export.pack import build_pack

poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
STATEMENT = "The buyer received the goods and refuses to pay."


def _text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [" ".join(p.split()) for p in out.split("\f")]


def _members(pack) -> dict[str, bytes]:
    return {n: zipfile.ZipFile(z.path).read(n) for z in pack.zips
            for n in zipfile.ZipFile(z.path).namelist()}


@pytest.fixture(scope="module")
def formats_case(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("formats")
    tiff = damaged.multipage_tiff(folder / "licence_scan.tiff", pages=3)
    bmp = damaged.bmp(folder / "label.bmp")
    docx = damaged.docx(folder / "买家确认函.docx",
                        ["买家确认已收到货物 <b>&", "The buyer confirms receipt on 5 March."])
    doc = folder / "old_letter.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    mp4 = damaged.mp4(folder / "unboxing.mp4")
    files = [(tiff, "identity_document", "licence"), (bmp, "logistics_record", "label"),
             (docx, "chat_record", "letter"), (doc, "chat_record", "old letter"),
             (mp4, "product_photo", "unboxing video")]
    data = case_builder.make_case(folder / "case", files=files)
    out = folder / "d.pdf"
    result = build_dossier(data, out, lang="en")
    pack = build_pack(data, folder / "pack", statement_en=STATEMENT)
    return data, result, out, pack, {p.name: p for p, _k, _c in files}


def _number(data, name: str) -> str:
    return next(ex.number for ex in data.exhibits if ex.info.original_name == name)


@poppler
def test_three_page_tiff_is_three_dossier_pages(formats_case) -> None:
    data, result, out, _pack, _files = formats_case
    number = _number(data, "licence_scan.tiff")
    pages = [p for p in _text(out) if f"{number} · " in p and "Original file:" in p]
    assert len(pages) == 3
    for i, page in enumerate(pages, start=1):
        assert f"page {i}/3" in page
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == 4  # three TIFF pages and the BMP
    assert result.affected == ()


def test_tiff_pages_are_jpegs_in_the_pack_and_bmp_too(formats_case) -> None:
    data, _result, _out, pack, _files = formats_case
    members = _members(pack)
    tiff = _number(data, "licence_scan.tiff")
    pages = sorted(n for n in members if n.startswith(f"{tiff}_"))
    assert pages == [f"{tiff}_identity_document_p{i}.jpg" for i in (1, 2, 3)]
    colours = []
    for name in pages:
        with Image.open(__import__("io").BytesIO(members[name])) as im:
            assert im.format == "JPEG" and im.size == (400, 560)
            colours.append(im.convert("RGB").getpixel((200, 300)))
    assert colours[0][0] > 180 and colours[1][1] > 150 and colours[2][2] > 180
    bmp = next(n for n in members if n.startswith(_number(data, "label.bmp") + "_"))
    assert bmp.endswith(".jpg") and members[bmp][:3] == b"\xff\xd8\xff"


@poppler
def test_docx_shows_its_text_and_goes_in_the_pack_as_it_is(formats_case) -> None:
    data, _result, out, pack, files = formats_case
    number = _number(data, "买家确认函.docx")
    page = next(p for p in _text(out) if f"{number} · " in p and "Original file:" in p)
    assert "A Word document; the original is in the upload pack." in page
    assert "买家确认已收到货物 <b>&" in page
    assert "The buyer confirms receipt on 5 March." in page
    members = _members(pack)
    name = next(n for n in members if n.startswith(number + "_"))
    assert name.endswith(".docx") and members[name] == files["买家确认函.docx"].read_bytes()
    doc_number = _number(data, "old_letter.doc")
    doc_page = next(p for p in _text(out) if f"{doc_number} · " in p and "Original file:" in p)
    assert "legacy .doc files are not read" in doc_page
    doc_name = next(n for n in members if n.startswith(doc_number + "_"))
    assert members[doc_name] == files["old_letter.doc"].read_bytes()


@poppler
def test_video_is_listed_not_uploaded(formats_case) -> None:
    data, result, out, pack, files = formats_case
    number = _number(data, "unboxing.mp4")
    page = next(p for p in _text(out) if f"{number} · " in p and "Original file:" in p)
    assert "not uploadable (the platform takes no video)" in page
    assert __import__("hashlib").sha256(files["unboxing.mp4"].read_bytes()).hexdigest() in page
    assert not any(n.startswith(number + "_") for n in _members(pack))
    assert [a.number for a in pack.affected] == [number]
    assert "takes no video" in pack.affected[0].reason and not pack.affected[0].in_pack
    readme = (pack.folder / "README.txt").read_text(encoding="utf-8")
    assert "Not in any zip:" in readme and "unboxing.mp4" in readme
    assert len(PdfReader(str(out)).pages) == result.pages


def test_docx_reading_is_bounded(tmp_path: Path) -> None:
    paragraphs, cut = docx_paragraphs(damaged.docx(tmp_path / "a.docx", ["x" * 500] * 100),
                                      max_chars=2000)
    assert cut and sum(len(p) for p in paragraphs) <= 2001
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document>" + " " * 40_000_000 + "</w:document>")
    with pytest.raises(DocumentUnreadable, match="too large"):
        docx_paragraphs(bomb)
    dense = tmp_path / "dense.docx"
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document>" + " " * 20_000_000 + "</w:document>")
    with pytest.raises(DocumentUnreadable, match="compressed suspiciously"):
        docx_paragraphs(dense)
    entities = tmp_path / "entities.docx"
    with zipfile.ZipFile(entities, "w") as zf:
        zf.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aa">]>'
                    "<d>&a;</d>")
    with pytest.raises(DocumentUnreadable, match="entities"):
        docx_paragraphs(entities)


def test_new_formats_through_a_real_library(tmp_path: Path) -> None:
    """TIFF, BMP, DOCX and MP4 added to a library, then exported."""
    from evidence_desk.export.jobs import export_dossier, export_pack
    from evidence_desk.library.service import Library

    pictures = [damaged.multipage_tiff(tmp_path / "scan.tiff"), damaged.bmp(tmp_path / "x.bmp"),
                damaged.mp4(tmp_path / "unboxing.mp4")]
    letter = damaged.docx(tmp_path / "letter.docx", ["Buyer confirms receipt."])
    lib = Library.open(tmp_path / "lib")
    case_id = lib.create_case("quality_dispute", "2024111900123").id
    results = lib.add_paths(case_id, pictures, kind="product_photo")
    results += lib.add_paths(case_id, [letter], kind="return_record")
    assert [r.status for r in results] == ["added"] * 4, results
    result = export_dossier(lib, case_id, tmp_path / "d.pdf", lang="en")
    pack = export_pack(lib, case_id, tmp_path / "pack")
    assert [a.name for a in result.affected] == []
    assert [a.name for a in pack.affected] == ["unboxing.mp4"]
    assert result.pages == len(PdfReader(str(tmp_path / "d.pdf")).pages)
