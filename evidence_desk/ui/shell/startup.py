"""Opening the library at start, with a way out when it will not open; scheduled backups.

When the library refuses to open (damaged, foreign, or its database gone while originals
remain) the seller sees why and, when backups exist, can put one back; or choose another
folder. Nothing here ever overwrites the refused database: restore_backup moves it aside.

Work that touches files runs on a worker thread; while the window is not up yet (or is
closing) a local event loop keeps the progress dialog painting instead of the task runner.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import tr
from evidence_desk.library.backup import BackupError, BackupInfo, list_backups, maybe_backup
from evidence_desk.library.db import LibraryOpenError
from evidence_desk.ui.common.labels import emphasize

if TYPE_CHECKING:
    from evidence_desk.library.service import Library
    from evidence_desk.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
T = TypeVar("T")

BACKUP_EVERY = timedelta(days=1)
SKIP_CLOSE_BACKUP = "skipCloseBackup"  # window property: closing only to reopen (a restore)


class _Finished(QObject):
    done = Signal()


def run_in_thread(fn: Callable[[], T], label: str, parent: QWidget | None = None,
                  show_after_ms: int = 400) -> T:
    """Run `fn` on a worker thread while a local event loop keeps the GUI alive; a small busy
    dialog appears only when it takes a while. Returns fn's result or raises its exception.

    For the moments the task runner is not available: before the window exists, while it
    closes, and while the library is shut for a restore.
    """
    box: dict[str, Any] = {}
    finished = _Finished()
    loop = QEventLoop()
    finished.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # handed to the caller on the GUI thread
            box["error"] = exc
        finally:
            finished.done.emit()

    dialog = QProgressDialog(parent)
    dialog.setObjectName("busyDialog")
    dialog.setWindowTitle(tr("Evidence Desk"))
    dialog.setLabelText(label)
    dialog.setRange(0, 0)
    dialog.setCancelButton(None)  # type: ignore[arg-type]
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumWidth(360)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(1_000_000)  # shown by the timer below, not by setValue
    dialog.reset()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(dialog.show)
    timer.start(show_after_ms)
    thread = threading.Thread(target=work, name="evidence-desk-io", daemon=False)
    thread.start()
    loop.exec()
    thread.join()
    timer.stop()
    dialog.close()
    dialog.deleteLater()
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]


def backup_date(info: BackupInfo) -> str:
    return info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


class BackupList(QTreeWidget):
    """Backups, newest first: when, how many cases, how many files."""

    def __init__(self, backups: Sequence[BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupList")
        self.setRootIsDecorated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHeaderLabels([tr("Made on"), tr("Cases"), tr("Files")])
        self.setAllColumnsShowFocus(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.backups = list(backups)
        for n, info in enumerate(self.backups):
            text = backup_date(info) + (tr(" (newest)") if n == 0 else "")
            row = QTreeWidgetItem([text, str(info.cases), str(info.files)])
            row.setData(0, Qt.ItemDataRole.UserRole, info.name)
            if info.missing:
                row.setToolTip(0, tr("{n} originals were already missing when this backup "
                                     "was made.", n=len(info.missing)))
            for col in (1, 2):
                row.setTextAlignment(col, Qt.AlignmentFlag.AlignRight
                                     | Qt.AlignmentFlag.AlignVCenter)
            self.addTopLevelItem(row)
        if self.backups:
            self.setCurrentItem(self.topLevelItem(0))
        self.setMinimumHeight(150)

    def chosen(self) -> BackupInfo | None:
        item = self.currentItem()
        if item is None:
            return None
        name = item.data(0, Qt.ItemDataRole.UserRole)
        return next((b for b in self.backups if b.name == name), None)


RESTORE_EXPLAINED = ("Restoring puts the chosen backup's database back in place. The current "
                     "database is not deleted: it is kept beside it as "
                     "“library.sqlite3.broken-…”. Evidence added after the backup was made is "
                     "not in it; those originals stay in the library folder.")


class StartupDialog(QDialog):
    """The library will not open: why, and what the seller can do about it."""

    RESTORE, OTHER_FOLDER, QUIT = "restore", "other", "quit"

    def __init__(self, folder: Path, message: str, backups: Sequence[BackupInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startupDialog")
        self.setWindowTitle(tr("The library cannot be opened"))
        self.choice = self.QUIT
        layout = QVBoxLayout(self)
        heading = QLabel(tr("Evidence Desk cannot open the library in {folder}.",
                            folder=str(folder)))
        emphasize(heading)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        reason = QLabel(message, objectName="startupMessage")
        reason.setWordWrap(True)
        reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(reason)
        self.backup_list: BackupList | None = None
        buttons = QDialogButtonBox()
        self.restore_button: QPushButton | None = None
        if backups:
            offer = QLabel(tr("This library has backups. Restore one?"))
            offer.setWordWrap(True)
            layout.addWidget(offer)
            self.backup_list = BackupList(backups)
            layout.addWidget(self.backup_list, 1)
            note = QLabel(tr(RESTORE_EXPLAINED))
            note.setWordWrap(True)
            layout.addWidget(note)
            self.restore_button = buttons.addButton(tr("Restore this backup"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setObjectName("startupRestore")
            self.restore_button.setDefault(True)
            self.restore_button.clicked.connect(lambda: self._choose(self.RESTORE))
        else:
            none = QLabel(tr("There is no backup of this library to restore."))
            none.setWordWrap(True)
            layout.addWidget(none)
        other = buttons.addButton(tr("Choose another folder…"),
                                  QDialogButtonBox.ButtonRole.ActionRole)
        other.setObjectName("startupOtherFolder")
        other.clicked.connect(lambda: self._choose(self.OTHER_FOLDER))
        quit_button = buttons.addButton(tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("startupQuit")
        quit_button.clicked.connect(lambda: self._choose(self.QUIT))
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == self.QUIT:
            self.reject()
        else:
            self.accept()

    def chosen_backup(self) -> BackupInfo | None:
        return self.backup_list.chosen() if self.backup_list is not None else None


def restore_and_report(backup: BackupInfo, folder: Path, parent: QWidget | None) -> bool:
    """Restore `backup` into `folder` on a worker thread; say what happened. True on success."""
    from evidence_desk.library.backup import restore_backup

    try:
        result = run_in_thread(lambda: restore_backup(backup.name, folder),
                               tr("Restoring the backup…"), parent)
    except (BackupError, OSError) as exc:
        log.warning("restoring a backup failed: %s", type(exc).__name__)
        QMessageBox.warning(parent, tr("Restore from backup"),
                            tr("The backup could not be restored: {reason}",
                               reason=str(exc) if isinstance(exc, BackupError)
                               else (exc.strerror or type(exc).__name__)))
        return False
    log.info("backup restored; %d originals brought back", result.files_restored)
    return True


def team_database_url() -> str | None:
    """The team database to open, if any: EVIDENCE_DESK_DB_URL, else the one in the settings,
    with its password from the keyring when one is kept there (never from the settings file)."""
    import os

    from evidence_desk.library.credentials import with_password
    from evidence_desk.paths import DB_URL_ENV
    from evidence_desk.ui.common.settings import open_settings, team_url

    url = os.environ.get(DB_URL_ENV) or team_url(open_settings())
    return with_password(url) if url else None


def _needs_password(message: str) -> bool:
    # libpq's words when the server wants a password it did not get (or got wrong).
    return "password authentication failed" in message or "no password supplied" in message


def _ask_password(db_url: str, parent: QWidget | None) -> str | None:
    """The URL with a password the seller types now; None when they cancel."""
    from evidence_desk.library.credentials import public_url, with_typed_password

    text, ok = QInputDialog.getText(
        parent, tr("Team database"), tr("Password for {url}", url=public_url(db_url)),
        QLineEdit.EchoMode.Password)
    if not ok or not text:
        return None
    return with_typed_password(db_url, text)


def open_library_interactively(folder: Path | str | None,
                               parent: QWidget | None = None) -> Library | None:
    """Open the library at `folder`; when it refuses, let the seller restore a backup or pick
    another folder. None when the seller gives up."""
    from evidence_desk.library.service import Library
    from evidence_desk.paths import default_library_dir

    current = Path(folder) if folder else default_library_dir()
    db_url = team_database_url()
    while True:
        try:
            return run_in_thread(lambda folder=current, url=db_url: Library.open(folder, url),
                                 tr("Opening the library…"), parent)
        except LibraryOpenError as exc:
            log.warning("the library would not open: %s", type(exc).__name__)
            message = str(exc)
        if db_url and _needs_password(message):
            # Ask only when the server wants one: trust, .pgpass and PGPASSWORD need no dialog.
            typed = _ask_password(db_url, parent)
            if typed is None:
                return None
            db_url = typed
            continue
        backups = list_backups(current)
        dialog = StartupDialog(current, message, backups, parent)
        dialog.exec()
        choice, chosen = dialog.choice, dialog.chosen_backup()
        dialog.deleteLater()
        if choice == StartupDialog.RESTORE and chosen is not None:
            restore_and_report(chosen, current, parent)
        elif choice == StartupDialog.OTHER_FOLDER:
            picked = QFileDialog.getExistingDirectory(parent, tr("Choose a library folder"),
                                                      str(current.parent))
            if picked:
                current = Path(picked)
        else:
            return None


# ---- scheduled backups -------------------------------------------------------------------
class _CloseBackup(QObject):
    """Backs the library up (if a day has passed) as its window closes, before the library
    shuts; the window waits for it, showing a small progress dialog if it takes a while."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.start_handle: Any = None
        self.done = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close and not self.done:
            self.done = True
            if not self.window.property(SKIP_CLOSE_BACKUP):
                self._backup_before_close()
        return False

    def _backup_before_close(self) -> None:
        handle = self.start_handle
        if handle is not None and handle.running:
            # The start-up backup is still being made: wait for it instead of racing it.
            loop = QEventLoop()
            handle.ended.connect(loop.quit)
            if handle.running:
                loop.exec()
            return
        lib = self.window.library
        try:
            run_in_thread(lambda: maybe_backup(lib, BACKUP_EVERY),
                          tr("Backing up the library…"), self.window)
        except Exception as exc:  # a failed backup must not stop the window from closing
            log.warning("backup at close failed: %s", type(exc).__name__)


def start_scheduled_backups(window: MainWindow, *, at_start: bool = True) -> None:
    """Back up in the background now (when due) and again when the window closes.

    Called by app.main only: tests and embedders that build windows get no surprise backups.
    """
    closer = _CloseBackup(window)
    window.installEventFilter(closer)
    window.scheduled_backups = True  # type: ignore[attr-defined]
    if not at_start:
        return
    lib = window.library

    def job(_p: Any, _c: Any) -> BackupInfo | None:
        try:
            return maybe_backup(lib, BACKUP_EVERY)
        except (BackupError, OSError) as exc:
            log.warning("scheduled backup failed: %s", type(exc).__name__)
            return None

    def done(info: BackupInfo | None) -> None:
        if info is not None:
            window.statusBar().showMessage(tr("Library backed up."), 6000)

    handle = window.runner.run(job, group="backup", on_done=done)
    closer.start_handle = handle
    # Forget it once it ends: the runner deletes finished handles.
    handle.ended.connect(lambda: setattr(closer, "start_handle", None))
