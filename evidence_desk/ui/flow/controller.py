"""The flow feature: the statement, submission and buyer pages, the flow and help actions, the
reminders. Given the desk context; the shell puts its pages beside the evidence board."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFrame, QMessageBox, QScrollArea, QTabWidget, QWidget

from evidence_desk.core import states
from evidence_desk.core.checklist import Checklist
from evidence_desk.core.types import CaseInfo
from evidence_desk.i18n import localized, tr
from evidence_desk.library.service import LibraryError
from evidence_desk.library.workflow import WorkflowError
from evidence_desk.ui.buyers.panel import BuyerPanel
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.context import BUYER, FIELDS, LIST, STATE, DeskContext
from evidence_desk.ui.common.undo import SetCaseFieldsCommand
from evidence_desk.ui.flow.guidance_panel import GuidancePanel
from evidence_desk.ui.flow.help_dialogs import (
    EscalateDialog,
    HotlineDialog,
    carrier_dialog,
    faq_dialog,
    guidance,
    tips_dialog,
)
from evidence_desk.ui.flow.panel import (
    FlowInfo,
    FlowPanel,
    PauseDialog,
    ResultDialog,
    SubmitDialog,
    _qdate,
    load_flow_info,
)
from evidence_desk.ui.flow.reminders import ReminderBar, Reminders
from evidence_desk.ui.statement.panel import StatementPanel

TAB_EVIDENCE, TAB_STATEMENT, TAB_SUBMISSION, TAB_BUYER = range(4)


class FlowUI(QObject):
    """Owns the statement, submission and buyer tabs, the flow actions and the reminders.

    Contributes `tabs` (the evidence page is the shell's to give, set_evidence_page), the
    `reminder_bar`, and its actions: `case_actions` for the Case menu, `help_actions` for Help.
    """

    flow_loaded = Signal(object)  # FlowInfo, after each load (tests and views wait on it)
    moved = Signal(object)  # CaseInfo after a successful move or resubmission
    edit_buyer_requested = Signal()  # the buyer's details are edited in the case form
    export_pack_requested = Signal()

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.library = ctx.library
        self.runner = ctx.runner
        self.info: FlowInfo | None = None
        self.checklist: Checklist | None = None
        self.dialog: QDialog | None = None
        self._generation = 0
        self._repeat = 0
        lib = self.library

        self.statement = StatementPanel(ctx)
        self.guidance = GuidancePanel(lib, ctx.settings)
        self.flow = FlowPanel(lib, self.guidance)
        self.flow_scroll = QScrollArea(objectName="flowScroll")
        self.flow_scroll.setWidget(self.flow)
        self.flow_scroll.setWidgetResizable(True)
        self.flow_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.flow_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.buyer = BuyerPanel(lib, self.runner)
        self.tabs = QTabWidget(objectName="caseTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(QWidget(), "")  # the evidence page, until the shell gives it
        self.tabs.addTab(self.statement, "")
        self.tabs.addTab(self.flow_scroll, "")
        self.tabs.addTab(self.buyer, "")
        self.tabs.setCurrentIndex(TAB_EVIDENCE)

        self.reminder_bar = ReminderBar()
        self.reminders = Reminders(lib, self.runner, self.reminder_bar, self)
        ctx.on_stop(self.reminders.stop)

        self._build_actions()
        self._connect()
        self.retranslate()
        self.case_opened(ctx.current_case)
        self.reminders.start()

    def set_evidence_page(self, page: QWidget) -> None:
        placeholder = self.tabs.widget(TAB_EVIDENCE)
        self.tabs.removeTab(TAB_EVIDENCE)
        placeholder.deleteLater()
        self.tabs.insertTab(TAB_EVIDENCE, page, "")
        self.tabs.setCurrentIndex(TAB_EVIDENCE)
        self._tab_titles()

    # ---- actions -----------------------------------------------------------------------
    def _action(self, name: str, slot: Any, shortcut: str = "") -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.actionCompose = a("actionComposeStatement", self.compose_statement)
        self.actionCopyStatement = a("actionCopyStatement", self.copy_statement)
        self.actionSubmit = a("actionSubmitCase", self.submit)
        self.actionResult = a("actionRecordResult", self.record_result)
        self.actionResubmit = a("actionResubmitCase", self.resubmit)
        self.actionEscalate = a("actionEscalate", self.escalate)
        parent = self.ctx.dialog_parent
        self.actionFaq = a("actionFaq", lambda: self._show_help(faq_dialog(parent)))
        self.actionHotlines = a("actionHotlines",
                                lambda: self._show_help(HotlineDialog(parent)))
        self.actionTips = a("actionTips", lambda: self._show_help(tips_dialog(parent)))
        self.actionCarrier = a("actionCarrierRule",
                               lambda: self._show_help(carrier_dialog(parent)))
        # None marks a separator.
        self.case_actions: list[QAction | None] = [
            self.actionCompose, self.actionCopyStatement, None, self.actionSubmit,
            self.actionResult, self.actionResubmit, self.actionEscalate]
        self.help_actions: list[QAction] = [self.actionFaq, self.actionHotlines, self.actionTips,
                                            self.actionCarrier]

    def _connect(self) -> None:
        ctx = self.ctx
        ctx.current_changed.connect(self.case_opened)
        ctx.case_changed.connect(self._changed)
        self.statement.status_message.connect(ctx.show_status)
        self.statement.checked.connect(lambda _n: self._tab_titles())
        self.guidance.status_message.connect(ctx.show_status)
        self.guidance.copy_statement.connect(self.copy_statement)
        self.guidance.export_pack.connect(self.export_pack_requested)
        self.flow.submit_requested.connect(self.submit)
        self.flow.result_requested.connect(self.record_result)
        self.flow.resubmit_requested.connect(self.resubmit)
        self.flow.escalate_requested.connect(self.escalate)
        self.flow.move_requested.connect(self.request_move)
        self.flow.open_case.connect(self.open_case)
        self.flow.carrier_toggled.connect(self._carrier)
        self.flow.carrier_more.clicked.connect(self.actionCarrier.trigger)
        self.buyer.open_case.connect(self.open_case)
        self.buyer.edit_requested.connect(self._edit_buyer)
        self.buyer.repeat_changed.connect(self._repeat_changed)
        self.reminder_bar.open_case.connect(self.open_case)

    def retranslate(self) -> None:
        texts = {
            self.actionCompose: tr("Compose &statement"),
            self.actionCopyStatement: tr("Copy English statement"),
            self.actionSubmit: tr("&Submit…"),
            self.actionResult: tr("Record &result…"),
            self.actionResubmit: tr("Resubmit as new &attempt"),
            self.actionEscalate: tr("&Escalate to customer service…"),
            self.actionFaq: tr("&Frequently asked questions"),
            self.actionHotlines: tr("&Hotline directory"),
            self.actionTips: tr("Complaint &tips"),
            self.actionCarrier: tr("Changing the &logistics company"),
        }
        for action, text in texts.items():
            action.setText(text)
        self.statement.retranslate()
        self.flow.retranslate()
        self.buyer.retranslate()
        self.reminder_bar.retranslate()
        self._tab_titles()

    def _tab_titles(self) -> None:
        self.tabs.setTabText(TAB_EVIDENCE, tr("Evidence"))
        flags = len(self.statement.flags)
        self.tabs.setTabText(TAB_STATEMENT, tr("Statement ({n})", n=flags) if flags
                             else tr("Statement"))
        self.tabs.setTabText(TAB_SUBMISSION, tr("Submission"))
        self.tabs.setTabText(TAB_BUYER, tr("Buyer ⚠") if self._repeat else tr("Buyer"))
        self.tabs.setTabToolTip(TAB_BUYER, tr("This buyer has other cases with you")
                                if self._repeat else "")

    def _update_actions(self) -> None:
        info = self.info
        has = info is not None and self.ctx.current_case is not None
        state = info.case.state if info else ""
        complaint = bool(info and info.flow == states.COMPLAINT)
        self.actionCompose.setEnabled(has)
        self.actionCopyStatement.setEnabled(has)
        self.actionSubmit.setEnabled(has and complaint and state == "ready")
        self.actionResult.setEnabled(has and complaint and state == "submitted")
        self.actionResubmit.setEnabled(bool(has and info and complaint
                                            and states.can_resubmit(state, info.flow)
                                            and not info.later))
        self.actionEscalate.setEnabled(has and complaint)

    # ---- following the desk ------------------------------------------------------------
    def case_opened(self, case_id: int | None) -> None:
        case = self.ctx.case_info(case_id) if case_id is not None else None
        self.info = None
        self.checklist = None
        self.statement.set_case(case)
        self.buyer.set_case(case)
        self.flow.show_info(None)
        self._update_actions()
        self._tab_titles()
        if case_id is not None:
            self.reload()

    def reload(self) -> None:
        """Load the open case's flow facts off the GUI thread; stale answers are dropped."""
        cid = self.ctx.current_case
        if cid is None:
            return
        self._generation += 1
        generation = self._generation
        lib = self.library

        def job(_p: Any, _c: Any) -> FlowInfo:
            # The panel shows guidance from six TOML files, parsed once and kept: parsed
            # here, so the first case opened does not read and parse them on the GUI thread.
            guidance()
            return load_flow_info(lib, cid)

        def done(info: FlowInfo) -> None:
            if generation != self._generation or cid != self.ctx.current_case:
                return
            self.info = info
            self.flow.show_info(info, self.checklist)
            self._update_actions()
            self.flow_loaded.emit(info)

        self.runner.run(job, group="flow", context=self, on_done=done, on_error=self._error)

    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 _origin: object) -> None:
        cid = self.ctx.current_case
        if cid is None or (ids is not None and cid not in ids):
            return
        case = self.ctx.case_info(cid)
        if BUYER in aspects or STATE in aspects:
            # A state change shows in the buyer's history of cases at once.
            self.buyer.set_case(case)
        elif FIELDS in aspects and self.info is not None and case.id == self.info.case.id:
            buyer_changed = (case.buyer.id if case.buyer else None) != \
                (self.info.case.buyer.id if self.info.case.buyer else None)
            if buyer_changed:
                self.buyer.set_case(case)

    def show_checks(self, checklist: Checklist) -> None:
        """The open case's checklist was recomputed: the flow facts and exhibits follow."""
        self.checklist = checklist
        self.statement.load_exhibits()
        self.reload()

    def _repeat_changed(self, n: int) -> None:
        self._repeat = n
        self._tab_titles()

    def _error(self, exc: Exception) -> None:
        self.ctx.report_error(exc)

    def open_case(self, case_id: int) -> None:
        self.ctx.open_case(case_id)

    # ---- statement ---------------------------------------------------------------------
    def compose_statement(self) -> None:
        self.tabs.setCurrentIndex(TAB_STATEMENT)
        self.statement.compose()

    def copy_statement(self) -> None:
        if not self.statement.english.toPlainText().strip():
            self.tabs.setCurrentIndex(TAB_STATEMENT)
        self.statement.copy_english()

    def _edit_buyer(self) -> None:
        self.edit_buyer_requested.emit()

    def _carrier(self, on: bool) -> None:
        cid = self.ctx.current_case
        case = self.ctx.case_info(cid) if cid is not None else None
        if case is None or case.carrier_changed == on:
            return
        self.ctx.undo.push_for(case.id, SetCaseFieldsCommand(
            self.ctx.edits, case.id, {"carrier_changed": case.carrier_changed},
            {"carrier_changed": on}, tr("Edit {field}", field=tr("Carrier changed"))))

    # ---- moves -------------------------------------------------------------------------
    def _open(self, dialog: QDialog, on_accept: Any) -> QDialog:
        """Open a dialog without a nested event loop; `on_accept` runs when it is accepted."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def _show_help(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.show()

    def submit(self) -> None:
        info = self.info
        if info is None or info.case.state != "ready":
            return
        dialog = SubmitDialog(info, self.flow)
        self._open(dialog, lambda: self.move(info.case.id, "submitted", on=_qdate(dialog.on)))

    def record_result(self) -> None:
        info = self.info
        if info is None or info.case.state != "submitted":
            return
        dialog = ResultDialog(self.flow)
        self._open(dialog, lambda: self.move(info.case.id, dialog.choice() or "",
                                             on=_qdate(dialog.on)))

    def request_move(self, target: str) -> None:
        info = self.info
        if info is None:
            return
        if target == "paused":
            dialog = PauseDialog(self.flow)
            self._open(dialog, lambda: self.move(info.case.id, "paused",
                                                 reason=dialog.reason()))
        else:
            self.move(info.case.id, target)

    def move(self, case_id: int, target: str, *, reason: str = "",
             on: date | None = None) -> None:
        lib = self.library

        def job(_p: Any, _c: Any) -> CaseInfo:
            return lib.move_case(case_id, target, reason=reason, on=on)

        def done(case: CaseInfo) -> None:
            self.ctx.announce({case_id}, (STATE,), info=case)
            self.ctx.show_status(
                tr("Case {order} is now {state}.", order=case.order_no,
                   state=labels.state_label(lib.rules, case.type_key, case.state)), 8000)
            self.reminders.check_now()
            self.moved.emit(case)

        self.runner.run(job, group="move", context=self, on_done=done, on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, (WorkflowError, LibraryError)):
            text = localized(exc)
        else:
            self._error(exc)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Not possible"), text,
                          QMessageBox.StandardButton.Ok, self.ctx.dialog_parent)
        box.setObjectName("flowRefusal")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        box.open()

    def resubmit(self) -> None:
        info = self.info
        if info is None or not states.can_resubmit(info.case.state, info.flow):
            return
        cid = info.case.id
        lib = self.library

        def job(_p: Any, _c: Any) -> CaseInfo:
            return lib.resubmit_case(cid)

        def done(case: CaseInfo) -> None:
            # A new case (the attempt), and a previous attempt that now has a later one.
            self.ctx.announce({case.id, cid}, (LIST, STATE), info=case)
            self.open_case(case.id)
            self.tabs.setCurrentIndex(TAB_SUBMISSION)
            self.ctx.show_status(
                tr("Attempt {n} created with the evidence of the previous one.",
                   n=case.attempt_no), 8000)
            self.reminders.check_now()
            self.moved.emit(case)

        self.runner.run(job, group="move", context=self, on_done=done, on_error=self._refused)

    def escalate(self) -> None:
        info = self.info
        if info is None:
            return
        can = states.can_resubmit(info.case.state, info.flow) and not info.later
        dialog = EscalateDialog(can, self.ctx.dialog_parent)
        self._open(dialog, lambda: self.resubmit() if dialog.resubmit_chosen else None)
