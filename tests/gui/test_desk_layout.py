"""The desk at a laptop's size: the evidence gets the room, nothing jumps, nothing surprises."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.cases.case_list import COL_DAYS, COL_ORDER, COL_STATUS
from evidence_desk.ui.shell.main_window import MainWindow


def _png(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (40 + 20 * n, 120, 200 - 10 * n)).save(out, "PNG")
    return out.getvalue()


def _case_with_items(lib: Library, make_case, order_no: str, count: int, **values) -> int:  # noqa: ANN001
    cid = make_case(lib, order_no, **values)
    kinds = list(lib.rules.kinds)
    for n in range(count):
        lib.add_bytes(cid, _png(n), f"shot-{n}.png", kind=kinds[n % 3])
    return cid


def _open(qtbot: QtBot, window: MainWindow, cid: int) -> None:
    window.cases.reload(keep=cid)
    window.case_ui.open_case(cid)
    qtbot.waitUntil(lambda: not window.board.is_loading() and window.current_case() == cid)
    QApplication.processEvents()


def _settle(qtbot: QtBot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(20)


def _board_width(window: MainWindow) -> int:
    return window.board.scroll.viewport().width()


def _headers_clipped(window: MainWindow) -> list[str]:
    return [key for key, section in window.board.sections.items()
            if section.isVisible()
            and section.header.width() < section.header.minimumSizeHint().width()]


def test_the_board_is_the_largest_area_and_nothing_jumps(qtbot: QtBot, window: MainWindow,
                                                         make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = _case_with_items(lib, make_case, "2026110500123", 10)
    long = _case_with_items(lib, make_case, "LONG-1", 2,
                            title="A very long case title " * 8)
    window.resize(1280, 720)
    _settle(qtbot)
    _open(qtbot, window, cid)
    _settle(qtbot)
    assert (window.width(), window.height()) == (1280, 720)
    width = _board_width(window)
    content = window.board.scroll.widget().minimumSizeHint().width()
    assert width >= 0.45 * window.width(), (width, window.width())
    assert width >= content, (width, content)
    # The board is the widest column; the case list still shows order no., status, days.
    assert width > window.cases.width() and width > window.right_split.width()
    view = window.cases.view
    for col in (COL_ORDER, COL_STATUS, COL_DAYS):
        assert not view.isColumnHidden(col)
        rect = view.visualRect(window.cases.model.index(0, col))
        assert rect.right() <= view.viewport().width(), col
    assert not _headers_clipped(window)
    # The reason and demand get real room, not 40 px.
    assert window.editor.reason.width() >= 150 and window.editor.demand.width() >= 150

    sizes = window.main_split.sizes()
    case_sizes = window.case_split.sizes()
    first = window.board.items()[0]
    window.board.select_ids([first.id])
    _settle(qtbot)
    assert window.board.details.current_id() == first.id
    assert _board_width(window) == width
    assert window.main_split.sizes() == sizes
    assert window.case_split.sizes() == case_sizes
    _open(qtbot, window, long)
    _settle(qtbot)
    assert _board_width(window) == width
    assert window.main_split.sizes() == sizes
    assert window.header.title.toolTip().startswith("LONG-1")  # elided, the tooltip tells


def test_at_1024_by_700_nothing_is_cut_off(qtbot: QtBot, window: MainWindow,
                                          make_case) -> None:  # noqa: ANN001
    cid = _case_with_items(window.library, make_case, "2026110500123", 10)
    window.resize(1024, 700)
    _settle(qtbot)
    _open(qtbot, window, cid)
    _settle(qtbot)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700, hint
    assert (window.width(), window.height()) == (1024, 700)
    width = _board_width(window)
    assert width >= 0.40 * window.width(), width
    assert width >= window.board.scroll.widget().minimumSizeHint().width()
    assert not _headers_clipped(window)
    # The case form is never wider than the room it is given (no field cut at the right).
    assert window.editor.width() <= window.editor_scroll.viewport().width()
    assert window.editor.minimumSizeHint().width() <= window.editor_scroll.viewport().width()


@pytest.mark.parametrize("typed, expected", [("2026-11-25", date(2026, 11, 25)),
                                             ("20261125", date(2026, 11, 25)),
                                             ("2026/11/5", date(2026, 11, 5))])
def test_a_typed_date_is_saved(qtbot: QtBot, window: MainWindow, make_case, typed: str,
                               expected: date) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "D-1", type_key="logistics_misc") \
        if "logistics_misc" in lib.rules.types else make_case(lib, "D-1")
    lib.update_case(cid, completed_on=None)
    _open(qtbot, window, cid)
    name = next(n for n, f in window.editor.dates.items() if f.isVisible())
    field = window.editor.dates[name]
    assert field.value() is None and field.edit.text() == "Not set"
    field.edit.setFocus()
    _settle(qtbot)
    field.edit.lineEdit().selectAll()
    QTest.keyClicks(field.edit, typed)
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    _settle(qtbot)
    assert getattr(lib.get_case(cid), name) == expected
    assert field.edit.text() == expected.isoformat()


def test_the_calendar_opens_near_the_case_dates(window: MainWindow, qtbot: QtBot,
                                                make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "C-1")
    lib.update_case(cid, completed_on=date(2025, 3, 9))
    _open(qtbot, window, cid)
    for field in window.editor.dates.values():
        assert field.near == date(2025, 3, 9)


def test_nothing_is_selected_after_an_import(qtbot: QtBot, window: MainWindow, make_case,
                                             tmp_path: Path) -> None:  # noqa: ANN001
    cid = make_case(window.library, "I-1")
    _open(qtbot, window, cid)
    files = []
    for n in range(3):
        path = tmp_path / f"import-{n}.png"
        path.write_bytes(_png(n))
        files.append(path)
    with qtbot.waitSignal(window.board.import_finished, timeout=20000) as done:
        window.board.import_paths(files)
    assert len(done.args[0].added) == 3
    _settle(qtbot)
    assert len(window.board.items()) == 3
    assert window.board.selected_ids() == []
    assert window.board.details.current_id() is None


def test_a_trashed_case_is_read_only_with_a_banner(qtbot: QtBot, window: MainWindow,
                                                   make_case, monkeypatch) -> None:  # noqa: ANN001
    lib = window.library
    cid = _case_with_items(lib, make_case, "T-9", 2, title="Before")
    _open(qtbot, window, cid)
    assert not window.editor.is_read_only()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.actionTrash.trigger()
    assert lib.get_case(cid).deleted
    window.actionShowTrash.trigger()
    window.cases.select_case(cid)
    _settle(qtbot)
    assert window.current_case() == cid
    editor = window.editor
    assert editor.is_read_only()
    assert editor.title.isReadOnly() and editor.reason.isReadOnly()
    assert not editor.type_combo.isEnabled()
    assert not any(f.isEnabled() for f in editor.dates.values())
    assert window.case_ui.trash_banner.isVisible()
    assert not window.actionAddEvidence.isEnabled()
    assert not window.actionExportDossier.isEnabled()
    assert window.board.is_read_only() and not window.board.add_button.isEnabled()
    # Typing into the title is refused, the stored title stays.
    editor.title.setFocus()
    QTest.keyClicks(editor.title, "X")
    editor.title.editingFinished.emit()
    assert lib.get_case(cid).title == "Before"
    # The banner's button brings it back, editable again.
    qtbot.mouseClick(window.case_ui.trash_banner.restore_button, Qt.MouseButton.LeftButton)
    assert not lib.get_case(cid).deleted


def test_the_mark_editor_opens_with_its_one_key_tools_ready(qtbot: QtBot, library: Library,
                                                            make_case) -> None:  # noqa: ANN001
    from evidence_desk.ui.marks.editor import open_mark_editor

    cid = make_case(library, "M-1")
    item = library.add_bytes(cid, _png(1), "id.png", kind="identity_document").item_id
    editor = open_mark_editor(library, item, None)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.loaded, timeout=10_000)
    qtbot.waitExposed(editor)
    _settle(qtbot)
    assert QApplication.focusWidget() is not editor.note_edit
    QTest.keyClick(QApplication.focusWidget() or editor.view, Qt.Key.Key_R)
    assert editor.tool == "redact"
    assert editor.note_edit.text() == ""
    editor.close()


def test_cards_and_viewer_show_redaction(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    from evidence_desk.ui.evidence.delegate import redaction_badge

    lib = window.library
    cid = make_case(lib, "R-1")
    ident = lib.add_bytes(cid, _png(2), "passport.png", kind="identity_document").item_id
    chat = lib.add_bytes(cid, _png(3), "chat.png", kind="chat_record").item_id
    assert redaction_badge(lib.get_evidence(ident)) == "needed"
    assert redaction_badge(lib.get_evidence(chat)) == ""
    lib.update_evidence(ident, marks=[{"kind": "redact", "x": 10, "y": 10, "w": 200, "h": 100}])
    marked = lib.get_evidence(ident)
    assert redaction_badge(marked) == "redacted"

    _open(qtbot, window, cid)
    viewer = window.board.open_viewer(ident)  # deletes itself on close
    qtbot.waitUntil(lambda: not viewer.current_image().isNull(), timeout=10_000)
    image = viewer.current_image()
    # Burnt in: the box is black on screen; the toggle shows the original colour again.
    assert image.pixelColor(50, 50).name() == "#000000"
    assert viewer.original_toggle.isVisibleTo(viewer)
    viewer.original_toggle.setChecked(True)
    assert viewer.current_image().pixelColor(50, 50).name() != "#000000"
    viewer.close()


def test_team_settings_wait_behind_advanced(qtbot: QtBot, settings) -> None:  # noqa: ANN001
    from evidence_desk.ui.common.settings import TEAM_URL_KEY, SettingsDialog

    solo = SettingsDialog(settings)
    qtbot.addWidget(solo)
    solo.show()
    assert solo.language.isVisible()
    assert not solo.team_url.isVisible() and not solo.team_password.isVisible()
    solo.advanced_toggle.click()
    assert solo.team_url.isVisible() and solo.team_password.isVisible()
    solo.close()
    settings.setValue(TEAM_URL_KEY, "postgresql+psycopg://clerk@db.example/evidence")
    team = SettingsDialog(settings)
    qtbot.addWidget(team)
    team.show()
    assert team.team_url.isVisible()  # a team desk sees its own setting at once
    team.close()


def test_keyboard_space_arrows_tabs_and_help(qtbot: QtBot, window: MainWindow,
                                            make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = _case_with_items(lib, make_case, "K-1", 4)
    _open(qtbot, window, cid)
    board = window.board
    first = board.items()[0]
    section = board.sections[first.kind]
    board.select_ids([first.id])
    section.view.setFocus()
    _settle(qtbot)
    # Arrows run on past the end of one kind into the next kind's cards.
    order = [i.id for i in board.items()]
    for expected in order[1:3]:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
        assert board.selected_ids() == [expected]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left)
    assert board.selected_ids() == [order[1]]
    # Space previews the selected item.
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    viewer = board._viewer
    assert viewer is not None and viewer.current().id == order[1]
    viewer.close()
    # Ctrl+2 shows the statement, Ctrl+1 the evidence again.
    window.activateWindow()
    window.tab_actions[1].trigger()
    assert window.flow_ui.tabs.currentIndex() == 1
    assert window.tab_actions[0].shortcut().toString() == "Ctrl+1"
    window.tab_actions[0].trigger()
    assert window.flow_ui.tabs.currentIndex() == 0
    assert window.flow_ui.actionCopyStatement.shortcut().toString() == "Ctrl+Shift+C"
    # A key bound by two actions of one window fires neither (Qt calls it ambiguous).
    keys = [k.toString() for act in window.findChildren(QAction) for k in act.shortcuts()
            if k.toString()]
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    listed = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert {"Ctrl+1", "Ctrl+Shift+C", "Space", "F1"} <= listed
    dialog.close()


def test_the_statement_texts_get_room_at_1366_by_768(qtbot: QtBot, window: MainWindow,
                                                     make_case) -> None:  # noqa: ANN001
    from evidence_desk.ui.flow.controller import TAB_STATEMENT

    cid = _case_with_items(window.library, make_case, "2026110500123", 2,
                           demand="Refund USD 500.")
    window.resize(1366, 768)
    _settle(qtbot)
    _open(qtbot, window, cid)
    window.flow_ui.tabs.setCurrentIndex(TAB_STATEMENT)
    panel = window.flow_ui.statement
    qtbot.waitUntil(lambda: panel.case is not None and panel.case.id == cid)
    panel.english.setPlainText("On 5 March the buyer cancelled the order (Exhibit A-1). "
                               "We ask the platform to deduct the buyer's credit points.")
    qtbot.waitUntil(lambda: panel.flags_caption.text() != "", timeout=15000)
    _settle(qtbot)
    # A calm statement shows its wording check as one line, and the English text, the part
    # the seller pastes into the platform, keeps at least seven lines in view.
    qtbot.waitUntil(lambda: not panel.flag_codes())
    assert not panel.flag_list.isVisible()
    lines = panel.english.viewport().height() / panel.english.fontMetrics().lineSpacing()
    assert lines >= 7, lines
    # Flags, when there are some, take their own room below the texts.
    panel.english.setPlainText("PAY ME NOW!!!")
    qtbot.waitUntil(lambda: bool(panel.flag_codes()), timeout=15000)
    _settle(qtbot)
    assert panel.flag_list.isVisible()
