"""Import pieces of the board: the file/folder choosers, the inline progress strip with Cancel,
and the one summary that lists what was refused and why."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import tr

# What the importer understands; anything else may still be chosen through "All files".
EVIDENCE_PATTERNS = ("*.png *.jpg *.jpeg *.gif *.webp *.heic *.heif *.bmp *.tif *.tiff "
                     "*.pdf *.csv *.xlsx *.xls *.eml *.msg *.txt")


def file_dialog(parent: QWidget | None, folder: bool = False) -> QFileDialog:
    """A window-modal chooser opened with open(), not exec(): no nested event loop, and the
    window keeps painting (and tests keep running) while it is up."""
    dialog = QFileDialog(parent)
    dialog.setObjectName("addFolderDialog" if folder else "addFilesDialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if folder:
        dialog.setWindowTitle(tr("Add every file in a folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog.setWindowTitle(tr("Add evidence files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([f"{tr('Evidence files')} ({EVIDENCE_PATTERNS})",
                               f"{tr('All files')} (*)"])
    return dialog


class ImportProgress(QFrame):
    """A strip above the board while an import runs: what it is doing, a bar, Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importProgress")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setMinimumWidth(120)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setMaximumHeight(16)
        self.cancel = QPushButton(tr("Cancel"))
        self.cancel.setObjectName("importCancel")
        self.cancel.clicked.connect(self._cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar, 2)
        row.addWidget(self.cancel)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel.setEnabled(True)
        self.show()

    def update_progress(self, done: int, total: int, name: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.bar.setFormat(f"{done} / {total}")
        if name:
            self.label.setText(tr("Importing {name}", name=name))

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.label.setText(tr("Cancelling…"))
        self.cancel_requested.emit()


class ImportSummaryDialog(QDialog):
    """One list of the files that were not added, with the reason for each."""

    def __init__(self, added: int, duplicates: Sequence[tuple[str, str]],
                 refused: Sequence[tuple[str, str]], cancelled: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importSummary")
        self.setWindowTitle(tr("Import summary"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        head = QLabel(self.headline(added, len(duplicates), len(refused), cancelled))
        head.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("File"), tr("Reason")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        for status, rows in ((tr("Refused"), refused), (tr("Duplicate"), duplicates)):
            for path, reason in rows:
                item = QTreeWidgetItem([Path(path).name, f"{status}: {reason}"])
                item.setToolTip(0, path)
                item.setToolTip(1, reason)
                self.tree.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(640, 360)

    @staticmethod
    def headline(added: int, duplicates: int, refused: int, cancelled: bool) -> str:
        text = tr("{added} added, {duplicates} already in this case, {refused} refused.",
                  added=added, duplicates=duplicates, refused=refused)
        if cancelled:
            text = tr("Import cancelled.") + " " + text
        return text
