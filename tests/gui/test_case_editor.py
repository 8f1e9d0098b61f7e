"""Editing a case: every change saved at once, undoable, merged while typing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.shell.main_window import MainWindow


def _open(window: MainWindow, cid: int) -> None:
    window.cases.reload(keep=cid)
    assert window.editor.case is not None and window.editor.case.id == cid


def test_typing_merges_into_one_undo_step(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    cid = make_case(window.library, "E-1")
    _open(window, cid)
    editor = window.editor
    editor.reason.setFocus()
    qtbot.keyClicks(editor.reason, "Buyer ")
    editor.flush()
    qtbot.keyClicks(editor.reason, "never paid.")
    editor.flush()
    assert window.library.get_case(cid).reason == "Buyer never paid."
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.library.get_case(cid).reason == ""
    assert editor.reason.toPlainText() == ""
    window.undo_stack.redo()
    assert editor.reason.toPlainText() == "Buyer never paid."


def test_typing_pause_saves_without_leaving(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    cid = make_case(window.library, "E-2")
    _open(window, cid)
    window.editor.demand.setFocus()
    qtbot.keyClicks(window.editor.demand, "Refund")
    qtbot.waitUntil(lambda: window.library.get_case(cid).demand == "Refund", timeout=3000)


def test_fields_dates_amount_and_type(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "E-3")
    _open(window, cid)
    e = window.editor

    e.amount.setText("1280,5")
    e.amount.editingFinished.emit()
    assert lib.get_case(cid).amount == Decimal("1280.50")

    field = e.dates["completed_on"]
    field.edit.setDate(QDate(2026, 1, 2))
    field.edit.editingFinished.emit()
    assert lib.get_case(cid).completed_on == date(2026, 1, 2)
    field.clear_button.click()
    assert lib.get_case(cid).completed_on is None
    assert field.edit.text() == "Not set"
    window.undo_stack.undo()
    assert lib.get_case(cid).completed_on == date(2026, 1, 2)

    assert e._left_form.isRowVisible(field)
    assert not e._left_form.isRowVisible(e.dates["paid_on"])
    e.type_combo.setCurrentIndex(e.type_combo.findData("logistics_service_dispute"))
    e.type_combo.activated.emit(e.type_combo.currentIndex())
    assert lib.get_case(cid).type_key == "logistics_service_dispute"
    assert e._left_form.isRowVisible(e.dates["paid_on"])
    assert not e._left_form.isRowVisible(field)

    qtbot.mouseClick(e.other_channel, Qt.MouseButton.LeftButton)
    assert lib.get_case(cid).other_channel_agreed

    e.order_no.setText("")
    e.order_no.editingFinished.emit()
    assert lib.get_case(cid).order_no == "E-3"
    assert e.order_no.text() == "E-3"


def test_buyer_pick_create_and_details(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "E-4", buyer="Lucas Meyer")
    _open(window, cid)
    e = window.editor
    assert e.buyer.currentText() == "Lucas Meyer"

    e.buyer.setEditText("Ahmed Al-Sayed")
    e.buyer.lineEdit().editingFinished.emit()
    case = lib.get_case(cid)
    assert case.buyer is not None and case.buyer.name == "Ahmed Al-Sayed"
    assert {b.name for b in lib.list_buyers()} == {"Lucas Meyer", "Ahmed Al-Sayed"}
    window.undo_stack.undo()
    assert lib.get_case(cid).buyer.name == "Lucas Meyer"
    assert e.buyer.currentText() == "Lucas Meyer"

    e.buyer_toggle.click()
    assert e.buyer_box.isVisible()
    credit = e.buyer_edits["credit_level"]
    credit.setText("L2")
    credit.editingFinished.emit()
    assert lib.get_case(cid).buyer.credit_level == "L2"
    window.undo_stack.undo()
    assert lib.get_case(cid).buyer.credit_level == ""
    assert credit.text() == ""


def test_stale_edit_reloads_and_says_so(window: MainWindow, make_case) -> None:  # noqa: ANN001
    lib: Library = window.library
    cid = make_case(lib, "E-5")
    _open(window, cid)
    lib.update_case(cid, title="changed elsewhere")
    e = window.editor
    e.notes.setPlainText("mine")
    e.flush()
    assert lib.get_case(cid).notes == ""
    assert e.title.text() == "changed elsewhere"
    assert "changed elsewhere" in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 0
