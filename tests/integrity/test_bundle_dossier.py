"""A case carried to another desk in a bundle exports the same exhibits, page for page."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

import factories
import pytest
from pypdf import PdfReader

from evidence_desk.export.jobs import export_dossier
from evidence_desk.library.bundle import export_bundle, import_bundle
from evidence_desk.library.service import Library


def _exhibit_pages(pdf: Path) -> list[int]:
    """1-based numbers of the pages the outline points exhibits at (entries like "A-1 ...")."""
    reader = PdfReader(pdf)
    pages: list[int] = []

    def walk(entries: list) -> None:  # noqa: ANN001
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            elif entry.title[:1].isalpha() and "-" in entry.title[:4]:
                pages.append(reader.get_destination_page_number(entry) + 1)

    walk(reader.outline)
    return sorted(set(pages))


def _render(pdf: Path, page: int, out: Path) -> bytes:
    prefix = out / f"p{page}"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(prefix)], check=True)
    return prefix.with_suffix(".png").read_bytes()


@pytest.mark.sqlite_only
def test_a_bundled_case_exports_identical_exhibit_pages(tmp_path: Path) -> None:
    src = Library.open(tmp_path / "desk-a")
    dst = Library.open(tmp_path / "desk-b")
    try:
        case = src.create_case("quality_dispute", "2026110300777", buyer_name="Ahmed",
                               completed_on=date.today() - timedelta(days=4),
                               reason="货物与描述不符 Not as described", demand="Refund")
        files = tmp_path / "files"
        files.mkdir()
        src.add_paths(case.id, [factories.photo(files / "p.jpg", orientation=6)],
                      kind="product_photo", caption="实拍 photo")
        src.add_paths(case.id, [factories.chat_screenshot(files / "c.png", ["请退款", "OK"])],
                      kind="chat_record")
        src.add_paths(case.id, [factories.tracking_csv(files / "t.csv", "gbk")],
                      kind="logistics_record")
        bundle = export_bundle(src, case.id, tmp_path / "case.zip").path
        new_id = import_bundle(dst, bundle)

        a = export_dossier(src, case.id, tmp_path / "a.pdf", lang="both").path
        b = export_dossier(dst, new_id, tmp_path / "b.pdf", lang="both").path
        pages_a, pages_b = _exhibit_pages(a), _exhibit_pages(b)
        assert pages_a and pages_a == pages_b
        shots = tmp_path / "shots"
        shots.mkdir()
        for page in pages_a:
            (shots / "a").mkdir(exist_ok=True)
            (shots / "b").mkdir(exist_ok=True)
            assert _render(a, page, shots / "a") == _render(b, page, shots / "b"), page
    finally:
        src.close()
        dst.close()
