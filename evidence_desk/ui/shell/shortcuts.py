"""Help › Keyboard shortcuts: every key the desk answers to, read from the actions themselves
(so the list never says a key the desk does not have), plus the keys of the board and viewer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import tr


def _plain(text: str) -> str:
    text = re.sub(r"\(&\w\)", "", text)  # the Chinese menus' "(&N)" mnemonics
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


_SINGLE_KEYS = {"Del", "Delete", "Space", "Enter", "Backspace", "Esc",
                *(f"F{n}" for n in range(1, 13))}


def _typable(keys: str) -> bool:
    """Platform extras such as the "Undo", "Paste" or F14 keys of some keyboards are left out:
    the list shows what a seller can press on a laptop."""
    return "+" in keys or keys in _SINGLE_KEYS


def board_keys() -> list[tuple[str, str]]:
    """Keys handled inside the board and the viewer (not window actions)."""
    return [
        ("Space", tr("Preview the selected item (Space again closes it)")),
        (tr("Arrow keys"), tr("Move through the evidence cards, across kinds")),
        ("Enter", tr("Open the selected item in the viewer")),
        ("Delete", tr("Remove the selected items (undo brings them back)")),
        ("Ctrl+V", tr("Paste a screenshot or copied files")),
    ]


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what) for each action that has a shortcut, in the given order, once each."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for action in actions:
        keys = ", ".join(k for k in (s.toString(QKeySequence.SequenceFormat.NativeText)
                                     for s in action.shortcuts() if not s.isEmpty())
                         if _typable(k))
        if not keys or keys in seen:
            continue
        seen.add(keys)
        rows.append((keys, _plain(action.text())))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(tr("Keyboard shortcuts"))
        self.table = QTableWidget(len(rows), 2, objectName="shortcutsTable")
        self.table.setHorizontalHeaderLabels([tr("Keys"), tr("Does")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 480)
