"""What the open case still lacks: each requirement with ✓/✗ and counts, the deadline, warnings.

A missing requirement is a button: clicking it asks the window to add evidence of that kind.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.checklist import Checklist, RequirementStatus, Warning
from evidence_desk.core.recognised import Suggestion
from evidence_desk.core.rules import Rules
from evidence_desk.i18n import current_language, tr
from evidence_desk.ui.checks.dismiss import DISMISSIBLE, dismiss_label, dismiss_tip
from evidence_desk.ui.common import labels


def _section(text: str) -> QLabel:
    lbl = QLabel(text)
    labels.emphasize(lbl)
    lbl.setContentsMargins(0, 8, 0, 2)
    return lbl


class RequirementRow(QFrame):
    """One requirement; clickable while it is missing."""

    clicked = Signal(str)  # evidence kind to add

    def __init__(self, status: RequirementStatus, rules: Rules,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.setObjectName("requirementRow")
        self.kind_text = " / ".join(labels.kind_label(rules, k) for k in status.kinds)
        mark = QLabel("✓" if status.satisfied else ("✗" if status.required else "○"))
        mark.setFixedWidth(18)
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        labels.emphasize(mark)
        self.name = QLabel(self.kind_text if status.required
                           else tr("{kind} (recommended)", kind=self.kind_text))
        self.name.setWordWrap(True)
        # "2/1" read like a fraction gone wrong; say how many there are against the minimum.
        self.count = QLabel(tr("{count} (min {min})", count=status.count, min=status.min))
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        colour = labels.GREEN if status.satisfied else (labels.RED if status.required
                                                        else labels.GREY)
        mark.setStyleSheet(f"color: {colour.name()}")
        if not status.required:
            for w in (self.name, self.count):
                w.setStyleSheet(f"color: {labels.GREY.name()}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 3, 4, 3)
        layout.setSpacing(6)
        layout.addWidget(mark)
        layout.addWidget(self.name, 1)
        layout.addWidget(self.count)
        hint = rules.kinds.get(status.kind)
        tip = hint.hint(current_language()) if hint else ""
        if not status.satisfied:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            action = tr("Click to add {kind}.", kind=self.kind_text)
            tip = f"{tip}\n\n{action}" if tip else action
        self.setToolTip(tip)

    @property
    def missing(self) -> bool:
        return not self.status.satisfied

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.missing and event.button() == Qt.MouseButton.LeftButton \
                and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.status.kind)
        super().mouseReleaseEvent(event)


class ChecklistView(QScrollArea):
    """Shows one Checklist; `add_requested(kind)` when a missing requirement is clicked."""

    add_requested = Signal(str)
    dismiss_requested = Signal(object)  # the Warning whose button was pressed
    suggestion_chosen = Signal(object)  # the Suggestion whose "Use" button was pressed

    def __init__(self, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistView")
        self.rules = rules
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.checklist: Checklist | None = None
        self.case_state = ""  # the open case's state; "" until known
        self.state_text = ""
        self.rows: list[RequirementRow] = []
        self.warning_labels: list[QLabel] = []
        self.dismiss_buttons: list[QPushButton] = []
        self.suggestion_buttons: list[QPushButton] = []
        self.suggestions: list[Suggestion] = []
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self._layout.setSpacing(2)
        self.ready_label = QLabel(objectName="readyLabel")
        labels.emphasize(self.ready_label, 1.15)
        self.deadline_label = QLabel(objectName="deadlineLabel")
        self.deadline_label.setWordWrap(True)
        self.deadline_label.setTextFormat(Qt.TextFormat.RichText)
        self._layout.addWidget(self.ready_label)
        self._layout.addWidget(self.deadline_label)
        self._dynamic: list[QWidget] = []
        self._layout.addStretch(1)
        self.setWidget(body)
        self.show_checklist(None)

    @property
    def ready(self) -> bool:
        return bool(self.checklist and self.checklist.ready)

    def retranslate(self) -> None:
        self.show_checklist(self.checklist, self.suggestions)

    def set_case_state(self, state: str, text: str) -> None:
        """The open case's state (shown at once when it moves, before a new checklist)."""
        if (state, text) != (self.case_state, self.state_text):
            self.case_state, self.state_text = state, text
            self.show_checklist(self.checklist)

    def show_checklist(self, checklist: Checklist | None,
                       suggestions: list[Suggestion] | None = None) -> None:
        """Show `checklist`; `suggestions` are values read in screenshots that can fill empty
        case fields (each with a "Use" button)."""
        self.checklist = checklist
        self.suggestions = list(suggestions or [])
        self.dismiss_buttons = []
        self.suggestion_buttons = []
        for w in self._dynamic:
            self._layout.removeWidget(w)
            w.deleteLater()
        self._dynamic = []
        self.rows = []
        self.warning_labels = []
        if checklist is None:
            self.ready_label.setText(tr("No case open"))
            self.ready_label.setStyleSheet(f"color: {labels.GREY.name()}")
            self.deadline_label.clear()
            return
        if labels.is_filed(self.case_state):
            # Filed: "ready" and a countdown would be stale news.
            self.ready_label.setText(tr("✓ Filed: {state}", state=self.state_text))
            self.ready_label.setStyleSheet(f"color: {labels.GREY.name()}")
        elif checklist.ready:
            self.ready_label.setText(tr("✓ Ready to submit"))
            self.ready_label.setStyleSheet(f"color: {labels.GREEN.name()}")
        else:
            self.ready_label.setText(tr("✗ Not ready yet"))
            self.ready_label.setStyleSheet(f"color: {labels.RED.name()}")
        self.deadline_label.setText("" if labels.is_filed(self.case_state)
                                    else self._deadline_html(checklist))
        pos = self._layout.count() - 1  # before the stretch
        add = self._insert_at(pos)
        add(_section(tr("Evidence required ({met} of {total})", met=checklist.met,
                        total=checklist.required_count)))
        for status in checklist.requirements:
            row = RequirementRow(status, self.rules)
            row.clicked.connect(self.add_requested)
            self.rows.append(row)
            add(row)
        if checklist.warnings:
            add(_section(tr("Warnings ({n})", n=len(checklist.warnings))))
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            for w in checklist.warnings:
                line = QWidget()
                h = QHBoxLayout(line)
                h.setContentsMargins(2, 3, 2, 3)
                h.setSpacing(6)
                pic = QLabel()
                pic.setPixmap(icon.pixmap(16, 16))
                pic.setAlignment(Qt.AlignmentFlag.AlignTop)
                text = QLabel(w.text(current_language()))
                text.setWordWrap(True)
                text.setObjectName(f"warning_{w.code}")
                text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                h.addWidget(pic)
                if w.code in DISMISSIBLE:
                    # Under the text, not beside it: the column is narrow and the text long.
                    column = QVBoxLayout()
                    column.setSpacing(2)
                    column.addWidget(text)
                    column.addWidget(self._dismiss_button(w), 0, Qt.AlignmentFlag.AlignRight)
                    h.addLayout(column, 1)
                else:
                    h.addWidget(text, 1)
                self.warning_labels.append(text)
                add(line)
        if self.suggestions:
            add(_section(tr("Read in the screenshots ({n})", n=len(self.suggestions))))
            for s in self.suggestions:
                add(self._suggestion_row(s))

    def _dismiss_button(self, w: Warning) -> QPushButton:
        button = QPushButton(dismiss_label(w.code))
        button.setObjectName(f"dismiss_{w.code}")
        button.setToolTip(dismiss_tip(w.code))
        button.clicked.connect(lambda _c=False, warning=w: self.dismiss_requested.emit(warning))
        self.dismiss_buttons.append(button)
        return button

    def _suggestion_row(self, s: Suggestion) -> QWidget:
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(2, 2, 2, 2)
        h.setSpacing(6)
        names = {"order_no": tr("Order number"), "amount": tr("Amount"),
                 "paid_on": tr("Payment date"), "completed_on": tr("Completion date"),
                 "buyer.member_id": tr("Buyer's member ID")}
        text = QLabel(tr("{field}: {value}", field=names.get(s.field, s.field), value=s.value))
        text.setObjectName(f"suggestion_{s.field}")
        text.setWordWrap(True)
        text.setToolTip(tr("Read in the screenshot: “{line}”", line=s.line))
        text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        button = QPushButton(tr("Use"))
        button.setObjectName(f"useSuggestion_{s.field}")
        button.setToolTip(tr("Fill the empty field with this value (Undo takes it back)"))
        button.clicked.connect(lambda _c=False, sug=s: self.suggestion_chosen.emit(sug))
        self.suggestion_buttons.append(button)
        h.addWidget(text, 1)
        h.addWidget(button)
        return row

    def _insert_at(self, pos: int) -> Callable[[QWidget], None]:
        counter = [pos]

        def add(w: QWidget) -> None:
            self._layout.insertWidget(counter[0], w)
            counter[0] += 1
            self._dynamic.append(w)
        return add

    @staticmethod
    def _deadline_html(checklist: Checklist) -> str:
        if checklist.deadline is None:
            return tr("Deadline: not known yet")
        days = labels.days_left_text(checklist.days_left)
        colour = labels.days_left_colour(checklist.days_left)
        style = f' style="color:{colour.name()}; font-weight:600"' if colour else ""
        return tr("Deadline: {date}", date=checklist.deadline.isoformat()) + \
            f" &nbsp;<span{style}>{days}</span>"
