"""Exporting a case: check first, choose options and a target, write in the background.

The flow for one export is a chain of non-modal steps, each opened with open() so the window
keeps painting and tests can drive every step:

  readiness check (background) -> pre-export dialog (warnings, language, size budget)
  -> file or folder chooser -> progress dialog with a Cancel that really stops the writer
  -> a "done" box offering to open the file or its folder, or a plain error message.

The writers themselves (export.jobs) re-hash the originals, write under a temporary name and
rename at the end, so a cancel or an error never leaves a half file or harms an earlier one.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.checklist import Checklist
from evidence_desk.core.rules import Rules
from evidence_desk.i18n import current_language, localized, tr
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.context import AUDIT, DeskContext
from evidence_desk.ui.common.dialogs import Failed, ProgressDialog, kept
from evidence_desk.ui.common.files import default_name, last_folder, remember_folder
from evidence_desk.ui.common.tasks import TaskHandle, TaskRunner

log = logging.getLogger(__name__)

LANGUAGE_KEY = "export/language"
BUDGET_KEY = "export/budget"  # "platform" or "none"
LANG_CHOICES = ("both", "zh", "en")


@dataclass(frozen=True)
class ExportOptions:
    lang: str = "both"
    budget_bytes: int | None = None


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def problems_of(checklist: Checklist, rules: Rules) -> list[str]:
    """What the seller should know before exporting: unmet requirements, a closed window, and
    the checklist's own warnings, in the current language."""
    lang = current_language()
    out: list[str] = []
    for req in checklist.missing:
        kinds = " / ".join(labels.kind_label(rules, k) for k in req.kinds)
        out.append(tr("Required evidence missing: {kind} ({count} of {min})", kind=kinds,
                      count=req.count, min=req.min))
    passed = checklist.days_left is not None and checklist.days_left < 0
    # The checklist usually explains a closed window itself (with its basis); say it only
    # when it does not.
    if passed and checklist.deadline and "window_passed" not in checklist.warning_codes():
        out.append(tr("The complaint window closed on {date} ({n} days ago).",
                      date=checklist.deadline.isoformat(), n=-checklist.days_left))
    seen = set(out)
    for warning in checklist.warnings:
        text = warning.text(lang)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


class PreExportDialog(QDialog):
    """What is not ready yet, and the export's options; Continue goes on anyway."""

    def __init__(self, problems: list[str], rules: Rules, settings: QSettings, *,
                 dossier: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preExportDialog")
        self.setWindowTitle(tr("Export dossier") if dossier else tr("Export upload pack"))
        self.settings = settings
        self.rules = rules
        self.problems = list(problems)
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        labels.emphasize(self.heading, 1.15)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.problem_label = QLabel(objectName="preExportProblems")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)
        self.problem_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        if problems:
            self.heading.setText(tr("This case is not ready to submit yet"))
            items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            self.problem_label.setText(f"<ul style='margin-left:-20px'>{items}</ul>")
            scroll = QScrollArea()
            scroll.setWidget(self.problem_label)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            # As tall as the list needs, up to a limit; beyond it the list scrolls.
            scroll.setMinimumHeight(min(240, self.problem_label.heightForWidth(480) + 4))
            layout.addWidget(scroll, 1)
            note = QLabel(tr("You can export anyway, for example to review the dossier; the "
                             "platform may reject a complaint that lacks evidence or comes "
                             "after the window has closed."))
            note.setWordWrap(True)
            layout.addWidget(note)
        else:
            self.heading.setText(tr("The case meets every requirement."))
        self.language = QComboBox(objectName="exportLanguage")
        self.budget = QComboBox(objectName="exportBudget")
        if dossier:
            box = QGroupBox(tr("Dossier options"))
            form = QFormLayout(box)
            for key, text in (("both", tr("Chinese and English")), ("zh", tr("Chinese only")),
                              ("en", tr("English only"))):
                self.language.addItem(text, key)
            lang = str(settings.value(LANGUAGE_KEY, "both") or "both")
            self.language.setCurrentIndex(max(0, self.language.findData(lang)))
            limit = rules.platform.dossier_budget_bytes
            self.budget.addItem(tr("Fit the platform limit ({size})", size=size_text(limit)),
                                "platform")
            self.budget.addItem(tr("No size limit"), "none")
            chosen = str(settings.value(BUDGET_KEY, "platform") or "platform")
            self.budget.setCurrentIndex(max(0, self.budget.findData(chosen)))
            form.addRow(tr("Language of the dossier"), self.language)
            form.addRow(tr("File size"), self.budget)
            layout.addWidget(box)
        buttons = QDialogButtonBox()
        self.continue_button = buttons.addButton(
            tr("Continue anyway") if problems else tr("Continue"),
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setObjectName("exportContinue")
        self.continue_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("exportCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def options(self) -> ExportOptions:
        lang = str(self.language.currentData() or "both")
        budget = (self.rules.platform.dossier_budget_bytes
                  if self.budget.currentData() != "none" else None)
        return ExportOptions(lang if lang in LANG_CHOICES else "both", budget)

    def accept(self) -> None:
        if self.language.count():
            self.settings.setValue(LANGUAGE_KEY, self.language.currentData())
            self.settings.setValue(BUDGET_KEY, self.budget.currentData())
            self.settings.sync()
        super().accept()


class ExportActions(QObject):
    """Runs the window's two exports. One export at a time; each step's dialog is kept on an
    attribute (pre_dialog, file_dialog, progress, done_box, error_box) for tests and embedding."""

    finished = Signal(object)  # DossierResult | PackResult
    failed = Signal(str)  # the message shown
    cancelled = Signal()
    originals_refused = Signal(int)  # case id: the writer found altered or missing originals

    pre_dialog = kept()
    file_dialog = kept()
    progress = kept()
    done_box = kept()
    error_box = kept()

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.runner: TaskRunner = ctx.runner
        self.pre_dialog: PreExportDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.progress: ProgressDialog | None = None
        self.done_box: QMessageBox | None = None
        self.error_box: QMessageBox | None = None
        self.handle: TaskHandle | None = None

    # ---- entry points ------------------------------------------------------------------
    def export_dossier(self) -> None:
        self._begin(dossier=True)

    def export_pack(self) -> None:
        self._begin(dossier=False)

    def is_busy(self) -> bool:
        return self.handle is not None

    def _begin(self, *, dossier: bool) -> None:
        cid = self.ctx.current_case
        if cid is None:
            return
        if self.handle is not None:
            if self.progress is not None:
                self.progress.show()
            return
        lib = self.ctx.library

        def job(_p: Any, _c: Any) -> tuple[Checklist, str, list[str]]:
            # A dossier carries the library's word: a tampered audit log is said up front.
            return lib.check(cid), lib.get_case(cid).order_no, lib.audit_problems()

        self.ctx.show_status(tr("Checking the case before export…"))
        self.runner.run(job, group="export-check", context=self,
                        on_done=lambda r: self._checked(cid, dossier, *r),
                        on_error=lambda exc: self._fail(cid, exc, dossier))

    def _checked(self, case_id: int, dossier: bool, checklist: Checklist, order_no: str,
                 audit_problems: list[str] | None = None) -> None:
        self.ctx.show_status("")
        if case_id != self.ctx.current_case:
            return  # the seller moved on while the check ran
        problems = problems_of(checklist, self.ctx.library.rules)
        if audit_problems:
            problems.append(tr("This library's audit log does not check out ({problem}); run "
                               "Verify before relying on this export.",
                               problem=localized(audit_problems[0])))
        if not dossier and not problems:
            self._choose_target(case_id, order_no, dossier, ExportOptions())
            return
        dialog = PreExportDialog(problems, self.ctx.library.rules, self.ctx.settings,
                                 dossier=dossier, parent=self.ctx.dialog_parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._choose_target(case_id, order_no, dossier, dialog.options()))
        self.pre_dialog = dialog
        dialog.open()

    # ---- choosing the target -----------------------------------------------------------
    def _choose_target(self, case_id: int, order_no: str, dossier: bool,
                       options: ExportOptions) -> None:
        folder = last_folder(self.ctx.settings)
        dialog = QFileDialog(self.ctx.dialog_parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if dossier:
            dialog.setObjectName("exportDossierFileDialog")
            dialog.setWindowTitle(tr("Save the dossier as"))
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setFileMode(QFileDialog.FileMode.AnyFile)
            dialog.setNameFilters([tr("PDF files (*.pdf)")])
            dialog.setDefaultSuffix("pdf")
            dialog.setDirectory(str(folder))
            dialog.selectFile(str(folder / default_name("dossier", order_no, ".pdf")))
        else:
            dialog.setObjectName("exportPackFileDialog")
            dialog.setWindowTitle(tr("Choose where to put the upload pack"))
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
            dialog.setDirectory(str(folder))

        def chosen(path: str) -> None:
            if not path:
                return
            target = Path(path)
            if dossier:
                remember_folder(self.ctx.settings, target.parent)
                self.start(case_id, target, options, dossier=True)
            else:
                remember_folder(self.ctx.settings, target)
                # The pack goes into its own new folder: the writer replaces its target whole,
                # and the folder the seller picked (say, the desktop) must never be replaced.
                self.start(case_id, target / default_name("upload-pack", order_no), options,
                           dossier=False)

        dialog.fileSelected.connect(chosen)
        self.file_dialog = dialog
        dialog.open()

    # ---- running -----------------------------------------------------------------------
    def start(self, case_id: int, target: Path, options: ExportOptions | None = None, *,
              dossier: bool = True) -> TaskHandle | None:
        """Write the dossier (or the pack folder) of `case_id` to `target` in the background."""
        if self.handle is not None:
            return None
        from evidence_desk.export import jobs
        from evidence_desk.export.dossier_model import ExportError

        options = options or ExportOptions()
        lib = self.ctx.library
        title = tr("Export dossier") if dossier else tr("Export upload pack")
        dialog = ProgressDialog(title, tr("Checking the originals…"), self.ctx.dialog_parent)
        self.progress = dialog

        stop = dialog.stop  # the event itself: the dialog may be gone before the job ends

        def job(progress: Any, runner_cancelled: Callable[[], bool]) -> Any:
            def cancelled() -> bool:  # the user's Cancel, or the window closing
                return stop.is_set() or runner_cancelled()

            try:
                if dossier:
                    return jobs.export_dossier(lib, case_id, target, lang=options.lang,
                                               budget_bytes=options.budget_bytes,
                                               progress=progress, cancel=cancelled)
                return jobs.export_pack(lib, case_id, target, progress=progress,
                                        cancel=cancelled)
            except (ExportError, OSError) as exc:
                return Failed(exc)

        busy = tr("Writing the dossier…") if dossier else tr("Writing the upload pack…")

        def progressed(done: int, total: int, _what: str) -> None:
            # `_what` names files; the counts say enough and keep names off the screen's edge.
            if self.progress is not None:
                self.progress.step(done, total, tr("{what} {done} of {total}", what=busy,
                                                   done=done, total=total))

        self.handle = self.runner.run(
            job, group="export", on_progress=progressed,
            on_done=lambda r: self._done(case_id, target, r, dossier),
            on_error=lambda exc: self._fail(case_id, exc, dossier),
            on_cancelled=lambda: self._cancelled(case_id))
        self.handle.ended.connect(self._ended)
        dialog.watch(self.handle)
        dialog.show()
        return self.handle

    def cancel(self) -> None:
        """What the progress dialog's Cancel button does."""
        if self.progress is not None:
            self.progress.request_cancel()

    def _ended(self) -> None:
        self.handle = None

    def _done(self, case_id: int, target: Path, result: Any, dossier: bool) -> None:
        from evidence_desk.export import jobs

        if isinstance(result, Failed):
            self._fail(case_id, result.error, dossier)
            return
        self.ctx.show_status(tr("Saved to {path}", path=str(target)), 10000)
        box = QMessageBox(self.ctx.dialog_parent)
        box.setObjectName("exportDoneBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Information)
        if dossier:
            box.setWindowTitle(tr("Dossier exported"))
            box.setText(tr("The dossier was saved: {pages} pages, {size}.",
                           pages=result.pages, size=size_text(result.size_bytes)))
            details = ([str(target)] + [str(n) for n in result.notes]
                       + jobs.affected_lines(result.affected, dossier=True))
            box.setInformativeText("\n".join(details))
            open_file = box.addButton(tr("Open file"), QMessageBox.ButtonRole.ActionRole)
            open_file.setObjectName("exportOpenFile")
            open_file.clicked.connect(lambda: open_path(target))
            folder = target.parent
        else:
            box.setWindowTitle(tr("Upload pack exported"))
            box.setText(tr("The upload pack was saved: {n} zip files and the English "
                           "statement.", n=len(result.zips)))
            box.setInformativeText("\n".join(
                [str(target)] + jobs.affected_lines(result.affected, dossier=False)))
            folder = target
        open_folder = box.addButton(tr("Open folder"), QMessageBox.ButtonRole.ActionRole)
        open_folder.setObjectName("exportOpenFolder")
        open_folder.clicked.connect(lambda: open_path(folder))
        box.addButton(QMessageBox.StandardButton.Close)
        self.done_box = box
        box.open()
        self.ctx.announce({case_id}, (AUDIT,))  # the export is now in the timeline
        self.finished.emit(result)

    def _cancelled(self, case_id: int) -> None:
        log.info("export of case %s cancelled", case_id)
        message = tr("Cancelled; nothing was written and any earlier file is unchanged.")
        self.ctx.show_status(message, 10000)
        self.cancelled.emit()

    def _fail(self, case_id: int, exc: Exception, dossier: bool) -> None:
        from evidence_desk.export.dossier_model import BudgetTooSmall, ExportCancelled, ExportError

        self.ctx.show_status("")
        if isinstance(exc, ExportCancelled):
            self._cancelled(case_id)
            return
        # Only the id and the type: export messages name files and order numbers.
        log.warning("export of case %s failed: %s", case_id, type(exc).__name__)
        if isinstance(exc, BudgetTooSmall):
            heading = tr("The dossier cannot fit the size limit without making evidence "
                         "unreadable. Choose “No size limit”, or split the evidence.")
        elif isinstance(exc, ExportError):
            heading = (tr("The dossier was not exported.") if dossier
                       else tr("The upload pack was not exported."))
            # The writer refuses altered originals; integrity shows which ones on the board.
            self.originals_refused.emit(case_id)
        elif isinstance(exc, OSError):
            heading = tr("The file could not be written: {reason}",
                         reason=exc.strerror or type(exc).__name__)
        else:
            heading = tr("Something went wrong; nothing was written.")
        detail = str(exc) if isinstance(exc, ExportError) else ""
        box = QMessageBox(self.ctx.dialog_parent)
        box.setObjectName("exportErrorBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Export dossier") if dossier else tr("Export upload pack"))
        box.setText(heading)
        if detail:
            box.setInformativeText(detail)
        self.error_box = box
        box.open()
        self.failed.emit(heading)


def open_path(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def button_named(box: QMessageBox, name: str) -> QAbstractButton | None:
    """A message box's button by objectName (tests and accessibility)."""
    for button in box.buttons():
        if button.objectName() == name:
            return button
    return None
