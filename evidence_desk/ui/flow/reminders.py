"""Reminders while the desk is open: complaint windows about to close, results that are overdue.

A complaint not filed within the window is lost, and a result that never came needs a call to
customer service; both are easy to forget while collecting evidence for other cases. The check
runs on start and every few minutes, off the GUI thread, and shows a bar above the case list (a
tray message too when the desktop has a tray). Nothing leaves the machine.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStyle,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from evidence_desk.core.deadlines import expected_result
from evidence_desk.i18n import tr
from evidence_desk.library.service import Library
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.tasks import TaskRunner

CHECK_EVERY_MS = 5 * 60 * 1000
# Complaint-flow states in which the window still matters: nothing has been filed yet.
NOT_FILED = ("draft", "ready")

CLOSING = "closing"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    case_id: int
    order_no: str
    kind: str  # CLOSING or OVERDUE
    days_left: int | None = None
    expected_by: date | None = None


def find_reminders(lib: Library, today: date | None = None) -> list[Reminder]:
    """Open cases whose window closes within the platform's warning days (not yet filed), and
    submitted complaints whose latest expected result day has passed. Runs off the GUI thread."""
    today = today or date.today()
    closing_days = lib.rules.platform.window_closing_days
    out: list[Reminder] = []
    summaries = lib.case_summaries(lib.case_ids(archived=False), today)
    for s in summaries:
        ctype = lib.rules.types.get(s.type_key)
        if ctype is None or ctype.flow != "complaint":
            continue
        if s.state in NOT_FILED and s.days_left is not None and 0 <= s.days_left <= closing_days:
            out.append(Reminder(s.id, s.order_no, CLOSING, days_left=s.days_left))
        elif s.state == "submitted":
            case = lib.get_case(s.id)
            if case.submitted_on is None:
                continue
            _earliest, latest = expected_result(case.submitted_on, lib.rules.platform)
            if today > latest:
                out.append(Reminder(s.id, s.order_no, OVERDUE, expected_by=latest))
    out.sort(key=urgency)
    return out


def urgency(r: Reminder) -> tuple[int, int, int]:
    """Most urgent first: windows about to close, soonest first (they can still be saved),
    then overdue results, the longest overdue first."""
    if r.kind == CLOSING:
        return (0, r.days_left if r.days_left is not None else 0, r.case_id)
    return (1, r.expected_by.toordinal() if r.expected_by else 0, r.case_id)


def reminder_text(r: Reminder) -> str:
    if r.kind == CLOSING:
        return tr("{order}: {days} to complain", order=r.order_no,
                  days=labels.days_left_text(r.days_left))
    return tr("{order}: result overdue (expected by {date})", order=r.order_no,
              date=r.expected_by.isoformat() if r.expected_by else "—")


# The bar lists this many cases; a longer list is a count, the case list sorts the rest.
SHOWN = 4


class ReminderBar(QFrame):
    """A dismissible strip listing the cases that need attention; each one opens its case."""

    open_case = Signal(int)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderBar")
        self.setStyleSheet("#reminderBar { background: rgba(196,120,0,45); border-radius: 4px; }")
        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(objectName="reminderText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.text.linkActivated.connect(self._link)
        self.close_button = QToolButton(objectName="reminderDismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.close_button.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 4, 6)
        layout.setSpacing(8)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.reminders: list[Reminder] = []
        self.setVisible(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.close_button.setToolTip(tr("Dismiss until something changes"))
        self.show_reminders(self.reminders, visible=self.isVisibleTo(self.parentWidget())
                            if self.parentWidget() else False)

    def show_reminders(self, reminders: list[Reminder], *, visible: bool = True) -> None:
        """A short list, most urgent first, one case a line; the rest are counted."""
        self.reminders = sorted(reminders, key=urgency)
        shown = self.reminders[:SHOWN]
        lines = []
        last_kind = ""
        for r in shown:
            if r.kind != last_kind:
                heading = tr("Complaint window closing soon:") if r.kind == CLOSING else \
                    tr("Result overdue — consider calling customer service:")
                lines.append("<b>" + html.escape(heading) + "</b>")
                last_kind = r.kind
            lines.append("• " + self._link_html(r))
        more = len(self.reminders) - len(shown)
        if more > 0:
            lines.append(html.escape(tr("and {n} more", n=more)))
        self.text.setText("<br>".join(lines))
        self.setVisible(bool(reminders) and visible)

    @staticmethod
    def _link_html(r: Reminder) -> str:
        colour = labels.RED.name() if r.kind == CLOSING else labels.AMBER.name()
        return (f'<a href="case:{r.case_id}" style="color:{colour}">'
                f"{html.escape(reminder_text(r))}</a>")

    def _link(self, href: str) -> None:
        if href.startswith("case:"):
            self.open_case.emit(int(href[5:]))

    def _dismiss(self) -> None:
        self.setVisible(False)
        self.dismissed.emit()


class Reminders(QObject):
    """Runs the check on start, on a timer and on request; decides when to show the bar."""

    updated = Signal(object)  # list[Reminder]

    def __init__(self, library: Library, runner: TaskRunner, bar: ReminderBar,
                 parent: QObject | None = None, *, interval_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.bar = bar
        self.reminders: list[Reminder] = []
        self._dismissed: frozenset[tuple[int, str]] | None = None
        self._notified: frozenset[tuple[int, str]] = frozenset()
        self._running = False
        self._again = False
        self.tray: QSystemTrayIcon | None = None
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.check_now)
        bar.dismissed.connect(self._dismiss)

    def start(self) -> None:
        self.timer.start()
        self.check_now()

    def check_now(self) -> None:
        if self._running:
            # A change arrived while a check runs: look again when it ends.
            self._again = True
            return
        self._running = True
        lib = self.library

        def job(_p: Any, _c: Any) -> list[Reminder]:
            return find_reminders(lib)

        self.runner.run(job, group="reminders", on_done=self._done, on_error=self._error)

    def _error(self, _exc: Exception) -> None:
        self._finish()

    def _finish(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.check_now()

    def _done(self, reminders: list[Reminder]) -> None:
        self.reminders = reminders
        signature = frozenset((r.case_id, r.kind) for r in reminders)
        # A dismissed bar stays away until the set of cases that need attention changes.
        hidden = self._dismissed is not None and signature <= self._dismissed
        self.bar.show_reminders(reminders, visible=not hidden)
        if reminders and signature - self._notified:
            self._tray_message(reminders)
        self._notified = signature
        self.updated.emit(reminders)
        self._finish()

    def _dismiss(self) -> None:
        self._dismissed = frozenset((r.case_id, r.kind) for r in self.reminders)

    def _tray_message(self, reminders: list[Reminder]) -> None:
        # Offscreen and some desktops have no tray; the bar is shown either way.
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self.tray is None:
            window = self.bar.window()
            self.tray = QSystemTrayIcon(window.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning), self)
            self.tray.messageClicked.connect(lambda: (window.raise_(), window.activateWindow()))
            self.tray.show()
        self.tray.showMessage(tr("Evidence Desk"),
                              "\n".join(reminder_text(r) for r in reminders[:6]),
                              QSystemTrayIcon.MessageIcon.Warning, 10000)

    def stop(self) -> None:
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()
