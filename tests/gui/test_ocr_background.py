"""The engine for real, in the window: a generated order screenshot imported on the board is
read in the background (a worker process; the desk's own process never imports the engine),
its order number reaches the checklist, the board filter finds it by a Chinese phrase in the
picture and the viewer outlines that phrase. A run cancelled is picked up by the next desk.

Each picture costs the engine about 2 CPU-seconds: two pictures in all, the second a small one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ocr"))

from ocr_screens import order_page  # noqa: E402
from ocr_support import needs_ocr  # noqa: E402

from evidence_desk.library.service import Library  # noqa: E402
from evidence_desk.textdraw import draw_text  # noqa: E402
from evidence_desk.ui.common.settings import OCR_ENABLED_KEY  # noqa: E402

pytestmark = [needs_ocr]

ORDER_SHOWN = "281734650021987"
ORDER_CASE = "160023001122334"
PHRASE = "付款时间"
ENGINE_MODULES = ("rapidocr", "onnxruntime", "cv2", "evidence_desk.ocr.engine")
# Reading waits for the worker to start (~1 s) and the picture (~2-3 CPU-s on a busy machine).
READ_TIMEOUT_MS = 120_000


def engine_loaded_here() -> list[str]:
    return [m for m in ENGINE_MODULES if m in sys.modules and m != "evidence_desk.ocr.engine"]


def small_receipt(path: Path) -> Path:
    im = Image.new("RGB", (640, 160), (255, 255, 255))
    draw_text(ImageDraw.Draw(im), (30, 50), "运单号 SF1234567890", 34, (0, 0, 0))
    im.save(path)
    return path


@pytest.fixture
def ocr_window(qtbot, library: Library, settings):  # noqa: ANN201
    from evidence_desk.ui.shell.main_window import MainWindow

    settings.setValue(OCR_ENABLED_KEY, True)
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_an_imported_screenshot_is_read_in_the_background_and_checked(
        qtbot, ocr_window, library, make_case, tmp_path):
    window = ocr_window
    assert engine_loaded_here() == []
    case_id = make_case(library, ORDER_CASE)
    window.ctx.set_current_case(case_id)
    qtbot.waitUntil(lambda: window.board.case_id() == case_id and not window.board.is_loading())
    shot = order_page(tmp_path / "image.png", ORDER_SHOWN)  # a neutral name: no hint there

    progress: list[tuple[int, int]] = []
    window.ocr.progressed.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(window.ocr.finished, timeout=READ_TIMEOUT_MS) as run:
        with qtbot.waitSignal(window.board.import_finished, timeout=30000):
            window.board.import_paths([shot])
        # The import is over before any reading: the run only begins now.
        qtbot.waitUntil(lambda: window.ocr.status.label.text() == "Reading screenshots 0/1",
                        timeout=10000)
        assert window.ocr.is_running()
        assert window.ocr.status.cancel.isVisibleTo(window.ocr.status)
    report = run.args[0]
    assert (report.read, report.failed, report.cancelled) == (1, 0, False)
    assert progress == [(0, 1), (1, 1)]
    assert library.ocr_pending(case_id) == []
    # The GUI thread waited for a worker process; the engine was never loaded here.
    assert engine_loaded_here() == []
    assert window.ocr.status.label.text() == "Text recognition: on"
    assert not window.ocr.status.cancel.isVisibleTo(window.ocr.status)

    # The checklist followed the announcement of the result.
    qtbot.waitUntil(lambda: "order_mismatch" in
                    [w.code for w in window.checklist.checklist.warnings], timeout=10000)
    label = window.checklist.findChild(type(window.checklist.warning_labels[0]),
                                       "warning_order_mismatch")
    assert label is not None and ORDER_SHOWN in label.text()

    # The board filter finds the card by a Chinese phrase the engine read in the picture.
    [item] = library.list_evidence(case_id)
    with qtbot.waitSignal(window.board.filter.applied, timeout=10000):
        window.board.filter.insert(PHRASE)
    assert window.board.filter.visible_ids() == [item.id]
    # ... and the viewer outlines it.
    viewer = window.board.open_viewer(item.id)
    with qtbot.waitSignal(viewer.recognised.highlighted, timeout=10000) as shown:
        pass
    assert shown.args[0] >= 1
    assert all(PHRASE in b.toolTip().replace(" ", "") for b in viewer.recognised.boxes)
    # In scene units, the page's own pixels (a screen-sized preview is drawn scaled up).
    top = min(b.mapToScene(b.polygon()).boundingRect().top() for b in viewer.recognised.boxes)
    assert 200 < top < 280  # the fourth row of the page (ocr_screens.order_page)
    viewer.close()

    # Dismissed from the checklist, through undo.
    button = next(b for b in window.checklist.dismiss_buttons
                  if b.objectName() == "dismiss_order_mismatch")
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        button.click()
    assert "order_mismatch" not in [w.code for w in window.checklist.checklist.warnings]
    assert "order_ok" in library.get_evidence(item.id).flags
    assert engine_loaded_here() == []


def test_a_cancelled_run_is_picked_up_when_the_desk_starts_again(
        qtbot, library, settings, make_case, tmp_path):
    from evidence_desk.ui.shell.main_window import MainWindow

    case_id = make_case(library, ORDER_CASE)
    library.add_paths(case_id, [small_receipt(tmp_path / "image.png")], kind="logistics_record")
    settings.setValue(OCR_ENABLED_KEY, True)

    first = MainWindow(library, settings)
    qtbot.addWidget(first)
    # The desk picks up what is pending on its own, a moment after it opens.
    qtbot.waitUntil(first.ocr.is_running, timeout=10000)
    with qtbot.waitSignal(first.ocr.finished, timeout=30000) as stopped:
        first.ocr.status.cancel.click()
    assert stopped.args[0] is None  # cancelled
    assert first.ocr.status.label.text() == "Text recognition: stopped (1 left)"
    assert len(library.ocr_pending(case_id)) == 1
    first.close()

    second = MainWindow(library, settings)
    qtbot.addWidget(second)
    with qtbot.waitSignal(second.ocr.finished, timeout=READ_TIMEOUT_MS) as run:
        pass
    assert run.args[0].read == 1
    assert library.ocr_pending(case_id) == []
    [item] = library.list_evidence(case_id)
    text = library.recognised_texts([item.sha256])[item.sha256].text
    assert "SF1234567890" in text.replace(" ", "")
    second.close()


def test_the_off_switch_keeps_the_pictures_unread(qtbot, library, settings, make_case,
                                                   tmp_path):
    from evidence_desk.ui.shell.main_window import MainWindow

    case_id = make_case(library, ORDER_CASE)
    library.add_paths(case_id, [small_receipt(tmp_path / "image.png")], kind="logistics_record")
    settings.setValue(OCR_ENABLED_KEY, False)
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    qtbot.wait(2500)  # longer than the start delay
    assert not w.ocr.is_running()
    assert w.ocr.status.label.text() == "Text recognition: off"
    assert len(library.ocr_pending(case_id)) == 1
    w.ocr.set_enabled(True)
    qtbot.waitUntil(w.ocr.is_running, timeout=10000)
    with qtbot.waitSignal(w.ocr.finished, timeout=30000):
        w.ocr.set_enabled(False)  # off stops a run at once
    assert not w.ocr.is_running()
    w.close()
