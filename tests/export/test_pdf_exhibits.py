"""PDF exhibits as they really arrive: encrypted, broken annotations, zero-size boxes, giant
images, truncated; the bounded worker that reads them; and pictures that cannot be drawn."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import case_builder
import factories
import pdf_kinds
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from evidence_desk.export.dossier import build_dossier
from evidence_desk.export.dossier_pdfpages import render_page
from evidence_desk.export.pdf_guard import PdfGuard, PdfJob

poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [" ".join(p.split()) for p in out.split("\f")]


def _export(tmp: Path, files: list[tuple[Path, str, str]]):
    data = case_builder.make_case(tmp / "case", files=files)
    out = tmp / "d.pdf"
    return data, build_dossier(data, out, lang="en"), out


@poppler
def test_aes_encrypted_pdf_with_empty_password_is_placed(tmp_path: Path) -> None:
    pdf = pdf_kinds.encrypted_aes(tmp_path / "bank.pdf", pages=2)
    assert PdfReader(str(pdf)).is_encrypted
    _data, result, out = _export(tmp_path, [(pdf, "transaction_record", "bank")])
    assert result.affected == ()
    pages = _text(out)
    assert any("SECRET page 1" in p for p in pages) and any("SECRET page 2" in p for p in pages)


@poppler
def test_broken_annotations_and_zero_size_box(tmp_path: Path) -> None:
    annotated = pdf_kinds.broken_annotations(tmp_path / "annotated.pdf")
    boxed = pdf_kinds.zero_box(tmp_path / "boxed.pdf")
    data, result, out = _export(tmp_path, [(annotated, "logistics_record", "a"),
                                           (boxed, "logistics_record", "b")])
    pages = _text(out)
    assert any("ANNOTATED page 1" in p for p in pages)
    # The annotation with a proper /Rect survives; the broken ones are gone.
    links = [a for page in PdfReader(str(out)).pages
             for a in (page.get("/Annots") or []) if a is not None]
    assert any(a.get_object().get("/Subtype") == "/Link" for a in links)
    assert all("/Rect" in a.get_object() for a in links)
    # Page 1 of the boxed PDF has no size: its page says so, page 2 is placed.
    number = next(ex.number for ex in data.exhibits if ex.info.original_name == "boxed.pdf")
    assert [a.number for a in result.affected] == [number]
    assert "page(s) 1 of 2" in result.affected[0].reason
    assert any("Page 1 could not be drawn" in p and "no size" in p for p in pages)
    assert any("ZEROBOX page 2" in p for p in pages)


@poppler
def test_giant_image_and_truncated_pdf_get_could_not_be_drawn_pages(tmp_path: Path) -> None:
    giant = pdf_kinds.giant_image(tmp_path / "jbig2.pdf")
    cut = pdf_kinds.truncated(tmp_path / "cut.pdf", keep=0.3)
    fine = pdf_kinds.plain(tmp_path / "fine.pdf", text="FINE")
    data, result, out = _export(tmp_path, [(giant, "logistics_record", "g"),
                                           (cut, "logistics_record", "c"),
                                           (fine, "logistics_record", "f")])
    assert len(PdfReader(str(out)).pages) == result.pages
    by_name = {a.name: a for a in result.affected}
    assert set(by_name) == {"jbig2.pdf", "cut.pdf"}
    assert "200,000×200,000 pixels" in by_name["jbig2.pdf"].reason
    assert "cannot be read" in by_name["cut.pdf"].reason
    pages = _text(out)
    undrawn = [p for p in pages if "could not be drawn" in p]
    assert len(undrawn) == 2
    cut_page = next(p for p in undrawn if "cut.pdf" in p)
    assert hashlib.sha256(cut.read_bytes()).hexdigest() in cut_page.replace(" ", "")
    assert "upload pack" in cut_page
    assert any("FINE page 1" in p for p in pages)


def _inflating_pdf(path: Path, mb: int) -> Path:
    """One page whose content stream inflates to `mb` MB of spaces (a few dozen KB)."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(mb)) + comp.flush()
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
def test_worker_is_bounded_in_memory_and_time_and_recovers(tmp_path: Path) -> None:
    # 70 MB of content (under pypdf's own inflate limit) in a worker allowed 180 MB in all.
    bomb = _inflating_pdf(tmp_path / "bomb.pdf", 70)
    fine = pdf_kinds.embedded_fonts(tmp_path / "fine.pdf")
    with PdfGuard(workers=1, memory_bytes=180 * 1024 * 1024, timeout_s=60) as guard:
        res = guard.run(PdfJob(0, bomb, tmp_path / "b.pdf", tmp_path / "wb", "X-1"))
        assert res.failed == {0: "it needs more memory than an exhibit may use"}, res
        res = guard.run(PdfJob(1, fine, tmp_path / "f.pdf", tmp_path / "wf", "X-2"))
        assert res.error == "" and len(res.pages) == 2
    with PdfGuard(workers=1, timeout_s=0.05) as guard:
        res = guard.run(PdfJob(0, fine, tmp_path / "t.pdf", tmp_path / "wt", "X-3"))
        assert "longer than" in res.error
        guard.timeout_s = 60
        res = guard.run(PdfJob(1, fine, tmp_path / "t2.pdf", tmp_path / "wt2", "X-4"))
        assert res.error == "" and len(res.pages) == 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdftoppm_failure_says_what_happened_not_that_it_is_missing(tmp_path: Path) -> None:
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_bytes(b"this is no PDF at all")
    ok, why = render_page(not_pdf, 0, (595, 842), tmp_path / "x.png")
    assert not ok
    assert "is needed" not in why and "pdftoppm failed (exit" in why, why


@poppler
def test_picture_declaring_too_many_pixels_gets_its_page(tmp_path: Path) -> None:
    bomb = factories.bomb_png(tmp_path / "licence_scan.png")
    photo = factories.photo(tmp_path / "photo.jpg")
    data, result, out = _export(tmp_path, [(bomb, "identity_document", "licence"),
                                           (photo, "product_photo", "photo")])
    assert [a.name for a in result.affected] == ["licence_scan.png"]
    number = result.affected[0].number
    page = next(p for p in _text(out) if "could not be drawn" in p)
    assert number in page and "licence_scan.png" in page and "pixels" in page
    assert "The original file (SHA-256 below) is in the upload pack." in page
    assert hashlib.sha256(bomb.read_bytes()).hexdigest() in page.replace(" ", "")


def test_dossier_memory_stays_flat_in_the_number_of_pdfs(tmp_path: Path) -> None:
    """Readers are dropped exhibit by exhibit: 40 PDFs cost the parent little more than 4."""
    import resource

    files = [(pdf_kinds.embedded_fonts(tmp_path / f"p{i}.pdf", pages=3), "logistics_record",
              f"p{i}") for i in range(40)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _data, result, _out = _export(tmp_path, files)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.affected == ()
    assert grown_kb < 150 * 1024, grown_kb


def test_scanned_pdf_images_reach_the_dossier_byte_for_byte(tmp_path: Path) -> None:
    """A scan's image stream is kept out of memory and spliced into the final file as is."""
    scan = pdf_kinds.scanned(tmp_path / "scan.pdf", pages=2)

    def streams(pdf: Path) -> list[bytes]:
        found: dict[int, bytes] = {}

        def walk(resources) -> None:  # noqa: ANN001 - a pypdf dictionary
            xobjects = (resources or {}).get("/XObject") or {}
            for ref in xobjects.values():
                xobj = ref.get_object()
                if xobj.get("/Subtype") == "/Image":
                    found[ref.idnum] = xobj._data
                elif xobj.get("/Subtype") == "/Form":
                    walk(xobj.get("/Resources"))

        for page in PdfReader(str(pdf)).pages:
            walk(page.get("/Resources"))
        return list(found.values())

    _data, result, out = _export(tmp_path, [(scan, "logistics_record", "scan")])
    assert result.affected == ()
    original = streams(scan)
    assert len(original) == 2 and all(len(s) > 500_000 for s in original)
    assert sorted(streams(out)) == sorted(original)
    assert b"EDIMG:" not in out.read_bytes()


def test_pack_carries_original_bytes_when_no_clean_copy_can_be_made(tmp_path: Path) -> None:
    from evidence_desk.export.pack import build_pack

    bomb = factories.bomb_png(tmp_path / "licence_scan.png")
    photo = factories.photo(tmp_path / "photo.jpg")
    data = case_builder.make_case(tmp_path / "case", files=[
        (bomb, "identity_document", "licence"), (photo, "product_photo", "photo")])
    pack = build_pack(data, tmp_path / "pack", statement_en="The buyer refuses to pay.")
    number = next(ex.number for ex in data.exhibits if ex.info.original_name == bomb.name)
    assert [a.number for a in pack.affected] == [number]
    assert "no clean copy could be made" in pack.affected[0].reason
    assert pack.affected[0].in_pack
    zf_path = next(z.path for z in pack.zips if z.kind == "identity_document")
    import zipfile

    with zipfile.ZipFile(zf_path) as zf:
        (name,) = zf.namelist()
        assert zf.read(name) == bomb.read_bytes()
    readme = (pack.folder / "README.txt").read_text(encoding="utf-8")
    assert f"{name} (original bytes: no clean copy could be made)" in readme


def test_marked_item_whose_marks_cannot_be_drawn_stays_out_of_both(tmp_path: Path) -> None:
    """Never unredacted: the dossier shows a page saying so, the pack leaves it out."""
    from dataclasses import replace

    from evidence_desk.export.pack import build_pack

    card = factories.photo(tmp_path / "id_card.jpg")
    other = factories.photo(tmp_path / "photo.jpg", color=(10, 200, 10))
    data = case_builder.make_case(tmp_path / "case", files=[
        (card, "identity_document", "ID"), (other, "product_photo", "photo")])
    bad = ({"kind": "redact", "x": 0, "y": 0, "w": 10, "h": 10, "colour": "?"},)
    exhibits = tuple(replace(ex, info=replace(ex.info, marks=bad))
                     if ex.info.original_name == card.name else ex for ex in data.exhibits)
    data = replace(data, exhibits=exhibits)
    out = tmp_path / "d.pdf"
    result = build_dossier(data, out, lang="en")
    number = next(ex.number for ex in exhibits if ex.info.original_name == card.name)
    assert [(a.number, a.in_pack) for a in result.affected] == [(number, False)]
    pack = build_pack(data, tmp_path / "pack", statement_en="The buyer refuses to pay.")
    assert [(a.number, a.in_pack) for a in pack.affected] == [(number, False)]
    assert not any(z.kind == "identity_document" for z in pack.zips)
    readme = (pack.folder / "README.txt").read_text(encoding="utf-8")
    assert "Not in any zip:" in readme and card.name in readme
    if shutil.which("pdftotext"):
        page = next(p for p in _text(out) if "could not be drawn" in p)
        assert "not in the upload pack either" in page
