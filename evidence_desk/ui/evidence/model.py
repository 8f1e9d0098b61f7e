"""The item model behind one kind group of the evidence board: a list of item ids.

Rows are ids; the EvidenceInfo for each id is kept beside them so painting never touches the
database. A reload hands the model the new list and the model works out the rows that went and
came (difflib on the id lists), so selection and scroll position survive an edit elsewhere.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import tr
from evidence_desk.ingest.probe import FLAG_MESSAGES
from evidence_desk.ui.evidence.thumbnail_cache import ThumbnailCache

EVIDENCE_MIME = "application/x-evidence-desk-items"

ItemIdRole = Qt.ItemDataRole.UserRole + 1
InfoRole = Qt.ItemDataRole.UserRole + 2
ThumbRole = Qt.ItemDataRole.UserRole + 3  # Thumb | None, asks for it when missing
# "altered" or "missing" once a re-hash found the original changed or gone, else "".
IntegrityRole = Qt.ItemDataRole.UserRole + 4

AnyIndex = QModelIndex | QPersistentModelIndex
# Combined once: the view asks for a card's flags on every paint.
_CARD_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
               | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)
# (mime data, target row) -> handled
DropHandler = Callable[[QMimeData, int], bool]



def encode_ids(case_id: int, ids: Sequence[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(EVIDENCE_MIME, QByteArray(json.dumps(
        {"case": case_id, "ids": list(ids)}).encode()))
    return mime


def decode_ids(mime: QMimeData) -> tuple[int, list[int]] | None:
    if not mime.hasFormat(EVIDENCE_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(EVIDENCE_MIME).data()).decode())
        return int(payload["case"]), [int(i) for i in payload["ids"]]
    except (ValueError, KeyError, TypeError):
        return None


@lru_cache(maxsize=4096)
def format_time(moment: datetime | None) -> str:
    # Kept: every card paint shows its capture time, and scrolling paints cards again and again.
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def has_thumbnail(info: EvidenceInfo) -> bool:
    """Pictures, PDFs and videos (a poster frame, where one can be had) get a thumbnail; other
    files show their type instead."""
    return info.mime.startswith(("image/", "video/")) or info.mime == "application/pdf"


def title_of(info: EvidenceInfo) -> str:
    return info.caption.strip() or info.original_name


INTEGRITY_MESSAGES = {
    "altered": "This original no longer matches its SHA-256: it was changed on disk. It is "
               "not used in exports; restore it from a backup.",
    "missing": "This original is missing from the library. It is not used in exports; "
               "restore it from a backup.",
}


def tooltip_of(info: EvidenceInfo, integrity: str = "") -> str:
    lines = [info.original_name]
    if integrity in INTEGRITY_MESSAGES:
        lines.insert(0, "⛔ " + tr(INTEGRITY_MESSAGES[integrity]))
    if info.caption:
        lines.append(info.caption)
    if info.captured_at:
        lines.append(tr("Captured {time}", time=format_time(info.captured_at)))
    if info.width and info.height:
        lines.append(f"{info.width} × {info.height}")
    lines.extend("⚠ " + tr(FLAG_MESSAGES[f]) for f in info.flags if f in FLAG_MESSAGES)
    return "\n".join(lines)


class EvidenceListModel(QAbstractListModel):
    """The items of one evidence kind, in their board order."""

    def __init__(self, kind: str, thumbs: ThumbnailCache | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.case_id = 0
        self.thumbs = thumbs
        self.drop_handler: DropHandler | None = None
        self._ids: list[int] = []
        self._infos: dict[int, EvidenceInfo] = {}
        self._rows_by_sha: dict[str, list[int]] = {}
        # item id -> "altered" / "missing", shared with the window's integrity checks.
        self._integrity: dict[int, str] = {}
        if thumbs is not None:
            thumbs.ready.connect(self._thumb_ready)

    # ---- contents ---------------------------------------------------------------------
    def set_items(self, items: Sequence[EvidenceInfo], case_id: int | None = None) -> None:
        """Make the rows match `items`, touching only the rows that changed."""
        if case_id is not None and case_id != self.case_id:
            self.case_id = case_id
            self.beginResetModel()
            self._ids = [i.id for i in items]
            self._infos = {i.id: i for i in items}
            self._reindex()
            self.endResetModel()
            return
        new_ids = [i.id for i in items]
        new_infos = {i.id: i for i in items}
        if new_ids != self._ids:
            matcher = difflib.SequenceMatcher(a=self._ids, b=new_ids, autojunk=False)
            # Applied back to front so earlier row numbers stay valid.
            for tag, a0, a1, b0, b1 in reversed(matcher.get_opcodes()):
                if tag in ("delete", "replace"):
                    self.beginRemoveRows(QModelIndex(), a0, a1 - 1)
                    del self._ids[a0:a1]
                    self.endRemoveRows()
                if tag in ("insert", "replace"):
                    self.beginInsertRows(QModelIndex(), a0, a0 + (b1 - b0) - 1)
                    self._ids[a0:a0] = new_ids[b0:b1]
                    for i in new_ids[b0:b1]:
                        self._infos[i] = new_infos[i]
                    self.endInsertRows()
        changed = [row for row, i in enumerate(self._ids) if self._infos.get(i) != new_infos[i]]
        self._infos = new_infos
        self._reindex()
        if changed:
            self.dataChanged.emit(self.index(min(changed)), self.index(max(changed)))

    def _reindex(self) -> None:
        self._rows_by_sha = {}
        for row, i in enumerate(self._ids):
            self._rows_by_sha.setdefault(self._infos[i].sha256, []).append(row)

    def ids(self) -> list[int]:
        return list(self._ids)

    def item(self, row: int) -> EvidenceInfo:
        return self._infos[self._ids[row]]

    def row_of(self, item_id: int) -> int:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return -1

    def set_integrity(self, marks: dict[int, str]) -> None:
        """Which items a re-hash found altered or missing; repaints the rows that changed."""
        old, self._integrity = self._integrity, dict(marks)
        for row, i in enumerate(self._ids):
            if old.get(i, "") != self._integrity.get(i, ""):
                idx = self.index(row)
                self.dataChanged.emit(idx, idx, [IntegrityRole, Qt.ItemDataRole.ToolTipRole])

    def integrity(self, item_id: int) -> str:
        return self._integrity.get(item_id, "")

    def _thumb_ready(self, sha: str) -> None:
        for row in self._rows_by_sha.get(sha, ()):
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole, ThumbRole])

    # ---- QAbstractItemModel -----------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        info = self._infos[self._ids[index.row()]]
        if role == Qt.ItemDataRole.DisplayRole:
            return title_of(info)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_of(info, self._integrity.get(info.id, ""))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{title_of(info)} {format_time(info.captured_at)}".strip()
        if role == Qt.ItemDataRole.DecorationRole:
            thumb = self.thumbs.peek(info.sha256) if self.thumbs else None
            return thumb.pixmap if thumb is not None else None
        if role == ThumbRole:
            if self.thumbs is None or not has_thumbnail(info):
                return None
            return self.thumbs.get(info.sha256, info.mime)
        if role == ItemIdRole:
            return info.id
        if role == InfoRole:
            return info
        if role == IntegrityRole:
            return self._integrity.get(info.id, "")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return _CARD_FLAGS

    # ---- drag and drop ----------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [EVIDENCE_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return encode_ids(self.case_id, [self._ids[r] for r in rows])

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        if decode_ids(data) is not None:
            return True
        return data.hasUrls() and any(u.isLocalFile() for u in data.urls())

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if self.drop_handler is None or not self.canDropMimeData(data, action, row, column,
                                                                  parent):
            return False
        if parent.isValid():
            row = parent.row()
        return self.drop_handler(data, row if row >= 0 else len(self._ids))
