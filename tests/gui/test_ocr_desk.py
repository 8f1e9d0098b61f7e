"""What the window does with recognised text, on a real library and real widgets: the board
filter, the viewer's highlight and Copy text, the checklist's dismiss and "Use" buttons (each
through undo), the OCR state in the status bar, the setting and Help.

The recognised lines are stored through Library.save_recognised (the path every OCR result
takes, and bundles too), so these tests run on any desk, with or without the [ocr] extra; the
engine itself reads a screenshot in the window in test_ocr_background.py.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QGuiApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ocr"))

from ocr_screens import order_page, wechat_chat  # noqa: E402
from ocr_support import NO_OCR_SITE  # noqa: E402

from evidence_desk.library.service import Library  # noqa: E402
from evidence_desk.ui.common.i18n_qt import apply_language  # noqa: E402
from evidence_desk.ui.common.settings import OCR_ENABLED_KEY, SettingsDialog  # noqa: E402
from evidence_desk.ui.evidence.viewer_text import box_polygon  # noqa: E402

ORDER_SHOWN = "281734650021987"
ORDER_CASE = "160023001122334"
PHRASE = "付款时间"


def order_lines(order_no: str = ORDER_SHOWN) -> list[dict]:
    """What the engine reads in ocr_screens.order_page (1280x720), with its boxes."""
    rows = ["订单详情 Order details", f"订单号 Order No.: {order_no}",
            "金额 Amount: USD 2,450.00", "付款时间 Paid: 2026-11-02 09:30",
            "买家 Buyer: Nordic Trade AB"]
    tops = [16, 110, 174, 238, 302]
    return [{"text": t, "box": [[60, y], [560, y], [560, y + 36], [60, y + 36]], "score": 0.98}
            for t, y in zip(rows, tops, strict=True)]


def chat_lines() -> list[dict]:
    rows = [("微信", 30), ("你好，样品什么时候寄出？", 150), ("明天顺丰寄出，请放心", 260)]
    return [{"text": t, "box": [[40, y], [600, y], [600, y + 40], [40, y + 40]], "score": 0.97}
            for t, y in rows]


@pytest.fixture
def order_case(library: Library, make_case, tmp_path: Path) -> tuple[int, int]:
    """A case about ORDER_CASE with an order screenshot showing ORDER_SHOWN (already read) and
    a product photo."""
    case_id = make_case(library, ORDER_CASE)
    [shot] = library.add_paths(case_id, [order_page(tmp_path / "image.png", ORDER_SHOWN)])
    from factories import photo

    library.add_paths(case_id, [photo(tmp_path / "box.jpg")], kind="product_photo")
    info = library.get_evidence(shot.item_id)
    library.save_recognised(info.sha256, lines=order_lines(), width=1280, height=720,
                            engine="test")
    return case_id, shot.item_id


def open_case(qtbot, window, case_id: int) -> None:
    window.ctx.set_current_case(case_id)
    qtbot.waitUntil(lambda: window.board.case_id() == case_id and not window.board.is_loading()
                    and window.checklist.checklist is not None
                    and window.checklist.checklist.case_id == case_id, timeout=10000)


def warning_codes(window) -> list[str]:
    return [w.code for w in window.checklist.checklist.warnings]


def test_the_board_filter_finds_a_card_by_a_chinese_phrase_in_its_picture(
        qtbot, window, library, order_case):
    case_id, item_id = order_case
    open_case(qtbot, window, case_id)
    board = window.board
    box = board.findChild(type(board.filter), "boardFilter")
    assert box is board.filter
    photo_id = next(i.id for i in board.items() if i.kind == "product_photo")
    # Chinese arrives from an input method as committed text, not key by key.
    with qtbot.waitSignal(board.filter.applied, timeout=5000):
        box.insert(PHRASE)
    assert board.filter.visible_ids() == [item_id]
    order_view = board.section("order_screenshot").view
    assert not order_view.isRowHidden(board.section("order_screenshot").model.row_of(item_id))
    assert not board.section("product_photo").isVisible()
    # The matched line, with its box, is kept for the viewer.
    [line] = board.filter.lines_for(item_id)
    assert PHRASE in line["text"]
    # Full-width and spaced forms match too (OCR spaces Chinese at random).
    with qtbot.waitSignal(board.filter.applied, timeout=5000):
        box.setText("付 款 时 间")
    assert board.filter.visible_ids() == [item_id]
    with qtbot.waitSignal(board.filter.applied, timeout=5000):
        box.setText("no such words")
    assert board.filter.visible_ids() == []
    assert board.message.text() == "0 items match “no such words”."
    with qtbot.waitSignal(board.filter.applied, timeout=5000):
        box.clear()
    assert set(board.filter.visible_ids()) == {item_id, photo_id}
    assert board.section("product_photo").isVisible()
    assert board.message.text() == ""  # no stale count once the box is empty


def test_the_viewer_outlines_the_matched_line_and_copies_the_text(
        qtbot, window, library, order_case):
    case_id, item_id = order_case
    open_case(qtbot, window, case_id)
    board = window.board
    with qtbot.waitSignal(board.filter.applied, timeout=5000):
        board.filter.setText(PHRASE)
    viewer = board.open_viewer(item_id)
    with qtbot.waitSignal(viewer.recognised.highlighted, timeout=10000) as shown:
        pass
    assert shown.args == [1]
    [outline] = viewer.recognised.boxes
    assert outline.toolTip().startswith(PHRASE)
    # Over the line in the picture (1280x720, not turned), in its own pixels: the scene's
    # units, whether a screen-sized preview or the full picture is on screen.
    rect = outline.mapToScene(outline.polygon()).boundingRect()
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx(
        (60, 238, 560, 274))
    assert viewer.recognised.copy_button.isEnabled()
    viewer.recognised.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert PHRASE in copied and ORDER_SHOWN in copied
    viewer.close()


def test_boxes_follow_a_reduced_and_turned_picture():
    from PySide6.QtGui import QImage

    # A 2000x1000 original shown reduced to 1000x500, turned 90 degrees clockwise (500x1000).
    shown = QImage(500, 1000, QImage.Format.Format_RGB32)
    poly = box_polygon([[0, 0], [200, 0], [200, 100], [0, 100]], 2000, shown, 90)
    # The top left corner of the original goes to the top right of the turned picture.
    assert poly[0] == QPointF(500, 0)
    rect = poly.boundingRect()
    assert (rect.width(), rect.height()) == (50, 100)


def test_order_mismatch_is_dismissed_from_the_checklist_and_undo_brings_it_back(
        qtbot, window, library, order_case):
    case_id, item_id = order_case
    open_case(qtbot, window, case_id)
    assert "order_mismatch" in warning_codes(window)
    button = window.checklist.findChild(type(window.checklist.dismiss_buttons[0]),
                                        "dismiss_order_mismatch")
    assert button is not None and button.text() == "Mark as checked"
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        button.click()
    assert "order_mismatch" not in warning_codes(window)
    assert "order_ok" in library.get_evidence(item_id).flags
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        window.actionUndo.trigger()
    assert "order_mismatch" in warning_codes(window)
    assert "order_ok" not in library.get_evidence(item_id).flags


def test_a_kind_suggestion_is_kept_with_kind_ok(qtbot, window, library, make_case, tmp_path):
    case_id = make_case(library, ORDER_SHOWN)
    [shot] = library.add_paths(case_id, [order_page(tmp_path / "image.png", ORDER_SHOWN)],
                               kind="chat_record")
    library.save_recognised(library.get_evidence(shot.item_id).sha256, lines=order_lines(),
                            width=1280, height=720)
    open_case(qtbot, window, case_id)
    assert "kind_suggestion" in warning_codes(window)
    button = next(b for b in window.checklist.dismiss_buttons
                  if b.objectName() == "dismiss_kind_suggestion")
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        button.click()
    assert "kind_suggestion" not in warning_codes(window)
    assert "kind_ok" in library.get_evidence(shot.item_id).flags


def test_a_wechat_chat_read_in_the_picture_is_dismissed_by_agreeing_the_channel(
        qtbot, window, library, make_case, tmp_path):
    case_id = make_case(library, ORDER_SHOWN)
    [chat] = library.add_paths(case_id, [wechat_chat(tmp_path / "image.png", ["你好"])],
                               kind="chat_record")
    library.save_recognised(library.get_evidence(chat.item_id).sha256, lines=chat_lines(),
                            width=720, height=1280)
    open_case(qtbot, window, case_id)
    assert "off_platform_chat" in warning_codes(window)
    button = next(b for b in window.checklist.dismiss_buttons
                  if b.objectName() == "dismiss_off_platform_chat")
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        button.click()
    assert "off_platform_chat" not in warning_codes(window)
    assert library.get_case(case_id).other_channel_agreed
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        window.actionUndo.trigger()
    assert not library.get_case(case_id).other_channel_agreed
    assert "off_platform_chat" in warning_codes(window)


def test_values_read_in_a_screenshot_fill_empty_fields_through_undo(
        qtbot, window, library, order_case):
    case_id, _item = order_case
    open_case(qtbot, window, case_id)
    fields = [s.field for s in window.checklist.suggestions]
    assert "amount" in fields and "paid_on" in fields
    assert "order_no" not in fields  # the case has one: a mismatch, not a gap
    label = window.checklist.findChild(type(window.checklist.warning_labels[0]),
                                       "suggestion_amount")
    assert label.text() == "Amount: USD 2450.00"
    use = next(b for b in window.checklist.suggestion_buttons
               if b.objectName() == "useSuggestion_amount")
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        use.click()
    case = library.get_case(case_id)
    assert case.amount == Decimal("2450.00") and case.currency == "USD"
    qtbot.waitUntil(lambda: "amount" not in [s.field for s in window.checklist.suggestions])
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        window.actionUndo.trigger()
    assert library.get_case(case_id).amount is None
    use = next(b for b in window.checklist.suggestion_buttons
               if b.objectName() == "useSuggestion_paid_on")
    with qtbot.waitSignal(window.checks.checks_updated, timeout=10000):
        use.click()
    assert library.get_case(case_id).paid_on.isoformat() == "2026-11-02"


def test_the_checklist_buttons_speak_chinese(qtbot, window, library, order_case):
    case_id, _item = order_case
    apply_language("zh")
    window.retranslate()
    open_case(qtbot, window, case_id)
    texts = {b.objectName(): b.text() for b in window.checklist.dismiss_buttons}
    assert texts["dismiss_order_mismatch"] == "标记为已核对"
    assert {b.text() for b in window.checklist.suggestion_buttons} == {"使用"}
    assert window.board.filter.placeholderText().startswith("筛选")


def test_the_status_bar_shows_the_ocr_state_and_the_setting_switches_it(
        qtbot, window, settings, monkeypatch):
    status = window.ocr.status
    assert status.objectName() == "ocrStatus"
    assert status in window.statusBar().findChildren(type(status))
    if window.ocr.available:
        assert status.label.text() == "Text recognition: off"  # the tests' settings
    else:
        assert status.label.text() == "Text recognition: not installed"
    # Reading holds while the board imports (the seller's import keeps the machine) and
    # while the desk's interactive reads run; otherwise it goes on.
    runner = window.ctx.runner
    qtbot.waitUntil(lambda: not runner.interactive_busy(), timeout=10000)
    assert window.ocr.yield_to() is False
    with monkeypatch.context() as patch:
        patch.setattr(window.board, "is_importing", lambda: True)
        assert window.ocr.yield_to() is True
    runner.run(lambda _p, _c: None, group="checks")
    assert runner.interactive_busy() and window.ocr.yield_to() is True
    qtbot.waitUntil(lambda: not runner.interactive_busy(), timeout=10000)
    assert window.ocr.yield_to() is False
    dialog = SettingsDialog(settings, window)
    check = dialog.findChild(type(dialog.ocr), "ocrEnabledCheck")
    assert check is not None
    assert check.isChecked() is False
    assert check.isEnabled() == window.ocr.available
    dialog.deleteLater()


def test_without_the_extra_help_and_about_say_how_to_turn_ocr_on(
        qtbot, library, settings, monkeypatch, tmp_path):
    # The extra hidden as on a desk installed without it: the import system finds no engine.
    site: dict = {}
    exec(NO_OCR_SITE, site)  # inserts its finder at the front of sys.meta_path
    finder = sys.meta_path[0]
    try:
        from evidence_desk.ocr import ocr_available

        assert not ocr_available()
        settings.setValue(OCR_ENABLED_KEY, True)
        from evidence_desk.ui.shell.main_window import MainWindow

        w = MainWindow(library, settings)
        qtbot.addWidget(w)
        assert not w.ocr.available
        assert w.ocr.status.label.text() == "Text recognition: not installed"
        assert not w.ocr.status.help.isHidden()  # "?" opens the help
        assert "pip install 'evidence-desk[ocr]'" in w.about_text()
        assert w.actionOcrHelp in w.menu_help.actions()
        dialog = w.ocr_help()
        text = dialog.browser.toPlainText()
        assert "pip install 'evidence-desk[ocr]'" in text
        assert "one-folder app" in text
        dialog.close()
        apply_language("zh")
        w.retranslate()
        assert w.ocr.status.label.text() == "文字识别:未安装"
        assert "未安装文字识别" in w.about_text()
        w.close()
    finally:
        sys.meta_path.remove(finder)


def test_pictures_read_in_a_row_are_announced_together(qtbot, window, library, make_case):
    """Each announcement makes the open case's views read it again: a run reading picture
    after picture tells the desk at most once a second, and never leaves news untold."""
    ocr = window.ocr
    a, b, c = (make_case(library, f"OCR-{n}") for n in range(3))
    heard: list[frozenset[int]] = []
    window.ctx.case_changed.connect(
        lambda ids, _aspects, origin: heard.append(ids) if origin is ocr else None)
    ocr._changed.put(a)
    ocr._progress(1, 3, "")
    assert heard == [frozenset({a})]  # the first news at once
    for n, cid in enumerate((b, c), 2):
        ocr._changed.put(cid)
        ocr._progress(n, 3, "")
    assert len(heard) == 1  # held for the pause ...
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=3000)
    assert heard[1] == frozenset({b, c})  # ... then told together
    qtbot.wait(1300)
    assert len(heard) == 2  # nothing left to tell: no timer goes on ticking
