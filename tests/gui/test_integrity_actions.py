"""Verify, altered badges, backups, restore and case bundles from the window's menus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import factories
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from evidence_desk.library.backup import backup_now, list_backups
from evidence_desk.library.service import Library
from evidence_desk.ui.evidence.model import IntegrityRole
from evidence_desk.ui.integrity.actions import IntegrityActions


def _open_case(qtbot: QtBot, window, cid: int) -> None:  # noqa: ANN001
    window.cases.reload(keep=cid)
    window.cases.select_case(cid)
    qtbot.waitUntil(lambda: window.current_case() == cid)


def _case_with_files(library: Library, make_case: Callable[..., int], tmp_path: Path,
                     order: str = "INT-1") -> int:
    cid = make_case(library, order)
    library.add_paths(cid, [factories.order_screenshot(tmp_path / f"{order}-o.png", order),
                            factories.photo(tmp_path / f"{order}-p.jpg")])
    return cid


def _corrupt(library: Library, sha: str) -> None:
    blob = library.blob_path(sha)
    blob.chmod(0o600)  # originals are stored read-only
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))


@pytest.mark.folder_blobs
def test_verify_lists_an_altered_original_and_the_board_marks_it(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    cid = _case_with_files(library, make_case, tmp_path)
    _open_case(qtbot, window, cid)
    integrity: IntegrityActions = window.integrity
    items = library.list_evidence(cid)
    bad = next(i for i in items if i.kind == "order_screenshot")
    _corrupt(library, bad.sha256)

    with qtbot.waitSignal(integrity.verified, timeout=20000) as blocker:
        window.findChild(type(window.actionNewCase), "actionVerifyLibrary").trigger()
    outcome = blocker.args[0]
    assert not outcome.report.ok
    qtbot.waitUntil(lambda: integrity.results_dialog is not None
                    and integrity.results_dialog.isVisible())
    dialog = integrity.results_dialog
    assert dialog.kinds() == ["altered"]
    row = dialog.table.topLevelItem(0)
    assert row.text(0) == "Altered"
    assert row.text(1) == "INT-1"
    assert row.text(2) == bad.original_name

    model = window.board.section(bad.kind).model
    index = model.index(model.row_of(bad.id))
    assert index.data(IntegrityRole) == "altered"
    assert "no longer matches its SHA-256" in index.data(Qt.ItemDataRole.ToolTipRole)
    good = next(i for i in items if i.id != bad.id)
    other = window.board.section(good.kind).model
    assert other.index(other.row_of(good.id)).data(IntegrityRole) == ""
    dialog.close()


@pytest.mark.folder_blobs
def test_opening_a_case_rechecks_its_originals(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    cid = _case_with_files(library, make_case, tmp_path)
    bad = library.list_evidence(cid)[0]
    _corrupt(library, bad.sha256)
    library.blob_path(library.list_evidence(cid)[1].sha256).unlink()
    _open_case(qtbot, window, cid)
    marks = window.integrity.marks
    qtbot.waitUntil(lambda: len(marks.marks) == 2)
    assert set(marks.marks.values()) == {"altered", "missing"}
    assert "no longer match" in window.statusBar().currentMessage()
    # The opening check writes nothing to the audit log; only Verify does.
    assert not [e for e in library.audit_log(cid) if e.action == "verify"]


@pytest.mark.sqlite_only
def test_back_up_now_makes_a_backup_folder(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    _case_with_files(library, make_case, tmp_path)
    integrity: IntegrityActions = window.integrity
    with qtbot.waitSignal(integrity.backed_up, timeout=20000) as blocker:
        integrity.actionBackupNow.trigger()
    info = blocker.args[0]
    assert info.path.parent == library.folder / "backups"
    assert info.path.is_dir()
    assert [b.name for b in list_backups(library.folder)] == [info.name]
    qtbot.waitUntil(lambda: integrity.message_box is not None)
    assert str(info.path) in integrity.message_box.informativeText()
    integrity.message_box.close()


@pytest.mark.sqlite_only
def test_restore_from_backup_reopens_the_library_as_it_was(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    first = _case_with_files(library, make_case, tmp_path)
    backup_now(library)
    make_case(library, "AFTER-BACKUP")
    integrity: IntegrityActions = window.integrity
    integrity.actionRestoreBackup.trigger()
    qtbot.waitUntil(lambda: integrity.restore_dialog is not None
                    and integrity.restore_dialog.isVisible())
    dialog = integrity.restore_dialog
    assert dialog.backup_list.topLevelItemCount() == 1
    with qtbot.waitSignal(integrity.reopened, timeout=20000) as blocker:
        dialog.restore_button.click()
    new = blocker.args[0]
    qtbot.addWidget(new)
    assert not window.isVisible()
    assert new.library.folder == library.folder
    assert new.library.case_ids(archived=None) == [first]
    assert list(library.folder.glob("library.sqlite3.broken-*"))
    new.close()
    new.library.close()


def test_bundle_export_and_import_through_the_actions(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    cid = _case_with_files(library, make_case, tmp_path, "BUN-9")
    _open_case(qtbot, window, cid)
    integrity: IntegrityActions = window.integrity
    target = tmp_path / "bundles" / "case.edbundle"
    target.parent.mkdir()

    with qtbot.waitSignal(integrity.bundle_exported, timeout=20000):
        integrity.actionExportBundle.trigger()
        qtbot.waitUntil(lambda: integrity.file_dialog is not None)
        integrity.file_dialog.selectFile(str(target))
        integrity.file_dialog.accept()
    assert target.is_file()
    qtbot.waitUntil(lambda: integrity.message_box is not None)
    integrity.message_box.close()

    with qtbot.waitSignal(integrity.bundle_imported, timeout=20000) as blocker:
        integrity.actionImportBundle.trigger()
        qtbot.waitUntil(lambda: integrity.file_dialog is not None
                        and integrity.file_dialog.isVisible())
        integrity.file_dialog.selectFile(str(target))
        integrity.file_dialog.accept()
    new_id = blocker.args[0]
    assert new_id != cid
    assert sorted(library.case_ids(archived=None)) == sorted([cid, new_id])
    assert window.current_case() == new_id
    assert library.get_case(new_id).order_no == "BUN-9"
    assert ({e.sha256 for e in library.list_evidence(new_id)}
            == {e.sha256 for e in library.list_evidence(cid)})


def test_a_damaged_bundle_is_refused_with_a_message(
        qtbot: QtBot, window, library: Library, tmp_path: Path) -> None:
    junk = tmp_path / "junk.edbundle"
    junk.write_bytes(b"not a zip at all")
    integrity: IntegrityActions = window.integrity
    with qtbot.waitSignal(integrity.failed, timeout=20000):
        integrity.read_bundle(junk)
    assert integrity.message_box is not None
    assert "nothing was added" in integrity.message_box.text()
    assert library.case_ids(archived=None) == []
    integrity.message_box.close()


def test_menus_hold_the_new_actions(window) -> None:  # noqa: ANN001
    integrity: IntegrityActions = window.integrity
    assert integrity.menu.title() == "&Library"
    assert integrity.actionVerifyLibrary in integrity.menu.actions()
    file_actions = window.menu_file.actions()
    at = file_actions.index(window.actionExportPack)
    assert file_actions[at + 1:at + 3] == [integrity.actionExportBundle,
                                           integrity.actionImportBundle]
    window.set_language("zh")
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # the language change event is posted
    assert integrity.menu.title() == "资料库(&L)"


@pytest.mark.sqlite_only
def test_a_backup_and_a_bundle_of_a_tampered_library_say_so(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    cid = _case_with_files(library, make_case, tmp_path, "TAMP-1")
    _open_case(qtbot, window, cid)
    integrity: IntegrityActions = window.integrity
    # A clean library: the backup is simply done.
    with qtbot.waitSignal(integrity.backed_up, timeout=20000):
        integrity.actionBackupNow.trigger()
    qtbot.waitUntil(lambda: integrity.message_box is not None)
    assert integrity.message_box.icon() == QMessageBox.Icon.Information
    assert "audit log" not in integrity.message_box.informativeText()
    integrity.message_box.close()

    con = sqlite3.connect(library.db_path)
    con.execute("UPDATE cases SET order_no = 'TAMP-2' WHERE id = ?", (cid,))
    con.commit()
    con.close()
    integrity.message_box = None
    with qtbot.waitSignal(integrity.backed_up, timeout=20000):
        integrity.actionBackupNow.trigger()
    qtbot.waitUntil(lambda: integrity.message_box is not None)
    box = integrity.message_box
    assert box.icon() == QMessageBox.Icon.Warning
    assert "audit log does not check out" in box.informativeText()
    assert f"case {cid} was changed outside the app" in box.informativeText()
    box.close()

    # On a Chinese desk the warning, and the problem inside it, are Chinese.
    from evidence_desk.ui.common.i18n_qt import apply_language

    apply_language("zh")
    try:
        integrity.message_box = None
        target = tmp_path / "tampered.edbundle"
        with qtbot.waitSignal(integrity.bundle_exported, timeout=20000):
            integrity.write_bundle(cid, target)
        qtbot.waitUntil(lambda: integrity.message_box is not None)
        box = integrity.message_box
        assert box.icon() == QMessageBox.Icon.Warning
        assert "审计日志校验未通过" in box.informativeText()
        assert f"案件 {cid} 曾在本应用之外被修改" in box.informativeText()
        assert str(target) in box.informativeText()
        box.close()
    finally:
        apply_language("en")


@pytest.mark.sqlite_only  # backups are of the SQLite file; a team desk has no such action
def test_restore_without_backups_says_how_to_make_one(qtbot: QtBot, window) -> None:  # noqa: ANN001
    integrity: IntegrityActions = window.integrity
    integrity.actionRestoreBackup.trigger()
    # The backups folder is read on a worker; the answer comes as a message, not a dialog.
    qtbot.waitUntil(lambda: integrity.message_box is not None, timeout=10000)
    assert integrity.message_box.text() == "This library has no backups yet."
    assert integrity.restore_dialog is None
    integrity.message_box.close()
