"""The list of a library's backups a seller chooses from (restore, and the start-up dialog)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from evidence_desk.i18n import tr
from evidence_desk.library.backup import BackupInfo


def backup_date(info: BackupInfo) -> str:
    return info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


class BackupList(QTreeWidget):
    """Backups, newest first: when, how many cases, how many files."""

    def __init__(self, backups: Sequence[BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupList")
        self.setRootIsDecorated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHeaderLabels([tr("Made on"), tr("Cases"), tr("Files")])
        self.setAllColumnsShowFocus(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.backups = list(backups)
        for n, info in enumerate(self.backups):
            text = backup_date(info) + (tr(" (newest)") if n == 0 else "")
            row = QTreeWidgetItem([text, str(info.cases), str(info.files)])
            row.setData(0, Qt.ItemDataRole.UserRole, info.name)
            if info.missing:
                row.setToolTip(0, tr("{n} originals were already missing when this backup "
                                     "was made.", n=len(info.missing)))
            for col in (1, 2):
                row.setTextAlignment(col, Qt.AlignmentFlag.AlignRight
                                     | Qt.AlignmentFlag.AlignVCenter)
            self.addTopLevelItem(row)
        if self.backups:
            self.setCurrentItem(self.topLevelItem(0))
        self.setMinimumHeight(150)

    def chosen(self) -> BackupInfo | None:
        item = self.currentItem()
        if item is None:
            return None
        name = item.data(0, Qt.ItemDataRole.UserRole)
        return next((b for b in self.backups if b.name == name), None)


RESTORE_EXPLAINED = ("Restoring puts the chosen backup's database back in place. The current "
                     "database is not deleted: it is kept beside it as "
                     "“library.sqlite3.broken-…”. Evidence added after the backup was made is "
                     "not in it; those originals stay in the library folder.")
