"""The shell's ordered close and the one path for libraries: nothing typed is lost or misplaced.

Each test here failed before the shell owned the close: the close-time backup was taken before
the last typing was saved, and a window replaced by a restore saved its pending statement into
the restored library.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from evidence_desk.app import build_main_window
from evidence_desk.library.backup import backup_now, list_backups
from evidence_desk.library.service import Library
from evidence_desk.ui.shell.launcher import start_scheduled_backups
from evidence_desk.ui.shell.main_window import MainWindow

pytestmark = pytest.mark.sqlite_only  # backups are of a SQLite library


def _backed_up_case(folder: Path, case_id: int) -> tuple[str, str]:
    """(title, English statement) of the case in the newest backup, read from its own file."""
    newest = list_backups(folder)[0]
    con = sqlite3.connect(f"file:{newest.path / 'library.sqlite3'}?mode=ro", uri=True)
    try:
        title, statement = con.execute("SELECT title, statement_en FROM cases WHERE id = ?",
                                       (case_id,)).fetchone()
    finally:
        con.close()
    return title, statement


def _open(qtbot: QtBot, window: MainWindow, case_id: int) -> None:
    window.cases.reload(keep=case_id)
    window.cases.select_case(case_id)
    qtbot.waitUntil(lambda: window.editor.case is not None and window.editor.case.id == case_id)


def _close(qtbot: QtBot, window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)


@pytest.mark.parametrize("where", ["titleEdit", "statementEnglishEdit"])
def test_typing_then_closing_at_once_is_in_the_library_and_in_the_close_backup(
        qtbot: QtBot, tmp_path: Path, make_case: Callable[..., int], where: str) -> None:
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        cid = make_case(lib, "CLOSE-1")
    window = build_main_window(folder)
    qtbot.addWidget(window)
    start_scheduled_backups(window, at_start=False)  # as app.main does: a backup as it closes
    window.show()
    qtbot.waitExposed(window)
    _open(qtbot, window, cid)
    if where == "statementEnglishEdit":
        from evidence_desk.ui.flow.controller import TAB_STATEMENT

        window.flow_ui.tabs.setCurrentIndex(TAB_STATEMENT)
        qtbot.waitUntil(lambda: window.flow_ui.statement.case is not None)
    edit = window.findChild(QPlainTextEdit if where.startswith("statement") else object, where)
    assert edit is not None, where
    edit.setFocus()
    qtbot.keyClicks(edit, "Typed just before closing")
    _close(qtbot, window)  # no pause: the typing timers have not run out

    with Library(folder) as lib:
        case = lib.get_case(cid)
        stored = case.title if where == "titleEdit" else case.statement_en
    assert stored.endswith("Typed just before closing")
    title, statement = _backed_up_case(folder, cid)
    assert (title if where == "titleEdit" else statement) == stored
    window.library.close()


def test_after_a_restore_the_old_window_saves_nothing_into_the_restored_library(
        qtbot: QtBot, window: MainWindow, library: Library, make_case: Callable[..., int]) -> None:
    from evidence_desk.ui.flow.controller import TAB_STATEMENT

    cid = make_case(library, "RESTORE-1")
    backup_now(library)
    _open(qtbot, window, cid)
    window.flow_ui.tabs.setCurrentIndex(TAB_STATEMENT)
    panel = window.flow_ui.statement
    qtbot.waitUntil(lambda: panel.case is not None and panel.case.id == cid)
    panel.english.setFocus()
    qtbot.keyClicks(panel.english, "Written before the restore")  # still pending

    integrity = window.integrity
    integrity.actionRestoreBackup.trigger()
    qtbot.waitUntil(lambda: integrity.restore_dialog is not None
                    and integrity.restore_dialog.isVisible())
    with qtbot.waitSignal(integrity.reopened, timeout=20000) as blocker:
        integrity.restore_dialog.restore_button.click()
    new: MainWindow = blocker.args[0]
    qtbot.addWidget(new)
    assert not window.isVisible()
    # Anything the old window might still do (a focus change, a timer) must not reach the
    # restored library: the backup was made before the typing, so it has no statement.
    panel._save_timer.start(0)
    panel.save()
    qtbot.wait(50)
    assert new.library.get_case(cid).statement_en == ""
    # The typing went where it belonged: into the library the restore replaced, which was
    # moved aside, not into the restored one.
    aside = list(library.folder.glob("library.sqlite3.broken-*"))
    assert aside
    con = sqlite3.connect(f"file:{aside[0]}?mode=ro", uri=True)
    try:
        (old_text,) = con.execute("SELECT statement_en FROM cases WHERE id = ?",
                                  (cid,)).fetchone()
    finally:
        con.close()
    assert old_text == "Written before the restore"
    new.close()
    new.library.close()


def test_undo_never_changes_a_case_the_seller_is_not_looking_at(
        qtbot: QtBot, window: MainWindow, make_case: Callable[..., int]) -> None:
    lib = window.library
    a = make_case(lib, "UNDO-A", title="Case A")
    b = make_case(lib, "UNDO-B", title="Case B")
    _open(qtbot, window, a)
    title = window.findChild(object, "titleEdit")
    title.selectAll()
    qtbot.keyClicks(title, "A's new title")
    qtbot.keyClick(title, Qt.Key.Key_Tab)  # leaving the field saves it
    qtbot.waitUntil(lambda: lib.get_case(a).title == "A's new title")

    _open(qtbot, window, b)
    window.actionUndo.trigger()
    assert lib.get_case(a).title == "A's new title"
    assert lib.get_case(b).title == "Case B"

    # Back in case A, Undo is A's again, and the status bar says what it undid.
    _open(qtbot, window, a)
    assert window.actionUndo.isEnabled()
    window.actionUndo.trigger()
    assert lib.get_case(a).title == "Case A"
    assert "Undone: Edit Title" in window.statusBar().currentMessage()
    window.actionRedo.trigger()
    assert lib.get_case(a).title == "A's new title"
    assert "Redone: Edit Title" in window.statusBar().currentMessage()
