"""The evidence board driven like a user would: drops, paste, context menu, keys, undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import chat_screenshot, order_screenshot, photo, tracking_csv
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QUndoStack,
)
from PySide6.QtWidgets import QApplication, QWidget

from evidence_desk.library.service import Library
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.evidence.board import EvidenceBoard, ImportOutcome
from evidence_desk.ui.evidence.model import EvidenceListModel, encode_ids


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture
def case_id(library: Library) -> int:
    return library.create_case("quality_dispute", "2024030112345", buyer_name="Buyer").id


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    assert r.shutdown(10000)


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def board(qtbot, library: Library, runner: TaskRunner, stack: QUndoStack,
          case_id: int) -> EvidenceBoard:
    b = EvidenceBoard(library, runner, stack)
    qtbot.addWidget(b)
    b.resize(1000, 700)
    b.show()
    b.set_case(case_id)
    return b


def drop(target: QWidget, mime: QMimeData, pos: QPoint | None = None) -> QDropEvent:
    """Deliver drag-enter then drop to `target`, the way Qt does for a drop from outside."""
    pos = pos or QPoint(40, 40)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(QPoint(pos), actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(QPoint(pos), actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, move)
    assert move.isAccepted()
    event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)
    return event


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def add_now(library: Library, case_id: int, board: EvidenceBoard, *paths: Path,
            kind: str | None = None) -> list[int]:
    results = library.add_paths(case_id, paths, kind=kind)
    board.reload()
    return [r.item_id for r in results if r.item_id is not None]


def test_dropping_two_images_on_the_board_adds_them(qtbot, board, library, case_id, tmp_path):
    chat = chat_screenshot(tmp_path / "chat with buyer.png", ["hello", "你好"], 360, 780)
    goods = photo(tmp_path / "goods.jpg")
    with qtbot.waitSignal(board.evidence_changed), \
            qtbot.waitSignal(board.import_finished) as done:
        event = drop(board, file_mime(chat, goods))
        assert event.isAccepted()
        assert board.is_importing()
    outcome: ImportOutcome = done.args[0]
    assert len(outcome.added) == 2 and not outcome.refused and not outcome.cancelled
    items = library.list_evidence(case_id)
    assert sorted(i.id for i in items) == sorted(outcome.added)
    assert sorted(i.id for i in board.items()) == sorted(outcome.added)
    assert board.last_summary is None  # all went fine: only a status message
    assert "2" in board.message.text()
    # Nothing is left selected: an armed selection would let the kind box move them all.
    assert board.selected_ids() == []
    assert board.details.current_id() is None


def test_drop_on_a_kind_group_uses_that_kind(qtbot, board, library, case_id, tmp_path):
    csv_file = tracking_csv(tmp_path / "notes.csv")
    section = board.section("return_record")
    with qtbot.waitSignal(board.import_finished):
        drop(section, file_mime(csv_file))
    assert [i.kind for i in library.list_evidence(case_id)] == ["return_record"]
    assert section.model.rowCount() == 1
    assert section.count.text() == "1"


def test_refused_and_duplicate_files_are_listed_in_one_summary(qtbot, board, library, case_id,
                                                               tmp_path):
    good = photo(tmp_path / "a.jpg")
    add_now(library, case_id, board, good)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x00\x01 not a picture" * 50)
    with qtbot.waitSignal(board.import_finished) as done:
        board.import_paths([good, junk])
    outcome = done.args[0]
    assert len(outcome.duplicates) == 1 and len(outcome.refused) == 1 and not outcome.added
    summary = board.last_summary
    assert summary is not None and summary.isVisible()
    assert summary.tree.topLevelItemCount() == 2
    names = {summary.tree.topLevelItem(i).text(0) for i in range(2)}
    assert names == {"a.jpg", "junk.png"}
    summary.close()


def test_ctrl_v_pastes_a_clipboard_image_and_undo_takes_it_out(qtbot, board, library, case_id,
                                                                stack):
    image = QImage(400, 800, QImage.Format.Format_RGB32)
    image.fill(QColor(30, 160, 90))
    QGuiApplication.clipboard().setImage(image)
    board.setFocus()
    with qtbot.waitSignal(board.import_finished) as done:
        qtbot.keyClick(board, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    outcome = done.args[0]
    assert len(outcome.added) == 1
    (item,) = library.list_evidence(case_id)
    assert item.captured_from == "clipboard" and item.captured_at is not None
    assert item.mime == "image/png" and (item.width, item.height) == (400, 800)
    assert item.original_name.startswith("clipboard-")
    assert board.items()[0].id == item.id
    with qtbot.waitSignal(board.evidence_changed):
        stack.undo()
    assert library.list_evidence(case_id) == [] and board.items() == []
    stack.redo()
    assert [i.id for i in library.list_evidence(case_id)] == [item.id]


def test_paste_goes_to_the_selected_kind(qtbot, board, library, case_id, tmp_path):
    (first,) = add_now(library, case_id, board, photo(tmp_path / "p.jpg"),
                       kind="identity_document")
    board.select_ids([first])
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 10, 10))
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(board.import_finished) as done:
        board.paste_from_clipboard()
    (added,) = done.args[0].added
    assert library.get_evidence(added).kind == "identity_document"


def test_paste_of_copied_files_imports_them(qtbot, board, library, case_id, tmp_path):
    shot = order_screenshot(tmp_path / "order 123.png", "123", 600, 400)
    QGuiApplication.clipboard().setMimeData(file_mime(shot))
    with qtbot.waitSignal(board.import_finished) as done:
        board.paste_from_clipboard()
    assert len(done.args[0].added) == 1
    assert library.list_evidence(case_id)[0].original_name == "order 123.png"


def test_context_menu_moves_to_another_kind_and_undo_moves_back(qtbot, board, library, case_id,
                                                                tmp_path, stack):
    (item_id,) = add_now(library, case_id, board, photo(tmp_path / "p.jpg"),
                         kind="product_photo")
    section = board.section("product_photo")
    pos = section.view.visualRect(section.model.index(0)).center()
    menu = board.context_menu_for(section, pos)
    assert board.selected_ids() == [item_id]
    action = menu.findChild(type(menu.actions()[0]), "actionMoveTo_order_screenshot")
    assert action is not None and action.isEnabled()
    assert not menu.findChild(type(action), "actionMoveTo_product_photo").isEnabled()
    with qtbot.waitSignal(board.evidence_changed):
        action.trigger()
    menu.deleteLater()
    assert library.get_evidence(item_id).kind == "order_screenshot"
    assert board.section("order_screenshot").model.ids() == [item_id]
    assert section.model.rowCount() == 0
    with qtbot.waitSignal(board.evidence_changed):
        stack.undo()
    assert library.get_evidence(item_id).kind == "product_photo"
    assert section.model.ids() == [item_id]
    stack.redo()
    assert library.get_evidence(item_id).kind == "order_screenshot"


def test_delete_key_removes_and_undo_restores(qtbot, board, library, case_id, tmp_path, stack):
    ids = add_now(library, case_id, board, photo(tmp_path / "a.jpg"),
                  photo(tmp_path / "b.jpg", color=(10, 200, 10)), kind="product_photo")
    section = board.section("product_photo")
    board.select_ids([ids[1]])
    section.view.setFocus()
    with qtbot.waitSignal(board.evidence_changed):
        qtbot.keyClick(section.view, Qt.Key.Key_Delete)
    assert [i.id for i in library.list_evidence(case_id)] == [ids[0]]
    assert section.model.ids() == [ids[0]]
    stack.undo()
    assert [i.id for i in library.list_evidence(case_id)] == ids
    assert section.model.ids() == ids


def test_drag_reorders_within_a_kind_and_between_kinds(qtbot, board, library, case_id, tmp_path,
                                                       stack):
    ids = add_now(library, case_id, board,
                  *(photo(tmp_path / f"{n}.jpg", color=(n * 60, 20, 20)) for n in range(3)),
                  kind="product_photo")
    section = board.section("product_photo")
    view = section.view
    # Drop the last item onto the left half of the first one: it goes first.
    first = view.visualRect(section.model.index(0))
    drop(view.viewport(), encode_ids(case_id, [ids[2]]), first.center() - QPoint(30, 0))
    expected = [ids[2], ids[0], ids[1]]
    assert section.model.ids() == expected
    assert [i.id for i in library.list_evidence(case_id)] == expected
    # Drag two items onto another kind's group.
    drop(board.section("logistics_record"), encode_ids(case_id, [ids[0], ids[1]]))
    assert section.model.ids() == [ids[2]]
    assert board.section("logistics_record").model.ids() == [ids[0], ids[1]]
    stack.undo()
    assert section.model.ids() == expected
    stack.undo()
    assert section.model.ids() == ids
    assert [i.id for i in library.list_evidence(case_id)] == ids
    # An item dragged from another case is refused.
    foreign = encode_ids(case_id + 99, [ids[0]])  # kept alive: the event does not own it
    event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.MoveAction, foreign,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(board.section("other"), event)
    assert not event.isAccepted()


def test_details_panel_edits_are_undoable(qtbot, board, library, case_id, tmp_path, stack):
    (item_id,) = add_now(library, case_id, board, photo(tmp_path / "a.jpg"))
    board.select_ids([item_id])
    details = board.details
    assert details.current_id() == item_id
    details.caption.setText("发货前实拍 before shipping")
    with qtbot.waitSignal(board.evidence_changed):
        details.caption.editingFinished.emit()
    assert library.get_evidence(item_id).caption == "发货前实拍 before shipping"
    details.source.setCurrentIndex(details.source.findData("camera"))
    details.source.activated.emit(details.source.currentIndex())
    assert library.get_evidence(item_id).source == "camera"
    stack.undo()
    stack.undo()
    info = library.get_evidence(item_id)
    assert info.caption == "" and info.source == ""
    assert details.caption.text() == ""


def test_thumbnails_arrive_in_the_background(qtbot, board, library, case_id, tmp_path):
    ids = add_now(library, case_id, board, photo(tmp_path / "a.jpg"),
                  tracking_csv(tmp_path / "t.csv"), kind="logistics_record")
    section = board.section("logistics_record")
    shas = [library.get_evidence(i).sha256 for i in ids]
    for sha in shas:  # thumbnails made at import are dropped to prove they come back
        for f in (library.thumbs / sha[:2]).glob(f"{sha}*"):
            f.unlink()
    board.grab()  # painting asks for what is visible
    assert board.thumbs.peek(shas[0]) is None  # nothing was made on the GUI thread
    qtbot.waitUntil(lambda: board.thumbs.peek(shas[0]) is not None, timeout=5000)
    pixmap = board.thumbs.peek(shas[0]).pixmap
    assert pixmap is not None and not pixmap.isNull()
    assert section.model.index(0).data(Qt.ItemDataRole.DecorationRole) is not None
    # A CSV has no picture: a type badge is drawn and no job is started for it.
    assert board.thumbs.peek(shas[1]) is None and not board.thumbs.is_pending(shas[1])


def test_switching_case_drops_the_previous_cases_thumbnail_work(qtbot, board, library, case_id,
                                                                 runner, tmp_path):
    ids = add_now(library, case_id, board, *(photo(tmp_path / f"{n}.jpg", color=(n, 9, 9))
                                             for n in range(20)))
    shas = [library.get_evidence(i).sha256 for i in ids]
    for sha in shas:
        for f in (library.thumbs / sha[:2]).glob(f"{sha}*"):
            f.unlink()
    board.grab()
    assert any(board.thumbs.is_pending(s) for s in shas)
    other = library.create_case("fake_transaction", "999").id
    board.set_case(other)
    assert not any(board.thumbs.is_pending(s) for s in shas)
    assert board.items() == []
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10000)
    # Cancelled batches never filled the cache for the case the user left.
    made = sum(1 for s in shas if board.thumbs.peek(s) is not None)
    assert made < len(shas)


def test_cancelling_a_large_import_leaves_a_consistent_library(qtbot, board, library, case_id,
                                                               tmp_path, stack):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(160):
        Image.new("RGB", (320, 240), (n % 256, (n * 7) % 256, 90)).save(folder / f"{n:03}.png")
    board.import_paths([folder])
    qtbot.waitUntil(lambda: board.progress.bar.value() >= 3, timeout=10000)
    with qtbot.waitSignal(board.import_finished, timeout=20000) as done:
        qtbot.mouseClick(board.progress.cancel, Qt.MouseButton.LeftButton)
    outcome: ImportOutcome = done.args[0]
    assert outcome.cancelled
    assert 0 < len(outcome.added) < 160
    listed = {i.id for i in library.list_evidence(case_id)}
    assert listed == set(outcome.added) == {i.id for i in board.items()}
    report = library.verify(case_id)
    assert report.ok and report.checked == len(listed)
    assert not list((library.folder / "blobs" / "tmp").glob("*.part"))
    assert board.last_summary is not None  # a cancelled import says what it did
    board.last_summary.close()
    assert not board.progress.isVisible()
    stack.undo()
    assert library.list_evidence(case_id) == []


def test_models_pass_the_model_tester(qtmodeltester, board, library, case_id, tmp_path):
    add_now(library, case_id, board, photo(tmp_path / "a.jpg"), photo(tmp_path / "b.jpg",
                                                                       color=(1, 2, 3)),
            tracking_csv(tmp_path / "c.csv"), kind="logistics_record")
    qtmodeltester.check(board.section("logistics_record").model)
    qtmodeltester.check(board.section("chat_record").model)
    standalone = EvidenceListModel("other")
    standalone.set_items(library.list_evidence(case_id), case_id)
    qtmodeltester.check(standalone)


def test_model_updates_rows_in_place(qtbot, library, case_id, tmp_path):
    ids = [r.item_id for r in library.add_paths(
        case_id, [photo(tmp_path / f"{n}.jpg", color=(n, n, 200)) for n in range(4)],
        kind="product_photo")]
    model = EvidenceListModel("product_photo")
    model.set_items(library.list_evidence(case_id), case_id)
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    library.remove_evidence(ids[1])
    model.set_items(library.list_evidence(case_id))
    assert model.ids() == [ids[0], ids[2], ids[3]] and removed == [(1, 1)]
    library.update_evidence(ids[2], caption="x")
    with qtbot.waitSignal(model.dataChanged):
        model.set_items(library.list_evidence(case_id))
    assert model.index(1).data() == "x"


def test_no_case_means_nothing_to_drop_on(qtbot, board, tmp_path):
    board.set_case(None)
    mime = file_mime(photo(tmp_path / "a.jpg"))
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(board, enter)
    assert not enter.isAccepted()
    assert board.stack.currentIndex() == 0


def test_redact_from_the_context_menu_and_the_viewer(qtbot, board, library, case_id, tmp_path):
    from evidence_desk.ui.marks.editor import MarkEditor

    (item_id,) = add_now(library, case_id, board, photo(tmp_path / "id.jpg"),
                         kind="identity_document")
    section = board.section("identity_document")
    pos = section.view.visualRect(section.model.index(0)).center()
    menu = board.context_menu_for(section, pos)
    action = menu.findChild(type(menu.actions()[0]), "actionRedactEvidence")
    assert action is not None and action.isEnabled()
    action.trigger()
    menu.deleteLater()
    editors = [w for w in QApplication.topLevelWidgets() if isinstance(w, MarkEditor)]
    assert len(editors) == 1 and editors[0].item_id == item_id
    qtbot.waitUntil(lambda: editors[0].loaded, timeout=10_000)
    editors[0].close()

    viewer = board.open_viewer(item_id)
    qtbot.addWidget(viewer)
    assert viewer.mark_button.isEnabled()
    editor = viewer.open_marks()
    assert isinstance(editor, MarkEditor) and editor.item_id == item_id
    qtbot.waitUntil(lambda: editor.loaded, timeout=10_000)
    editor.close()  # it deletes itself on close, as in the app


def _named_screens(folder: Path) -> list[Path]:
    out = []
    for i, name in enumerate(("Screenshot_20240205-153628_Alibaba.png",
                              "IMG_20240206_101500.jpg")):
        path = folder / name
        Image.new("RGB", (480, 300), (40 * i, 90, 160)).save(path)
        out.append(path)
    return out


def test_set_capture_time_of_several_selected_items_is_one_undo_step(
        qtbot, board, library, case_id, tmp_path, stack):
    from datetime import datetime

    from PySide6.QtCore import QDateTime, QTimer
    from PySide6.QtWidgets import QDateTimeEdit

    ids = add_now(library, case_id, board, *_named_screens(tmp_path), kind="chat_record")
    section = board.section("chat_record")
    board.select_ids(ids)
    pos = section.view.visualRect(section.model.index(0)).center()
    menu = board.context_menu_for(section, pos)
    assert sorted(board.selected_ids()) == sorted(ids)
    action = menu.findChild(type(menu.actions()[0]), "actionSetCaptureTime")
    assert action is not None and action.isEnabled()
    when = datetime(2024, 2, 4, 20, 15)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.findChild(QDateTimeEdit, "captureTimeEdit").setDateTime(QDateTime(when))
        dialog.accept()

    QTimer.singleShot(50, answer)
    with qtbot.waitSignal(board.evidence_changed):
        action.trigger()
    menu.deleteLater()
    got = [library.get_evidence(i) for i in ids]
    assert [(i.captured_at, i.captured_from) for i in got] == [(when, "user")] * 2
    assert stack.count() == 1
    with qtbot.waitSignal(board.evidence_changed):
        stack.undo()
    got = [library.get_evidence(i) for i in ids]
    assert [(i.captured_at, i.captured_from) for i in got] == [
        (datetime(2024, 2, 5, 15, 36, 28), "file_name"),
        (datetime(2024, 2, 6, 10, 15), "file_name")]


def test_rotate_from_the_context_menu_is_data_and_undoable(qtbot, board, library, case_id,
                                                          tmp_path, stack):
    from evidence_desk.ui.evidence.delegate import rotated
    from evidence_desk.ui.evidence.viewer import load_preview

    (item_id,) = add_now(library, case_id, board, photo(tmp_path / "p.jpg"),
                         kind="product_photo")
    before = library.blob_path(library.get_evidence(item_id).sha256).read_bytes()
    section = board.section("product_photo")
    pos = section.view.visualRect(section.model.index(0)).center()
    menu = board.context_menu_for(section, pos)
    action = menu.findChild(type(menu.actions()[0]), "actionRotateRight")
    with qtbot.waitSignal(board.evidence_changed):
        action.trigger()
    menu.deleteLater()
    info = library.get_evidence(item_id)
    assert info.rotation == 90
    assert library.blob_path(info.sha256).read_bytes() == before
    # The viewer and the card show it turned: a landscape photo stands upright.
    shown = load_preview(library.blob_path(info.sha256), info).image
    assert shown is not None and shown.height() > shown.width()
    qtbot.waitUntil(lambda: board.thumbs.peek(info.sha256) is not None, timeout=5000)
    pixmap = board.thumbs.peek(info.sha256).pixmap
    turned = rotated(pixmap, info.rotation)
    assert (turned.width(), turned.height()) == (pixmap.height(), pixmap.width())
    with qtbot.waitSignal(board.evidence_changed):
        stack.undo()
    assert library.get_evidence(item_id).rotation == 0


def test_details_say_where_the_time_came_from_and_its_zone(qtbot, board, library, case_id,
                                                          tmp_path):
    from datetime import datetime

    from evidence_desk.ui.common.i18n_qt import apply_language

    iphone = photo(tmp_path / "IMG_0001.JPG", when=datetime(2026, 3, 1, 12, 55), make="Apple",
                   offset="+01:00")
    ids = add_now(library, case_id, board, iphone, *_named_screens(tmp_path)[:1],
                  kind="product_photo")
    shown = []
    for item_id in ids:
        board.details.show_items([library.get_evidence(item_id)])
        shown.append(board.details.captured_from.text())
    assert shown == ["UTC+01:00, from the photo's EXIF data", "from the file name"]
    apply_language("zh")
    board.details.show_items([library.get_evidence(ids[1])])
    assert board.details.captured_from.text() == "取自文件名"
