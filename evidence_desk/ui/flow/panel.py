"""Where the case stands on the platform: its state, attempts, submission and expected result,
and the moves its flow allows (submit, record the result, resubmit, escalate; for a
logistics-marketplace dispute, its own states and pauses).

Every move goes through Library.move_case, which checks it against core.states and writes the
audit log; refusals come back as WorkflowError and are shown in the user's language.
ui.flow.controller puts this panel, the statement composer, the buyer panel, the guidance and
the reminders together for the shell.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core import states
from evidence_desk.core.checklist import Checklist
from evidence_desk.core.deadlines import expected_result
from evidence_desk.core.limits import DATE_MIN
from evidence_desk.core.types import CaseInfo
from evidence_desk.i18n import current_language, tr
from evidence_desk.library.service import Library, NotFound
from evidence_desk.ui.common import labels
from evidence_desk.ui.flow.guidance_panel import GuidancePanel
from evidence_desk.ui.flow.help_dialogs import (
    guidance,
)

if TYPE_CHECKING:
    pass

RESULTS = ("upheld", "rejected", "withdrawn")
# Checklist warnings about a logistics dispute's refund request window.
REFUND_CODES = ("refund_window", "no_refund_request", "no_payment_date", "window_passed",
                "window_closing")


@dataclass(frozen=True)
class FlowInfo:
    """What the flow panel shows about one case, loaded off the GUI thread."""

    case: CaseInfo
    flow: str
    previous: CaseInfo | None = None
    later: tuple[CaseInfo, ...] = ()
    dossier: tuple[datetime, dict[str, Any]] | None = None
    pack: tuple[datetime, dict[str, Any]] | None = None
    expected: tuple[date, date] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overdue(self) -> bool:
        return (self.case.state == "submitted" and self.expected is not None
                and date.today() > self.expected[1])


def load_flow_info(lib: Library, case_id: int) -> FlowInfo:
    case = lib.get_case(case_id)
    ctype = lib.rules.types.get(case.type_key)
    flow = ctype.flow if ctype else states.COMPLAINT
    previous = None
    if case.parent_id is not None:
        try:
            previous = lib.get_case(case.parent_id)
        except NotFound:
            previous = None
    # Attempts share their buyer, so the buyer's cases are the short list to look in.
    pool = lib.buyer_cases(case.buyer.id) if case.buyer and case.buyer.id is not None \
        else lib.list_cases()
    later = tuple(c for c in pool if c.parent_id == case_id and not c.deleted)
    dossier = pack = None
    for entry in lib.audit_log(case_id):
        if entry.action == "export.dossier":
            dossier = (entry.at, entry.detail)
        elif entry.action == "export.pack":
            pack = (entry.at, entry.detail)
    expected = expected_result(case.submitted_on, lib.rules.platform) \
        if case.submitted_on else None
    return FlowInfo(case, flow, previous, later, dossier, pack, expected)


def _bold(text: str = "") -> QLabel:
    lbl = QLabel(text)
    labels.emphasize(lbl)
    return lbl


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumDate(QDate.currentDate())
    edit.setMinimumDate(QDate(DATE_MIN.year, DATE_MIN.month, DATE_MIN.day))
    return edit


def _qdate(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


# Dialogs ------------------------------------------------------------------------------------------


class SubmitDialog(QDialog):
    """Records the submission date; says so when no dossier or pack was exported first."""

    def __init__(self, info: FlowInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("submitDialog")
        self.setWindowTitle(tr("Mark as submitted"))
        intro = QLabel(tr("Submit the complaint on Alibaba.com first, then record it here. "
                          "The desk expects a result within {lo}–{hi} working days.",
                          lo=_days_min(parent), hi=_days_max(parent)))
        intro.setWordWrap(True)
        self.on = _date_edit("submitDate")
        form = QFormLayout()
        form.addRow(tr("Submitted on"), self.on)
        missing = info.dossier is None or info.pack is None
        self.warning = QLabel(objectName="submitExportWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {labels.AMBER.name()}; font-weight: 600")
        if info.dossier is None and info.pack is None:
            what = tr("No dossier and no upload pack has been exported for this case yet.")
        elif info.dossier is None:
            what = tr("No dossier has been exported for this case yet.")
        else:
            what = tr("No upload pack has been exported for this case yet.")
        self.warning.setText(what + " " + tr(
            "The desk records exactly which files you submitted only when they were exported "
            "here. You can export first, or go on anyway."))
        self.warning.setVisible(missing)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Submit anyway") if missing else tr("Mark as submitted"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)


def _days_min(widget: QWidget | None) -> int:
    lib = getattr(widget, "library", None)
    return lib.rules.platform.result_working_days_min if lib else 1


def _days_max(widget: QWidget | None) -> int:
    lib = getattr(widget, "library", None)
    return lib.rules.platform.result_working_days_max if lib else 3


class ResultDialog(QDialog):
    """The platform's answer: upheld, rejected or withdrawn, and the day it came."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultDialog")
        self.setWindowTitle(tr("Record the result"))
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("What did the platform decide?")))
        for key in RESULTS:
            radio = QRadioButton(states.label(states.COMPLAINT, key, current_language()))
            radio.setObjectName(f"result_{key}")
            self.group.addButton(radio)
            self.radios[key] = radio
            layout.addWidget(radio)
        self.on = _date_edit("resultDate")
        form = QFormLayout()
        form.addRow(tr("Result on"), self.on)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.group.buttonToggled.connect(lambda *_a: self.ok_button.setEnabled(
            self.choice() is not None))
        layout.addWidget(self.buttons)

    def choice(self) -> str | None:
        return next((k for k, r in self.radios.items() if r.isChecked()), None)


class PauseDialog(QDialog):
    """Why the platform paused a logistics dispute; a pause without a reason is refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pauseDialog")
        self.setWindowTitle(tr("Pause the dispute"))
        lang = current_language()
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(tr("The platform pauses a dispute while both sides negotiate themselves, "
                          "or while a court or police case is pending. Which one is it?"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for code in states.PAUSE_REASONS:
            radio = QRadioButton(states.PauseInfo(code, "", "").label(lang))
            radio.setObjectName(f"pause_{code}")
            self.group.addButton(radio)
            self.radios[code] = radio
            layout.addWidget(radio)
        self.note = QLineEdit(objectName="pauseNote")
        self.note.setPlaceholderText(tr("Court or police station, case number (required for a "
                                        "court or police case)"))
        layout.addWidget(self.note)
        self.error = QLabel(objectName="pauseError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {labels.RED.name()}")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def reason(self) -> str:
        """The reason as core.states reads it: 'code' or 'code: note'."""
        code = next((k for k, r in self.radios.items() if r.isChecked()), "")
        note = " ".join(self.note.text().split())
        return f"{code}: {note}" if code and note else code

    def accept(self) -> None:
        try:
            states.parse_pause_reason(self.reason())
        except states.TransitionRefused as exc:
            # The same check the library makes, here so the seller can fix it in place.
            self.error.setText(exc.message(current_language()))
            self.error.setVisible(True)
            return
        super().accept()


# The panel ----------------------------------------------------------------------------------------


class FlowPanel(QWidget):
    """State, attempts, dates and the moves; the guidance steps below for a complaint."""

    move_requested = Signal(str)  # target state (the UI asks for details first where needed)
    submit_requested = Signal()
    result_requested = Signal()
    resubmit_requested = Signal()
    escalate_requested = Signal()
    open_case = Signal(int)
    carrier_toggled = Signal(bool)

    def __init__(self, library: Library, guidance_panel: GuidancePanel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flowPanel")
        self.library = library
        self.info: FlowInfo | None = None
        self.checklist: Checklist | None = None
        self.guidance = guidance_panel
        self.move_buttons: dict[str, QPushButton] = {}
        self._build()

    def _build(self) -> None:
        self.state_label = QLabel(objectName="flowState")
        labels.emphasize(self.state_label, 1.3)
        self.flow_label = QLabel(objectName="flowName")
        self.flow_label.setEnabled(False)
        head = QHBoxLayout()
        head.addWidget(self.state_label)
        head.addWidget(self.flow_label, 1, Qt.AlignmentFlag.AlignBottom)

        self.path_label = QLabel(objectName="flowPath")
        self.path_label.setWordWrap(True)
        self.path_label.setTextFormat(Qt.TextFormat.RichText)

        self.facts = QFormLayout()
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fact_labels: dict[str, QLabel] = {}
        self.fact_values: dict[str, QLabel] = {}
        for key in ("attempt", "submitted", "expected", "result", "files", "pause"):
            name = QLabel()
            value = QLabel(objectName=f"flow_{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.RichText)
            value.linkActivated.connect(self._link)
            self.fact_labels[key] = name
            self.fact_values[key] = value
            self.facts.addRow(name, value)

        self.submit_button = QPushButton(objectName="submitButton")
        self.submit_button.clicked.connect(self.submit_requested)
        self.result_button = QPushButton(objectName="recordResultButton")
        self.result_button.clicked.connect(self.result_requested)
        self.resubmit_button = QPushButton(objectName="resubmitButton")
        self.resubmit_button.clicked.connect(self.resubmit_requested)
        self.escalate_button = QPushButton(objectName="escalateButton")
        self.escalate_button.clicked.connect(self.escalate_requested)
        self.complaint_buttons = QWidget()
        cb = QHBoxLayout(self.complaint_buttons)
        cb.setContentsMargins(0, 0, 0, 0)
        for b in (self.submit_button, self.result_button, self.resubmit_button,
                  self.escalate_button):
            cb.addWidget(b)
        cb.addStretch(1)
        self.why_not = QLabel(objectName="flowHint")
        self.why_not.setWordWrap(True)
        self.why_not.setEnabled(False)

        self.logistics_buttons = QWidget()
        self.logistics_grid = QGridLayout(self.logistics_buttons)
        self.logistics_grid.setContentsMargins(0, 0, 0, 0)
        self.refund_check = QLabel(objectName="refundWindowCheck")
        self.refund_check.setWordWrap(True)
        self.refund_check.setTextFormat(Qt.TextFormat.RichText)
        self.notes = QLabel(objectName="disputeNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setFrameShape(QFrame.Shape.StyledPanel)
        self.notes.setContentsMargins(8, 6, 8, 6)

        self.carrier = QCheckBox(objectName="carrierChangedCheck")
        self.carrier.toggled.connect(self.carrier_toggled)
        self.carrier_rule = QLabel(objectName="carrierRule")
        self.carrier_rule.setWordWrap(True)
        self.carrier_rule.setTextFormat(Qt.TextFormat.RichText)
        self.carrier_rule.setStyleSheet(
            "#carrierRule { background: rgba(40,110,200,30); border-radius: 4px; padding: 6px; }")
        self.carrier_more = QPushButton(objectName="carrierRuleButton")

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.path_label)
        layout.addLayout(self.facts)
        layout.addWidget(self.complaint_buttons)
        layout.addWidget(self.logistics_buttons)
        layout.addWidget(self.why_not)
        layout.addWidget(self.refund_check)
        layout.addWidget(self.notes)
        carrier_row = QHBoxLayout()
        carrier_row.addWidget(self.carrier, 1)
        carrier_row.addWidget(self.carrier_more)
        layout.addLayout(carrier_row)
        layout.addWidget(self.carrier_rule)
        layout.addWidget(rule)
        layout.addWidget(self.guidance)
        layout.addStretch(1)

    def retranslate(self) -> None:
        names = {"attempt": tr("Attempt"), "submitted": tr("Submitted on"),
                 "expected": tr("Expected result"), "result": tr("Result"),
                 "files": tr("Submitted files"), "pause": tr("Paused because")}
        for key, lbl in self.fact_labels.items():
            lbl.setText(names[key])
        self.submit_button.setText(tr("Submit…"))
        self.submit_button.setToolTip(tr("Record that you submitted the complaint on "
                                          "Alibaba.com"))
        self.result_button.setText(tr("Record result…"))
        self.resubmit_button.setText(tr("Resubmit as new attempt"))
        self.resubmit_button.setToolTip(tr("Start a new attempt linked to this one, with the "
                                           "same evidence"))
        self.escalate_button.setText(tr("Escalate…"))
        self.escalate_button.setToolTip(tr("Customer-service route and hotlines"))
        self.carrier.setText(tr("The buyer changed the logistics company (carrier) for this "
                                "order"))
        self.carrier_more.setText(tr("The rule…"))
        self.guidance.retranslate()
        self.show_info(self.info, self.checklist)

    # ---- showing -----------------------------------------------------------------------
    def show_info(self, info: FlowInfo | None, checklist: Checklist | None = None) -> None:
        self.info = info
        if checklist is not None and info is not None and checklist.case_id != info.case.id:
            checklist = None
        self.checklist = checklist
        self.setEnabled(info is not None)
        if info is None:
            self.state_label.clear()
            self.flow_label.clear()
            self.path_label.clear()
            for key in self.fact_values:
                self._fact(key, "")
            self.guidance.set_case(None)
            return
        lang = current_language()
        case = info.case
        flow = states.flow(info.flow)
        rules = self.library.rules
        state = labels.state_label(rules, case.type_key, case.state)
        self.state_label.setText(state)
        colour = {"upheld": labels.GREEN, "rejected": labels.RED, "submitted": labels.AMBER,
                  "paid_out": labels.GREEN}.get(case.state)
        self.state_label.setStyleSheet(f"color: {colour.name()}" if colour else "")
        self.flow_label.setText(flow.zh if lang == "zh" else flow.en)
        logistics = info.flow == states.LOGISTICS
        self.path_label.setText(self._path_html(info))
        self.path_label.setVisible(logistics)
        self._fill_facts(info)
        self.complaint_buttons.setVisible(not logistics)
        self.logistics_buttons.setVisible(logistics)
        if logistics:
            self._fill_logistics_moves(info)
        else:
            self._fill_complaint_moves(info)
        self._fill_refund_check(info)
        self._fill_notes(info)
        self.carrier.blockSignals(True)
        self.carrier.setChecked(case.carrier_changed)
        self.carrier.blockSignals(False)
        self.carrier_rule.setText(carrier_rule_short())
        self.carrier_rule.setVisible(case.carrier_changed)
        self.guidance.setVisible(not logistics)
        if not logistics:
            self.guidance.set_case(case, info.pack)

    def _fact(self, key: str, text: str) -> None:
        self.fact_values[key].setText(text)
        self.facts.setRowVisible(self.fact_values[key], bool(text))

    def _fill_facts(self, info: FlowInfo) -> None:
        case = info.case
        links = []
        if info.previous is not None:
            links.append(tr("follows {link}", link=_case_link(info.previous)))
        for later in info.later:
            links.append(tr("followed by {link}", link=_case_link(later)))
        attempt = str(case.attempt_no) + (" — " + "; ".join(links) if links else "")
        self._fact("attempt", attempt if case.attempt_no > 1 or links else "")
        self._fact("submitted", case.submitted_on.isoformat() if case.submitted_on else "")
        expected = ""
        if info.expected is not None and info.flow == states.COMPLAINT:
            lo, hi = info.expected
            p = self.library.rules.platform
            expected = html.escape(tr("{start} – {end} ({lo}–{hi} working days)",
                                      start=lo.isoformat(), end=hi.isoformat(),
                                      lo=p.result_working_days_min,
                                      hi=p.result_working_days_max))
            if info.overdue:
                expected += (f' <span style="color:{labels.RED.name()}; font-weight:600">'
                             f"{html.escape(tr('Overdue'))}</span>")
        self._fact("expected", expected)
        result = ""
        if case.result_on and case.state in (*RESULTS, "decided", "paid_out"):
            result = html.escape(tr("{state} on {date}", state=labels.state_label(
                self.library.rules, case.type_key, case.state), date=case.result_on.isoformat()))
        self._fact("result", result)
        files = ""
        if case.submitted_on:
            parts = []
            if case.submitted_dossier_sha256:
                parts.append(tr("dossier {hash}…", hash=case.submitted_dossier_sha256[:12]))
            if case.submitted_pack_sha256:
                parts.append(tr("pack {hash}…", hash=case.submitted_pack_sha256[:12]))
            files = html.escape(", ".join(parts) if parts else
                                tr("none recorded (nothing was exported before submitting)"))
        self._fact("files", files)
        pause = ""
        if case.state == "paused":
            try:
                pause = html.escape(states.decode_pause(case.state_reason)
                                    .label(current_language()))
            except states.TransitionRefused:
                pause = html.escape(case.state_reason)
        self._fact("pause", pause)

    def _path_html(self, info: FlowInfo) -> str:
        lang = current_language()
        flow = states.flow(info.flow)
        parts = []
        for s in flow.states:
            text = html.escape(s.label(lang))
            if s.key == info.case.state:
                text = f'<b style="color:{labels.AMBER.name()}">▶ {text}</b>'
            parts.append(text)
        return " → ".join(parts)

    def _fill_complaint_moves(self, info: FlowInfo) -> None:
        case = info.case
        self.submit_button.setEnabled(case.state == "ready")
        self.result_button.setEnabled(case.state == "submitted")
        self.resubmit_button.setEnabled(states.can_resubmit(case.state, info.flow)
                                        and not info.later)
        self.escalate_button.setEnabled(True)
        hints = {
            "draft": tr("Submit becomes available when the checklist is complete (the case "
                        "turns Ready)."),
            "ready": tr("Ready: submit it on Alibaba.com, then press Submit to record the "
                        "date."),
            "submitted": tr("Waiting for the platform's result; record it when it arrives."),
            "rejected": tr("Rejected: resubmit as a new attempt, or escalate to customer "
                           "service."),
            "withdrawn": tr("Withdrawn: you can still resubmit as a new attempt."),
            "upheld": tr("Upheld: the complaint succeeded."),
        }
        hint = hints.get(case.state, "")
        if info.later and states.can_resubmit(case.state, info.flow):
            hint = tr("A newer attempt exists; continue there.")
        if info.overdue:
            hint = tr("The result is overdue: consider escalating to customer service.")
        self.why_not.setText(hint)
        self.why_not.setVisible(bool(hint))

    def _fill_logistics_moves(self, info: FlowInfo) -> None:
        while self.logistics_grid.count():
            item = self.logistics_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.move_buttons = {}
        case = info.case
        paused_from = ""
        if case.state == "paused":
            try:
                paused_from = states.decode_pause(case.state_reason).paused_from
            except states.TransitionRefused:
                paused_from = ""
        targets = states.allowed_targets(info.flow, case.state, paused_from=paused_from)
        lang = current_language()
        for n, target in enumerate(targets):
            text = states.label(info.flow, target, lang)
            if target == "paused":
                text = tr("Pause…")
            elif case.state == "paused" and target == paused_from:
                text = tr("Resume: {state}", state=text)
            button = QPushButton(tr("→ {state}", state=text) if target != "paused" else text)
            button.setObjectName(f"move_{target}")
            button.clicked.connect(lambda _c=False, t=target: self.move_requested.emit(t))
            self.logistics_grid.addWidget(button, n // 3, n % 3)
            self.move_buttons[target] = button
        self.why_not.setText("" if targets else tr("This dispute is closed."))
        # An empty hint would still take a row of space between the buttons and the notes.
        self.why_not.setVisible(not targets)

    def _fill_refund_check(self, info: FlowInfo) -> None:
        if info.flow != states.LOGISTICS:
            self.refund_check.setVisible(False)
            return
        self.refund_check.setVisible(True)
        if self.checklist is None:
            self.refund_check.setText(html.escape(tr("Checking the refund-request window…")))
            return
        lang = current_language()
        found = [w for w in self.checklist.warnings if w.code in REFUND_CODES]
        if found:
            body = "<br>".join(f'<span style="color:{labels.RED.name()}">✗</span> '
                               f"{html.escape(w.text(lang))}" for w in found)
        else:
            body = (f'<span style="color:{labels.GREEN.name()}">✓</span> '
                    + html.escape(tr("The refund was requested within the window: after "
                                     "payment and before the service was accepted.")))
        self.refund_check.setText(f"<b>{html.escape(tr('Refund-request window'))}</b><br>{body}")

    def _fill_notes(self, info: FlowInfo) -> None:
        if info.flow != states.LOGISTICS:
            self.notes.setVisible(False)
            return
        lang = current_language()
        g = guidance()
        notes = list(g.notes_for_state(info.case.state))
        # That the platform only checks evidence formally matters in every state: it decides
        # how the evidence must be prepared, long before the platform looks at it.
        formal = next((n for n in g.dispute_notes if n.key == "formal_review"), None)
        if formal is not None and formal not in notes:
            notes.insert(0, formal)
        self.notes.setText("<br>".join(
            f"<b>{html.escape(n.title(lang))}</b>: {html.escape(n.text(lang))}" for n in notes))
        self.notes.setVisible(bool(notes))

    def _link(self, href: str) -> None:
        if href.startswith("case:"):
            self.open_case.emit(int(href[5:]))


def _case_link(case: CaseInfo) -> str:
    text = tr("{order} (attempt {n})", order=case.order_no, n=case.attempt_no)
    return f'<a href="case:{case.id}">{html.escape(text)}</a>'


def carrier_rule_short() -> str:
    lang = current_language()
    return f"<b>{html.escape(guidance().carrier_change.rule(lang))}</b>"
