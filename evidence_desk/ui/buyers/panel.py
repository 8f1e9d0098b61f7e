"""Know the buyer (the seed's tip 4): credit level, country, member id, trading record, and the
buyer's other cases with their outcomes, with a warning when the buyer is a repeat offender.

Attempts of one complaint (a resubmission and the one it follows) share a buyer but are one
dispute, so they are listed without counting towards the repeat-buyer warning.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.types import CaseInfo
from evidence_desk.i18n import tr
from evidence_desk.library.service import Library
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.tasks import TaskRunner

CASE_ROLE = Qt.ItemDataRole.UserRole + 1


def chain_root(case_id: int, parents: dict[int, int | None]) -> int:
    """The first attempt of the complaint `case_id` belongs to (following parent links)."""
    seen: set[int] = set()
    current = case_id
    while parents.get(current) is not None and current not in seen:
        seen.add(current)
        current = parents[current]  # type: ignore[assignment]
    return current


def other_disputes(case: CaseInfo, cases: list[CaseInfo]) -> list[CaseInfo]:
    """The buyer's cases that are not attempts of `case`'s own complaint (and not in the trash)."""
    parents = {c.id: c.parent_id for c in cases}
    parents.setdefault(case.id, case.parent_id)
    root = chain_root(case.id, parents)
    return [c for c in cases
            if c.id != case.id and not c.deleted and chain_root(c.id, parents) != root]


class BuyerPanel(QWidget):
    """The open case's buyer, read-only here; the fields are edited under the case details."""

    open_case = Signal(int)
    edit_requested = Signal()
    repeat_changed = Signal(int)  # number of other disputes with this buyer

    def __init__(self, library: Library, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("buyerPanel")
        self.library = library
        self.runner = runner
        self.case: CaseInfo | None = None
        self.cases: list[CaseInfo] = []
        self.others: list[CaseInfo] = []
        self._generation = 0
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.name = QLabel(objectName="buyerName")
        labels.emphasize(self.name, 1.2)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton(objectName="editBuyerButton")
        self.edit_button.clicked.connect(self.edit_requested)
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.edit_button)

        self.warning = QLabel(objectName="repeatBuyerWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            f"#repeatBuyerWarning {{ background: rgba(204,40,40,30); color: {labels.RED.name()};"
            " border-radius: 4px; padding: 6px; font-weight: 600; }")
        self.warning.setVisible(False)

        self.values = {k: QLabel() for k in ("credit_level", "country", "member_id", "company",
                                             "notes")}
        for key, lbl in self.values.items():
            lbl.setObjectName(f"buyerValue_{key}")
            lbl.setWordWrap(True)
            lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form_labels = {k: QLabel() for k in self.values}
        for key, lbl in self.values.items():
            self.form.addRow(self._form_labels[key], lbl)

        self.history_caption = QLabel()
        labels.emphasize(self.history_caption)
        self.history = QTreeWidget(objectName="buyerCases")
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.setColumnCount(4)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.header().setStretchLastSection(True)
        self.history.itemActivated.connect(self._activated)
        self.history.itemDoubleClicked.connect(self._activated)
        self.hint = QLabel()
        self.hint.setEnabled(False)
        self.hint.setWordWrap(True)

        self.empty = QLabel(objectName="noBuyerLabel")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)

        self.body = QFrame()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        body.addLayout(head)
        body.addWidget(self.warning)
        body.addLayout(self.form)
        body.addWidget(self.history_caption)
        body.addWidget(self.history, 1)
        body.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.empty, 1)

    def retranslate(self) -> None:
        self.edit_button.setText(tr("Edit buyer details"))
        names = {"credit_level": tr("Credit level"), "country": tr("Country"),
                 "member_id": tr("Member ID"), "company": tr("Company"),
                 "notes": tr("Trading record")}
        for key, lbl in self._form_labels.items():
            lbl.setText(names[key])
        self.history.setHeaderLabels([tr("Order no."), tr("Complaint type"), tr("Status"),
                                      tr("Result")])
        self.history_caption.setText(tr("This buyer's cases"))
        self.hint.setText(tr("Double-click a case to open it. Check the buyer's credit level "
                             "and trading record before complaining (seed tip 4)."))
        self.empty.setText(tr("No buyer is set for this case. Pick or type the buyer in the "
                              "case details."))
        self._show()

    # ---- loading -----------------------------------------------------------------------
    def set_case(self, case: CaseInfo | None) -> None:
        self.case = case
        self.cases = []
        self.others = []
        self._show()
        if case is None or case.buyer is None or case.buyer.id is None:
            self.repeat_changed.emit(0)
            return
        self._generation += 1
        generation = self._generation
        buyer_id = case.buyer.id
        lib = self.library

        def job(_p: Any, _c: Any) -> list[CaseInfo]:
            return lib.buyer_cases(buyer_id)

        def done(cases: list[CaseInfo]) -> None:
            if generation != self._generation or self.case is None:
                return
            self.cases = cases
            self.others = other_disputes(self.case, cases)
            self._show()
            self.repeat_changed.emit(len(self.others))

        self.runner.run(job, group="buyer", on_done=done)

    def _show(self) -> None:
        case = self.case
        buyer = case.buyer if case else None
        self.body.setVisible(buyer is not None)
        self.empty.setVisible(case is not None and buyer is None)
        if buyer is None:
            return
        self.name.setText(buyer.name + (f"  ·  {buyer.company}" if buyer.company else ""))
        for key, lbl in self.values.items():
            value = getattr(buyer, key) or ""
            lbl.setText(value if value.strip() else tr("Not recorded"))
            lbl.setEnabled(bool(value.strip()))
        n = len(self.others)
        if n:
            finished = sum(1 for c in self.others if c.state in ("upheld", "rejected"))
            self.warning.setText(
                tr("Repeat buyer: you have {n} other case(s) against this buyer ({done} with "
                   "a result). Mention the pattern in your statement and cite those orders.",
                   n=n, done=finished))
        self.warning.setVisible(n > 0)
        self._fill_history()

    def _fill_history(self) -> None:
        rules = self.library.rules
        self.history.clear()
        own = {c.id for c in self.cases} - {c.id for c in self.others}
        for c in self.cases:
            if c.deleted:
                continue
            state = labels.state_label(rules, c.type_key, c.state)
            if c.attempt_no > 1:
                state = tr("{state} (attempt {n})", state=state, n=c.attempt_no)
            result = c.result_on.isoformat() if c.result_on else (
                tr("submitted {date}", date=c.submitted_on.isoformat()) if c.submitted_on
                else "—")
            item = QTreeWidgetItem([c.order_no, labels.type_label(rules, c.type_key), state,
                                    result])
            item.setData(0, CASE_ROLE, c.id)
            if self.case is not None and c.id == self.case.id:
                font = item.font(0)
                font.setBold(True)
                for col in range(4):
                    item.setFont(col, font)
                item.setToolTip(0, tr("The case you have open"))
            elif c.id in own:
                item.setToolTip(0, tr("Another attempt of this same complaint"))
            if c.state == "upheld":
                item.setForeground(2, labels.GREEN)
            elif c.state == "rejected":
                item.setForeground(2, labels.RED)
            self.history.addTopLevelItem(item)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        cid = item.data(0, CASE_ROLE)
        if isinstance(cid, int) and (self.case is None or cid != self.case.id):
            self.open_case.emit(cid)

    def history_text(self) -> str:
        """Plain text of the history rows (tests and accessibility read it)."""
        rows = []
        for i in range(self.history.topLevelItemCount()):
            it = self.history.topLevelItem(i)
            rows.append(" | ".join(it.text(c) for c in range(4)))
        return html.unescape("\n".join(rows))
