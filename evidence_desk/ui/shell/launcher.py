"""The one path by which a desk gets its library: the first start, Open library…, a restore.

Each goes the same way: open the library on a worker (the task runner), and when it will not
open say why and offer what can be done (restore one of its backups, choose another folder,
type the team database's password); then build the window on it and, if it replaces one,
close that one. A restore first shuts the old desk in order (its pending edits are saved into
the library being replaced, its tasks stop, its library closes), then puts the backup back.

The launcher outlives the windows it makes, so its task runner can carry the backup made as the
last window closes and the opening of the next library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from evidence_desk.i18n import localized, tr
from evidence_desk.library.backup import BackupError, BackupInfo, list_backups, maybe_backup
from evidence_desk.library.db import LibraryOpenError
from evidence_desk.ui.common.dialogs import BusyDialog
from evidence_desk.ui.common.settings import open_settings
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.shell.startup import StartupDialog, ask_password, needs_password

if TYPE_CHECKING:
    from evidence_desk.library.service import Library
    from evidence_desk.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

BACKUP_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class _Refused:
    """Library.open said no; carried back as a value so the runner does not log its text."""

    error: Exception


class Launcher(QObject):
    """Opens libraries and makes the windows on them; one per application."""

    opened = Signal(object)  # the new MainWindow, shown
    gave_up = Signal()  # the seller chose Quit before any window was up
    all_closed = Signal()  # the last window it made has closed

    def __init__(self, window_factory: Callable[..., MainWindow],
                 settings: QSettings | None = None, *, scheduled_backups: bool = False,
                 dispose_when_idle: bool = False) -> None:
        # Owned by the application, never by a Python name: it must not be deleted while one
        # of its tasks' answers is still on its way (deleteLater, once idle, ends it).
        super().__init__(QCoreApplication.instance())
        self.dispose_when_idle = dispose_when_idle
        # The window class, given rather than imported: the shell's window imports this.
        self.window_factory = window_factory
        self.settings = settings if settings is not None else open_settings()
        self.scheduled_backups = scheduled_backups
        self.runner = TaskRunner(self)
        self.windows: list[MainWindow] = []  # open ones, the newest last
        self.last_library: Library | None = None  # of the last window closed (app.main shuts it)
        self.busy: BusyDialog | None = None

    # ---- the one path --------------------------------------------------------------------
    def start(self, folder: Path | str | None, *, db_url: str | None = None,
              replacing: MainWindow | None = None, note: str = "") -> None:
        """Open `folder` (with `db_url` for a team database) and show a desk on it."""
        from evidence_desk.library.service import Library
        from evidence_desk.paths import default_library_dir

        current = Path(folder) if folder else default_library_dir()

        def job(_p: Any, _c: Any) -> Any:
            try:
                return Library.open(current, db_url)
            except LibraryOpenError as exc:
                return _Refused(exc)

        def done(result: Any) -> None:
            if isinstance(result, _Refused):
                self._refused(current, db_url, localized(result.error), replacing, note)
            else:
                self._show(result, replacing, note)

        def failed(exc: Exception) -> None:
            self._refused(current, db_url, localized(exc), replacing, note)

        self._run(job, tr("Opening the library…"), replacing, done, failed)

    def open_other(self, window: MainWindow, folder: Path | str) -> None:
        """Open library…: the chosen folder replaces `window`'s once it is open."""
        self.start(folder, replacing=window)

    def restore(self, window: MainWindow, backup: BackupInfo) -> None:
        """Put `backup` back in place of `window`'s library and reopen the same folder."""
        from evidence_desk.library.backup import restore_backup

        folder = window.library.folder
        window.detach()  # pending edits into the library being replaced, then all of it shut

        def job(_p: Any, _c: Any) -> Any:
            try:
                return restore_backup(backup.name, folder)
            except (BackupError, OSError) as exc:
                return _Refused(exc)

        def done(result: Any) -> None:
            if isinstance(result, _Refused):
                self._restore_failed(result.error, window)
            else:
                log.info("backup restored; %d originals brought back", result.files_restored)
            self.start(folder, replacing=window,
                       note=tr("Backup of {date} restored.", date=backup.created_at.astimezone()
                               .strftime("%Y-%m-%d %H:%M")))

        self._run(job, tr("Restoring the backup…"), window, done,
                  lambda exc: done(_Refused(exc)))

    # ---- the steps -----------------------------------------------------------------------
    def _run(self, job: Any, label: str, parent: QWidget | None, done: Any, failed: Any) -> None:
        busy = BusyDialog(label, parent)
        self.busy = busy
        # The next step may open a dialog with its own loop; it runs once the task is wound
        # up (its busy dialog gone), not from inside the task's answer.
        handle = self.runner.run(
            job, group="open-library", context=self,
            on_done=lambda result: QTimer.singleShot(0, self, lambda: done(result)),
            on_error=lambda exc: QTimer.singleShot(0, self, lambda: failed(exc)))
        busy.watch(handle)

    def _show(self, lib: Library, replacing: MainWindow | None, note: str) -> None:
        window = self.window_factory(lib, self.settings, launcher=self)
        if self.scheduled_backups:
            start_scheduled_backups(window, at_start=replacing is None)
        window.show()
        # Once the event loop runs, the window is up: the smoke test of an installed or frozen desk
        # waits for this line (.ci/smoke).
        QTimer.singleShot(0, window, lambda: log.info("main window shown"))
        if note:
            window.statusBar().showMessage(note, 15000)
        if replacing is not None:
            replaced = replacing.library
            replacing.close()
            if replaced is not lib:
                replaced.close()  # an Open library… leaves nothing of the old one open
            replacing.replaced_by(window)
        self.opened.emit(window)

    def _refused(self, folder: Path, db_url: str | None, message: str,
                 replacing: MainWindow | None, note: str) -> None:
        log.warning("the library would not open")
        parent = replacing
        if db_url and needs_password(message):
            # Ask only when the server wants one: trust, .pgpass and PGPASSWORD need no dialog.
            typed = ask_password(db_url, parent)
            if typed is None:
                self._give_up(replacing, message)
            else:
                self.start(folder, db_url=typed, replacing=replacing, note=note)
            return
        dialog = StartupDialog(folder, message, list_backups(folder), parent)
        dialog.exec()
        choice, chosen = dialog.choice, dialog.chosen_backup()
        dialog.deleteLater()
        if choice == StartupDialog.RESTORE and chosen is not None:
            self._restore_folder(folder, db_url, chosen, replacing)
        elif choice == StartupDialog.OTHER_FOLDER:
            picked = QFileDialog.getExistingDirectory(parent, tr("Choose a library folder"),
                                                      str(folder.parent))
            if picked:
                self.start(picked, db_url=db_url, replacing=replacing, note=note)
            else:
                self._refused(folder, db_url, message, replacing, note)
        else:
            self._give_up(replacing, message)

    def _restore_folder(self, folder: Path, db_url: str | None, backup: BackupInfo,
                        replacing: MainWindow | None) -> None:
        """A library that will not open: put its backup back, then try again."""
        from evidence_desk.library.backup import restore_backup

        def job(_p: Any, _c: Any) -> Any:
            try:
                return restore_backup(backup.name, folder)
            except (BackupError, OSError) as exc:
                return _Refused(exc)

        def done(result: Any) -> None:
            if isinstance(result, _Refused):
                self._restore_failed(result.error, replacing)
            self.start(folder, db_url=db_url, replacing=replacing)

        self._run(job, tr("Restoring the backup…"), replacing, done,
                  lambda exc: done(_Refused(exc)))

    def _restore_failed(self, exc: Exception, parent: QWidget | None) -> None:
        log.warning("restoring a backup failed: %s", type(exc).__name__)
        reason = str(exc) if isinstance(exc, BackupError) else (
            getattr(exc, "strerror", None) or type(exc).__name__)
        QMessageBox.warning(parent, tr("Restore from backup"),
                            tr("The backup could not be restored: {reason}", reason=reason))

    def _give_up(self, replacing: MainWindow | None, message: str) -> None:
        if replacing is None:
            self.gave_up.emit()
        elif replacing.is_detached():
            # Its library is shut (a restore) and none came back: the window stays to explain.
            QMessageBox.critical(replacing, tr("Restore from backup"),
                                 tr("The library could not be opened again: {reason}. "
                                    "Restart Evidence Desk.", reason=message))

    # ---- windows -------------------------------------------------------------------------
    def adopt(self, window: MainWindow) -> None:
        if window not in self.windows:
            self.windows.append(window)

    def window_closed(self, window: MainWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)
        self.last_library = window.library
        if not self.windows:
            self.all_closed.emit()
            if self.dispose_when_idle:
                self.dispose()

    def dispose(self) -> None:
        """Stop its tasks and let Qt delete it once the events in flight are handled."""
        self.runner.shutdown()
        self.deleteLater()

    def backup_then(self, lib: Library, parent: QWidget, then: Any) -> None:
        """The backup made as a window closes (when a day has passed), then `then()`."""

        def job(_p: Any, _c: Any) -> BackupInfo | None:
            try:
                return maybe_backup(lib, BACKUP_EVERY)
            except (BackupError, OSError) as exc:  # must not stop the window from closing
                log.warning("backup at close failed: %s", type(exc).__name__)
                return None

        busy = BusyDialog(tr("Backing up the library…"), parent)
        handle = self.runner.run(job, group="backup-close", on_done=lambda _i: then(),
                                 on_error=lambda _e: then())
        busy.watch(handle)

    def shutdown(self) -> None:
        self.runner.shutdown()


def start_scheduled_backups(window: MainWindow, *, at_start: bool = True) -> None:
    """Back up in the background now (when due) and again when the window closes.

    Called by the launcher of app.main only: tests and embedders that build windows get no
    surprise backups unless they ask for them.
    """
    window.close_backup = True
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

    window.ctx.runner.run(job, group="backup", context=window, on_done=done)
