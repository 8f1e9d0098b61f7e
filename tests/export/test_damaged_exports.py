"""A case holding each damaged class seen in real cases exports a dossier and a pack.

Through the real command line on a real library: each file imports, `export` and `pack` exit
0 with nothing from a library on stderr, pypdf opens the dossier, every exhibit has its page,
and an exhibit that cannot be drawn is named by number and file name.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import damaged
import pytest
from pypdf import PdfReader

poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def run(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    return subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=300)


def _no_library_noise(stderr: str) -> None:
    for word in ("Traceback", "Warning:", "UserWarning", "DeprecationWarning", "pypdf",
                 "PIL", "site-packages"):
        assert word not in stderr, stderr


def _pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")


@poppler
def test_each_damaged_class_imports_and_exports(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    files = tmp_path / "files"
    files.mkdir()
    paths = [make(files / name) for name, make in damaged.DAMAGED.items()]
    case_id = run(lib, "case", "new", "--type", "quality_dispute", "--order", "2024111900123"
                  ).stdout.strip()
    added = run(lib, "add", case_id, *map(str, paths), "--kind", "product_photo")
    lines = added.stdout.splitlines()
    assert all(line.startswith("added") for line in lines) and len(lines) == 5, added.stdout
    by_name = {Path(line.split()[1]).name: line for line in lines}
    # The two classes the importer can tell are damaged say so; all five are accepted.
    for name in ("jpeg_ends_early.jpg", "png_last_chunk_truncated.png"):
        assert "damaged" in by_name[name], by_name[name]

    dossier = tmp_path / "d.pdf"
    done = run(lib, "export", case_id, "-o", str(dossier))
    assert done.returncode == 0, done.stderr
    _no_library_noise(done.stderr)
    reader = PdfReader(str(dossier))
    assert len(reader.pages) > 5
    pages = _pages_text(dossier)
    numbers = set()
    for path in paths:
        headed = [p for p in pages if re.search(r"[A-Z]-\d+ · ", p) and path.name in p]
        assert len(headed) == 1, path.name
        numbers.add(re.search(r"([A-Z]-\d+) · ", headed[0]).group(1))
        assert "could not be drawn" not in headed[0], path.name  # all five decode
    assert len(numbers) == 5

    pack = tmp_path / "pack"
    done = run(lib, "pack", case_id, "-o", str(pack))
    assert done.returncode == 0, done.stderr
    _no_library_noise(done.stderr)
    members = {n: zipfile.ZipFile(z).read(n) for z in pack.glob("*.zip")
               for n in zipfile.ZipFile(z).namelist()}
    assert len(members) == 5 and all(n.endswith(".jpg") for n in members), list(members)
    # Clean, complete copies: each decodes strictly, none is a damaged original passed on.
    import io

    from PIL import Image

    originals = {p.read_bytes() for p in paths}
    for name, data in members.items():
        assert data not in originals and data.endswith(b"\xff\xd9"), name
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    assert "(original bytes" not in (pack / "README.txt").read_text(encoding="utf-8")


@poppler
def test_exhibits_that_cannot_be_drawn_are_named_and_have_their_page(tmp_path: Path) -> None:
    """A PDF cut short (unreadable) and a PDF whose page draws a JBIG2 image declaring
    200 000 × 200 000 pixels: pages that say so; stderr names both; exit 0, in seconds."""
    import hashlib
    import time

    import pdf_kinds

    lib = tmp_path / "lib"
    cut = pdf_kinds.truncated(tmp_path / "waybill_cut.pdf", keep=0.3)
    giant = pdf_kinds.giant_image(tmp_path / "fax_jbig2.pdf")
    fine = pdf_kinds.embedded_fonts(tmp_path / "invoice.pdf")
    case_id = run(lib, "case", "new", "--type", "quality_dispute", "--order", "2024111900123"
                  ).stdout.strip()
    added = run(lib, "add", case_id, str(cut), str(giant), str(fine), "--kind",
                "logistics_record")
    if "waybill_cut.pdf" in added.stdout and "rejected" in added.stdout:
        pytest.skip("the importer refuses this truncated PDF")
    assert added.stdout.count("added") == 3, added.stdout
    dossier = tmp_path / "d.pdf"
    started = time.monotonic()
    done = run(lib, "export", case_id, "-o", str(dossier))
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 60
    _no_library_noise(done.stderr)
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 2, done.stderr
    assert any("waybill_cut.pdf" in w for w in warned)
    assert any("fax_jbig2.pdf" in w and "page(s) 1 of 1" in w for w in warned)
    pages = [" ".join(p.split()) for p in _pages_text(dossier)]
    undrawn = [p for p in pages if "could not be drawn" in p]
    assert len(undrawn) == 2
    for path in (cut, giant):
        page = next(p for p in undrawn if path.name in p)
        number = next(w.split()[1] for w in warned if path.name in w)
        assert re.fullmatch(r"[A-Z]-\d+", number)
        assert number in page and "upload pack" in page
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in page.replace(" ", "")
    assert "pixels" in next(p for p in undrawn if giant.name in p)
    assert any("Invoice page 2" in p for p in pages)

    pack = tmp_path / "pack"
    done = run(lib, "pack", case_id, "-o", str(pack))
    assert done.returncode == 0, done.stderr
    members = {n: zipfile.ZipFile(z).read(n) for z in pack.glob("*.zip")
               for n in zipfile.ZipFile(z).namelist()}
    assert sorted(members.values()) == sorted(p.read_bytes() for p in (cut, giant, fine))
