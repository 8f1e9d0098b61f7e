"""The dossier read back as a reviewer's tools see it: pypdf, pdftotext, pdffonts, pdftoppm."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import case_builder
import factories
import pytest
from PIL import Image
from pypdf import PdfReader

from evidence_desk.export.dossier import build_dossier
from evidence_desk.export.dossier_model import BudgetTooSmall, ExportCancelled

poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def squash(text: str) -> str:
    return "".join(text.split())


def outline_titles(reader: PdfReader) -> list[str]:
    out: list[str] = []

    def walk(items: list) -> None:
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                out.append(it.title)

    walk(reader.outline)
    return out


def test_reads_back(standard_case, standard_pdf) -> None:
    result, calls = standard_pdf
    reader = PdfReader(str(result.path))
    assert len(reader.pages) == result.pages
    # cover, statement+checklist+timeline, index, 1 order + 4+1 chat slices + 2 photos
    # + 2 waybill pages + 1 csv
    assert result.pages == 14
    assert result.size_bytes == result.path.stat().st_size
    meta = reader.metadata
    assert meta.author == "Evidence Desk"
    assert case_builder.ORDER_NO in meta.title and case_builder.ORDER_NO in (meta.get("/Keywords"))
    titles = outline_titles(reader)
    for ex in standard_case.exhibits:
        assert sum(t.startswith(ex.number + " ") for t in titles) == 1, ex.number
    assert calls[-1][0] == calls[-1][1] == len(standard_case.exhibits)


@poppler
def test_text_hashes_and_chinese(standard_case, standard_pdf) -> None:
    text = pdftotext(standard_pdf[0].path)
    flat = squash(text)
    assert case_builder.ORDER_NO in text
    assert "虚假交易" in text and "Fake transaction" in text
    for ex in standard_case.exhibits:
        assert ex.info.sha256 in flat, ex.number
    # The waybill's own pages are placed, not just mentioned.
    assert "AIR WAYBILL" in text and "SF1234567890" in text
    # GBK CSV decoded into a table.
    assert "已签收" in text and "Hamburg" in text
    assert "Page 3 of 14" in text
    # User text printed literally.
    assert "<b>bold</b> & more" in text


@poppler
def test_fonts_embedded(standard_case, standard_pdf) -> None:
    def fonts(path: Path) -> list[list[str]]:
        out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                             text=True).stdout
        return [r.split() for r in out.splitlines()[2:]]

    ours = fonts(standard_pdf[0].path)
    assert any(r[0].endswith("+DroidSansFallback") and r[-5] == "yes" for r in ours)
    # The waybill uses Helvetica without embedding it; its pages are shown as pictures, so
    # every font in the dossier is embedded.
    waybill = next(ex.path for ex in standard_case.exhibits if ex.path.suffix == ".pdf")
    assert any(r[-5] == "no" for r in fonts(waybill))
    for r in ours:
        assert r[-5] == "yes", r
    assert not any(r[0] == "Helvetica" for r in ours)


@poppler
def test_all_fonts_embedded_without_pdf_exhibits(tmp_path) -> None:
    files = [factories.chat_screenshot(tmp_path / "c.png", ["你好 hello"], height=900)]
    data = case_builder.make_case(tmp_path, files=[(files[0], "chat_record", "聊天")])
    out = tmp_path / "d.pdf"
    build_dossier(data, out, lang="zh")
    rows = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True,
                          text=True).stdout.splitlines()[2:]
    assert rows
    assert all(r.split()[-5] == "yes" for r in rows), rows


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_photos_upright(standard_case, standard_pdf, tmp_path) -> None:
    """The orientation-6 photo's stored top-left marker must appear top-right once upright."""
    reader = PdfReader(str(standard_pdf[0].path))
    titles = {}

    def walk(items: list) -> None:
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles[it.title] = reader.get_destination_page_number(it) + 1

    walk(reader.outline)
    page = next(p for t, p in titles.items() if "Rotated photo" in t)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page),
                    str(standard_pdf[0].path), str(tmp_path / "p")], check=True)
    im = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    # Find the photo: the green area; its bounding box tells where the picture sits.
    px = im.load()
    green = [(x, y) for x in range(0, im.width, 2) for y in range(0, im.height, 2)
             if px[x, y][1] > 120 and px[x, y][0] < 90 and px[x, y][2] < 110]
    blue = [(x, y) for x in range(0, im.width, 2) for y in range(0, im.height, 2)
            if px[x, y][2] > 180 and px[x, y][0] < 80]
    assert green and blue
    xs = [x for x, _ in green + blue]
    ys = [y for _, y in green + blue]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    bx = sum(x for x, _ in blue) / len(blue)
    by = sum(y for _, y in blue) / len(blue)
    assert bx > (left + right) / 2 and by < (top + bottom) / 2, "marker not top-right"
    # A 0.5 MP 4:3 photo turned upright is portrait.
    assert bottom - top > right - left


@poppler
def test_markup_and_huge_reason_print_literally(tmp_path) -> None:
    evil = 'A <b>bold</b> & <img src="/etc/passwd"/> <font size=80>x</font> 买家'
    reason = evil + "\n" + ("很长的理由" * 1500) + " " + ("f" * 3000) + "\n" + "word " * 2000
    assert len(reason) > 20_000
    files = [(factories.photo(tmp_path / "p.jpg"), "product_photo", evil)]
    data = case_builder.make_case(tmp_path, files=files, reason=reason, demand=evil)
    out = tmp_path / "d.pdf"
    # The Chinese dossier prints the seller's own reason (the English one never prints
    # Chinese text, so it would not show this one).
    result = build_dossier(data, out, lang="zh")
    text = pdftotext(out)
    assert "<b>bold</b> &" in text
    assert '<img src="/etc/passwd"/>' in text
    assert result.pages > 5


def test_budget_is_met(tmp_path) -> None:
    files = [(factories.photo(tmp_path / f"p{i}.jpg", megapixels=3, color=(i * 40, 90, 30)),
              "product_photo", f"photo {i}") for i in range(4)]
    files.append((factories.chat_screenshot(tmp_path / "c.png", case_builder.CHAT_LINES,
                                            height=5000), "chat_record", "chat"))
    data = case_builder.make_case(tmp_path, files=files)
    free = build_dossier(data, tmp_path / "free.pdf")
    budget = 400_000
    result = build_dossier(data, tmp_path / "small.pdf", budget_bytes=budget)
    assert result.size_bytes <= budget < free.size_bytes
    assert len(PdfReader(str(result.path)).pages) == free.pages


def test_fitting_jpeg_passes_through(tmp_path) -> None:
    src = factories.photo(tmp_path / "p.jpg", megapixels=0.3)
    data = case_builder.make_case(tmp_path, files=[(src, "product_photo", "p")])
    out = tmp_path / "d.pdf"
    build_dossier(data, out, budget_bytes=5_000_000)
    # Passed through without decoding: the same scans, only the EXIF block (camera, time)
    # removed on the way (export.redact.strip_jpeg).
    from evidence_desk.export.redact import strip_jpeg_bytes

    stripped = strip_jpeg_bytes(src.read_bytes())
    assert stripped is not None and b"Exif" not in stripped
    assert stripped in out.read_bytes()


def test_impossible_budget(tmp_path) -> None:
    files = [(factories.chat_screenshot(tmp_path / "c.png", case_builder.CHAT_LINES,
                                        height=4000), "chat_record", "chat")]
    data = case_builder.make_case(tmp_path, files=files)
    with pytest.raises(BudgetTooSmall, match="legib"):
        build_dossier(data, tmp_path / "d.pdf", budget_bytes=60_000)
    assert not (tmp_path / "d.pdf").exists()


def test_cancel_keeps_earlier_file(tmp_path) -> None:
    files = [(factories.photo(tmp_path / f"p{i}.jpg"), "product_photo", "p") for i in range(3)]
    data = case_builder.make_case(tmp_path / "in", files=files)
    out = tmp_path / "out" / "d.pdf"
    out.parent.mkdir()
    out.write_bytes(b"earlier dossier")
    with pytest.raises(ExportCancelled):
        build_dossier(data, out, cancel=lambda: True)
    assert out.read_bytes() == b"earlier dossier"
    assert [p.name for p in out.parent.iterdir()] == ["d.pdf"]
    # Cancelling late (after layout, during the write) leaves it intact too.
    n = {"calls": 0}

    def late() -> bool:
        n["calls"] += 1
        return n["calls"] > 6

    with pytest.raises(ExportCancelled):
        build_dossier(data, out, cancel=late)
    assert out.read_bytes() == b"earlier dossier"
    assert [p.name for p in out.parent.iterdir()] == ["d.pdf"]


def test_languages_choose_fixed_text(tmp_path, standard_case) -> None:
    small = replace(standard_case, exhibits=standard_case.exhibits[:1])
    for lang, present, absent in (("zh", "证据目录", "Exhibit index"),
                                  ("en", "Exhibit index", "证据目录")):
        out = tmp_path / f"{lang}.pdf"
        build_dossier(small, out, lang=lang)
        if shutil.which("pdftotext"):
            text = pdftotext(out)
            assert present in text and absent not in text
    with pytest.raises(ValueError):
        build_dossier(small, tmp_path / "x.pdf", lang="fr")


def _pages_text(path: Path) -> list[str]:
    return pdftotext(path).split("\f")


@poppler
def test_flags_and_capture_source_are_words(tmp_path) -> None:
    photo = factories.photo(tmp_path / "p.jpg")
    shot = factories.chat_screenshot(tmp_path / "c.png", ["hello"], height=900)
    data = case_builder.make_case(tmp_path / "in", files=[(photo, "product_photo", "photo"),
                                                          (shot, "chat_record", "chat")])
    p_ex, c_ex = data.exhibits[1], data.exhibits[0]
    assert p_ex.info.kind == "product_photo"
    p_info = replace(p_ex.info, captured_from="exif",
                     flags=("no_exif_time", "damaged_image", "privacy_ok", "cmyk"))
    c_info = replace(c_ex.info, captured_from="clipboard", flags=("no_exif_time", "privacy_ok"))
    data = replace(data, exhibits=(replace(c_ex, info=c_info), replace(p_ex, info=p_info)))
    for lang, exif, pasted, damaged in (
            ("en", "(from the photo's EXIF)", "(pasted)", "truncated or damaged"),
            ("zh", "(取自照片 EXIF)", "(粘贴时间)", "图片文件不完整或已损坏")):
        out = tmp_path / f"{lang}.pdf"
        build_dossier(data, out, lang=lang)
        text = pdftotext(out)
        flat = squash(text)
        for code in ("no_exif_time", "damaged_image", "privacy_ok", "cmyk", "(exif)",
                     "(clipboard)", "(file)"):
            assert code not in text, (lang, code)
        assert squash(exif) in flat and squash(pasted) in flat and squash(damaged) in flat
        # Only the damaged photo carries a problem line; the screenshot has none to show.
        chat_page = next(p for p in _pages_text(out) if "B-1" in p and "C-1" not in p)
        assert squash(damaged) not in squash(chat_page)


def test_dates_are_the_dossier_time(standard_case, standard_pdf) -> None:
    meta = PdfReader(str(standard_pdf[0].path)).metadata
    want = standard_case.generated_at
    for when in (meta.creation_date, meta.modification_date):
        assert when is not None
        local = when.astimezone(want.astimezone().tzinfo).replace(tzinfo=None)
        assert local == want


@poppler
def test_table_headers_do_not_break_words(standard_pdf) -> None:
    import re

    text = pdftotext(standard_pdf[0].path)
    for words in ("Requirement", "Evidence kind", "Original file", "Product photo",
                  "Chat record", "Captured"):
        pattern = r"(?<![A-Za-z])" + r"\s+".join(words.split()) + r"(?![A-Za-z])"
        assert re.search(pattern, text), words


@poppler
def test_pdf_page_with_embedded_fonts_stays_vector(tmp_path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from evidence_desk.export import dossier_fonts as dfonts
    from evidence_desk.export.dossier_pdfpages import rasterize_unembedded, unembedded_fonts

    path = tmp_path / "embedded.pdf"
    canv = Canvas(str(path), initialFontName=dfonts.fonts()[0])
    canv.setFont(dfonts.fonts()[0], 14)
    canv.drawString(72, 720, "Invoice 42 embedded")
    canv.showPage()
    canv.save()
    assert unembedded_fonts(PdfReader(str(path)).pages[0]) == []
    assert rasterize_unembedded(path, tmp_path / "w", "X-1") == ({}, [])
    waybill = factories.pdf_waybill(tmp_path / "w.pdf", "SF1", pages=1)
    assert "Helvetica" in unembedded_fonts(PdfReader(str(waybill)).pages[0])


@poppler
def test_rasterised_waybill_stays_searchable(standard_pdf) -> None:
    pages = _pages_text(standard_pdf[0].path)
    waybill = [p for p in pages if "AIR WAYBILL" in p]
    assert len(waybill) == 2 and all("SF1234567890" in p for p in waybill)


def test_without_pdftoppm_the_page_stays_and_a_note_says_why(tmp_path, monkeypatch) -> None:
    from evidence_desk.export import dossier_pdfpages

    monkeypatch.setattr(dossier_pdfpages.shutil, "which", lambda _name: None)
    waybill = factories.pdf_waybill(tmp_path / "w.pdf", "SF1234567890", pages=1)
    data = case_builder.make_case(tmp_path / "in",
                                  files=[(waybill, "logistics_record", "waybill")])
    result = build_dossier(data, tmp_path / "d.pdf", lang="en")
    assert any("pdftoppm" in n and "not embedded" in n for n in result.notes), result.notes


def test_budget_message_names_sizes_not_negative_numbers(tmp_path) -> None:
    import re

    files = [(factories.chat_screenshot(tmp_path / "c.png", case_builder.CHAT_LINES,
                                        height=4000), "chat_record", "chat")]
    data = case_builder.make_case(tmp_path, files=files)
    with pytest.raises(BudgetTooSmall) as info:
        build_dossier(data, tmp_path / "d.pdf", budget_bytes=20_000)
    message = str(info.value)
    assert not re.search(r"-\d", message), message
    m = re.search(r"text and tables alone take ([\d.]+) ([KM])B; a budget of at least "
                  r"([\d.]+) ([KM])B is needed for legible images", message)
    assert m, message
    unit = {"K": 1024, "M": 1024 * 1024}
    fixed = float(m.group(1)) * unit[m.group(2)]
    needed = float(m.group(3)) * unit[m.group(4)]
    assert 0 < fixed < needed and needed > 20_000


def test_missing_folder_is_refused(tmp_path) -> None:
    from evidence_desk.export.dossier_model import ExportError

    data = case_builder.make_case(tmp_path / "in",
                                  files=[(factories.photo(tmp_path / "p.jpg"), "product_photo",
                                          "p")])
    out = tmp_path / "nonexistent" / "dir" / "x.pdf"
    with pytest.raises(ExportError, match="does not exist"):
        build_dossier(data, out)
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_dossier_is_readable_by_others(tmp_path) -> None:
    data = case_builder.make_case(tmp_path / "in",
                                  files=[(factories.photo(tmp_path / "p.jpg"), "product_photo",
                                          "p")])
    old = os.umask(0o022)
    try:
        build_dossier(data, tmp_path / "d.pdf")
    finally:
        os.umask(old)
    assert (tmp_path / "d.pdf").stat().st_mode & 0o777 == 0o644
