"""Undoable evidence edits. Each command calls the Library by item id, so it still works after the
user has moved to another case; `after` tells the board to reload and announce the change."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from evidence_desk.i18n import localized, tr
from evidence_desk.library.service import LibraryError
from evidence_desk.logs import log_failure

log = logging.getLogger(__name__)

After = Callable[[int, bool], None]  # (case id, whether the kind counts may have changed)


class _EvidenceCommand(QUndoCommand):
    counts_change = True

    def __init__(self, library: Any, case_id: int, after: After, text: str) -> None:
        super().__init__(text)
        self.library = library
        self.case_id = case_id
        self.after = after
        self.refusal = ""

    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except LibraryError as exc:  # refused (e.g. changed on another desk): say so
            self.refusal = localized(exc)
            self.setObsolete(True)
        except Exception as exc:  # a failed step must not leave the undo stack half-applied
            log_failure(log, "evidence command failed", exc)
            self.setObsolete(True)
        self.after(self.case_id, self.counts_change)


class AddEvidenceCommand(_EvidenceCommand):
    """Records an import that already happened; undo takes the items out again (soft)."""

    def __init__(self, library: Any, case_id: int, item_ids: Sequence[int], after: After) -> None:
        n = len(item_ids)
        super().__init__(library, case_id, after,
                         tr("Add {count} evidence items", count=n) if n != 1
                         else tr("Add evidence"))
        self.item_ids = list(item_ids)
        self._first = True

    def redo(self) -> None:
        if self._first:  # the import itself did the work
            self._first = False
            return
        self._run(lambda: [self.library.restore_evidence(i) for i in self.item_ids])

    def undo(self) -> None:
        self._run(lambda: [self.library.remove_evidence(i) for i in self.item_ids])


class RemoveEvidenceCommand(_EvidenceCommand):
    def __init__(self, library: Any, case_id: int, item_ids: Sequence[int], after: After) -> None:
        n = len(item_ids)
        super().__init__(library, case_id, after,
                         tr("Remove {count} evidence items", count=n) if n != 1
                         else tr("Remove evidence"))
        self.item_ids = list(item_ids)

    def redo(self) -> None:
        self._run(lambda: [self.library.remove_evidence(i) for i in self.item_ids])

    def undo(self) -> None:
        self._run(lambda: [self.library.restore_evidence(i) for i in self.item_ids])


Step = tuple[int, str, int]  # item id, kind, index among the kind's other items


def plan_moves(current: dict[str, list[int]], final: dict[str, list[int]],
               moved: Sequence[int]) -> list[Step]:
    """The `Library.move_evidence` calls that turn the `current` kind lists into `final`.

    move_evidence(i, kind, index) takes i out and inserts it at `index` among the others of
    `kind`; placing each moved item right after its predecessor in the final order, in that
    order, gives exactly `final` (the items that stay keep their relative order anyway).
    """
    sim = {k: list(v) for k, v in current.items()}
    moving = set(moved)
    steps: list[Step] = []
    for kind, order in final.items():
        for pos, item in enumerate(order):
            if item not in moving:
                continue
            for lst in sim.values():
                if item in lst:
                    lst.remove(item)
            target = sim.setdefault(kind, [])
            index = target.index(order[pos - 1]) + 1 if pos > 0 else 0
            target.insert(index, item)
            steps.append((item, kind, index))
    return steps


class MoveEvidenceCommand(_EvidenceCommand):
    """Change items' kind and/or their place within a kind; undo replays the way back."""

    def __init__(self, library: Any, case_id: int, forward: list[Step], backward: list[Step],
                 counts_change: bool, after: After, text: str) -> None:
        super().__init__(library, case_id, after, text)
        self.forward = forward
        self.backward = backward
        self.counts_change = counts_change
        self.item_ids = [i for i, _, _ in forward]

    def _replay(self, steps: list[Step]) -> None:
        def run() -> None:
            for item, kind, index in steps:
                self.library.move_evidence(item, kind, index)
        self._run(run)

    def redo(self) -> None:
        self._replay(self.forward)

    def undo(self) -> None:
        self._replay(self.backward)


class EditEvidenceCommand(_EvidenceCommand):
    """Caption, capture time or source of one item."""

    counts_change = False

    def __init__(self, library: Any, case_id: int, item_id: int, field: str, old: Any,
                 new: Any, after: After) -> None:
        names = {"caption": tr("Edit caption"), "captured_at": tr("Edit capture time"),
                 "source": tr("Edit source")}
        super().__init__(library, case_id, after, names.get(field, tr("Edit evidence")))
        self.item_id = item_id
        self.field = field
        self.old = old
        self.new = new

    def _set(self, value: Any, seen: Any) -> None:
        # `seen` is what this desk showed; another desk's change in between is refused.
        self._run(lambda: self.library.update_evidence(
            self.item_id, expected={self.field: seen}, **{self.field: value}))

    def redo(self) -> None:
        self._set(self.new, self.old)

    def undo(self) -> None:
        self._set(self.old, self.new)


class SetCaptureTimesCommand(_EvidenceCommand):
    """One capture time for several items; undo gives each back its own time and origin."""

    counts_change = False

    def __init__(self, library: Any, case_id: int, items: Sequence[Any], when: Any,
                 after: After) -> None:
        super().__init__(library, case_id, after,
                         tr("Set the capture time of {count} items", count=len(items))
                         if len(items) != 1 else tr("Edit capture time"))
        self.when = when
        self.before = [(i.id, i.captured_at, i.captured_from, i.captured_offset) for i in items]

    def redo(self) -> None:
        self._run(lambda: self.library.set_capture_times([b[0] for b in self.before],
                                                         self.when))

    def undo(self) -> None:
        self._run(lambda: [self.library.update_evidence(
            item_id, captured_at=at, captured_from=origin, captured_offset=offset)
            for item_id, at, origin, offset in self.before])


class RotateEvidenceCommand(_EvidenceCommand):
    """Turn how items are shown by a quarter turn (data only); undo turns them back."""

    counts_change = False

    def __init__(self, library: Any, case_id: int, item_ids: Sequence[int], degrees: int,
                 after: After) -> None:
        super().__init__(library, case_id, after,
                         tr("Rotate right") if degrees > 0 else tr("Rotate left"))
        self.item_ids = list(item_ids)
        self.degrees = degrees

    def redo(self) -> None:
        self._run(lambda: [self.library.rotate_evidence(i, self.degrees) for i in self.item_ids])

    def undo(self) -> None:
        self._run(lambda: [self.library.rotate_evidence(i, -self.degrees)
                           for i in self.item_ids])
