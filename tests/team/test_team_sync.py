"""The window on a team database: other desks' changes show up; a reviewer cannot edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import factories
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from teamkit import REVIEWER, as_user

from evidence_desk.library.service import Library
from evidence_desk.ui.common.i18n_qt import apply_language
from evidence_desk.ui.common.settings import SETTINGS_ENV, open_settings
from evidence_desk.ui.team.sync import EDITING_ACTIONS

pytestmark = [pytest.mark.postgresql,
              pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")]


@pytest.fixture
def open_window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                qapp: object) -> Iterator:  # type: ignore[type-arg]
    from evidence_desk.ui.shell.main_window import MainWindow

    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "settings.ini"))
    apply_language("en")
    opened: list = []

    def make(url: str, name: str):  # type: ignore[no-untyped-def]
        lib = Library(tmp_path / name, db_url=url)
        w = MainWindow(lib, open_settings(tmp_path / "settings.ini"))
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        opened.append((w, lib))
        return w

    yield make
    for w, lib in opened:
        w.team_sync.stop()
        w.close()
        lib.close()


def test_another_desks_new_case_and_evidence_appear_without_a_refresh(
        qtbot: QtBot, team_url: str, tmp_path: Path, open_window) -> None:  # type: ignore[no-untyped-def]
    window = open_window(team_url, "desk-a")
    assert window.team_sync.listener is not None
    assert window.team_sync.listener.wait_listening(10)
    with Library(tmp_path / "desk-b", db_url=team_url) as other:
        case = other.create_case("fake_transaction", "LIVE-1")
        qtbot.waitUntil(lambda: window.cases.model.rowCount() == 1, timeout=5000)
        window.cases.select_case(case.id)
        qtbot.waitUntil(lambda: window.current_case() == case.id, timeout=5000)
        other.add_paths(case.id, [factories.chat_screenshot(tmp_path / "c.png", ["付款"])])
        other.update_case(case.id, title="changed on desk b")
        qtbot.waitUntil(lambda: window.editor.case is not None
                        and window.editor.case.title == "changed on desk b", timeout=5000)
        qtbot.waitUntil(lambda: sum(s.model.rowCount() for s in window.board.sections.values())
                        == 1, timeout=5000)


def test_a_reviewers_window_disables_every_editing_action(
        qtbot: QtBot, team_url: str, tmp_path: Path, open_window) -> None:  # type: ignore[no-untyped-def]
    with Library(tmp_path / "editor", db_url=team_url) as lib:
        case = lib.create_case("fake_transaction", "REV-1")
    window = open_window(as_user(team_url, REVIEWER), "reviewer")
    assert window.library.read_only
    window.cases.select_case(case.id)
    qtbot.waitUntil(lambda: window.current_case() == case.id, timeout=5000)
    qtbot.wait(50)
    actions = {a.objectName(): a for a in window.findChildren(QAction)}
    for name in ("actionNewCase", "actionAddEvidence", "actionPasteEvidence"):
        assert not actions[name].isEnabled(), name
    assert all(not a.isEnabled() for n, a in actions.items() if n in EDITING_ACTIONS)
    assert actions["actionExportDossier"].isEnabled()
    editor = window.findChild(QWidget, "caseEditor")
    edits = editor.findChildren(QLineEdit)
    assert edits and all(e.isReadOnly() for e in edits)
    assert not window.findChild(QWidget, "evidenceView").acceptDrops()


def test_a_server_that_stops_answering_gets_one_sentence_in_the_desks_language(
        qtbot: QtBot, pg_server, pg_database: str,  # type: ignore[no-untyped-def]
        open_window) -> None:
    from sqlalchemy.engine import make_url

    window = open_window(pg_database, "desk-down")
    window.team_sync.stop()
    apply_language("zh")
    name = make_url(pg_database).database
    with pg_server.admin() as con:
        # The server refuses every new connection to this database and drops the open ones:
        # to the desk, the same as a server that went away.
        con.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", (name,))
    try:
        errors: list[Exception] = []
        window.runner.run(lambda _p, _c: window.library.list_cases(), group="test",
                          on_error=lambda exc: (errors.append(exc),
                                                window.ctx.report_error(exc)))
        qtbot.waitUntil(lambda: bool(errors), timeout=20000)
        u = make_url(pg_database)
        expected = f"团队数据库 {u.host}:{u.port} 没有响应;未做任何改动。"
        assert window.statusBar().currentMessage() == expected
    finally:
        apply_language("en")
        with pg_server.admin() as con:
            con.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
