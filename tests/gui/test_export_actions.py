"""Exporting from the window: the pre-export warning, options, progress with cancel, results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import factories
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.common.files import default_name, safe_file_part
from evidence_desk.ui.export.actions import ExportOptions, PreExportDialog


def _open_case(qtbot: QtBot, window, cid: int) -> None:  # noqa: ANN001
    window.cases.reload(keep=cid)
    window.cases.select_case(cid)
    qtbot.waitUntil(lambda: window.current_case() == cid)


def _choose_file(qtbot: QtBot, holder: object, target: Path) -> None:
    qtbot.waitUntil(lambda: getattr(holder, "file_dialog", None) is not None)
    dialog: QFileDialog = holder.file_dialog  # type: ignore[attr-defined]
    dialog.selectFile(str(target))
    dialog.accept()


def test_unmet_requirements_warn_and_continuing_writes_the_pdf(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    # A closed complaint window and only an order screenshot: the chat record is missing.
    cid = make_case(library, "ORD-2024/77", days_ago=40)
    library.add_paths(cid, [factories.order_screenshot(tmp_path / "order.png", "ORD-2024/77")],
                      kind="order_screenshot")
    _open_case(qtbot, window, cid)
    exports = window.exports

    window.actionExportDossier.trigger()
    qtbot.waitUntil(lambda: exports.pre_dialog is not None and exports.pre_dialog.isVisible())
    dialog: PreExportDialog = exports.pre_dialog
    text = dialog.problem_label.text()
    assert "Required evidence missing" in text
    assert "closed on" in text
    assert dialog.continue_button.text() == "Continue anyway"
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.budget.setCurrentIndex(dialog.budget.findData("none"))
    assert dialog.options() == ExportOptions("en", None)
    dialog.continue_button.click()

    target = tmp_path / "out" / "dossier.pdf"
    target.parent.mkdir()
    with qtbot.waitSignal(exports.finished, timeout=30000) as blocker:
        _choose_file(qtbot, exports, target)
    assert blocker.args[0].path == target
    reader = PdfReader(str(target))
    assert len(reader.pages) >= 2
    assert "ORD-2024/77" in "".join(p.extract_text() for p in reader.pages[:2])
    qtbot.waitUntil(lambda: exports.done_box is not None and exports.done_box.isVisible())
    names = {b.objectName() for b in exports.done_box.buttons()}
    assert {"exportOpenFile", "exportOpenFolder"} <= names
    exports.done_box.close()
    # The folder is remembered for the next export.
    assert window.settings.value("export/last_folder") == str(target.parent)
    assert window.settings.value("export/language") == "en"


def test_cancelling_a_slow_export_keeps_the_earlier_file(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    cid = make_case(library, "SLOW-1")
    photos = tmp_path / "photos"
    photos.mkdir()
    # Enough exhibits that the writer is still busy when the first progress signal arrives.
    paths = [factories.photo(photos / f"p{n:02}.jpg", megapixels=0.5,
                             color=(n * 6 % 256, 90, 160)) for n in range(40)]
    library.add_paths(cid, paths, kind="product_photo")
    _open_case(qtbot, window, cid)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "dossier.pdf"
    earlier = b"%PDF-1.4 an earlier dossier the seller already sent\n"
    target.write_bytes(earlier)

    exports = window.exports
    handle = exports.start(cid, target, ExportOptions("en", None))
    assert handle is not None
    dialog = exports.progress
    assert dialog is not None and dialog.isVisible()
    # On the first progress signal: the worker itself raises the stop flag (a direct
    # connection runs in its thread, so it cannot finish first however busy the machine is),
    # and the dialog's Cancel button is pressed on the GUI thread as a seller would.
    stop = dialog.stop
    handle.progressed.connect(lambda *_a: stop.set(), Qt.ConnectionType.DirectConnection)
    handle.progressed.connect(lambda *_a: dialog.findChild(QPushButton).click())
    with qtbot.waitSignal(exports.cancelled, timeout=30000):
        pass
    qtbot.waitUntil(lambda: not exports.is_busy())
    assert target.read_bytes() == earlier
    assert sorted(p.name for p in out.iterdir()) == ["dossier.pdf"]
    assert "nothing was written" in window.statusBar().currentMessage()
    assert exports.error_box is None


@pytest.mark.folder_blobs
def test_an_altered_original_stops_the_export_with_a_message(
        qtbot: QtBot, window, library: Library, make_case: Callable[..., int],
        tmp_path: Path) -> None:
    cid = make_case(library, "ALT-1")
    library.add_paths(cid, [factories.order_screenshot(tmp_path / "o.png", "ALT-1")],
                      kind="order_screenshot")
    item = library.list_evidence(cid)[0]
    blob = library.blob_path(item.sha256)
    blob.chmod(0o600)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    _open_case(qtbot, window, cid)
    exports = window.exports
    target = tmp_path / "d.pdf"
    with qtbot.waitSignal(exports.failed, timeout=20000) as blocker:
        exports.start(cid, target, ExportOptions("en", None))
    assert "not exported" in blocker.args[0]
    assert exports.error_box is not None
    assert "no longer matches" in exports.error_box.informativeText()
    assert not target.exists()
    exports.error_box.close()
    # The export's refusal also marks the exhibit on the board.
    qtbot.waitUntil(lambda: window.integrity.marks.marks.get(item.id) == "altered")


def test_default_names_are_safe_file_names() -> None:
    assert safe_file_part('A/B:C*?"<>|') == "A-B-C"
    assert safe_file_part("...") == "case"
    name = default_name("dossier", "2024/001", ".pdf")
    assert name.startswith("dossier-2024-001-") and name.endswith(".pdf")
