"""Undoable edits of a case, each one a call to the Library.

Commands never touch widgets: they go through `CaseEdits`, which remembers the version of each
case the window last saw (so an edit made elsewhere meanwhile is caught as StaleEdit instead of
being overwritten) and announces every new CaseInfo so the editor, list and checklist follow.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from evidence_desk.core.types import BuyerInfo, CaseInfo
from evidence_desk.i18n import tr
from evidence_desk.library.service import Library, LibraryError, StaleEdit


class CaseEdits(QObject):
    """The one path by which the window changes a case's fields."""

    case_changed = Signal(object)  # CaseInfo after a successful change
    buyer_changed = Signal(object)  # BuyerInfo after a successful save
    stale = Signal(int, str)  # case id, message: the case was reloaded
    failed = Signal(str)  # a refusal meant for the user

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._versions: dict[int, int] = {}

    def seen(self, case: CaseInfo) -> None:
        self._versions[case.id] = case.version

    def update(self, case_id: int, changes: dict[str, Any]) -> bool:
        try:
            case = self.library.update_case(case_id, expected_version=self._versions.get(case_id),
                                            **changes)
        except StaleEdit as exc:
            self._versions.pop(case_id, None)
            self.stale.emit(case_id, str(exc))
            return False
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return False
        self.seen(case)
        self.case_changed.emit(case)
        return True

    def save_buyer(self, buyer: BuyerInfo) -> BuyerInfo | None:
        try:
            saved = self.library.save_buyer(buyer)
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return None
        self.buyer_changed.emit(saved)
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
