"""What every feature of the desk is given instead of the window: the desk context.

A feature controller (cases, flow, integrity, export, team ...) is built from a `DeskContext`
alone: the open `Library`, the task runner, the settings, the per-case undo, the open case and
the one change event. It contributes widgets and actions; the shell lays them out. So a
controller can be built and tested without a main window, and no feature reaches into another
one's widgets through the window.

The change event: every operation that changes cases calls `announce(ids, aspects)`; every view
refreshes from `case_changed`, whoever made the change (this desk, an undo, another desk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QWidget

from evidence_desk.core.types import CaseInfo
from evidence_desk.i18n import localized
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.common.undo import CaseEdits, CaseUndo

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

# What changed about a case. Views pick the aspects they show; ALL is for "reload everything".
FIELDS = "fields"  # the case form: order number, title, reason, demand, dates, buyer choice
STATEMENT = "statement"  # the English and Chinese statement
STATE = "state"  # its place in the flow (draft, ready, submitted ...) and its attempts
EVIDENCE = "evidence"  # items added, removed, re-kinded, captioned, rotated, marked
BUYER = "buyer"  # a buyer's own details (several cases may show the same buyer)
LIST = "list"  # which cases exist or show: created, trashed, restored, archived, purged
AUDIT = "audit"  # only the audit log (a verify, an export): the timeline follows
ALL = frozenset({FIELDS, STATEMENT, STATE, EVIDENCE, BUYER, LIST, AUDIT})


class DeskContext(QObject):
    """The desk's shared parts and its one change event. Owned by the shell, one per library."""

    # ids: frozenset of case ids, or None for "any case" (a buyer, a refresh, another desk);
    # aspects: frozenset of the names above; origin: the object that made the change (a view
    # that already shows the change may skip it), or None.
    case_changed = Signal(object, object, object)
    current_changed = Signal(object)  # the open case id, or None
    open_requested = Signal(int)  # a feature asks that this case be shown (widening filters)
    status = Signal(str, int)  # a message for the status bar, and how long to show it (ms)

    def __init__(self, library: Library, settings: QSettings, runner: TaskRunner,
                 undo: CaseUndo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.runner = runner
        self.undo = undo
        # The widget dialogs are parented to; the shell sets its window here. None in tests.
        self.dialog_parent: QWidget | None = None
        self._current: int | None = None
        self._latest: dict[int, CaseInfo] = {}
        self._savers: list[Callable[[], object]] = []
        self._stoppers: list[Callable[[], object]] = []
        self.closed = False
        self.edits = CaseEdits(self)

    # ---- the open case -------------------------------------------------------------------
    @property
    def current_case(self) -> int | None:
        return self._current

    def set_current_case(self, case_id: int | None) -> None:
        """Called by the case list when the seller opens another case (or none)."""
        if case_id == self._current:
            return
        self._current = case_id
        self.undo.activate(case_id)
        self.current_changed.emit(case_id)

    def open_case(self, case_id: int) -> None:
        self.open_requested.emit(case_id)

    def case_info(self, case_id: int) -> CaseInfo:
        """The latest known fields of a case: the one the last change announced, else read."""
        info = self._latest.get(case_id)
        if info is None:
            info = self.library.get_case(case_id)
            self._latest[case_id] = info
        return info

    # ---- the change event ----------------------------------------------------------------
    def announce(self, ids: Iterable[int] | None, aspects: Iterable[str], *,
                 origin: object | None = None, info: CaseInfo | None = None) -> None:
        """Tell every view that cases changed. `info` is the case as stored after the change,
        when the caller has it (saves every view a read)."""
        if self.closed:
            return  # a late answer for a desk that is shutting: nothing may refresh now
        id_set = frozenset(ids) if ids is not None else None
        if info is not None:
            self._latest[info.id] = info
            self.edits.seen(info)
        elif id_set is None:
            self._latest.clear()
        else:
            for cid in id_set:
                self._latest.pop(cid, None)
        self.case_changed.emit(id_set, frozenset(aspects), origin)

    def show_status(self, text: str, ms: int = 0) -> None:
        self.status.emit(text, ms)

    def report_error(self, exc: Exception) -> None:
        self.status.emit(localized(exc), 10000)

    # ---- the ordered close ---------------------------------------------------------------
    def on_save_pending(self, saver: Callable[[], object]) -> None:
        """`saver` stores typing not yet saved; the shell calls every one before anything stops."""
        self._savers.append(saver)

    def on_stop(self, stopper: Callable[[], object]) -> None:
        """`stopper` ends a feature's background work (timers, listeners) before tasks stop."""
        self._stoppers.append(stopper)

    def save_pending(self) -> None:
        for saver in list(self._savers):
            saver()

    def stop(self) -> None:
        """Save pending edits, stop the features, then every task; the desk is then closed and
        no late answer may change a view or the library (a restore replaces it next)."""
        if self.closed:
            return
        self.save_pending()
        for stopper in list(self._stoppers):
            stopper()
        self.runner.shutdown()
        self.closed = True


def make_context(library: Library, settings: QSettings,
                 parent: QObject | None = None) -> DeskContext:
    """A context with its own task runner and per-case undo (the shell's, or a test's)."""
    return DeskContext(library, settings, TaskRunner(parent, explain=library.plain_failure),
                       CaseUndo(parent), parent)
