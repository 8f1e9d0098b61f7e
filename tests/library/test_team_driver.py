"""A single desk installs no PostgreSQL driver (it is the `team` extra); choosing a team database
without it is refused in one sentence that says what to install, on the command line and in the
window. The driver is made unimportable here exactly as an installation without it behaves."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from evidence_desk.cli import main as cli

TEAM_URL = "postgresql+psycopg://alice@127.0.0.1:9/evidence"


@pytest.fixture
def no_driver() -> Iterator[pytest.MonkeyPatch]:
    # None in sys.modules makes `import psycopg` raise ImportError, as when it is not installed.
    # A patcher of its own, undone before the test database (on PostgreSQL runs) is dropped.
    with pytest.MonkeyPatch.context() as mp:
        for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
            mp.delitem(sys.modules, name)
        mp.setitem(sys.modules, "psycopg", None)
        yield mp


def test_the_command_line_says_what_to_install(
        tmp_path: Path, no_driver: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVIDENCE_DESK_DB_URL", TEAM_URL)
    assert cli(["--library", str(tmp_path / "lib"), "case", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "pip install 'evidence-desk[team]'" in err and "psycopg" in err
    # A URL naming another driver gets told which one the desk ships with.
    monkeypatch.setenv("EVIDENCE_DESK_DB_URL", "postgresql+pg8000://alice@127.0.0.1:9/evidence")
    no_driver.setitem(sys.modules, "pg8000", None)
    assert cli(["--library", str(tmp_path / "lib"), "case", "list"]) == 1
    err = capsys.readouterr().err
    assert "postgresql+psycopg://" in err and "evidence-desk[team]" in err


# The offscreen platform says this of every dialog it shows (see tests/gui/conftest.py).
@pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")
def test_the_window_says_what_to_install(
        qtbot: QtBot, tmp_path: Path, no_driver: pytest.MonkeyPatch,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from evidence_desk.ui.shell.launcher import Launcher
    from evidence_desk.ui.shell.main_window import MainWindow
    from evidence_desk.ui.shell.startup import StartupDialog, team_database_url

    monkeypatch.setenv("EVIDENCE_DESK_DB_URL", TEAM_URL)
    shown: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, StartupDialog) and dialog.isVisible():
            label = dialog.findChild(QLabel, "startupMessage")
            shown.append(label.text())
            dialog.findChild(QWidget, "startupQuit").click()
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    launcher = Launcher(MainWindow)
    outcome: list[object] = []
    launcher.opened.connect(outcome.append)
    launcher.gave_up.connect(lambda: outcome.append(None))
    launcher.start(tmp_path / "lib", db_url=team_database_url())
    qtbot.waitUntil(lambda: bool(outcome) and not launcher.runner.is_busy(), timeout=20000)
    launcher.dispose()
    assert outcome == [None]
    assert shown and "pip install 'evidence-desk[team]'" in shown[0]
