"""A change made elsewhere (recognised text, another desk, Refresh) reaches the board through a
read on the task runner, never on the GUI thread; changes that come while a read runs share one
more read after it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from factories import photo

from evidence_desk.ui.common.context import EVIDENCE


class CountingLibrary:
    """The real library, counting the board's reads of a case's items and where they ran."""

    def __init__(self, library: Any) -> None:
        self._library = library
        self.reads: list[bool] = []  # True: read on the GUI thread
        self.gui = threading.main_thread()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._library, name)

    def list_evidence(self, case_id: int, **kw: Any) -> Any:
        self.reads.append(threading.current_thread() is self.gui)
        return self._library.list_evidence(case_id, **kw)


def test_the_board_reads_an_outside_change_off_the_gui_thread(qtbot, window, library,
                                                              make_case, tmp_path: Path):
    board = window.board
    cid = make_case(library, "OUT-1")
    window.ctx.set_current_case(cid)
    qtbot.waitUntil(lambda: board.case_id() == cid and not board.is_loading(), timeout=10000)
    assert board.items() == []
    counting = CountingLibrary(library)
    board.library = counting
    # Another desk adds two pictures and says so, twice in a row.
    library.add_paths(cid, [photo(tmp_path / "a.jpg")])
    window.ctx.announce({cid}, (EVIDENCE,))
    assert board.items() == [] and board.is_loading()  # not read while announcing
    library.add_paths(cid, [photo(tmp_path / "b.jpg", color=(0, 0, 200))])
    window.ctx.announce({cid}, (EVIDENCE,))
    qtbot.waitUntil(lambda: len(board.items()) == 2 and not board.is_loading(), timeout=10000)
    # One read for the first news, one more for what came while it ran; none on the GUI thread.
    assert counting.reads == [False, False]
