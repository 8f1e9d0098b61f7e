"""Reminders: a window closing in two days and an overdue result are listed; ten days left is not."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from factories import chat_screenshot, order_screenshot
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from evidence_desk.library.service import Library
from evidence_desk.ui.flow.reminders import CLOSING, OVERDUE, find_reminders

WAIT = 15000


def _submitted_long_ago(lib: Library, tmp: Path) -> int:
    cid = lib.create_case("fake_transaction", "LATE-1", demand="Refund USD 100.",
                          completed_on=date.today() - timedelta(days=12)).id
    lib.add_paths(cid, [order_screenshot(tmp / "o.png", "1", 320, 200)], kind="order_screenshot")
    lib.add_paths(cid, [chat_screenshot(tmp / "c.png", ["pay"], 200, 300)], kind="chat_record")
    lib.move_case(cid, "submitted", on=date.today() - timedelta(days=10))
    return cid


def test_reminder_bar_lists_closing_and_overdue(qtbot: QtBot, library: Library,
                                                settings: QSettings, tmp_path: Path,
                                                make_case) -> None:  # noqa: ANN001
    closing = make_case(library, "SOON-2", days_ago=13)  # 15-day window: 2 days left
    relaxed = make_case(library, "RELAXED-10", days_ago=5)
    late = _submitted_long_ago(library, tmp_path)

    found = {(r.case_id, r.kind) for r in find_reminders(library)}
    assert found == {(closing, CLOSING), (late, OVERDUE)}

    from evidence_desk.ui.shell.main_window import MainWindow

    window = MainWindow(library, settings)
    qtbot.addWidget(window)
    window.show()
    bar = window.flow_ui.reminder_bar
    qtbot.waitUntil(bar.isVisible, timeout=WAIT)
    text = bar.text.text()
    assert "SOON-2" in text and "2 days left" in text
    assert "LATE-1" in text and "overdue" in text
    assert "RELAXED-10" not in text and relaxed not in {r.case_id for r in bar.reminders}

    bar.text.linkActivated.emit(f"case:{closing}")
    assert window.current_case() == closing

    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    # Dismissed stays dismissed until the list changes.
    with qtbot.waitSignal(window.flow_ui.reminders.updated, timeout=WAIT):
        window.flow_ui.reminders.check_now()
    assert not bar.isVisible()
    make_case(library, "SOON-1", days_ago=14)
    with qtbot.waitSignal(window.flow_ui.reminders.updated, timeout=WAIT):
        window.flow_ui.reminders.check_now()
    assert bar.isVisible() and "SOON-1" in bar.text.text()
    window.close()


def test_the_bar_is_a_short_list_most_urgent_first(qtbot) -> None:  # noqa: ANN001
    from datetime import date as _date

    from evidence_desk.ui.flow.reminders import CLOSING, OVERDUE, SHOWN, Reminder, ReminderBar

    bar = ReminderBar()
    qtbot.addWidget(bar)
    reminders = [Reminder(1, "LATE-OLD", OVERDUE, expected_by=_date(2026, 1, 1)),
                 Reminder(2, "FIVE", CLOSING, days_left=5),
                 Reminder(3, "ONE", CLOSING, days_left=1),
                 Reminder(4, "LATE-NEW", OVERDUE, expected_by=_date(2026, 6, 1)),
                 Reminder(5, "THREE", CLOSING, days_left=3),
                 Reminder(6, "SIX", CLOSING, days_left=6)]
    bar.show_reminders(reminders)
    assert [r.order_no for r in bar.reminders] == ["ONE", "THREE", "FIVE", "SIX", "LATE-OLD",
                                                   "LATE-NEW"]
    text = bar.text.text()
    lines = text.split("<br>")
    assert text.index("ONE") < text.index("THREE") < text.index("FIVE")
    assert "LATE-OLD" not in text and "and 2 more" in text  # only the first SHOWN are listed
    assert sum(1 for line in lines if line.startswith("•")) == SHOWN
