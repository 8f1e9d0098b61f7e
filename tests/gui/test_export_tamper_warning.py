"""The window's pre-export check says so when the library's audit log does not check out."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library


@pytest.mark.sqlite_only
def test_a_tampered_library_warns_before_export(qtbot: QtBot, window, library: Library,
                                                make_case: Callable[..., int]) -> None:
    cid = make_case(library, "T-77", days_ago=2)
    assert library.audit_problems() == []
    con = sqlite3.connect(library.db_path)
    con.execute("UPDATE cases SET order_no = 'T-78' WHERE id = ?", (cid,))
    con.commit()
    con.close()
    window.cases.reload(keep=cid)
    window.cases.select_case(cid)
    qtbot.waitUntil(lambda: window.current_case() == cid)
    exports = window.exports
    window.actionExportDossier.trigger()
    qtbot.waitUntil(lambda: exports.pre_dialog is not None and exports.pre_dialog.isVisible())
    text = exports.pre_dialog.problem_label.text()
    assert "audit log does not check out" in text
    assert f"case {cid} was changed outside the app" in text
    exports.pre_dialog.reject()
