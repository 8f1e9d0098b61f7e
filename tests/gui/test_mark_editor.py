"""The mark editor driven like a user: draw, move, undo, save, reopen; strings translated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import factories
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from evidence_desk import i18n
from evidence_desk.core.marks import Mark
from evidence_desk.library.service import Library
from evidence_desk.ui.marks.editor import MarkEditor, open_mark_editor


def _add(library: Library, make_case, path: Path, kind: str) -> int:  # noqa: ANN001
    case_id = make_case(library, "2024030112345", "transaction_fraud")
    [res] = library.add_paths(case_id, [path], kind=kind)
    assert res.status == "added", res
    return res.item_id


def _open(qtbot: QtBot, library: Library, item_id: int) -> MarkEditor:
    editor = open_mark_editor(library, item_id, None)
    # The app lets the dialog delete itself on close; here the test owns it until teardown.
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.loaded, timeout=10_000)
    qtbot.waitExposed(editor)
    return editor


def _view_point(editor: MarkEditor, x: float, y: float) -> QPoint:
    return editor.view.mapFromScene(QPointF(x, y))


def _drag(editor: MarkEditor, a: tuple[float, float], b: tuple[float, float]) -> None:
    vp = editor.view.viewport()
    p, q = _view_point(editor, *a), _view_point(editor, *b)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p)
    mid = QPoint((p.x() + q.x()) // 2, (p.y() + q.y()) // 2)
    QTest.mouseMove(vp, mid)
    QTest.mouseMove(vp, q)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, q)


def test_draw_move_undo_save_reopen(qtbot: QtBot, library: Library, make_case,  # noqa: ANN001
                                    tmp_path: Path) -> None:
    # A photo stored sideways (EXIF orientation 6): the editor shows it upright.
    src = factories.photo(tmp_path / "id.jpg", orientation=6, megapixels=0.3, gps=True)
    item_id = _add(library, make_case, src, "identity_document")
    sha = library.get_evidence(item_id).sha256
    editor = _open(qtbot, library, item_id)
    w, h = editor.full_size
    assert h > w  # 632×474 stored, shown 474×632

    editor.tool_actions["redact"].trigger()
    assert editor.tool == "redact"
    _drag(editor, (100, 150), (300, 250))
    [mark] = editor.marks()
    assert mark.kind == "redact"
    scale = editor.view.scale_factor()
    tol = 2 / scale  # a screen pixel or two, in picture pixels
    assert mark.x == pytest.approx(100, abs=tol) and mark.y == pytest.approx(150, abs=tol)
    assert mark.w == pytest.approx(200, abs=2 * tol) and mark.h == pytest.approx(100, abs=2 * tol)
    drawn = mark

    # Move it in the Select tool: press on it, drag by (+60, +80) picture pixels.
    editor.tool_actions["select"].trigger()
    centre = (mark.x + mark.w / 2, mark.y + mark.h / 2)
    _drag(editor, centre, (centre[0] + 60, centre[1] + 80))
    [moved] = editor.marks()
    assert moved.x == pytest.approx(drawn.x + 60, abs=2 * tol)
    assert moved.y == pytest.approx(drawn.y + 80, abs=2 * tol)
    assert (moved.w, moved.h) == (drawn.w, drawn.h)

    editor.undo_stack.undo()  # the move
    assert editor.marks() == [drawn]
    assert editor.items()[0].pos() == QPointF(drawn.x, drawn.y)
    editor.undo_stack.redo()
    editor.undo_stack.undo()

    # A highlight and a note too, then delete the highlight with the Delete key.
    editor.tool_actions["highlight"].trigger()
    _drag(editor, (20, 20), (120, 60))
    editor.tool_actions["note"].trigger()
    editor.note_edit.setText("买家承认 buyer admits")
    _drag(editor, (20, 400), (300, 480))
    assert [m.kind for m in editor.marks()] == ["redact", "highlight", "note"]
    assert editor.marks()[2].text == "买家承认 buyer admits"
    editor.tool_actions["select"].trigger()
    editor.scene.clearSelection()
    editor.items()[1].setSelected(True)
    editor.view.setFocus()
    QTest.keyClick(editor.view, Qt.Key.Key_Delete)
    assert [m.kind for m in editor.marks()] == ["redact", "note"]
    editor.undo_stack.undo()
    assert len(editor.marks()) == 3
    editor.undo_stack.redo()

    saved = editor.marks()
    with qtbot.waitSignal(editor.saved, timeout=5000):
        assert editor.save()
    info = library.get_evidence(item_id)
    assert info.sha256 == sha  # the original is untouched: only data on the item changed
    assert [Mark.from_dict(d) for d in info.marks] == [
        Mark.from_dict(m.to_dict()) for m in saved]
    assert "unredacted_personal_data" not in library.check(info.case_id).warning_codes()

    # Reopen: the same marks, editable.
    again = _open(qtbot, library, item_id)
    assert again.marks() == [Mark.from_dict(m.to_dict()) for m in saved]
    first = again.items()[0]
    again.tool_actions["select"].trigger()
    centre = (first.mark.x + first.mark.w / 2, first.mark.y + first.mark.h / 2)
    _drag(again, centre, (centre[0] - 30, centre[1]))
    assert again.marks()[0].x == pytest.approx(saved[0].x - 30, abs=2 * tol)
    assert not again.undo_stack.isClean()
    again.undo_stack.undo()
    again.done(0)


def test_resize_by_handle_and_marker_numbers(qtbot: QtBot, library: Library,
                                             make_case, tmp_path: Path) -> None:  # noqa: ANN001
    src = factories.chat_screenshot(tmp_path / "chat.png", ["你好", "Please pay"] * 10,
                                    width=720, height=3200)
    item_id = _add(library, make_case, src, "chat_record")
    editor = _open(qtbot, library, item_id)
    assert editor.full_size == (720, 3200)
    # A tall screenshot opens fitted to the width, scrolled to the top.
    assert editor.view.verticalScrollBar().maximum() > 0
    assert editor.view.verticalScrollBar().value() == 0
    editor.tool_actions["marker"].trigger()
    for x in (100, 200):
        p = _view_point(editor, x, 100)
        QTest.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, p)
    assert [m.number for m in editor.marks()] == [1, 2]

    editor.tool_actions["redact"].trigger()
    _drag(editor, (300, 200), (500, 300))
    editor.tool_actions["select"].trigger()
    item = editor.items()[-1]
    item.setSelected(True)
    before = item.stored_mark
    # Drag the bottom-right handle outwards by 50 picture pixels.
    _drag(editor, (before.x + before.w, before.y + before.h),
          (before.x + before.w + 50, before.y + before.h + 50))
    after = editor.marks()[-1]
    tol = 3 / editor.view.scale_factor()
    assert (after.x, after.y) == (before.x, before.y)
    assert after.w == pytest.approx(before.w + 50, abs=tol)
    editor.undo_stack.undo()
    assert editor.marks()[-1] == before

    editor.zoom_by(2.0)
    editor.actual_size()
    assert editor.view.scale_factor() == 1.0
    editor.fit()
    editor.done(0)


def _messages() -> set[str]:
    found: set[str] = set()
    ui = Path(__file__).resolve().parents[2] / "evidence_desk" / "ui"
    for name in ("marks/editor", "marks/items"):
        tree = ast.parse((ui / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "tr" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_editor_string_has_a_chinese_translation() -> None:
    i18n.catalog.cache_clear()
    zh = i18n.catalog("zh")
    messages = _messages()
    assert len(messages) > 30
    missing = sorted(m for m in messages if m not in zh)
    assert not missing, missing
    fields = re.compile(r"\{(\w+)\}")
    for m in messages:
        assert set(fields.findall(zh[m])) == set(fields.findall(m)), m
