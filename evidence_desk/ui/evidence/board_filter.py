"""The board's filter box: show only the cards whose caption, file name or recognised text
(what OCR read in the picture, Chinese or English) holds the typed text.

Matching uses Library.search (the same normalised match as the case list and `evidence-desk
search`), run on the task runner; the answer hides the other cards of the open case. The
matched lines (with their boxes) are kept so the viewer can highlight them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from evidence_desk.i18n import tr

# Typing pauses this long before the search runs.
DEBOUNCE_MS = 180


class BoardFilter(QLineEdit):
    """A search box over one board. `applied` fires after the cards were filtered."""

    applied = Signal()

    def __init__(self, board: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardFilter")
        self.setClearButtonEnabled(True)
        self.board = board
        # item id -> matched recognised lines (dicts with "text" and "box"); None: no filter.
        self.matches: dict[int, tuple[dict[str, Any], ...]] | None = None
        self._generation = 0
        self._said = False  # the board shows how many cards matched
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run)
        self.textChanged.connect(lambda _t: self._timer.start())
        self.setMinimumWidth(160)
        self.retranslate()

    def retranslate(self) -> None:
        self.setPlaceholderText(tr("Filter: text in the pictures, captions, names"))
        self.setToolTip(tr("Shows only the items whose caption, file name or recognised text "
                           "holds these words"))

    def query(self) -> str:
        return self.text().strip()

    def run(self) -> None:
        """Search the open case for the text (off the GUI thread); an empty box shows all."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        case_id = self.board.case_id()
        text = self.query()
        if not text or case_id is None:
            self.matches = None
            self.apply()
            return
        lib = self.board.library

        def job(_p: Any, _c: Any) -> dict[int, tuple[dict[str, Any], ...]]:
            hits = lib.search(text).items
            return {h.item_id: h.lines for h in hits if h.case_id == case_id}

        def done(found: dict[int, tuple[dict[str, Any], ...]]) -> None:
            if generation == self._generation and case_id == self.board.case_id():
                self.matches = found
                self.apply()

        self.board.runner.cancel_group("board-filter")
        self.board.runner.run(job, group="board-filter", context=self, on_done=done,
                              on_error=lambda exc: self.board.show_message(str(exc)))

    def lines_for(self, item_id: int) -> tuple[dict[str, Any], ...]:
        return self.matches.get(item_id, ()) if self.matches else ()

    def visible_ids(self) -> list[int]:
        return [i.id for i in self.board.items() if self.matches is None or i.id in self.matches]

    def apply(self) -> None:
        """Hide the cards that do not match (all show while the box is empty)."""
        shown = 0
        for section in self.board.sections.values():
            view, model = section.view, section.model
            visible = 0
            for row, item_id in enumerate(model.ids()):
                hide = self.matches is not None and item_id not in self.matches
                view.setRowHidden(row, hide)
                visible += not hide
            shown += visible
            if self.matches is not None:
                section.setVisible(visible > 0)
            else:
                section.setVisible(True)
            view.fit_height()
        if self.matches is None:
            if self._said:
                self._said = False
                self.board.show_message("")  # the count of the last filter no longer holds
        else:
            self._said = True
            self.board.show_message(
                tr("1 item matches “{text}”.", text=self.query()) if shown == 1
                else tr("{count} items match “{text}”.", count=shown, text=self.query()))
        self.applied.emit()
