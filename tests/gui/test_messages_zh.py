"""A Chinese desk says why in Chinese: import refusals in the import summary, and a library
error in the dialog that refuses a move, come from the same catalogue as the window's text."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from evidence_desk.i18n import Message, localized
from evidence_desk.library.service import Library, NotFound
from evidence_desk.ui.flow.controller import FlowUI
from evidence_desk.ui.shell.main_window import MainWindow

WAIT = 15000


def _open(qtbot: QtBot, window: MainWindow, cid: int) -> FlowUI:
    ui = window.flow_ui
    window.cases.reload()
    window.cases.select_case(cid)
    qtbot.waitUntil(lambda: ui.info is not None and ui.info.case.id == cid, timeout=WAIT)
    return ui


def test_refused_files_are_explained_in_chinese(qtbot: QtBot, window: MainWindow,
                                                tmp_path: Path, make_case) -> None:  # noqa: ANN001
    window.set_language("zh")
    cid = make_case(window.library, "2026110500777")
    _open(qtbot, window, cid)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02 not evidence" * 40)
    board = window.board
    with qtbot.waitSignal(board.import_finished, timeout=WAIT) as done:
        board.import_paths([empty, junk])
    assert len(done.args[0].refused) == 2
    summary = board.last_summary
    assert summary is not None and summary.isVisible()
    rows = {summary.tree.topLevelItem(i).text(0): summary.tree.topLevelItem(i).text(1)
            for i in range(summary.tree.topLevelItemCount())}
    assert rows["empty.png"] == "已拒绝: 空文件"
    assert "无法识别为证据文件" in rows["junk.bin"]
    assert "empty file" not in " ".join(rows.values())
    summary.close()
    # The library itself still speaks English to the command line and the log.
    results = window.library.add_paths(cid, [empty])
    assert results[0].reason == "empty file" and str(results[0].reason) == "empty file"


def test_a_library_error_in_a_dialog_is_chinese(qtbot: QtBot, window: MainWindow,
                                                make_case) -> None:  # noqa: ANN001
    window.set_language("zh")
    lib = window.library
    cid = make_case(lib, "2026110500778")
    ui = _open(qtbot, window, cid)
    # Another desk throws the case away for good while this one still shows it.
    other = Library(lib.folder)
    try:
        other.delete_case(cid)
        other.purge_case(cid)
    finally:
        other.close()
    ui.move(cid, "withdrawn")
    qtbot.waitUntil(lambda: ui.dialog is not None and ui.dialog.objectName() == "flowRefusal"
                    and ui.dialog.isVisible(), timeout=WAIT)
    assert ui.dialog.text() == f"不存在案件 {cid}。"
    ui.dialog.close()


def test_a_message_is_english_text_that_knows_its_id() -> None:
    reason = Message("cannot read the file ({why})", why=Message("no such file"))
    assert reason == "cannot read the file (no such file)"
    assert localized(reason, "zh") == "无法读取文件(文件不存在)"
    err = NotFound(Message("There is no case {id}.", id=7))
    assert str(err) == "There is no case 7."
    assert localized(err, "zh") == "不存在案件 7。" and localized(err, "en") == str(err)
