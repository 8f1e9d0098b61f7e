"""Thumbnails of the cards on screen come before those scrolled past, on a real board of many
items: the seller scrolls to the end before the first screenful was made, and the end's cards
are made first."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtGui import QUndoStack

from evidence_desk.library.service import Library
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.evidence.board import EvidenceBoard


class RecordingLibrary:
    """The real library, noting the order in which thumbnails are asked of it (any thread)."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._library, name)

    def thumbnail(self, sha256: str) -> Any:
        with self._lock:
            self.asked.append(sha256)
        return self._library.thumbnail(sha256)


def on_screen(board: EvidenceBoard) -> set[str]:
    """The originals of the cards the board's scroll area shows, by the views' geometry."""
    area = board.scroll.viewport()
    found = set()
    for section in board.sections.values():
        view = section.view
        if not view.isVisible():
            continue
        for row in range(section.model.rowCount()):
            rect = view.visualRect(section.model.index(row))
            at = view.viewport().mapTo(area, rect.topLeft())
            if area.rect().intersects(rect.translated(at - rect.topLeft())):
                found.add(section.model.item(row).sha256)
    return found


def _png(path: Path, size: tuple[int, int], rgb: tuple[int, int, int]) -> Path:
    Image.new("RGB", size, rgb).save(path)
    return path


def _shown_board(qtbot, library: Library, runner: TaskRunner,  # noqa: ANN001
                 paths: list[Path]) -> EvidenceBoard:
    """A board on screen, open on a new case holding `paths` as chat records."""
    case_id = library.create_case("quality_dispute", "2024030112345").id
    library.add_paths(case_id, paths, kind="chat_record")
    board = EvidenceBoard(library, runner, QUndoStack())
    qtbot.addWidget(board)
    board.resize(900, 640)
    board.show()
    qtbot.waitExposed(board)
    board.set_case(case_id)
    return board


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    # One thread for bulk work, as on a busy machine: the order work is taken in is the order
    # it is done in.
    r.bulk_pool.setMaxThreadCount(1)
    yield r
    assert r.shutdown(10000)


def test_the_cards_on_screen_get_their_thumbnails_before_those_scrolled_past(
        qtbot, library, runner, tmp_path):
    board = _shown_board(qtbot, library, runner, [
        _png(tmp_path / f"shot-{n}.png", (96, 72), (n * 3 % 256, 40, 200 - n))
        for n in range(80)])
    recording = RecordingLibrary(library)
    board.thumbs.library = recording

    # The bulk thread is busy (an import, say) while the seller looks and scrolls.
    release = threading.Event()
    started = threading.Event()

    def busy(_p: Any, _c: Any) -> None:
        started.set()
        release.wait(10)

    runner.run(busy, group="board-import")
    qtbot.waitUntil(started.is_set, timeout=5000)
    bar = board.scroll.verticalScrollBar()
    grid = board.section("chat_record").view
    # Laid out: the board's content has grown to hold the whole grid.
    qtbot.waitUntil(lambda: bar.maximum() > 0
                    and board.scroll.widget().height() > grid.height(), timeout=5000)
    top = on_screen(board)
    qtbot.waitUntil(lambda: all(board.thumbs.is_pending(s) for s in top), timeout=5000)
    bar.setValue(bar.maximum())
    bottom = on_screen(board)
    assert top and bottom and not top & bottom
    qtbot.waitUntil(lambda: all(board.thumbs.is_pending(s) for s in bottom), timeout=5000)
    items = board.items()
    assert items[-1].sha256 in bottom and items[0].sha256 in top

    release.set()
    qtbot.waitUntil(lambda: all(board.thumbs.peek(s) is not None for s in top | bottom),
                    timeout=15000)
    first = recording.asked[:len(bottom)]
    # What is on screen now came first, although the top cards asked before it.
    assert set(first) == bottom, (len(set(first) & top), len(bottom))
    # The cards scrolled past were still made afterwards, each once.
    assert top <= set(recording.asked[len(bottom):])
    assert len(recording.asked) == len(set(recording.asked))


def test_visible_shas_follow_the_scroll_and_the_filter(qtbot, library, runner, tmp_path):
    board = _shown_board(qtbot, library, runner, [
        _png(tmp_path / f"p-{n}.png", (64, 48), (n * 7 % 256, 90, 30)) for n in range(30)])
    items = board.items()
    bar = board.scroll.verticalScrollBar()
    grid = board.section("chat_record").view
    # Laid out: the board's content has grown to hold the whole grid.
    qtbot.waitUntil(lambda: bar.maximum() > 0
                    and board.scroll.widget().height() > grid.height(), timeout=5000)
    shown = board.visible_shas()
    assert items[0].sha256 in shown and items[-1].sha256 not in shown
    assert shown == on_screen(board)  # exactly the cards whose cells the scroll area shows
    section = board.section("chat_record")
    last = section.view.visualRect(section.model.index(len(items) - 1))
    at = section.view.viewport().mapTo(board.scroll.widget(), last.center())
    board.scroll.ensureVisible(at.x(), at.y(), 0, 20)
    assert bar.value() > 0
    assert board.visible_shas() == on_screen(board)
    assert items[-1].sha256 in board.visible_shas()
    assert items[0].sha256 not in board.visible_shas()
    # The filter hides cards: the others close up, and those now on screen are named.
    bar.setValue(0)
    board.filter.matches = {i.id: () for i in items[10:]}
    board.filter.apply()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(0)
    shown = board.visible_shas()
    assert items[10].sha256 in shown and items[0].sha256 not in shown
    assert shown == on_screen(board) - {i.sha256 for i in items[:10]}
