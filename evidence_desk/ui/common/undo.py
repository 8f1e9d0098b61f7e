"""Undoable edits of a case, each one a call to the Library, and one undo stack per case.

Commands never touch widgets: they go through `CaseEdits`, which remembers the version of each
case the desk last saw (so an edit made elsewhere meanwhile is caught as StaleEdit instead of
being overwritten) and announces every change on the desk's one change event, so the editor,
list and checklist follow.

`CaseUndo` keeps a QUndoStack per case in a QUndoGroup whose active stack is the open case's:
Undo never changes a case the seller is not looking at. Changes to the list itself (trash,
restore, archive) go on the library's own stack, active while no case is open or right after
such a change.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from evidence_desk.core.types import BuyerInfo, CaseInfo
from evidence_desk.i18n import localized, tr
from evidence_desk.library.service import LibraryError, StaleEdit

if TYPE_CHECKING:
    from evidence_desk.ui.common.context import DeskContext

# Aspect names of the change event (ui.common.context), repeated to keep this module below it.
_LIST_FIELDS = {"archived", "deleted"}
_STATE_FIELDS = {"state", "submitted_on", "result", "result_on"}


def aspects_of(changes: dict[str, Any]) -> frozenset[str]:
    """Which aspects of a case an update of these fields changes."""
    out = set()
    for name in changes:
        if name.startswith("statement"):
            out.add("statement")
        elif name in _LIST_FIELDS:
            out.add("list")
        elif name in _STATE_FIELDS:
            out.add("state")
        else:
            out.add("fields")
    return frozenset(out)


class CaseUndo(QObject):
    """One undo stack per case, grouped; the open case's stack is the active one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.group = QUndoGroup(self)
        self._stacks: dict[int | None, QUndoStack] = {}
        self._current: int | None = None
        self.activate(None)

    def stack_for(self, case_id: int | None) -> QUndoStack:
        """The stack of `case_id`; None is the library's (the list's own changes)."""
        stack = self._stacks.get(case_id)
        if stack is None:
            stack = QUndoStack(self)
            self.group.addStack(stack)
            self._stacks[case_id] = stack
        return stack

    def activate(self, case_id: int | None) -> None:
        self._current = case_id
        self.group.setActiveStack(self.stack_for(case_id))

    def active(self) -> QUndoStack:
        stack = self.group.activeStack()
        return stack if stack is not None else self.stack_for(self._current)

    def push(self, command: QUndoCommand) -> None:
        """An edit of the open case (the evidence board's commands come this way)."""
        self.stack_for(self._current).push(command)
        self.activate(self._current)

    def push_for(self, case_id: int, command: QUndoCommand) -> None:
        """An edit of `case_id`, which may just have been left (typing saved on the way out)."""
        self.stack_for(case_id).push(command)
        if case_id == self._current:
            self.activate(case_id)

    def push_list(self, command: QUndoCommand) -> None:
        """A change to the list (trash, restore, archive): Undo next takes it back."""
        stack = self.stack_for(None)
        stack.push(command)
        self.group.setActiveStack(stack)

    def forget(self, case_id: int) -> None:
        """A purged case: its commands can no longer be undone, nor the list's."""
        for key in (case_id, None):
            stack = self._stacks.get(key)
            if stack is not None:
                stack.clear()

    def clear(self) -> None:
        for stack in self._stacks.values():
            stack.clear()


class CaseEdits(QObject):
    """The one path by which the desk changes a case's fields."""

    def __init__(self, ctx: DeskContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.library = ctx.library
        self._versions: dict[int, int] = {}

    def seen(self, case: CaseInfo) -> None:
        self._versions[case.id] = case.version

    def version_seen(self, case_id: int) -> int | None:
        """The version of the case the desk last showed (edits are checked against it)."""
        return self._versions.get(case_id)

    def update(self, case_id: int, changes: dict[str, Any]) -> bool:
        try:
            case = self.library.update_case(case_id, expected_version=self._versions.get(case_id),
                                            **changes)
        except StaleEdit as exc:
            # Changed elsewhere meanwhile: every view re-reads it, and the seller is told.
            self._versions.pop(case_id, None)
            self.ctx.announce({case_id}, ("fields", "statement", "state"))
            self.ctx.show_status(localized(exc), 10000)
            return False
        except LibraryError as exc:
            self.ctx.show_status(localized(exc), 8000)
            return False
        self.ctx.announce({case_id}, aspects_of(changes), info=case)
        return True

    def announce(self, case: CaseInfo, aspects: tuple[str, ...] = ("fields",)) -> None:
        """A case changed outside `update` (the statement, a move): every view follows."""
        self.ctx.announce({case.id}, aspects, info=case)

    def failed(self, message: str) -> None:
        self.ctx.show_status(message, 8000)

    def save_buyer(self, buyer: BuyerInfo) -> BuyerInfo | None:
        try:
            saved = self.library.save_buyer(buyer)
        except LibraryError as exc:
            self.ctx.show_status(localized(exc), 8000)
            return None
        self.ctx.announce(None, ("buyer",))
        return saved


def _field_id(case_id: int, name: str) -> int:
    # QUndoStack only merges commands with equal non-negative ids; one id per case and field.
    return zlib.crc32(f"{case_id}:{name}".encode()) & 0x3FFFFFFF


class SetCaseFieldsCommand(QUndoCommand):
    """Change one or more case fields; consecutive edits of the same text field merge."""

    def __init__(self, edits: CaseEdits, case_id: int, before: dict[str, Any],
                 after: dict[str, Any], text: str, *, merge_key: str | None = None) -> None:
        super().__init__(text)
        self.edits = edits
        self.case_id = case_id
        self.before = dict(before)
        self.after = dict(after)
        # Edits with the same merge key (one field, one stretch of typing) undo as one step.
        self._id = _field_id(case_id, merge_key) if merge_key else -1

    def id(self) -> int:
        return self._id

    def redo(self) -> None:
        if not self.edits.update(self.case_id, self.after):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.edits.update(self.case_id, self.before):
            self.setObsolete(True)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetCaseFieldsCommand) or other.id() != self.id():
            return False
        self.after = dict(other.after)
        if self.after == self.before:
            # Typed and then typed back: the pair changes nothing and leaves the stack.
            self.setObsolete(True)
        return True


class SaveBuyerCommand(QUndoCommand):
    """Change a buyer's details (credit level, country ...); undo puts the old ones back."""

    def __init__(self, edits: CaseEdits, before: BuyerInfo, after: BuyerInfo) -> None:
        super().__init__(tr("Edit buyer {name}", name=after.name))
        self.edits = edits
        self.before = before
        self.after = after

    def id(self) -> int:
        return _field_id(self.after.id or 0, "buyer")

    def redo(self) -> None:
        if self.edits.save_buyer(self.after) is None:
            self.setObsolete(True)

    def undo(self) -> None:
        if self.edits.save_buyer(self.before) is None:
            self.setObsolete(True)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SaveBuyerCommand) or other.after.id != self.after.id:
            return False
        self.after = other.after
        return True


class CaseListCommand(QUndoCommand):
    """Trash, restore or archive a case: one library call each way, then `after` refreshes."""

    def __init__(self, text: str, forward: Callable[[], object],
                 backward: Callable[[], object], after: Callable[[], object]) -> None:
        super().__init__(text)
        self._forward = forward
        self._backward = backward
        self._after = after

    def redo(self) -> None:
        self._forward()
        self._after()

    def undo(self) -> None:
        self._backward()
        self._after()
