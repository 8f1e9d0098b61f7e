"""After submit or result every view shows the new state at once: header, list, checklist and
the buyer tab; the complaint window stops counting down."""

from pathlib import Path

from pytestqt.qtbot import QtBot

from evidence_desk.ui.cases.case_list import COL_DAYS, COL_STATUS
from tests.gui.test_flow import WAIT, add_required_evidence, open_case


def test_submit_shows_everywhere_at_once(qtbot: QtBot, window, tmp_path: Path,  # noqa: ANN001
                                         make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "S-1", buyer="Lucas Meyer", demand="x")
    ui = open_case(qtbot, window, cid, "draft")
    add_required_evidence(lib, cid, tmp_path)
    window.evidence_changed()
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.state == "ready", timeout=WAIT)
    qtbot.waitUntil(lambda: "Ready" in window.checklist.ready_label.text(), timeout=WAIT)
    history = ui.buyer.history
    with qtbot.waitSignal(ui.moved, timeout=WAIT):
        ui.move(cid, "submitted")
    # No wait beyond the move itself: the views follow the announcement, not a later poll.
    row = window.cases.model.row_of(cid)
    subtitle = window.header.subtitle.text()
    assert "Submitted" in subtitle and "days left" not in subtitle
    assert window.cases.model.index(row, COL_STATUS).data() == "Submitted"
    assert window.cases.model.index(row, COL_DAYS).data() == "Filed"
    assert "Ready to submit" not in window.checklist.ready_label.text()
    assert "Submitted" in window.checklist.ready_label.text()
    assert window.checklist.deadline_label.text() == ""
    qtbot.waitUntil(lambda: any("Submitted" in (history.topLevelItem(i).text(c) or "")
                                for i in range(history.topLevelItemCount())
                                for c in range(history.columnCount())), timeout=WAIT)
