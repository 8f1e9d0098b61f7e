"""Integrity of the desk: verify, mark altered exhibits, back up, restore, case bundles.

`IntegrityActions(ctx)` contributes a Library menu (verify the library or the open case, back up
now, restore from a backup) and, for the File menu, case bundle export and import. A restore
is the shell's to carry out (it replaces the whole desk): this asks for it with
`restore_requested`.

Which exhibits are altered or missing is kept in one place, `IntegrityMarks`
(`integrity.marks`), which the shell pushes into the evidence board's models: a full verify
replaces it, a case verify or the quiet re-hash run whenever a case is opened replaces that
case's part.
Hashing, backups and bundles all run on the task runner; the GUI thread only shows results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import localized, tr
from evidence_desk.library.backup import BackupError, BackupInfo, list_backups
from evidence_desk.library.blobstore import hash_file
from evidence_desk.library.service import LibraryError, VerifyReport
from evidence_desk.ui.common.context import AUDIT, LIST, DeskContext
from evidence_desk.ui.common.dialogs import Failed, ProgressDialog, kept
from evidence_desk.ui.common.files import default_name, last_folder, remember_folder
from evidence_desk.ui.common.labels import emphasize
from evidence_desk.ui.common.tasks import TaskHandle
from evidence_desk.ui.integrity.backup_list import RESTORE_EXPLAINED, BackupList

log = logging.getLogger(__name__)

ALTERED, MISSING = "altered", "missing"
BUNDLE_SUFFIX = ".edbundle"

PROBLEM_LABELS = {"missing": "Missing", "altered": "Altered", "orphan": "Unused file",
                  "audit": "Audit log", "cache": "Local copy", "notice": "Note"}


class IntegrityMarks(QObject):
    """item id -> "altered" | "missing", for every exhibit a re-hash found damaged."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.marks: dict[int, str] = {}

    def replace_all(self, found: dict[int, str]) -> None:
        if found != self.marks:
            self.marks = dict(found)
            self.changed.emit()

    def replace_some(self, checked: Iterable[int], found: dict[int, str]) -> None:
        """Items in `checked` were re-hashed: their marks become exactly `found`."""
        new = {i: m for i, m in self.marks.items() if i not in set(checked)}
        new.update(found)
        self.replace_all(new)

    def altered_ids(self) -> set[int]:
        return {i for i, m in self.marks.items() if m == ALTERED}


@dataclass(frozen=True)
class ProblemRow:
    kind: str
    case: str  # the case's order number, "" when the problem belongs to no case
    name: str  # the exhibit's original file name, or the library's own message
    sha256: str


@dataclass(frozen=True)
class VerifyOutcome:
    report: VerifyReport
    rows: tuple[ProblemRow, ...]
    marks: dict[int, str]
    case_id: int | None
    checked_items: tuple[int, ...]  # for a case verify: every item of the case


class VerifyResultsDialog(QDialog):
    """What a verify found: one line per problem, and what to do about it."""

    def __init__(self, outcome: VerifyOutcome, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyResultsDialog")
        self.setWindowTitle(tr("Verification results"))
        self.outcome = outcome
        report = outcome.report
        layout = QVBoxLayout(self)
        summary = QLabel(objectName="verifySummary")
        emphasize(summary)
        summary.setWordWrap(True)
        serious = [r for r in outcome.rows if r.kind not in ("orphan", "notice")]
        if report.ok and not outcome.rows:
            summary.setText(tr("All {n} originals match their SHA-256. Nothing is missing or "
                               "altered.", n=report.checked))
        elif report.ok:
            summary.setText(tr("All {n} originals match their SHA-256. The library also holds "
                               "files no evidence uses (listed below); they do no harm.",
                               n=report.checked))
        else:
            summary.setText(tr("{bad} problems found in {n} originals checked.",
                               bad=len(serious), n=report.checked))
        layout.addWidget(summary)
        self.table = QTreeWidget(objectName="verifyProblems")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([tr("Problem"), tr("Case"), tr("File"), tr("SHA-256")])
        self.table.setAllColumnsShowFocus(True)
        self.table.setWordWrap(True)
        for row in outcome.rows:
            item = QTreeWidgetItem([tr(PROBLEM_LABELS.get(row.kind, row.kind)), row.case,
                                    row.name, row.sha256[:12]])
            item.setToolTip(2, row.name)
            item.setToolTip(3, row.sha256)
            item.setData(0, Qt.ItemDataRole.UserRole, row.kind)
            if row.kind in (ALTERED, MISSING):
                item.setForeground(0, QBrush(QColor("#c5221f")))
            self.table.addTopLevelItem(item)
        header = self.table.header()
        header.setStretchLastSection(False)
        for col, mode in ((0, QHeaderView.ResizeMode.ResizeToContents),
                          (1, QHeaderView.ResizeMode.ResizeToContents),
                          (2, QHeaderView.ResizeMode.Stretch),
                          (3, QHeaderView.ResizeMode.Fixed)):
            header.setSectionResizeMode(col, mode)
        # Fixed to the width of a shortened hash: ResizeToContents left it elided.
        sample = "0123456789ab"
        header.resizeSection(3, self.table.fontMetrics().horizontalAdvance(sample) + 40)
        self.table.setVisible(bool(outcome.rows))
        layout.addWidget(self.table, 1)
        if not report.ok:
            advice = QLabel(tr("Altered or missing originals are marked on the evidence board "
                               "and are never used in a dossier. Put them back with "
                               "Library ▸ Restore from backup…, or import the case from a "
                               "case bundle made earlier."))
            advice.setWordWrap(True)
            layout.addWidget(advice)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760 if outcome.rows else 460, 420 if outcome.rows else 160)

    def kinds(self) -> list[str]:
        return [self.table.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.table.topLevelItemCount())]


class RestoreDialog(QDialog):
    """Choose a backup to put back; says plainly that the library closes and reopens."""

    def __init__(self, backups: list[BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle(tr("Restore from backup"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Choose the backup to go back to. The window closes the library, "
                          "restores the backup and opens the library again."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.backup_list = BackupList(backups)
        layout.addWidget(self.backup_list, 1)
        note = QLabel(tr(RESTORE_EXPLAINED))
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(tr("Restore this backup"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("restoreButton")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def chosen(self) -> BackupInfo | None:
        return self.backup_list.chosen()


class IntegrityActions(QObject):
    """The window's integrity commands. Dialogs of the running step are kept on attributes
    (progress, results_dialog, restore_dialog, file_dialog, message_box) for tests."""

    verified = Signal(object)  # VerifyOutcome
    backed_up = Signal(object)  # BackupInfo
    bundle_exported = Signal(object)  # BundleResult
    bundle_imported = Signal(int)  # the new case id
    reopened = Signal(object)  # the new window after a restore (the shell emits it)
    restore_requested = Signal(object)  # BackupInfo the seller chose to go back to
    failed = Signal(str)

    progress = kept()
    results_dialog = kept()
    restore_dialog = kept()
    file_dialog = kept()
    message_box = kept()

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.runner = ctx.runner
        self.marks = IntegrityMarks(self)
        self.progress: ProgressDialog | None = None
        self.results_dialog: VerifyResultsDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.message_box: QMessageBox | None = None
        self._recheck: TaskHandle | None = None
        self._build()
        ctx.current_changed.connect(self._case_opened)
        self.retranslate()

    # ---- actions and menus -------------------------------------------------------------
    def _action(self, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build(self) -> None:
        ctx = self.ctx
        self.actionVerifyLibrary = self._action("actionVerifyLibrary", lambda: self.verify(None))
        self.actionVerifyCase = self._action("actionVerifyCase",
                                             lambda: self.verify(ctx.current_case))
        self.actionBackupNow = self._action("actionBackupNow", self.backup_now)
        self.actionRestoreBackup = self._action("actionRestoreBackup", self.restore_from_backup)
        self.actionExportBundle = self._action("actionExportBundle", self.export_bundle)
        self.actionImportBundle = self._action("actionImportBundle", self.import_bundle)
        self.menu = QMenu()
        self.menu.setObjectName("menuLibrary")
        for item in (self.actionVerifyLibrary, self.actionVerifyCase, None,
                     self.actionBackupNow, self.actionRestoreBackup):
            self.menu.addAction(item) if item else self.menu.addSeparator()
        # For the File menu, beside the other exports.
        self.file_actions = [self.actionExportBundle, self.actionImportBundle]
        ctx.current_changed.connect(lambda _c: self._update_actions())
        self._update_actions()

    def retranslate(self) -> None:
        self.menu.setTitle(tr("&Library"))
        self.actionVerifyLibrary.setText(tr("&Verify library…"))
        self.actionVerifyLibrary.setToolTip(tr("Re-hash every original and report missing, "
                                               "altered and unused files"))
        self.actionVerifyCase.setText(tr("Verify this &case…"))
        self.actionBackupNow.setText(tr("&Back up now"))
        self.actionRestoreBackup.setText(tr("&Restore from backup…"))
        self.actionExportBundle.setText(tr("Export case &bundle…"))
        self.actionExportBundle.setToolTip(tr("One file with the case and its originals, to "
                                              "move it to another computer"))
        self.actionImportBundle.setText(tr("&Import case bundle…"))

    def _update_actions(self) -> None:
        has_case = self.ctx.current_case is not None
        self.actionVerifyCase.setEnabled(has_case)
        self.actionExportBundle.setEnabled(has_case)
        sqlite = bool(getattr(self.ctx.library, "is_sqlite", True))
        self.actionBackupNow.setEnabled(sqlite)
        self.actionRestoreBackup.setEnabled(sqlite)

    # ---- marks on the board ------------------------------------------------------------
    def _case_opened(self, case_id: int | None) -> None:
        self.recheck_case(case_id)

    def recheck_case(self, case_id: int | None) -> TaskHandle | None:
        """Re-hash the originals of `case_id` quietly in the background and mark what changed.

        Unlike Verify this writes nothing to the audit log: it runs every time a case is
        opened. Leaving the case cancels it.
        """
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        if case_id is None:
            return None
        lib = self.ctx.library

        def job(_progress: Any, cancelled: Callable[[], bool]) -> tuple[list[int], dict[int, str]]:
            items = lib.list_evidence(case_id)
            found: dict[int, str] = {}
            hashed: dict[str, str] = {}
            for item in items:
                if cancelled():
                    raise InterruptedError("cancelled")
                if item.sha256 not in hashed:
                    path = lib.blob_path(item.sha256)
                    if not path.is_file():
                        hashed[item.sha256] = MISSING
                    else:
                        same = hash_file(path, cancelled) == item.sha256
                        hashed[item.sha256] = "" if same else ALTERED
                if hashed[item.sha256]:
                    found[item.id] = hashed[item.sha256]
            return [i.id for i in items], found

        def done(result: tuple[list[int], dict[int, str]]) -> None:
            checked, found = result
            self.marks.replace_some(checked, found)
            if found and case_id == self.ctx.current_case:
                log.warning("case %s: %d originals altered or missing", case_id, len(found))
                self.ctx.show_status(
                    tr("{n} exhibits of this case no longer match their originals; they are "
                       "marked on the board. Run Library ▸ Verify.", n=len(found)), 15000)

        def failed(exc: Exception) -> None:
            log.warning("re-checking case %s failed: %s", case_id, type(exc).__name__)

        handle = self.runner.run(job, group="integrity-case", context=self, on_done=done,
                                 on_error=failed)
        self._recheck = handle
        handle.ended.connect(lambda: self._recheck_ended(handle))
        return handle

    def _recheck_ended(self, handle: TaskHandle) -> None:
        if self._recheck is handle:
            self._recheck = None

    # ---- verify ------------------------------------------------------------------------
    def verify(self, case_id: int | None = None) -> TaskHandle | None:
        """Verify the whole library (None) or one case, with progress, Cancel and results."""
        if self.progress is not None and self.progress.handle is not None:
            return None  # one verify or backup at a time
        lib = self.ctx.library
        title = tr("Verify this case") if case_id is not None else tr("Verify library")
        dialog = ProgressDialog(title, tr("Re-hashing the originals…"), self.ctx.dialog_parent)
        stop = dialog.stop
        self.progress = dialog

        def job(progress: Any, runner_cancelled: Callable[[], bool]) -> VerifyOutcome:
            def cancelled() -> bool:
                return stop.is_set() or runner_cancelled()

            report = lib.verify(case_id, progress=progress, cancel=cancelled)
            return _outcome(lib, report, case_id)

        def progressed(done: int, total: int, _what: str) -> None:
            dialog.step(done, total, tr("Re-hashing the originals: {done} of {total}",
                                        done=done, total=total))

        handle = self.runner.run(
            job, group="verify", on_progress=progressed, on_done=self._verified,
            on_error=lambda exc: self._error(tr("Verification failed."), exc),
            on_cancelled=lambda: self.ctx.show_status(tr("Verification cancelled."), 8000),
            context=self)
        dialog.watch(handle)
        dialog.show()
        return handle

    def _verified(self, outcome: VerifyOutcome) -> None:
        if outcome.case_id is None:
            self.marks.replace_all(outcome.marks)
        else:
            self.marks.replace_some(outcome.checked_items, outcome.marks)
        log.info("verify: %d checked, %d problems", outcome.report.checked,
                 len(outcome.report.problems))
        dialog = VerifyResultsDialog(outcome, self.ctx.dialog_parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.results_dialog = dialog
        dialog.open()
        # The verify entry joins the timeline of the case (or of every case).
        self.ctx.announce({outcome.case_id} if outcome.case_id is not None else None, (AUDIT,))
        self.verified.emit(outcome)

    # ---- backups -----------------------------------------------------------------------
    def backup_now(self) -> TaskHandle | None:
        if self.progress is not None and self.progress.handle is not None:
            return None  # one verify or backup at a time
        from evidence_desk.library.backup import backup_now

        lib = self.ctx.library
        dialog = ProgressDialog(tr("Back up now"), tr("Backing up the library…"),
                                self.ctx.dialog_parent, cancellable=False)
        self.progress = dialog

        def job(_p: Any, _c: Any) -> Any:
            try:
                return backup_now(lib), lib.audit_problems()
            except (BackupError, OSError) as exc:
                return Failed(exc)

        def done(outcome: Any) -> None:
            if isinstance(outcome, Failed):
                self._error(tr("The backup was not made."), outcome.error)
                return
            result, problems = outcome
            self._done_box(tr("Back up now"), tr("The library was backed up."),
                           tr("Backup folder: {folder}", folder=str(result.path)), problems)
            self.backed_up.emit(result)

        handle = self.runner.run(job, group="backup", context=self, on_done=done,
                                 on_error=lambda exc: self._error(tr("The backup was not made."),
                                                                  exc))
        dialog.watch(handle)
        dialog.show()
        return handle

    def restore_from_backup(self) -> TaskHandle:
        """Read the backups folder on a worker (each backup's description is a file), then
        offer them."""
        folder = self.ctx.library.folder
        return self.runner.run(lambda _p, _c: list_backups(folder), group="backup-list",
                               context=self, on_done=self._offer_backups,
                               on_error=lambda exc: self._error(
                                   tr("The backups could not be listed."), exc))

    def _offer_backups(self, backups: list[BackupInfo]) -> RestoreDialog | None:
        if not backups:
            self._inform(tr("Restore from backup"), tr("This library has no backups yet."),
                         tr("Use Library ▸ Back up now to make one."))
            return None
        dialog = RestoreDialog(backups, self.ctx.dialog_parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._restore(dialog.chosen()))
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def _restore(self, backup: BackupInfo | None) -> None:
        if backup is not None:
            self.restore_requested.emit(backup)

    # ---- case bundles ------------------------------------------------------------------
    def export_bundle(self) -> QFileDialog | None:
        cid = self.ctx.current_case
        if cid is None:
            return None
        order_no = self.ctx.library.get_case(cid).order_no
        folder = last_folder(self.ctx.settings)
        dialog = QFileDialog(self.ctx.dialog_parent)
        dialog.setObjectName("exportBundleFileDialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(tr("Export case bundle"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([tr("Case bundles (*.edbundle)"), tr("All files (*)")])
        dialog.setDefaultSuffix(BUNDLE_SUFFIX.lstrip("."))
        dialog.setDirectory(str(folder))
        dialog.selectFile(str(folder / default_name("case", order_no, BUNDLE_SUFFIX)))
        dialog.fileSelected.connect(lambda p: p and self.write_bundle(cid, Path(p)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def write_bundle(self, case_id: int, target: Path) -> TaskHandle:
        from evidence_desk.library.bundle import export_bundle

        remember_folder(self.ctx.settings, target.parent)
        lib = self.ctx.library
        self.ctx.show_status(tr("Writing the case bundle…"))

        def job(_p: Any, _c: Any) -> Any:
            try:
                return export_bundle(lib, case_id, target), lib.audit_problems()
            except (LibraryError, OSError) as exc:
                return Failed(exc)

        def done(outcome: Any) -> None:
            self.ctx.show_status("")
            if isinstance(outcome, Failed):
                self._error(tr("The case bundle was not written."), outcome.error)
                return
            result, problems = outcome
            self._done_box(tr("Export case bundle"),
                           tr("The case bundle was saved with {n} originals.", n=result.files),
                           str(result.path), problems)
            self.bundle_exported.emit(result)

        return self.runner.run(job, group="bundle", context=self, on_done=done,
                               on_error=lambda exc: self._error(
                                   tr("The case bundle was not written."), exc))

    def import_bundle(self) -> QFileDialog:
        dialog = QFileDialog(self.ctx.dialog_parent)
        dialog.setObjectName("importBundleFileDialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(tr("Import case bundle"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([tr("Case bundles (*.edbundle)"), tr("All files (*)")])
        dialog.setDirectory(str(last_folder(self.ctx.settings)))
        dialog.fileSelected.connect(lambda p: p and self.read_bundle(Path(p)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def read_bundle(self, path: Path) -> TaskHandle:
        from evidence_desk.library.bundle import import_bundle

        remember_folder(self.ctx.settings, path.parent)
        lib = self.ctx.library
        self.ctx.show_status(tr("Importing the case bundle…"))

        def job(_p: Any, _c: Any) -> Any:
            try:
                return import_bundle(lib, path)
            except (LibraryError, OSError) as exc:
                return Failed(exc)

        def done(result: Any) -> None:
            self.ctx.show_status("")
            if isinstance(result, Failed):
                self._error(tr("The case bundle was not imported; nothing was added."),
                            result.error)
                return
            self.ctx.announce({int(result)}, (LIST,))
            self.ctx.open_case(int(result))
            self.ctx.show_status(
                tr("Case bundle imported as a new case."), 10000)
            self.bundle_imported.emit(int(result))

        return self.runner.run(job, group="bundle", context=self, on_done=done,
                               on_error=lambda exc: self._error(
                                   tr("The case bundle was not imported; nothing was added."),
                                   exc))

    # ---- messages ----------------------------------------------------------------------
    def _box(self, icon: QMessageBox.Icon, title: str, text: str, detail: str) -> QMessageBox:
        box = QMessageBox(self.ctx.dialog_parent)
        box.setObjectName("integrityMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(icon)
        box.setWindowTitle(title)
        box.setText(text)
        if detail:
            box.setInformativeText(detail)
        self.message_box = box
        box.open()
        return box

    def _inform(self, title: str, text: str, detail: str = "") -> None:
        self._box(QMessageBox.Icon.Information, title, text, detail)

    def _done_box(self, title: str, text: str, detail: str, audit_problems: list[str]) -> None:
        """A copy made (a backup, a bundle): said as done, with a warning when the library's
        audit log does not check out, as the dossier export warns before it starts."""
        if not audit_problems:
            self._inform(title, text, detail)
            return
        warning = tr("This library's audit log does not check out ({problem}); run Verify "
                     "before relying on this copy.", problem=localized(audit_problems[0]))
        self._box(QMessageBox.Icon.Warning, title, text, f"{warning}\n\n{detail}")

    def _error(self, heading: str, exc: Exception) -> None:
        self.ctx.show_status("")
        log.warning("%s", type(exc).__name__)
        # Messages of our own errors are written for the user; anything else is summarised.
        if isinstance(exc, LibraryError | BackupError):
            detail = localized(exc)
        elif isinstance(exc, OSError):
            detail = exc.strerror or type(exc).__name__
        else:
            detail = tr("Unexpected error ({kind}); details are in the log.",
                        kind=type(exc).__name__)
        self._box(QMessageBox.Icon.Warning, tr("Evidence Desk"), heading, detail)
        self.failed.emit(heading)


def _outcome(lib: Any, report: VerifyReport, case_id: int | None) -> VerifyOutcome:
    """Turn a report into rows a seller can read (order numbers, file names) and board marks.

    Runs on the worker thread: it reads the library for each problem's items.
    """
    rows: list[ProblemRow] = []
    marks: dict[int, str] = {}
    orders: dict[int, str] = {}

    def order_of(cid: int) -> str:
        if cid not in orders:
            try:
                orders[cid] = lib.get_case(cid).order_no
            except LibraryError:
                orders[cid] = f"#{cid}"
        return orders[cid]

    for p in report.problems:
        if p.kind in (ALTERED, MISSING) and p.item_ids:
            for iid in p.item_ids:
                marks[iid] = p.kind
                try:
                    info = lib.get_evidence(iid)
                    name, cid = info.original_name, info.case_id
                except LibraryError:
                    name, cid = f"#{iid}", (p.case_ids[0] if p.case_ids else None)
                rows.append(ProblemRow(p.kind, order_of(cid) if cid is not None else "",
                                       name, p.sha256))
        elif p.kind == "orphan":
            rows.append(ProblemRow(p.kind, "", tr("A file no evidence item uses"), p.sha256))
        else:
            rows.append(ProblemRow(p.kind, "", localized(p.message), p.sha256))
    order = {ALTERED: 0, MISSING: 1, "audit": 2, "orphan": 3}
    rows.sort(key=lambda r: (order.get(r.kind, 9), r.case, r.name))
    checked: tuple[int, ...] = ()
    if case_id is not None:
        checked = tuple(i.id for i in lib.list_evidence(case_id, include_removed=True))
    return VerifyOutcome(report, tuple(rows), marks, case_id, checked)
