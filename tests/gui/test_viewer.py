"""The viewer: upright photos, GIF first frame, PDF first page, CSV rows, huge screenshots."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import MARKER, animated_gif, big_screenshot, pdf_waybill, photo, tracking_csv
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QUndoStack

from evidence_desk import i18n
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.ingest.probe import FLAG_MESSAGES
from evidence_desk.library.service import Library
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.evidence import details as evidence_details
from evidence_desk.ui.evidence.board import EvidenceBoard
from evidence_desk.ui.evidence.thumbnail_cache import PDFTOPPM
from evidence_desk.ui.evidence.viewer import EvidenceViewer, RowsModel, load_image


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    assert r.shutdown(10000)


@pytest.fixture
def case_id(library: Library) -> int:
    return library.create_case("quality_dispute", "2024030112345").id


def add(library: Library, case_id: int, path: Path) -> EvidenceInfo:
    (result,) = library.add_paths(case_id, [path])
    assert result.item_id is not None, result
    return library.get_evidence(result.item_id)


def open_viewer(qtbot, library: Library, runner: TaskRunner, info: EvidenceInfo) -> EvidenceViewer:
    viewer = EvidenceViewer(library, runner)
    qtbot.addWidget(viewer)
    viewer.show_item(info)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.preview is not None, timeout=10000)
    return viewer


def close(colour: QColor, rgb: tuple[int, int, int], slack: int = 24) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour.getRgb()[:3], rgb, strict=True))


def test_exif_orientation_6_photo_is_shown_upright(qtbot, library, runner, case_id, tmp_path):
    info = add(library, case_id, photo(tmp_path / "rotated.jpg", orientation=6,
                                       color=(200, 30, 30)))
    viewer = open_viewer(qtbot, library, runner, info)
    image = viewer.current_image()
    assert not image.isNull()
    assert image.height() > image.width()  # stored landscape, held portrait
    # The marker sits top-left in the stored pixels; turned 90° clockwise it is top-right.
    assert close(image.pixelColor(image.width() - 3, 2), MARKER)
    assert close(image.pixelColor(2, 2), (200, 30, 30))
    assert not viewer.note.isVisible()


def test_zoom_and_fit(qtbot, library, runner, case_id, tmp_path):
    info = add(library, case_id, photo(tmp_path / "p.jpg", megapixels=2.0))
    viewer = open_viewer(qtbot, library, runner, info)
    viewer.resize(600, 500)
    canvas = viewer.canvas
    canvas.fit()
    fitted = canvas.scale_factor()
    assert fitted < 1.0  # a 2 MP photo is reduced to the window
    qtbot.keyClick(viewer, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.scale_factor() == pytest.approx(fitted * 1.25)
    viewer.zoom_out.click()
    assert canvas.scale_factor() == pytest.approx(fitted)
    viewer.actual_button.click()
    assert canvas.scale_factor() == 1.0
    qtbot.keyClick(viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.scale_factor() == pytest.approx(fitted)


def test_animated_gif_shows_first_frame_with_a_badge(qtbot, library, runner, case_id, tmp_path):
    info = add(library, case_id, animated_gif(tmp_path / "anim.gif"))
    viewer = open_viewer(qtbot, library, runner, info)
    assert viewer.preview.animated
    assert close(viewer.current_image().pixelColor(10, 10), (255, 0, 0))
    assert viewer.note.isVisible() and viewer.note.text()


def test_pdf_shows_its_first_page_or_an_open_button(qtbot, library, runner, case_id, tmp_path):
    info = add(library, case_id, pdf_waybill(tmp_path / "awb.pdf", "SF1", pages=3))
    viewer = open_viewer(qtbot, library, runner, info)
    assert viewer.preview.pages == 3
    if PDFTOPPM:
        image = viewer.current_image()
        assert not image.isNull() and image.height() > image.width()  # an A4 page
        assert "3" in viewer.note.text()
    else:
        assert viewer.pages.currentWidget() is viewer.panel
        assert "3" in viewer.panel_label.text()


def test_csv_shows_its_first_rows(qtbot, qtmodeltester, library, runner, case_id, tmp_path):
    info = add(library, case_id, tracking_csv(tmp_path / "track.csv"))
    viewer = open_viewer(qtbot, library, runner, info)
    assert viewer.pages.currentWidget() is viewer.table
    model = viewer.table_model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "运单号"
    assert model.rowCount() == 3 and model.index(2, 3).data() == "Hamburg"
    qtmodeltester.check(model)
    qtmodeltester.check(RowsModel([["a", "b"], ["1"], ["2", "3", "4"]]))


def test_huge_screenshot_is_previewed_from_a_reduced_decode(qtbot, tmp_path):
    path = big_screenshot(tmp_path / "long.png", 9000, 9000)  # 81 MP: past Qt's limit
    info = EvidenceInfo(id=1, case_id=1, kind="chat_record", sha256="0" * 64,
                        size=path.stat().st_size, mime="image/png", original_name="long.png",
                        width=9000, height=9000)
    preview = load_image(path, info)
    assert preview.mode == "image" and preview.reduced
    assert max(preview.image.width(), preview.image.height()) <= 4096
    assert close(preview.image.pixelColor(5, 5), (255, 106, 0))


def test_board_double_click_opens_the_viewer(qtbot, library, runner, case_id, tmp_path):
    info = add(library, case_id, photo(tmp_path / "p.jpg"))
    second = add(library, case_id, photo(tmp_path / "q.jpg", color=(0, 0, 200)))
    board = EvidenceBoard(library, runner, QUndoStack())
    qtbot.addWidget(board)
    board.show()
    board.set_case(case_id)
    view = board.section(info.kind).view
    qtbot.waitUntil(lambda: view.visualRect(board.index_of(info.id)).width() > 0)
    rect = view.visualRect(board.index_of(info.id))
    # A real double click: the first press and release, then the second press as a double.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = board._viewer
    assert viewer is not None and viewer.isVisible()
    assert viewer.current().id == info.id
    qtbot.waitUntil(lambda: viewer.preview is not None, timeout=5000)
    viewer.next_button.click()
    assert viewer.current().id == second.id
    qtbot.waitUntil(lambda: viewer.preview is not None, timeout=5000)
    viewer.close()


# ---- translations -------------------------------------------------------------------------
BOARD_MODULES = ["evidence/board", "evidence/model", "evidence/delegate", "evidence/details",
                 "evidence/commands", "evidence/import_dialog", "evidence/viewer",
                 "evidence/thumbnail_cache"]


def _messages() -> set[str]:
    ui = Path(__file__).resolve().parents[2] / "evidence_desk" / "ui"
    found: set[str] = set()
    for name in BOARD_MODULES:
        tree = ast.parse((ui / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "tr" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    found |= set(FLAG_MESSAGES.values()) | set(evidence_details._FROM.values())
    return found


def test_every_board_string_has_a_chinese_translation_with_the_same_placeholders():
    i18n.catalog.cache_clear()
    zh = i18n.catalog("zh")
    messages = _messages()
    assert len(messages) > 40
    missing = sorted(m for m in messages if m not in zh)
    assert not missing, missing
    fields = re.compile(r"\{(\w+)\}")
    for m in messages:
        assert set(fields.findall(zh[m])) == set(fields.findall(m)), m
