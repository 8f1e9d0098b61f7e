"""Start-up when the library will not open: the dialog, restoring a backup, giving up.

Every start goes through the launcher, the same path as Open library… and a restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from evidence_desk.library.backup import backup_now
from evidence_desk.library.service import Library
from evidence_desk.ui.shell.launcher import Launcher
from evidence_desk.ui.shell.main_window import MainWindow
from evidence_desk.ui.shell.startup import StartupDialog, team_database_url


def open_library_interactively(qtbot: QtBot, folder: Path) -> Library | None:
    """Start a desk on `folder` as app.main does; its library, or None when the seller quit."""
    launcher = Launcher(MainWindow)
    outcome: list[MainWindow | None] = []
    launcher.opened.connect(outcome.append)
    launcher.gave_up.connect(lambda: outcome.append(None))
    launcher.start(folder, db_url=team_database_url())
    qtbot.waitUntil(lambda: bool(outcome) and not launcher.runner.is_busy(), timeout=20000)
    window = outcome[0]
    if window is not None:
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible())
    launcher.dispose()
    return window.library if window is not None else None


def _when_modal(kind: type[QWidget], act: Callable[[QWidget], None]) -> list[QWidget]:
    """Call `act` on the first modal dialog of `kind` once it is up (it runs its own loop)."""
    seen: list[QWidget] = []

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            seen.append(widget)
            act(widget)
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def _damage(db: Path) -> None:
    data = bytearray(db.read_bytes())
    # Keep the 100-byte header (so it still claims to be SQLite), wreck the schema page.
    data[100:4096] = b"\xa5" * (4096 - 100)
    db.write_bytes(bytes(data))


@pytest.fixture
def broken_library(tmp_path: Path, make_case: Callable[..., int]) -> Path:
    folder = tmp_path / "lib"
    lib = Library(folder)
    make_case(lib, "KEEP-ME")
    backup_now(lib)
    lib.close()
    _damage(folder / "library.sqlite3")
    return folder


@pytest.mark.sqlite_only
def test_a_corrupt_library_offers_its_backup_and_restoring_brings_it_back(
        qtbot: QtBot, broken_library: Path) -> None:
    def restore(dialog: QWidget) -> None:
        assert isinstance(dialog, StartupDialog)
        assert dialog.backup_list is not None
        assert dialog.backup_list.topLevelItemCount() == 1
        assert dialog.restore_button is not None
        dialog.restore_button.click()

    seen = _when_modal(StartupDialog, restore)
    lib = open_library_interactively(qtbot, broken_library)
    assert seen, "the start-up dialog was not shown"
    assert lib is not None
    try:
        [cid] = lib.case_ids()
        assert lib.get_case(cid).order_no == "KEEP-ME"
        assert list(broken_library.glob("library.sqlite3.broken-*"))
    finally:
        lib.close()


@pytest.mark.sqlite_only
def test_without_backups_the_seller_can_quit(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / "library.sqlite3").write_bytes(b"this is a spreadsheet, not a library" * 20)

    def give_up(dialog: QWidget) -> None:
        assert isinstance(dialog, StartupDialog)
        assert dialog.restore_button is None
        dialog.findChild(QWidget, "startupQuit").click()

    seen = _when_modal(StartupDialog, give_up)
    assert open_library_interactively(qtbot, folder) is None
    assert seen
    # Refused, never overwritten.
    assert (folder / "library.sqlite3").read_bytes().startswith(b"this is a spreadsheet")


def test_a_healthy_library_opens_without_a_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    lib = open_library_interactively(qtbot, tmp_path / "fresh")
    assert lib is not None
    lib.close()


@pytest.mark.sqlite_only
def test_scheduled_backups_run_at_start_and_close_waits_for_them(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int]) -> None:
    from evidence_desk.library.backup import list_backups
    from evidence_desk.ui.shell.launcher import start_scheduled_backups

    make_case(library, "DAILY-1")
    start_scheduled_backups(window)
    window.close()  # waits for the start-up backup instead of racing it with another
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)
    assert len(list_backups(library.folder)) == 1


@pytest.mark.sqlite_only
def test_a_team_database_chosen_in_the_settings_is_opened_without_storing_a_password(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evidence_desk.ui.common.settings import TEAM_URL_KEY, SettingsDialog, open_settings

    monkeypatch.delenv("EVIDENCE_DESK_DB_URL", raising=False)
    settings = open_settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    shared = tmp_path / "shared" / "team.sqlite3"
    shared.parent.mkdir()
    dialog.team_url.setText(f"sqlite:///{shared}")
    dialog.accept()
    assert open_settings().value(TEAM_URL_KEY) == f"sqlite:///{shared}"

    lib = open_library_interactively(qtbot, tmp_path / "local")
    assert lib is not None
    try:
        case = lib.create_case("fake_transaction", "TEAM-1")
    finally:
        lib.close()
    # The tables went to the chosen database, not to the local folder's own file.
    assert shared.is_file()
    assert not (tmp_path / "local" / "library.sqlite3").exists()
    other = Library(tmp_path / "elsewhere", f"sqlite:///{shared}")
    try:
        assert [c.order_no for c in other.list_cases()] == [case.order_no]
    finally:
        other.close()


def test_the_settings_file_never_holds_a_team_password(qtbot: QtBot) -> None:
    from evidence_desk.ui.common.settings import SettingsDialog, open_settings, settings_path

    dialog = SettingsDialog(open_settings())
    qtbot.addWidget(dialog)
    dialog.team_url.setText("postgresql+psycopg://clerk:s3cret-pw@db.example/evidence")
    dialog.team_password.setText("another-secret")
    dialog.accept()
    text = settings_path().read_text(encoding="utf-8")
    assert "clerk@db.example" in text
    assert "s3cret-pw" not in text and "another-secret" not in text
