"""The phrase composer of the statement tab in the running window: pick a phrase, fill a date,
see both texts follow; a hand edit reads in Chinese as the seller's own; Copy English names what
is left; undo takes a picked phrase back; a phrase citing evidence the case lacks is flagged."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QTreeWidget
from pytestqt.qtbot import QtBot

from evidence_desk.core.phrase_choice import OWN_MARK_ZH
from evidence_desk.ui.flow.controller import TAB_STATEMENT
from evidence_desk.ui.shell.main_window import MainWindow
from evidence_desk.ui.statement.panel import StatementPanel

WAIT = 15000


def _panel(qtbot: QtBot, window: MainWindow, cid: int) -> StatementPanel:
    ui = window.flow_ui
    window.cases.reload()
    window.cases.select_case(cid)
    ui.tabs.setCurrentIndex(TAB_STATEMENT)
    panel = ui.statement
    qtbot.waitUntil(lambda: panel.case is not None and panel.case.id == cid, timeout=WAIT)
    qtbot.waitUntil(lambda: panel.composer.visible_phrase_ids() != [], timeout=WAIT)
    return panel


def _pick(qtbot: QtBot, panel: StatementPanel, phrase_id: str) -> None:
    picker = panel.findChild(QTreeWidget, "phrasePicker")
    assert picker is panel.composer.picker
    n = len(panel.composer.chosen)
    assert panel.composer.select_phrase(phrase_id)
    panel.composer.add_button.click()
    qtbot.waitUntil(lambda: len(panel.composer.chosen) == n + 1
                    and panel.composer.isEnabled(), timeout=WAIT)


def test_pick_fill_edit_copy_undo(qtbot: QtBot, window: MainWindow,
                                  make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "230512345678")
    panel = _panel(qtbot, window, cid)

    # The filter narrows the bank by Chinese or English words; the sections stay apart.
    panel.composer.filter.setText("cancelled without paying")
    shown = panel.composer.visible_phrase_ids()
    assert "fake.cancelled_unpaid" in shown and "fake.demand_credit" not in shown
    panel.composer.filter.setText("")
    assert len(panel.composer.visible_phrase_ids()) > 15

    _pick(qtbot, panel, "fake.cancelled_unpaid")
    # Prefilled from the case: the order number is in the English already.
    qtbot.waitUntil(lambda: "placed order 230512345678" in panel.english.toPlainText(),
                    timeout=WAIT)
    assert "[please fill in: ordered on]" in panel.english.toPlainText()
    inputs = panel.composer.slot_inputs
    assert set(inputs) == {"order_no", "ordered_on", "cancelled_on"}

    inputs["ordered_on"].set_date(date(2024, 5, 3))
    qtbot.waitUntil(lambda: "on 2024-05-03 and cancelled" in panel.english.toPlainText(),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: "2024年5月3日" in panel.chinese.toPlainText(), timeout=WAIT)
    assert "2024-05-03" in lib.get_case(cid).statement_en
    n = len(panel.english.toPlainText())
    assert panel.char_count.text() == f"{n} characters"

    # A placeholder is left (cancelled on): Copy English warns and names it, copies nothing.
    QGuiApplication.clipboard().setText("before")
    window.findChild(type(panel.copy_action), "actionCopyEnglish").trigger()
    box = panel.copy_warning
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "[please fill in: cancelled on]" in box.informativeText()
    box.reject()
    qtbot.waitUntil(lambda: panel.copy_warning is None, timeout=WAIT)
    assert QGuiApplication.clipboard().text() == "before"

    inputs = panel.composer.slot_inputs
    inputs["cancelled_on"].set_date(date(2024, 5, 4))
    qtbot.waitUntil(lambda: "cancelled it on 2024-05-04 without paying"
                    in panel.english.toPlainText(), timeout=WAIT)
    assert "[please fill in: cancelled on]" not in panel.english.toPlainText()

    # A second phrase, then Undo takes it back (phrases and texts).
    _pick(qtbot, panel, "fake.demand_credit")
    qtbot.waitUntil(lambda: "deduct the buyer's credit points" in panel.english.toPlainText(),
                    timeout=WAIT)
    window.actionUndo.trigger()
    qtbot.waitUntil(lambda: len(panel.composer.chosen) == 1, timeout=WAIT)
    assert len(lib.get_case(cid).statement_phrases) == 1
    qtbot.waitUntil(lambda: "credit points" not in panel.english.toPlainText(), timeout=WAIT)
    window.actionRedo.trigger()
    qtbot.waitUntil(lambda: len(panel.composer.chosen) == 2, timeout=WAIT)

    # A line typed by hand: the Chinese marks exactly that sentence as the seller's own.
    cursor = panel.english.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    panel.english.setTextCursor(cursor)
    panel.english.setFocus()
    qtbot.keyClick(panel.english, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.english, "We kept the goods ready for 30 days.")
    qtbot.waitUntil(lambda: OWN_MARK_ZH + "We kept the goods ready for 30 days."
                    in panel.chinese.toPlainText(), timeout=WAIT)
    zh = panel.chinese.toPlainText()
    assert zh.count(OWN_MARK_ZH) == 1
    assert "2024年5月4日" in zh  # the phrase's own Chinese twin is kept beside it
    panel.save()
    assert "We kept the goods ready for 30 days." in lib.get_case(cid).statement_en
    assert OWN_MARK_ZH in lib.get_case(cid).statement_zh

    # Non-ASCII typed into the English is named too.
    panel.english.insertPlainText(" Price ￥500.")
    panel.copy_action.trigger()
    box = panel.copy_warning
    assert box is not None and "U+FFE5" in box.informativeText()
    box.reject()

    # A phrase added over the seller's own edit never replaces it silently: the bar offers it.
    _pick(qtbot, panel, "fake.demand_close_order")
    assert panel.outdated_bar.isVisible()
    assert "We kept the goods ready for 30 days." in panel.english.toPlainText()
    assert "close order" not in panel.english.toPlainText()
    with qtbot.waitSignal(panel.composed, timeout=WAIT):
        panel.replace_button.click()
    assert "We ask the platform to close order 230512345678" in panel.english.toPlainText()


def test_phrase_citing_missing_evidence_is_flagged(qtbot: QtBot, window: MainWindow,
                                                   make_case) -> None:  # noqa: ANN001
    cid = make_case(window.library, "F-77")
    panel = _panel(qtbot, window, cid)
    _pick(qtbot, panel, "fake.reminded")
    qtbot.waitUntil(lambda: any(w.code == "phrase_missing_evidence"
                                for w in panel.phrase_warnings), timeout=WAIT)
    item = panel.composer.chosen_list.item(0)
    assert item.text().startswith("⚠")
    assert "does not have" in item.toolTip()
    assert "does not have" in panel.composer.slot_note.text()
    # The exhibit slot offers only the case's own exhibits: none yet.
    combo = panel.composer.slot_inputs["chat"].combo
    assert combo.count() == 1

    # Moving and removing go through the same path.
    _pick(qtbot, panel, "fake.demand_credit")
    panel.composer.chosen_list.setCurrentRow(1)
    panel.composer.up_button.click()
    qtbot.waitUntil(lambda: panel.composer.chosen[0].phrase_id == "fake.demand_credit"
                    and panel.composer.isEnabled(), timeout=WAIT)
    panel.composer.chosen_list.setCurrentRow(1)
    panel.composer.remove_button.click()
    qtbot.waitUntil(lambda: [c.phrase_id for c in panel.composer.chosen]
                    == ["fake.demand_credit"], timeout=WAIT)
    assert not panel.phrase_warnings
