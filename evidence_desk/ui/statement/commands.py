"""Undo steps for the statement's chosen phrases.

A phrase change is made off the GUI thread (it recomposes the statement); the step is pushed
already done, so its first redo only announces it. Undo puts back the chosen phrases and the
statement texts as they were before, in one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from evidence_desk.core.types import CaseInfo
from evidence_desk.library.service import Library, LibraryError
from evidence_desk.ui.common.undo import CaseEdits


@dataclass(frozen=True)
class PhraseState:
    """The chosen phrases (as stored) and the statement texts they made."""

    phrases: tuple[dict[str, Any], ...]
    en: str
    zh: str
    composed: bool

    @classmethod
    def of(cls, case: CaseInfo) -> PhraseState:
        return cls(tuple(dict(p) for p in case.statement_phrases or ()), case.statement_en,
                   case.statement_zh, not case.statement_edited)


class PhraseCommand(QUndoCommand):
    """Add, remove, move or fill a chosen phrase (one step each)."""

    def __init__(self, library: Library, edits: CaseEdits, case_id: int, before: PhraseState,
                 after: PhraseState, text: str, *, already: CaseInfo | None = None) -> None:
        super().__init__(text)
        self.library = library
        self.edits = edits
        self.case_id = case_id
        self.before = before
        self.after = after
        self._already = already

    def _apply(self, state: PhraseState) -> None:
        try:
            self.library.set_statement_phrases(self.case_id, list(state.phrases))
            case = self.library.set_statement(self.case_id, state.en, state.zh,
                                              composed=state.composed)
        except LibraryError as exc:
            self.edits.failed(str(exc))
            self.setObsolete(True)
            return
        self.edits.announce(case, ("statement",))

    def redo(self) -> None:
        if self._already is not None:
            case, self._already = self._already, None
            self.edits.announce(case, ("statement",))
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)
