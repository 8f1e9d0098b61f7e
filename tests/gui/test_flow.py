"""Submission tracking in the running window: draft → ready → submitted → rejected → resubmitted,
escalation, and a logistics dispute's moves and pause reasons."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from factories import chat_screenshot, order_screenshot
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.flow.controller import TAB_SUBMISSION, FlowUI
from evidence_desk.ui.flow.help_dialogs import EscalateDialog
from evidence_desk.ui.flow.panel import PauseDialog, ResultDialog, SubmitDialog
from evidence_desk.ui.shell.main_window import MainWindow

WAIT = 15000


def add_required_evidence(lib: Library, cid: int, tmp: Path) -> None:
    order = order_screenshot(tmp / f"order-{cid}.png", str(cid), 320, 200)
    chat = chat_screenshot(tmp / f"chat-{cid}.png", [f"pay first {cid}"], 200, 300)
    assert lib.add_paths(cid, [order], kind="order_screenshot")[0].status == "added"
    assert lib.add_paths(cid, [chat], kind="chat_record")[0].status == "added"


def open_case(qtbot: QtBot, window: MainWindow, cid: int, state: str) -> FlowUI:
    ui = window.flow_ui
    window.cases.reload()
    window.cases.select_case(cid)
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.id == cid
                    and ui.info.case.state == state, timeout=WAIT)
    return ui


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def open_dialog(qtbot: QtBot, ui: FlowUI, kind: type) -> QDialog:
    qtbot.waitUntil(lambda: isinstance(ui.dialog, kind) and ui.dialog.isVisible(), timeout=WAIT)
    assert ui.dialog is not None
    return ui.dialog


def test_draft_to_resubmitted_in_the_window(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                             make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "2026110500123", buyer="Lucas Meyer",
                    demand="Deduct the buyer's credit points and restrict trading.")
    ui = open_case(qtbot, window, cid, "draft")
    ui.tabs.setCurrentIndex(TAB_SUBMISSION)
    flow = ui.flow
    assert not flow.submit_button.isEnabled()
    assert not ui.actionSubmit.isEnabled()
    assert "checklist" in flow.why_not.text()

    add_required_evidence(lib, cid, tmp_path)
    window.evidence_changed()
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.state == "ready", timeout=WAIT)
    assert flow.submit_button.isEnabled() and ui.actionSubmit.isEnabled()
    assert "Ready" in window.header.subtitle.text()

    # Nothing was exported: the dialog says so and offers to go on.
    click(qtbot, flow.submit_button)
    dialog = open_dialog(qtbot, ui, SubmitDialog)
    assert isinstance(dialog, SubmitDialog)
    assert dialog.warning.isVisible() and "exported" in dialog.warning.text()
    assert dialog.ok_button.text() == "Submit anyway"
    with qtbot.waitSignal(ui.moved, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.state == "submitted",
                    timeout=WAIT)
    case = lib.get_case(cid)
    assert case.submitted_on == date.today()
    assert ui.info.expected is not None
    assert ui.info.expected[0].isoformat() in flow.fact_values["expected"].text()
    assert "Submitted" in window.header.subtitle.text()
    assert flow.result_button.isEnabled() and not flow.submit_button.isEnabled()

    click(qtbot, flow.result_button)
    dialog = open_dialog(qtbot, ui, ResultDialog)
    assert isinstance(dialog, ResultDialog)
    assert not dialog.ok_button.isEnabled()  # no result picked yet
    dialog.radios["rejected"].setChecked(True)
    with qtbot.waitSignal(ui.moved, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.state == "rejected",
                    timeout=WAIT)
    assert lib.get_case(cid).result_on == date.today()
    assert flow.resubmit_button.isEnabled() and flow.escalate_button.isEnabled()

    with qtbot.waitSignal(ui.moved, timeout=WAIT) as moved:
        click(qtbot, flow.resubmit_button)
    attempt = moved.args[0]
    qtbot.waitUntil(lambda: window.current_case() == attempt.id, timeout=WAIT)
    second = lib.get_case(attempt.id)
    assert second.parent_id == cid and second.attempt_no == 2
    first_items = sorted(e.sha256 for e in lib.list_evidence(cid))
    assert sorted(e.sha256 for e in lib.list_evidence(second.id)) == first_items
    # The new attempt is ready again (same evidence) and links back to the first.
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.id == second.id
                    and ui.info.previous is not None, timeout=WAIT)
    assert ui.info.previous.id == cid
    assert f'href="case:{cid}"' in flow.fact_values["attempt"].text()
    assert ui.tabs.currentIndex() == TAB_SUBMISSION

    # Following the link goes back to the first attempt, which links forward.
    flow.fact_values["attempt"].linkActivated.emit(f"case:{cid}")
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.id == cid
                    and bool(ui.info.later), timeout=WAIT)
    assert f'href="case:{second.id}"' in flow.fact_values["attempt"].text()
    assert not flow.resubmit_button.isEnabled()  # a newer attempt exists

    moves = [(e.detail["before"], e.detail["after"]) for e in lib.audit_log(cid)
             if e.action == "case.state"]
    assert moves == [("draft", "ready"), ("ready", "submitted"), ("submitted", "rejected")]


def test_escalate_lists_the_alibaba_hotline(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                           make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "ESC-1", demand="Refund USD 300.")
    add_required_evidence(lib, cid, tmp_path)
    lib.move_case(cid, "submitted", on=date.today() - timedelta(days=9))
    ui = open_case(qtbot, window, cid, "submitted")
    assert ui.info is not None and ui.info.overdue
    assert "Overdue" in ui.flow.fact_values["expected"].text()
    lib.move_case(cid, "rejected")
    window.refresh_all()
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.state == "rejected",
                    timeout=WAIT)

    ui.actionEscalate.trigger()
    dialog = open_dialog(qtbot, ui, EscalateDialog)
    assert isinstance(dialog, EscalateDialog)
    assert dialog.escalation.numbers == ["400-600-2688"]
    assert "95188" in dialog.numbers()
    assert dialog.resubmit_button.isVisible()
    click(qtbot, dialog.escalation.copy_buttons[0])
    assert QGuiApplication.clipboard().text() == "400-600-2688"
    dialog.reject()


def test_logistics_dispute_moves_and_pause_needs_a_reason(
        qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    lib = window.library
    today = date.today()
    cid = lib.create_case("logistics_service_dispute", "LM-1", buyer_name="Fast Freight",
                          paid_on=today - timedelta(days=9),
                          refund_requested_on=today - timedelta(days=3)).id
    lib.move_case(cid, "negotiating")
    ui = open_case(qtbot, window, cid, "negotiating")
    flow = ui.flow
    ui.tabs.setCurrentIndex(TAB_SUBMISSION)
    assert not flow.complaint_buttons.isVisible()
    assert set(flow.move_buttons) == {"settled", "intervention_requested", "paused",
                                      "withdrawn"}
    assert "Negotiating" in flow.path_label.text()
    assert "formally" in flow.notes.text()
    qtbot.waitUntil(lambda: "within the window" in flow.refund_check.text(), timeout=WAIT)

    click(qtbot, flow.move_buttons["paused"])
    dialog = open_dialog(qtbot, ui, PauseDialog)
    assert isinstance(dialog, PauseDialog)
    click(qtbot, dialog.ok_button)  # no reason chosen
    assert dialog.isVisible() and dialog.error.isVisible()
    dialog.radios["court_or_police_case"].setChecked(True)
    click(qtbot, dialog.ok_button)  # a court case without saying which
    assert dialog.isVisible() and "case" in dialog.error.text()
    assert lib.get_case(cid).state == "negotiating"
    qtbot.keyClicks(dialog.note, "Shenzhen police, case 123")
    with qtbot.waitSignal(ui.moved, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.state == "paused",
                    timeout=WAIT)
    assert "Shenzhen police, case 123" in flow.fact_values["pause"].text()
    # A pause resumes only where it paused.
    assert "negotiating" in flow.move_buttons
    assert "intervention_requested" not in flow.move_buttons
    assert "Resume" in flow.move_buttons["negotiating"].text()


def test_help_menu_and_carrier_rule(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    ui = window.flow_ui
    names = [a.objectName() for a in window.menu_help.actions()]
    for name in ("actionFaq", "actionHotlines", "actionTips", "actionCarrierRule"):
        assert name in names
    ui.actionHotlines.trigger()
    dialog = open_dialog(qtbot, ui, QDialog)
    assert dialog.objectName() == "hotlineDialog"
    assert "0571-88157858" in dialog.grid.numbers  # type: ignore[attr-defined]
    dialog.reject()

    cid = make_case(window.library, "CC-1")
    open_case(qtbot, window, cid, "draft")
    ui.tabs.setCurrentIndex(TAB_SUBMISSION)
    assert not ui.flow.carrier_rule.isVisible()
    ui.flow.carrier.setChecked(True)
    qtbot.waitUntil(lambda: window.library.get_case(cid).carrier_changed, timeout=WAIT)
    qtbot.waitUntil(ui.flow.carrier_rule.isVisible, timeout=WAIT)
    assert "shipped" in ui.flow.carrier_rule.text()
    window.actionUndo.trigger()
    assert not window.library.get_case(cid).carrier_changed


def test_escalate_on_a_submitted_case_offers_no_resubmission(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "ESC-2", demand="Refund USD 300.")
    add_required_evidence(lib, cid, tmp_path)
    lib.move_case(cid, "submitted")
    ui = open_case(qtbot, window, cid, "submitted")
    click(qtbot, ui.flow.escalate_button)
    dialog = open_dialog(qtbot, ui, EscalateDialog)
    assert isinstance(dialog, EscalateDialog)
    assert not dialog.resubmit_button.isVisible()
    dialog.reject()
