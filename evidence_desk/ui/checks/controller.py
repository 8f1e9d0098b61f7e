"""The open case's checklist and timeline, recomputed off the GUI thread after every change."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from evidence_desk.core.checklist import Checklist
from evidence_desk.ui.checks.checklist_view import ChecklistView
from evidence_desk.ui.checks.dismiss import dismiss, usable, use_suggestion
from evidence_desk.ui.checks.timeline_view import TimelineView
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.context import AUDIT, EVIDENCE, FIELDS, STATE, DeskContext

# A checklist depends on the case's fields (type, dates), its evidence and its state; the
# timeline also on its audit log. A statement or a buyer's details change neither.
_FOLLOWS = frozenset({FIELDS, EVIDENCE, STATE, AUDIT})


class ChecksController(QObject):
    """Owns the checklist and timeline views; stale answers for a case left meanwhile drop."""

    checks_updated = Signal(object)  # Checklist of the open case, after each refresh

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.checklist = ChecklistView(ctx.library.rules)
        self.timeline = TimelineView()
        self._generation = 0
        self.checklist.dismiss_requested.connect(self.dismiss)
        self.checklist.suggestion_chosen.connect(self.use_suggestion)
        ctx.current_changed.connect(self._opened)
        ctx.case_changed.connect(self._changed)

    def retranslate(self) -> None:
        self.checklist.retranslate()
        self.timeline.retranslate()

    def _opened(self, case_id: int | None) -> None:
        self.checklist.show_checklist(None)
        self.timeline.set_events([])
        if case_id is not None:
            self.refresh()

    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 origin: object) -> None:
        cid = self.ctx.current_case
        if origin is self:
            return  # its own news that the library moved the case: already shown
        if cid is not None and (ids is None or cid in ids) and aspects & _FOLLOWS:
            if STATE in aspects:
                self._show_state(self.ctx.case_info(cid))
            self.refresh()

    def _show_state(self, case: Any, draw: bool = True) -> None:
        text = labels.state_label(self.ctx.library.rules, case.type_key, case.state)
        if draw:
            self.checklist.set_case_state(case.state, text)
        else:
            self.checklist.case_state, self.checklist.state_text = case.state, text

    def refresh(self) -> None:
        """Recompute checklist and timeline off the GUI thread."""
        cid = self.ctx.current_case
        if cid is None:
            return
        self._generation += 1
        generation = self._generation
        lib = self.ctx.library

        def job(_progress: Any, _cancelled: Any) -> tuple[Checklist, list[Any], Any, list[Any]]:
            # One read of the items for all three: they are read while the case is being
            # drawn, and every extra pass over hundreds of rows holds the GIL against it.
            found = lib.case_checks(cid)
            offered = usable(found.suggestions, found.case.buyer is not None)
            return found.checklist, found.timeline, found.case, offered

        runner = self.ctx.runner
        runner.cancel_group("checks")
        runner.run(job, group="checks", context=self,
                   on_done=lambda result: self._done(cid, generation, result),
                   on_error=self.ctx.report_error)

    def _done(self, case_id: int, generation: int,
              result: tuple[Checklist, list[Any], Any, list[Any]]) -> None:
        if generation != self._generation or case_id != self.ctx.current_case:
            return
        checklist, events, case, offered = result
        seen = self.ctx.edits.version_seen(case.id)
        if seen is not None and seen != case.version:
            # The library moved the case itself (draft <-> ready as evidence came and went):
            # every view, and the version the next edit is checked against, must follow.
            self.ctx.announce({case.id}, (STATE,), info=case, origin=self)
        self._show_state(case, draw=False)
        self.checklist.show_checklist(checklist, offered)
        self.timeline.set_events(events)
        self.checks_updated.emit(checklist)

    # ---- what the seller does about a warning or a suggestion ---------------------------
    def dismiss(self, warning: Any) -> None:
        """A warning's button: dismissed as one undo step (the checklist follows the event)."""
        cid = self.ctx.current_case
        if cid is None:
            return
        refusal = dismiss(self.ctx, cid, warning)
        if refusal:
            self.ctx.show_status(refusal, 8000)

    def use_suggestion(self, suggestion: Any) -> None:
        cid = self.ctx.current_case
        if cid is not None and use_suggestion(self.ctx, cid, suggestion):
            self.refresh()  # a buyer's member id is not a case field the event names
