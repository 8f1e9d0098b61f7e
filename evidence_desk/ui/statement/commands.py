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
from evidence_desk.i18n import localized
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


class StatementStep(QUndoCommand):
    """An undo step that stores one statement state (`_store`) and announces it. Pushed after
    the change was stored off the GUI thread (`already`), its first redo only announces."""

    def __init__(self, library: Library, edits: CaseEdits, case_id: int, before: Any,
                 after: Any, text: str, *, already: CaseInfo | None = None) -> None:
        super().__init__(text)
        self.library = library
        self.edits = edits
        self.case_id = case_id
        self.before = before
        self.after = after
        self._already = already

    def _store(self, state: Any) -> CaseInfo:
        raise NotImplementedError

    def _apply(self, state: Any) -> None:
        try:
            case = self._store(state)
        except LibraryError as exc:
            self.edits.failed(localized(exc))
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


class PhraseCommand(StatementStep):
    """Add, remove, move or fill a chosen phrase (one step each)."""

    def _store(self, state: PhraseState) -> CaseInfo:
        self.library.set_statement_phrases(self.case_id, list(state.phrases))
        return self.library.set_statement(self.case_id, state.en, state.zh,
                                          composed=state.composed)
