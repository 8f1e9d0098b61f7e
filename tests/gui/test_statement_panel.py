"""The statement composer in the running window: wording flags on the words, no silent overwrite
of the seller's edits, undo of a replacement."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from evidence_desk.ui.flow.controller import TAB_STATEMENT
from evidence_desk.ui.shell.main_window import MainWindow
from evidence_desk.ui.statement.panel import StatementPanel, utf16_offsets

WAIT = 15000
TONE = {"insult", "shouting", "exclamations", "threat"}


def _panel(qtbot: QtBot, window: MainWindow, cid: int) -> StatementPanel:
    ui = window.flow_ui
    window.cases.reload()
    window.cases.select_case(cid)
    ui.tabs.setCurrentIndex(TAB_STATEMENT)
    panel = ui.statement
    qtbot.waitUntil(lambda: panel.case is not None and panel.case.id == cid, timeout=WAIT)
    return panel


def _type_over(qtbot: QtBot, panel: StatementPanel, text: str) -> None:
    panel.english.selectAll()
    panel.english.insertPlainText(text)


def test_wording_flags_point_at_the_words(qtbot: QtBot, window: MainWindow,
                                          make_case) -> None:  # noqa: ANN001
    cid = make_case(window.library, "W-1", demand="Refund USD 500.")
    panel = _panel(qtbot, window, cid)
    _type_over(qtbot, panel, "The buyer is a LIAR. PAY ME NOW YOU THIEF!!! See Exhibit A-1.")
    qtbot.waitUntil(lambda: TONE & set(panel.flag_codes()) >= {"insult", "shouting",
                                                                "exclamations"}, timeout=WAIT)
    assert panel.english.extraSelections()
    assert panel.flag_list.count() == len(panel.flags)
    assert "(" in window.flow_ui.tabs.tabText(TAB_STATEMENT)

    # Clicking a flag selects its words in the text.
    row = next(i for i, f in enumerate(panel.flags) if f.code == "insult")
    item = panel.flag_list.item(row)
    rect = panel.flag_list.visualItemRect(item)
    qtbot.mouseClick(panel.flag_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert panel.english.textCursor().selectedText() == "LIAR"

    _type_over(qtbot, panel, "On 5 March the buyer cancelled the order after we had packed "
                             "it, as the chat shows (Exhibit A-1). We ask the platform to "
                             "deduct the buyer's credit points.")
    qtbot.waitUntil(lambda: not TONE & set(panel.flag_codes()), timeout=WAIT)
    assert not {"no_demand", "vague_demand"} & set(panel.flag_codes())


def test_highlight_counts_utf16_after_an_emoji(qtbot: QtBot, window: MainWindow,
                                               make_case) -> None:  # noqa: ANN001
    cid = make_case(window.library, "W-2", demand="Refund USD 500.")
    panel = _panel(qtbot, window, cid)
    text = "Thanks 😀 but you are an idiot, see Exhibit A-1."
    assert utf16_offsets(text)(len(text)) == len(text) + 1
    _type_over(qtbot, panel, text)
    qtbot.waitUntil(lambda: "insult" in panel.flag_codes(), timeout=WAIT)
    insult = next(f for f in panel.flags if f.code == "insult")
    selections = [s for s in panel.english.extraSelections()
                  if s.cursor.selectedText() == "idiot"]
    assert selections, [s.cursor.selectedText() for s in panel.english.extraSelections()]
    assert text[insult.start:insult.end] == "idiot"


def test_composer_never_overwrites_edits_silently(qtbot: QtBot, window: MainWindow,
                                                  make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "C-1", buyer="Lucas Meyer", demand="Refund USD 500.",
                    reason="The buyer never paid.")
    panel = _panel(qtbot, window, cid)
    with qtbot.waitSignal(panel.composed, timeout=WAIT) as sig:
        qtbot.mouseClick(panel.compose_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["replaced"]
    composed = panel.english.toPlainText()
    assert "C-1" in composed and "Lucas Meyer" in composed
    assert panel.chinese.toPlainText().strip()

    # The seller edits; leaving the text saves it as their own.
    cursor = panel.english.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    panel.english.setTextCursor(cursor)
    panel.english.setFocus()
    qtbot.keyClicks(panel.english, "Our own closing line.")
    panel.save()
    assert lib.get_case(cid).statement_edited
    assert "Our own closing line." in lib.get_case(cid).statement_en

    with qtbot.waitSignal(panel.composed, timeout=WAIT) as sig:
        panel.compose()
    assert sig.args == ["kept_edits"]
    assert "Our own closing line." in panel.english.toPlainText()
    assert "Kept your edits" in panel.state_label.text()

    # The facts change: the new text is offered, not applied.
    lib.update_case(cid, demand="Refund USD 800.")
    window.refresh_all()
    with qtbot.waitSignal(panel.composed, timeout=WAIT) as sig:
        panel.compose()
    assert sig.args == ["outdated"]
    assert panel.outdated_bar.isVisible()
    assert "Our own closing line." in panel.english.toPlainText()
    assert "Our own closing line." in lib.get_case(cid).statement_en

    with qtbot.waitSignal(panel.composed, timeout=WAIT):
        qtbot.mouseClick(panel.replace_button, Qt.MouseButton.LeftButton)
    assert "Our own closing line." not in panel.english.toPlainText()
    assert "Refund USD 800." in panel.english.toPlainText()
    assert not lib.get_case(cid).statement_edited

    window.actionUndo.trigger()
    assert "Our own closing line." in lib.get_case(cid).statement_en
    qtbot.waitUntil(lambda: "Our own closing line." in panel.english.toPlainText(),
                    timeout=WAIT)
