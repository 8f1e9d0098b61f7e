"""GUI fixtures: a real library in a temporary folder, settings in a temporary INI file, English."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from evidence_desk.i18n import set_language
from evidence_desk.library.service import Library
from evidence_desk.ui.common.i18n_qt import apply_language, install_cjk_fallback
from evidence_desk.ui.common.settings import OCR_ENABLED_KEY, SETTINGS_ENV, open_settings


@pytest.fixture(autouse=True)
def _gui_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: object) -> Iterator[None]:
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "settings" / "evidence-desk.ini"))
    # Background text recognition costs seconds of CPU a screenshot: the tests about it turn
    # it on (tests/gui/test_ocr_*.py); every other window leaves the pictures unread.
    off = open_settings()
    off.setValue(OCR_ENABLED_KEY, False)
    off.sync()
    install_cjk_fallback()
    apply_language("en")
    yield
    apply_language("en")
    set_language("en")
    # The clipboard owns what tests put on it; clearing it while Python still holds the
    # wrappers avoids a double free when the application is torn down at exit.
    QGuiApplication.clipboard().clear()


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library")
    yield lib
    lib.close()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return open_settings(tmp_path / "settings" / "evidence-desk.ini")


@pytest.fixture
def window(qtbot: QtBot, library: Library, settings: QSettings):  # noqa: ANN201
    from evidence_desk.ui.shell.main_window import MainWindow

    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def _make_case(lib: Library, order_no: str, type_key: str = "fake_transaction", *,
               days_ago: int = 5, buyer: str | None = None, **values: object) -> int:
    return lib.create_case(type_key, order_no, buyer_name=buyer,
                           completed_on=date.today() - timedelta(days=days_ago),
                           **values).id


@pytest.fixture
def make_case() -> Callable[..., int]:
    """make_case(lib, order_no, type_key=..., days_ago=5, buyer=None, **fields) -> case id."""
    return _make_case


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns about a feature it lacks whenever a top-level window with a
    # layout is shown; it says nothing about the app, and every other Qt warning still fails.
    for item in items:
        if "tests/gui" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(r"does not support propagateSizeHints"))
