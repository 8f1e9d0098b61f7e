"""The real main window on a real library: first start, new case, checklist, trash, language."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from factories import chat_screenshot, order_screenshot
from PySide6.QtCore import QDate, QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.shell.main_window import PAGE_CASE, PAGE_EMPTY, PAGE_NO_CASE, MainWindow

OBJECT_NAMES = ("caseList", "caseEditor", "evidenceView", "checklistView", "timelineView")
ACTION_NAMES = ("actionNewCase", "actionAddEvidence", "actionPasteEvidence",
                "actionExportDossier", "actionExportPack")


def _answer_next_box(button: QMessageBox.StandardButton) -> None:
    """Press `button` on the message box that is about to open (it runs its own loop)."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(10, press)
    QTimer.singleShot(0, press)


def test_contract_names_exist(window: MainWindow) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget

    for name in OBJECT_NAMES:
        assert window.findChild(QWidget, name) is not None, name
    for name in ACTION_NAMES:
        assert window.findChild(QAction, name) is not None, name
    assert window.library.folder.name in window.windowTitle()


def test_first_start_shows_empty_state_and_demo_fills(qtbot: QtBot, window: MainWindow) -> None:
    assert window.middle.currentIndex() == PAGE_EMPTY
    assert window.empty.isVisible()
    with qtbot.waitSignal(window.demo_filled, timeout=30000):
        qtbot.mouseClick(window.empty.demo_button, Qt.MouseButton.LeftButton)
    assert window.cases.model.rowCount() == 4
    assert window.middle.currentIndex() == PAGE_CASE
    assert window.current_case() is not None
    qtbot.waitUntil(lambda: window.checklist.checklist is not None)


def test_new_case_then_edit_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    window.findChild(type(window.actionNewCase), "actionNewCase").trigger()
    cid = window.current_case()
    assert cid is not None
    assert window.middle.currentIndex() == PAGE_CASE
    editor = window.editor
    assert editor.order_no.hasFocus()
    editor.order_no.selectAll()
    qtbot.keyClicks(editor.order_no, "2026110500123")
    qtbot.keyClick(editor.order_no, Qt.Key.Key_Tab)
    assert window.library.get_case(cid).order_no == "2026110500123"
    row = window.cases.model.row_of(cid)
    assert window.cases.model.index(row, 0).data() == "2026110500123"
    assert "2026110500123" in window.header.title.text()

    window.actionUndo.trigger()
    assert window.library.get_case(cid).order_no == "NEW-1"
    assert editor.order_no.text() == "NEW-1"
    window.actionRedo.trigger()
    assert editor.order_no.text() == "2026110500123"


def _add(lib: Library, cid: int, tmp: Path, kind: str) -> None:
    if kind == "order_screenshot":
        path = order_screenshot(tmp / "order.png", "123", 320, 200)
    else:
        path = chat_screenshot(tmp / "chat.png", ["pay first"], 200, 300)
    results = lib.add_paths(cid, [path], kind=kind)
    assert results[0].status == "added"


def test_checklist_turns_ready_when_evidence_arrives(qtbot: QtBot, window: MainWindow,
                                                     tmp_path: Path, make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "A-1", demand="Restrict the buyer.")
    window.cases.reload()
    with qtbot.waitSignal(window.checks_updated) as sig:
        window.cases.select_case(cid)
    assert not sig.args[0].ready
    assert not window.checklist.ready
    assert [r.missing for r in window.checklist.rows] == [True, True]

    _add(lib, cid, tmp_path, "order_screenshot")
    _add(lib, cid, tmp_path, "chat_record")
    changed = getattr(window.board, "evidence_changed", None)
    with qtbot.waitSignal(window.checks_updated):
        changed.emit() if changed is not None else window.evidence_changed()
    qtbot.waitUntil(lambda: window.checklist.ready)
    assert "Ready" in window.checklist.ready_label.text()
    row = window.cases.model.row_of(cid)
    assert window.cases.model.index(row, 4).data() == "2/2"
    kinds = [window.timeline.timeline_model.event_at(r).kind
             for r in range(window.timeline.timeline_model.rowCount())]
    assert "completed" in kinds and "deadline" in kinds


def test_missing_requirement_click_asks_for_that_kind(qtbot: QtBot, window: MainWindow,
                                                      make_case) -> None:  # noqa: ANN001
    cid = make_case(window.library, "A-2")
    window.cases.reload()
    with qtbot.waitSignal(window.checks_updated):
        window.cases.select_case(cid)
    row = window.checklist.rows[1]
    with qtbot.waitSignal(window.checklist.add_requested) as sig:
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(10, 5))
    assert sig.args == ["chat_record"]


def test_trash_restore_and_purge(qtbot: QtBot, window: MainWindow, make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "T-1")
    window.cases.reload(keep=cid)
    _answer_next_box(QMessageBox.StandardButton.Yes)
    window.actionTrash.trigger()
    assert lib.get_case(cid).deleted
    assert window.cases.model.rowCount() == 0
    assert window.middle.currentIndex() == PAGE_NO_CASE
    window.actionUndo.trigger()
    assert not lib.get_case(cid).deleted
    window.actionRedo.trigger()

    window.actionShowTrash.trigger()
    assert window.cases.model.ids() == [cid]
    window.cases.select_case(cid)
    assert window.actionRestore.isEnabled() and not window.actionTrash.isEnabled()
    window.actionRestore.trigger()
    assert not lib.get_case(cid).deleted

    lib.delete_case(cid)
    window.cases.reload(keep=cid)
    _answer_next_box(QMessageBox.StandardButton.Yes)
    window.actionPurge.trigger()
    assert lib.case_ids(archived=None, deleted=True) == []
    assert not window.undo_stack.canUndo()


def test_archive_and_duplicate(window: MainWindow, make_case) -> None:  # noqa: ANN001
    lib = window.library
    cid = make_case(lib, "R-1", buyer="Lucas")
    window.cases.reload(keep=cid)
    window.actionDuplicate.trigger()
    assert window.cases.model.rowCount() == 2
    copy = window.current_case()
    assert copy != cid and lib.get_case(copy).order_no == "R-1"
    window.actionArchive.trigger()
    assert lib.get_case(copy).archived
    assert window.cases.model.ids() == [cid]
    window.actionUndo.trigger()
    assert not lib.get_case(copy).archived


def test_geometry_and_splitters_are_remembered(qtbot: QtBot, library: Library,
                                               settings: QSettings) -> None:
    first = MainWindow(library, settings)
    qtbot.addWidget(first)
    first.show()
    # Smaller than the offscreen screen, so restoring the geometry does not clamp it.
    first.resize(760, 560)
    first.main_split.setSizes([250, 300, 190])
    sizes = first.main_split.sizes()
    first.close()
    second = MainWindow(library, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.main_split.sizes() == sizes
    second.close()


def test_language_switches_live(window: MainWindow) -> None:
    window.set_language("zh")
    assert window.menu_file.title() == "文件(&F)"
    assert window.checklist_panel.caption.text() == "证据清单"
    assert window.cases.model.headerData(0, Qt.Orientation.Horizontal) == "订单号"
    window.set_language("en")
    assert window.menu_file.title() == "&File"


def test_quit_has_a_shortcut_everywhere(window: MainWindow) -> None:
    # Offscreen, like Windows, has no standard Quit key; Ctrl+Q stands in for it there.
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    assert window.actionQuit.shortcuts() == (standard or [QKeySequence("Ctrl+Q")])


def _drop_files(target: QWidget, *paths: Path) -> QDropEvent:
    """Drag-enter, drag-move and drop of files from a file manager, delivered to `target`."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    # Qt's drag-enter and drag-move events take a QPoint, the drop a QPointF.
    pos = QPoint(40, 40)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    args = (mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for event in (QDragEnterEvent(pos, actions, *args), QDragMoveEvent(pos, actions, *args)):
        QApplication.sendEvent(target, event)
        assert event.isAccepted()
    drop = QDropEvent(QPointF(pos), actions, *args)
    QApplication.sendEvent(target, drop)
    return drop


def test_a_case_from_nothing_to_ready_in_the_real_window(qtbot: QtBot, window: MainWindow,
                                                         tmp_path: Path) -> None:
    lib = window.library
    board = window.findChild(QWidget, "evidenceView")
    assert board is window.board
    # A new case, made a fake-transaction complaint through the editor's own widgets.
    with qtbot.waitSignal(window.checks_updated) as first:
        window.actionNewCase.trigger()
    cid = window.current_case()
    assert cid is not None and not first.args[0].ready
    editor = window.editor
    combo = editor.type_combo
    combo.setCurrentIndex(combo.findData("fake_transaction"))
    combo.activated.emit(combo.currentIndex())
    completed = date.today() - timedelta(days=3)
    editor.dates["completed_on"].edit.setDate(QDate(completed.year, completed.month,
                                                    completed.day))
    case = lib.get_case(cid)
    assert (case.type_key, case.completed_on) == ("fake_transaction", completed)
    qtbot.waitUntil(lambda: window.checklist.checklist is not None
                    and window.checklist.checklist.type_key == "fake_transaction")
    assert not window.checklist.ready

    # Two screenshots dropped on the board from the file manager: each file's content says
    # which kind of evidence it is.
    order = order_screenshot(tmp_path / "order 2026110500123.png", "2026110500123")
    chat = chat_screenshot(tmp_path / "chat with buyer.png", ["Ship first, I pay later."],
                           360, 780)
    with qtbot.waitSignal(board.import_finished, timeout=20000) as imported:
        assert _drop_files(board, order, chat).isAccepted()
    assert len(imported.args[0].added) == 2
    kinds = {lib.get_evidence(i).original_name: lib.get_evidence(i).kind
             for i in imported.args[0].added}
    assert kinds == {order.name: "order_screenshot", chat.name: "chat_record"}
    chat_ids = {i for i in imported.args[0].added if lib.get_evidence(i).kind == "chat_record"}
    qtbot.waitUntil(lambda: window.checklist.ready, timeout=10000)

    # A screenshot just taken, pasted with the window's Paste action.
    image = QImage(300, 600, QImage.Format.Format_RGB32)
    image.fill(QColor(40, 120, 200))
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(board.import_finished, timeout=20000) as pasted:
        window.actionPasteEvidence.trigger()
    (pasted_id,) = pasted.args[0].added
    assert lib.get_evidence(pasted_id).captured_from == "clipboard"

    # The chat records moved to another kind from the context menu: the chat is missing again.
    # (The paste went to the selected kind, chat, so there are two of them by now.)
    section = board.section("chat_record")
    chats = section.model.ids()
    assert chat_ids <= set(chats) and len(chats) >= 1
    board.select_ids(chats)
    menu = board.context_menu_for(section, section.view.visualRect(section.model.index(0))
                                  .center())
    move = menu.findChild(type(menu.actions()[0]), "actionMoveTo_product_photo")
    assert move is not None and move.isEnabled()
    move.trigger()
    menu.deleteLater()
    assert {lib.get_evidence(i).kind for i in chats} == {"product_photo"}
    qtbot.waitUntil(lambda: window.checklist.checklist is not None
                    and not window.checklist.ready, timeout=10000)
    assert "not ready" in window.checklist.ready_label.text().lower()

    # Undo puts it back, and the checklist follows through the window's own signals.
    assert window.actionUndo.isEnabled()
    window.actionUndo.trigger()
    assert {lib.get_evidence(i).kind for i in chats} == {"chat_record"}
    qtbot.waitUntil(lambda: window.checklist.ready, timeout=10000)
    assert "Ready" in window.checklist.ready_label.text()
    row = window.cases.model.row_of(cid)
    assert window.cases.model.index(row, 4).data() == "2/2"
