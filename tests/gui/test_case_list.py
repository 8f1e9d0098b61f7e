"""The case list model and its filter bar, on a real library."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.cases.case_list import (
    COL_BUYER,
    COL_DAYS,
    COL_ORDER,
    COL_READY,
    COL_TYPE,
    SCOPE_ARCHIVED,
    SCOPE_TRASH,
    CaseFilter,
    CaseListModel,
    CaseListPanel,
)
from evidence_desk.ui.common import labels


def _fill(lib: Library, make_case) -> dict[str, int]:  # noqa: ANN001
    return {
        "a": make_case(lib, "A-100", days_ago=14, buyer="Lucas Meyer"),  # 1 day left
        "b": make_case(lib, "B-200", "quality_dispute", days_ago=10, buyer="Ahmed"),  # 5 left
        "c": make_case(lib, "C-300", "transaction_fraud", days_ago=1, buyer="Global Buy"),
        "d": make_case(lib, "D-400", days_ago=30),  # closed
    }


def _column(model: CaseListModel, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_model_passes_modeltester(qtmodeltester, library: Library, make_case) -> None:  # noqa: ANN001
    _fill(library, make_case)
    model = CaseListModel(library)
    model.reload()
    qtmodeltester.check(model)
    model.sort(COL_DAYS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_filter(CaseFilter(scope=SCOPE_TRASH))
    qtmodeltester.check(model)


def test_columns_colours_and_sorting(library: Library, make_case) -> None:
    ids = _fill(library, make_case)
    model = CaseListModel(library)
    model.reload()
    assert model.rowCount() == 4
    row = model.row_of(ids["a"])
    assert model.index(row, COL_ORDER).data() == "A-100"
    assert model.index(row, COL_BUYER).data() == "Lucas Meyer"
    assert model.index(row, COL_TYPE).data() == "Fake transaction"
    assert model.index(row, COL_READY).data() == "0/2"
    assert model.index(row, COL_DAYS).data(Qt.ItemDataRole.ForegroundRole) == labels.RED
    b = model.row_of(ids["b"])
    assert model.index(b, COL_DAYS).data(Qt.ItemDataRole.ForegroundRole) == labels.AMBER
    c = model.row_of(ids["c"])
    assert model.index(c, COL_DAYS).data(Qt.ItemDataRole.ForegroundRole) is None
    d = model.row_of(ids["d"])
    assert model.index(d, COL_DAYS).data() == "Closed"

    # Urgency first: the cases still open to complaint, soonest first, then the closed one.
    model.sort(COL_DAYS, Qt.SortOrder.AscendingOrder)
    assert _column(model, COL_ORDER) == ["A-100", "B-200", "C-300", "D-400"]
    model.sort(COL_ORDER, Qt.SortOrder.DescendingOrder)
    assert _column(model, COL_ORDER) == ["D-400", "C-300", "B-200", "A-100"]
    # A reload (new filter) keeps the chosen order.
    model.reload()
    assert _column(model, COL_ORDER)[0] == "D-400"


def test_rows_are_fetched_lazily(library: Library, make_case) -> None:
    for n in range(25):
        library.create_case("fake_transaction", f"L-{n:04d}")
    model = CaseListModel(library)
    model.batch = 10
    model.reload()
    assert model.rowCount() == 25
    assert len(model._cache) == 0
    assert model.index(0, 0).data() == "L-0000"
    assert len(model._cache) == 10
    assert model.index(24, 0).data() == "L-0024"
    assert len(model._cache) == 11


def test_filter_bar_type_status_search_and_trash(qtbot: QtBot, library: Library, make_case) -> None:
    ids = _fill(library, make_case)
    library.update_case(ids["c"], archived=True)
    library.delete_case(ids["d"])
    panel = CaseListPanel(library)
    qtbot.addWidget(panel)
    panel.reload()
    model = panel.model
    assert sorted(_column(model, COL_ORDER)) == ["A-100", "B-200"]

    bar = panel.filters
    bar.type_combo.setCurrentIndex(bar.type_combo.findData("quality_dispute"))
    assert _column(model, COL_ORDER) == ["B-200"]
    bar.type_combo.setCurrentIndex(0)

    bar.status_combo.setCurrentIndex(bar.status_combo.findData(SCOPE_ARCHIVED))
    assert _column(model, COL_ORDER) == ["C-300"]
    bar.status_combo.setCurrentIndex(bar.status_combo.findData(SCOPE_TRASH))
    assert _column(model, COL_ORDER) == ["D-400"]
    bar.status_combo.setCurrentIndex(bar.status_combo.findData("state:submitted"))
    assert model.rowCount() == 0
    bar.status_combo.setCurrentIndex(bar.status_combo.findData("state:draft"))
    assert sorted(_column(model, COL_ORDER)) == ["A-100", "B-200"]

    # Typing is debounced: several keystrokes, one query, the result arrives without sleeping.
    with qtbot.waitSignal(bar.changed, timeout=2000):
        qtbot.keyClicks(bar.search, "lucas")
    assert _column(model, COL_ORDER) == ["A-100"]


def test_search_finds_captions(qtbot: QtBot, library: Library, tmp_path, make_case) -> None:  # noqa: ANN001
    from factories import chat_screenshot

    ids = _fill(library, make_case)
    shot = chat_screenshot(tmp_path / "c.png", ["hi"], 200, 300)
    library.add_paths(ids["b"], [shot], kind="chat_record", caption="refuses to pay")
    panel = CaseListPanel(library)
    qtbot.addWidget(panel)
    panel.reload()
    panel.filters.search.setText("REFUSES")
    panel.filters.search.returnPressed.emit()
    assert _column(panel.model, COL_ORDER) == ["B-200"]


def test_selection_follows_reload_and_refresh(qtbot: QtBot, library: Library, make_case) -> None:
    ids = _fill(library, make_case)
    panel = CaseListPanel(library)
    qtbot.addWidget(panel)
    panel.reload()
    with qtbot.waitSignal(panel.current_case_changed) as sig:
        panel.select_case(ids["b"])
    assert sig.args == [ids["b"]]
    library.update_case(ids["b"], order_no="B-201")
    panel.model.refresh_case(ids["b"])
    assert panel.model.index(panel.model.row_of(ids["b"]), COL_ORDER).data() == "B-201"
    panel.reload()
    assert panel.current_case() == ids["b"]
    assert panel.model.index(0, 0, QModelIndex()).isValid()
