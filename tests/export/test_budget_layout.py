"""Budgeted pictures made while the pages are laid out, from a guess at the pages' size."""

from __future__ import annotations

from pathlib import Path

import case_builder
import factories
import pytest

from evidence_desk.export import dossier
from evidence_desk.export import dossier_images as di
from evidence_desk.export.derive_pool import DerivePool


def _case(tmp_path: Path, photos: int):
    files = [(factories.noise_photo(tmp_path / f"p{i}.jpg", (1600, 1200)), "product_photo",
              f"photo {i}") for i in range(photos)]
    return case_builder.make_case(tmp_path, files=files)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Targets of the pictures derived in this process (fewer than POOL_MIN_JOBS)."""
    targets: list[int] = []
    real = di.derive

    def derive(job: di.DeriveJob) -> di.Derived:
        targets.append(job.target_bytes)
        return real(job)

    monkeypatch.setattr(di, "derive", derive)
    return targets


def test_the_pictures_are_handed_out_before_the_pages_are_laid_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    start, render = DerivePool.start, dossier.DossierRenderer.render

    def started(self: DerivePool, jobs: list[di.DeriveJob]) -> None:
        order.append(f"start {len(jobs)}")
        start(self, jobs)

    def rendered(self: dossier.DossierRenderer, out: Path) -> int:
        order.append("layout")
        return render(self, out)

    monkeypatch.setattr(DerivePool, "start", started)
    monkeypatch.setattr(dossier.DossierRenderer, "render", rendered)
    data = _case(tmp_path, 3)
    result = dossier.build_dossier(data, tmp_path / "d.pdf", budget_bytes=600_000)
    assert result.size_bytes <= 600_000
    assert order == ["start 3", "layout"]


def test_a_short_guess_at_the_pages_costs_a_second_pass_never_the_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _case(tmp_path, 2)
    targets = _counting(monkeypatch)
    dossier.build_dossier(data, tmp_path / "a.pdf", budget_bytes=320_000)
    assert len(targets) == 2  # the guess was large enough: one pass
    targets.clear()
    # The pages taken to weigh nothing: the pictures get the pages' share too, the total is
    # over, and they are made again with what is really left.
    monkeypatch.setattr(dossier, "_skeleton_guess", lambda *_a: 0)
    result = dossier.build_dossier(data, tmp_path / "b.pdf", budget_bytes=320_000)
    assert result.size_bytes <= 320_000
    assert len(targets) == 4 and min(targets[2:]) < min(targets[:2])


def test_a_guess_too_large_for_the_floors_waits_for_the_real_layout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _case(tmp_path, 2)
    targets = _counting(monkeypatch)
    monkeypatch.setattr(dossier, "_skeleton_guess", lambda *_a: 10_000_000)
    result = dossier.build_dossier(data, tmp_path / "d.pdf", budget_bytes=320_000)
    assert result.size_bytes <= 320_000 and len(targets) == 2


def test_only_the_jpegs_the_budget_passes_are_stripped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = factories.noise_photo(tmp_path / "big.jpg", (1600, 1200))
    small = factories.photo(tmp_path / "small.jpg", megapixels=0.3, gps=True)
    data = case_builder.make_case(tmp_path, files=[(big, "product_photo", "big"),
                                                   (small, "product_photo", "small")])
    stripped: list[str] = []
    real = dossier.strip_jpeg

    def strip(src: Path, out: Path) -> Path:
        stripped.append(src.name)
        return real(src, out)

    monkeypatch.setattr(dossier, "strip_jpeg", strip)
    out = tmp_path / "d.pdf"
    dossier.build_dossier(data, out, budget_bytes=400_000)
    assert stripped == ["small.jpg"]  # the big one is derived: its metadata never goes in
    assert b"Exif" not in out.read_bytes() and b"Canon" not in out.read_bytes()


def test_the_guess_covers_the_pages_of_screenshots_with_recognised_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from evidence_desk.core.recognised import RecognisedLine, RecognisedText

    files = [(factories.chat_screenshot(tmp_path / f"c{i}.png", case_builder.CHAT_LINES,
                                        width=1080, height=2400), "chat_record", f"chat {i}")
             for i in range(4)]
    data = case_builder.make_case(tmp_path, files=files)
    recognised = {}
    for ex in data.exhibits:
        lines = tuple(RecognisedLine(f"买家 {n}: 货已收到，订单 2024030112345 的第 {n} 行 OK",
                                     ((40.0, 40.0 * n), (1000.0, 40.0 * n),
                                      (1000.0, 40.0 * n + 36), (40.0, 40.0 * n + 36)), 0.97)
                      for n in range(1, 58))
        recognised[ex.info.sha256] = RecognisedText(ex.info.sha256, lines, 1080, 2400, "test")
    data = replace(data, recognised=recognised)
    sizes: list[int] = []
    real = dossier._image_budget

    def image_budget(budget: int, skeleton: int, images: int) -> int:
        sizes.append(skeleton)
        return real(budget, skeleton, images)

    monkeypatch.setattr(dossier, "_image_budget", image_budget)
    result = dossier.build_dossier(data, tmp_path / "d.pdf", budget_bytes=2_000_000)
    assert result.size_bytes <= 2_000_000
    guess, laid_out = sizes
    assert laid_out < guess < 2 * laid_out + 100_000
