"""A feature controller is built from a desk context alone: no main window anywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.cases.controller import CasesController
from evidence_desk.ui.checks.controller import ChecksController
from evidence_desk.ui.common.context import FIELDS, LIST, DeskContext, make_context


@pytest.fixture
def ctx(library: Library, settings: QSettings) -> Iterator[DeskContext]:
    owner = QObject()
    context = make_context(library, settings, owner)
    yield context
    context.stop()
    owner.deleteLater()


def test_the_cases_controller_opens_edits_and_undoes_without_a_window(
        qtbot: QtBot, ctx: DeskContext, make_case: Callable[..., int]) -> None:
    lib = ctx.library
    a = make_case(lib, "ALONE-A", title="First")
    b = make_case(lib, "ALONE-B")
    cases = CasesController(ctx)
    checks = ChecksController(ctx)
    qtbot.addWidget(cases.panel)
    qtbot.addWidget(cases.editor_scroll)
    events: list[tuple[frozenset[int] | None, frozenset[str]]] = []
    ctx.case_changed.connect(lambda ids, aspects, _o: events.append((ids, aspects)))

    cases.panel.reload()
    assert sorted(cases.panel.model.ids()) == sorted([a, b])
    cases.open_case(a)
    assert ctx.current_case == a and cases.editor.case is not None
    with qtbot.waitSignal(checks.checks_updated, timeout=15000):
        checks.refresh()

    cases.editor.title.selectAll()
    qtbot.keyClicks(cases.editor.title, "Second")
    cases.editor.flush()  # what leaving the case or closing does with typing still pending
    assert lib.get_case(a).title == "Second"
    assert (frozenset({a}), frozenset({FIELDS})) in events
    # The list row follows from the change event alone.
    row = cases.panel.model.row_of(a)
    assert row is not None and cases.panel.model.summary(row).title == "Second"

    ctx.undo.group.undo()
    assert lib.get_case(a).title == "First"
    assert cases.editor.title.text() == "First"

    # Whole-case commands are the controller's too: archive, and its undo.
    cases.open_case(b)
    cases.toggle_archive()
    assert lib.get_case(b).archived
    assert any(LIST in aspects for _ids, aspects in events)
    ctx.undo.group.undo()
    assert not lib.get_case(b).archived
    assert not any(isinstance(w, QMainWindow) for w in QApplication.topLevelWidgets()
                   if w.isVisible())
