"""The timeline's item model: every event in order, the deadline marked, and a sound model."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import factories
from PySide6.QtCore import Qt

from evidence_desk.library.service import Library
from evidence_desk.ui.checks.timeline_view import TimelineModel


def test_timeline_model_passes_the_model_tester_and_orders_events(
        qtmodeltester, library: Library, tmp_path: Path) -> None:  # noqa: ANN001
    completed = date.today() - timedelta(days=4)
    case = library.create_case("fake_transaction", "T-1", completed_on=completed)
    library.add_paths(case.id, [factories.photo(tmp_path / "p.jpg")], kind="order_screenshot")
    model = TimelineModel()
    qtmodeltester.check(model)
    model.set_events(library.timeline(case.id))
    qtmodeltester.check(model)
    texts = [model.index(r, 1).data() for r in range(model.rowCount())]
    dates = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert len(texts) >= 3 and dates == sorted(dates)
    assert any("Transaction completed" in t for t in texts)
    deadline = (completed + timedelta(days=15)).isoformat()
    row = next(r for r, d in enumerate(dates) if d.startswith(deadline))
    assert model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole) is not None
    model.set_events([])
    qtmodeltester.check(model)
    assert model.rowCount() == 0
