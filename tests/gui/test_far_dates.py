"""A library an older version let hold 9999-12-31 opens in the window, lists, shows the case,
and lets the seller put the date right; the date fields cannot make such a date again."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from evidence_desk.app import build_main_window
from evidence_desk.core.limits import DATE_MAX
from evidence_desk.library.service import Library


@pytest.mark.sqlite_only
def test_a_far_future_date_opens_lists_and_can_be_fixed(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    with Library.open(folder) as lib:
        first = lib.create_case("quality_dispute", "FAR-1").id
        second = lib.create_case("logistics_service_dispute", "FAR-2").id
    con = sqlite3.connect(folder / "library.sqlite3")
    con.execute("UPDATE cases SET completed_on = '9999-12-31', submitted_on = '9999-12-31', "
                f"state = 'submitted' WHERE id = {first}")
    con.execute(f"UPDATE cases SET accepted_on = '9999-12-31' WHERE id = {second}")
    con.commit()
    con.close()

    lib = Library.open(folder)
    window = build_main_window(library=lib)
    qtbot.addWidget(window)
    try:
        model = window.cases.model
        assert model.rowCount() == 2
        assert {model.index(r, 0).data() for r in range(model.rowCount())} == {"FAR-1", "FAR-2"}
        for cid in (first, second):
            window.cases.select_case(cid)
            qtbot.waitUntil(lambda c=cid: window.current_case() == c)
        window.cases.select_case(first)
        qtbot.waitUntil(lambda: window.current_case() == first)
        field = window.editor.dates["completed_on"]
        # The field cannot show (or commit) a date past the limit.
        assert field.edit.maximumDate().toPython() == DATE_MAX
        field.set_value(date(2026, 1, 5))
        field.committed.emit()
        qtbot.waitUntil(lambda: lib.get_case(first).completed_on == date(2026, 1, 5))
        assert "FAR-1" in window.header.title.text()
    finally:
        window.close()
        lib.close()
