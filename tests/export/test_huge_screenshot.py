"""A 12000 x 12000 screenshot goes into the dossier downscaled, quietly and in little memory."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import factories
import pytest
from PIL import Image
from pypdf import PdfReader

from evidence_desk.export import dossier_images as di

MEASURE = ("import resource, sys\n"
           "from evidence_desk import cli\n"
           "code = cli.main(sys.argv[1:])\n"
           "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
           "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
           "print(f'peak-kb {max(me, kids)}', file=sys.stderr)\n"
           "sys.exit(code)\n")


def cli(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    return subprocess.run([sys.executable, "-c", MEASURE, "--library", str(lib), *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_a_144_mpx_screenshot_is_embedded_downscaled_without_a_warning(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shot = factories.big_screenshot(tmp_path / "scroll.png")
    assert cli(lib, "case", "new", "--type", "fake_transaction", "--order", "H-1").returncode == 0
    added = cli(lib, "add", "1", str(shot), "--kind", "order_screenshot")
    assert added.returncode == 0, added.stderr
    out = cli(lib, "export", "1", "-o", str(tmp_path / "d.pdf"))
    assert out.returncode == 0, out.stderr
    assert "Warning" not in out.stderr and "DecompressionBomb" not in out.stderr
    peak_mb = int(out.stderr.split("peak-kb ")[1].split()[0]) / 1024
    # Decoding the PNG whole takes 576 MB for its pixels alone.
    # Decoding the whole picture alone would take 432 MB (144 Mpx of RGB); it was 644 MB.
    assert peak_mb < 420, peak_mb
    sizes = [(img.image.width, img.image.height)
             for page in PdfReader(tmp_path / "d.pdf").pages for img in page.images]
    assert sizes and max(max(s) for s in sizes) <= di.MAX_SIDE


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "LA"])
def test_the_strip_decoder_gives_the_same_pixels_as_pillow(tmp_path: Path, mode: str,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    rng = random.Random(5)
    im = Image.new(mode, (317, 211))
    bands = len(mode)
    im.putdata([tuple(rng.randrange(256) if rng.random() < 0.3 else (x * 7 + y) % 256
                      for _ in range(bands)) if bands > 1 else (x * 3 + y * 5) % 256
                for y in range(211) for x in range(317)])
    path = tmp_path / "noise.png"
    im.save(path, optimize=True)  # Pillow picks filters per row, Paeth included
    # Tiny strips: many strip boundaries, each must continue the filters exactly.
    monkeypatch.setattr(di, "STRIP_BYTES", 317 * bands * 7)
    got = di._png_in_strips(path, 1000)
    assert got is not None and got.mode == mode
    assert got.tobytes() == Image.open(path).convert(mode).tobytes()
    # Reduced by 3: the same as Pillow's box reduction of the whole picture.
    reduced = di._png_in_strips(path, 106)
    assert reduced is not None
    assert reduced.size == (106, 71)
