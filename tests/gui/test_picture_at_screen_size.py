"""What the seller opens comes first: the viewer and the mark editor decode a big picture at
screen size, show it, then swap in the full resolution for zooming; marks, rotation and
"actual size" keep meaning the picture's own pixels throughout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import factories
import pytest
from factories import MARKER
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage

from evidence_desk.core.marks import Mark, marks_to_json
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.library.service import Library
from evidence_desk.ui.common.tasks import TaskRunner
from evidence_desk.ui.evidence.viewer import EvidenceViewer, ImageCanvas, Preview, load_image
from evidence_desk.ui.marks.editor import MarkEditor, open_mark_editor
from evidence_desk.ui.marks.overlay import shown_size


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    assert r.shutdown(10000)


def close(colour: QColor, rgb: tuple[int, int, int], slack: int = 28) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour.getRgb()[:3], rgb, strict=True))


def add_photo(library: Library, tmp_path: Path, **kw: object) -> EvidenceInfo:
    case_id = library.create_case("quality_dispute", "2024030112345").id
    (result,) = library.add_paths(case_id, [factories.photo(tmp_path / "big.jpg", **kw)])
    assert result.item_id is not None, result
    return library.get_evidence(result.item_id)


def test_load_image_decodes_a_big_jpeg_straight_to_the_box(library, tmp_path):
    info = add_photo(library, tmp_path, megapixels=12.0)  # 4000×3000
    path = library.blob_path(info.sha256)
    small = load_image(path, info, QSize(800, 800))
    assert small.partial and small.image is not None
    assert (small.image.width(), small.image.height()) == (800, 600)
    assert small.scale == pytest.approx(info.width / 800)
    assert close(small.image.pixelColor(2, 2), MARKER)
    full = load_image(path, info)
    assert not full.partial and full.scale == 1.0
    assert (full.image.width(), full.image.height()) == (info.width, info.height)
    # A picture smaller than the box is read as it is, and is the whole story.
    little = load_image(path, info, QSize(9000, 9000))
    assert not little.partial and little.image.width() == info.width


def test_the_viewer_shows_a_screenful_first_then_the_full_picture(qtbot, library, runner,
                                                                   tmp_path):
    # Stored landscape 4000×3000, held portrait (EXIF 6); the seller turned it once more and
    # blacked out the top-left quarter of the picture as shown (marks are data).
    info = add_photo(library, tmp_path, megapixels=12.0, orientation=6)
    info = replace(info, rotation=90)
    shown = shown_size(info)
    assert shown is not None
    shown_w, shown_h = shown
    mark = Mark("redact", 0, 0, shown_w / 2, shown_h / 2)
    info = replace(info, marks=tuple(marks_to_json([mark])))
    viewer = EvidenceViewer(library, runner)
    qtbot.addWidget(viewer)
    seen: list[tuple[Preview, QImage, tuple[float, float]]] = []
    show, show_full = viewer._show, viewer._show_full

    def spy(token: int, item: EvidenceInfo, pv: Preview, show=show) -> None:
        show(token, item, pv)
        rect = viewer.canvas.sceneRect()
        seen.append((pv, viewer.current_image(), (rect.width(), rect.height())))

    def spy_full(token: int, item: EvidenceInfo, pv: Preview, show=show_full) -> None:
        show(token, item, pv)
        rect = viewer.canvas.sceneRect()
        seen.append((pv, viewer.current_image(), (rect.width(), rect.height())))

    viewer._show, viewer._show_full = spy, spy_full  # type: ignore[method-assign]
    viewer.show_item(info)
    viewer.show()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=15000)
    (first, first_image, first_scene), (full, full_image, full_scene) = seen
    # First a screenful (the offscreen screen is 800×800): drawn scaled up to the picture.
    assert first.partial and max(first_image.width(), first_image.height()) <= 800
    assert first_scene == (shown_w, shown_h)
    # Then every pixel, on the same scene: nothing moves.
    assert not full.partial and (full_image.width(), full_image.height()) == (shown_w, shown_h)
    assert full_scene == (shown_w, shown_h)
    for image in (first_image, full_image):
        w, h = image.width(), image.height()
        assert w > h  # held portrait, then turned by the seller
        # The stored marker (top-left of the stored pixels) ends bottom-right after the
        # camera's quarter turn and the seller's; the redaction covers the top-left quarter.
        assert close(image.pixelColor(w - 3, h - 3), MARKER)
        assert close(image.pixelColor(w // 8, h // 8), (0, 0, 0))
        assert close(image.pixelColor(w - 3, 2), (200, 30, 30))
    viewer.original_toggle.setChecked(True)  # the picture without its marks, still turned
    bare = viewer.current_image()
    assert (bare.width(), bare.height()) == (shown_w, shown_h)
    assert close(bare.pixelColor(bare.width() // 8, bare.height() // 8), (200, 30, 30))
    # "Actual size" is the picture's own pixels.
    viewer.actual_button.click()
    assert viewer.canvas.scale_factor() == 1.0


def test_more_detail_keeps_the_zoom_and_the_place_looked_at(qtbot):
    canvas = ImageCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    small = QImage(100, 75, QImage.Format.Format_RGB32)
    small.fill(QColor("red"))
    canvas.set_image(small, 40.0)  # stands for a 4000×3000 picture
    assert canvas.sceneRect().width() == 4000
    fitted = canvas.scale_factor()
    assert fitted == pytest.approx(min(384 / 4000, 284 / 3000), rel=0.05)
    canvas.zoom_by(4.0)
    canvas.centerOn(3000, 2000)
    zoomed, centre = canvas.scale_factor(), canvas.mapToScene(canvas.viewport().rect().center())
    big = QImage(4000, 3000, QImage.Format.Format_RGB32)
    big.fill(QColor("blue"))
    canvas.replace_image(big, 1.0)
    assert canvas.scale_factor() == pytest.approx(zoomed)
    after = canvas.mapToScene(canvas.viewport().rect().center())
    assert abs(after.x() - centre.x()) < 2 and abs(after.y() - centre.y()) < 2
    assert canvas.image().width() == 4000


def _open_editor(qtbot, library: Library, item_id: int) -> MarkEditor:
    editor = open_mark_editor(library, item_id, None)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(editor)
    return editor


def test_the_mark_editor_opens_on_a_screenful_and_sharpens_without_moving_marks(
        qtbot, library, tmp_path):
    info = add_photo(library, tmp_path, megapixels=12.0)
    editor = _open_editor(qtbot, library, info.id)
    qtbot.waitUntil(lambda: editor.loaded, timeout=15000)
    # Scene units are the picture's pixels from the first screenful on.
    assert editor.full_size == (4000, 3000)
    assert editor.scene.sceneRect().width() == 4000
    qtbot.waitUntil(lambda: editor.detailed, timeout=15000)
    pixmap = editor.pixmap_item.pixmap()
    assert (pixmap.width(), pixmap.height()) == (4000, 3000)
    assert editor.pixmap_item.scale() == pytest.approx(1.0)
    box = editor.pixmap_item.sceneBoundingRect()
    assert (box.width(), box.height()) == (4000, 3000)
    editor.close()


def test_a_picture_smaller_than_the_screen_is_read_once(qtbot, library, tmp_path):
    info = add_photo(library, tmp_path, megapixels=0.3)
    editor = _open_editor(qtbot, library, info.id)
    qtbot.waitUntil(lambda: editor.loaded, timeout=10000)
    assert editor.detailed  # nothing more to fetch
    assert editor.pixmap_item.scale() == pytest.approx(1.0)
    editor.close()
