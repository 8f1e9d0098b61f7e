"""The engine's own picture handling, without the engine: upright reading, scaling, and bands for
tall captures (each line kept once where bands overlap)."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import photo
from PIL import Image

from evidence_desk.ocr import engine
from evidence_desk.ocr.engine import BAND_OVERLAP, _bands, _drop_overlap_repeats, _open_upright


def test_pictures_are_read_upright_and_scaled(tmp_path: Path) -> None:
    # Orientation 6: stored landscape, shown portrait.
    path = photo(tmp_path / "turned.jpg", orientation=6, megapixels=12)
    im, scale, width, height = _open_upright(path)
    assert (width, height) == (3000, 4000)
    assert im.width <= engine.MAX_WIDTH and im.width / im.height == pytest.approx(0.75, 0.01)
    assert scale == pytest.approx(im.width / 3000)


def test_a_file_that_is_no_picture_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not a picture at all")
    with pytest.raises(ValueError, match="the picture cannot be read"):
        _open_upright(bad)


def test_tall_captures_are_read_in_overlapping_bands() -> None:
    assert [t for t, _ in _bands(Image.new("RGB", (1000, 2400)))] == [0]
    bands = _bands(Image.new("RGB", (1000, 7000)))
    tops = [t for t, _ in bands]
    assert tops[0] == 0 and bands[-1][0] + bands[-1][1].height == 7000
    band = bands[0][1].height
    steps = {b - a for a, b in zip(tops, tops[1:], strict=False)}
    assert steps == {int(band * (1 - BAND_OVERLAP))}

    def line(text: str, y: float, top: float) -> dict:
        return {"text": text, "box": [[0, y], [10, y], [10, y + 40], [0, y + 40]],
                "score": 0.9, "_band_top": top, "_band_h": band}

    step = tops[1]
    # A line inside the overlap of bands 0 and 1, read by both; one read by band 0 only.
    overlap_y = step + 10
    lines = [line("only in band 0", 100, 0), line("twice", overlap_y, 0),
             line("twice", overlap_y, step), line("in band 1", step + band // 2, step)]
    kept = _drop_overlap_repeats(lines, 7000)
    assert [ln["text"] for ln in kept] == ["only in band 0", "twice", "in band 1"]
    assert all(set(ln) == {"text", "box", "score"} for ln in kept)
