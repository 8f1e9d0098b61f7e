"""The case list: a table model over case ids that fetches rows in batches as they scroll into
view, the filter bar above it, and the panel that holds both.

Only ids are held for every matching case; a row's CaseSummary is fetched the first time the view
asks for it, together with its neighbours, so a library of thousands opens at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.i18n import tr
from evidence_desk.library.service import CaseSummary, Library
from evidence_desk.ui.common import labels

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

COL_ORDER, COL_BUYER, COL_TYPE, COL_STATUS, COL_READY, COL_DAYS = range(6)
BATCH = 100
# Column sizing: the smallest a column may get, the largest a long label may make it, and the
# room the header (sort arrow) and the cells (margins) need around the text.
MIN_WIDTHS = {COL_ORDER: 96, COL_BUYER: 80, COL_TYPE: 90, COL_STATUS: 64, COL_READY: 56,
              COL_DAYS: 56}
MAX_WIDTH = 240
HEADER_PADDING = 24
CELL_PADDING = 14
SAMPLE_ROWS = 50
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

# Status-filter entries that are not states: which shelf of the library to look at.
SCOPE_OPEN = "open"
SCOPE_ARCHIVED = "archived"
SCOPE_TRASH = "trash"


@dataclass(frozen=True)
class CaseFilter:
    search: str = ""
    states: tuple[str, ...] = ()
    type_keys: tuple[str, ...] = ()
    scope: str = SCOPE_OPEN


def _headers() -> tuple[str, ...]:
    return (tr("Order no."), tr("Buyer"), tr("Complaint type"), tr("Status"), tr("Evidence"),
            tr("Deadline"))


class CaseListModel(QAbstractTableModel):
    """Rows are case ids; summaries come from the library in batches and are cached by id."""

    def __init__(self, library: Library, parent: Any = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._today = today
        self._filter = CaseFilter()
        self._ids: list[int] = []
        self._rows: dict[int, int] = {}
        self._cache: dict[int, CaseSummary] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.batch = BATCH

    # ---- loading -----------------------------------------------------------------------
    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    def set_filter(self, case_filter: CaseFilter) -> None:
        self._filter = case_filter
        self.reload()

    def reload(self) -> None:
        """Ask the library again which cases match; cached rows are dropped (they may be stale)."""
        f = self._filter
        ids = self.library.case_ids(
            search=f.search, states=f.states, type_keys=f.type_keys,
            archived=True if f.scope == SCOPE_ARCHIVED else (None if f.scope == SCOPE_TRASH
                                                             else False),
            deleted=f.scope == SCOPE_TRASH)
        self.beginResetModel()
        self._cache.clear()
        self._ids = ids
        if self._sort is not None:
            self._ids = self._sorted(ids, *self._sort)
        self._index_rows()
        self.endResetModel()

    def refresh_case(self, case_id: int) -> None:
        """One case changed (a field, its evidence): fetch its row again when next shown."""
        self._cache.pop(case_id, None)
        row = self._rows.get(case_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _index_rows(self) -> None:
        self._rows = {cid: row for row, cid in enumerate(self._ids)}

    def _fetch(self, ids: Sequence[int]) -> None:
        missing = [i for i in ids if i not in self._cache]
        for start in range(0, len(missing), 500):
            for s in self.library.case_summaries(missing[start:start + 500], self._today):
                self._cache[s.id] = s

    def summary(self, row: int) -> CaseSummary | None:
        if not 0 <= row < len(self._ids):
            return None
        cid = self._ids[row]
        if cid not in self._cache:
            # The neighbours are likely to be painted next; one query brings them all.
            self._fetch(self._ids[row:row + self.batch])
        return self._cache.get(cid)

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        return self._rows.get(case_id)

    def ids(self) -> list[int]:
        return list(self._ids)

    # ---- Qt model interface ------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = _NO_INDEX) -> int:
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 6:
            if role == Qt.ItemDataRole.DisplayRole:
                return _headers()[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_READY:
                return tr("Required evidence present / required")
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
            Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        s = self.summary(index.row())
        if s is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, col)
        if role == CASE_ID_ROLE:
            return s.id
        if role == SORT_ROLE:
            return self._sort_key(s, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_DAYS:
                return None if labels.is_filed(s.state) else labels.days_left_colour(s.days_left)
            if col == COL_READY and s.required:
                return labels.GREEN if s.met >= s.required else labels.RED
            return None
        if role == Qt.ItemDataRole.FontRole and col == COL_ORDER:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_READY, COL_DAYS):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_ORDER and s.title:
                return s.title
            if col == COL_DAYS and s.deadline and not labels.is_filed(s.state):
                return tr("Last day: {date}", date=s.deadline.isoformat()) + "\n" + \
                    labels.days_left_text(s.days_left)
        return None

    def _display(self, s: CaseSummary, col: int) -> str:
        rules = self.library.rules
        if col == COL_ORDER:
            return s.order_no
        if col == COL_BUYER:
            return s.buyer_name or "—"
        if col == COL_TYPE:
            return labels.type_label(rules, s.type_key)
        if col == COL_STATUS:
            text = labels.state_label(rules, s.type_key, s.state)
            if s.deleted:
                return tr("{state} (in trash)", state=text)
            return tr("{state} (archived)", state=text) if s.archived else text
        if col == COL_READY:
            return f"{s.met}/{s.required}"
        if labels.is_filed(s.state):
            return tr("Filed")  # the window stopped counting when the complaint went in
        return labels.days_left_short(s.days_left)

    def _sort_key(self, s: CaseSummary, col: int) -> Any:
        if col == COL_READY:
            return (s.met - s.required, s.met)
        if col == COL_DAYS:
            # Urgency first: cases still open to complaint, soonest first; then the expired
            # ones, the most recently closed first; cases without a deadline last.
            if s.days_left is None or labels.is_filed(s.state):
                return (2, 0)
            if s.days_left < 0:
                return (1, -s.days_left)
            return (0, s.days_left)
        return self._display(s, col).casefold()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < 6:
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = list(self._ids)
        self._ids = self._sorted(self._ids, column, order)
        self._index_rows()
        moved_from: list[QModelIndex] = []
        moved_to: list[QModelIndex] = []
        for idx in self.persistentIndexList():
            if 0 <= idx.row() < len(old) and old[idx.row()] in self._rows:
                moved_from.append(idx)
                moved_to.append(self.index(self._rows[old[idx.row()]], idx.column()))
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def _sorted(self, ids: list[int], column: int, order: Qt.SortOrder) -> list[int]:
        # Sorting needs every row's key: one batched fetch, which is fine up to many thousands.
        self._fetch(ids)
        present = [i for i in ids if i in self._cache]
        present.sort(key=lambda i: (self._sort_key(self._cache[i], column), i),
                     reverse=order == Qt.SortOrder.DescendingOrder)
        return present


class CaseFilterBar(QWidget):
    """Search box (debounced) plus complaint-type and status pickers."""

    changed = Signal(object)  # CaseFilter

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.search = QLineEdit(objectName="caseSearch")
        self.search.setClearButtonEnabled(True)
        self.type_combo = QComboBox(objectName="caseTypeFilter")
        self.status_combo = QComboBox(objectName="caseStatusFilter")
        for combo in (self.type_combo, self.status_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._emit)
        self.type_combo.currentIndexChanged.connect(self._emit)
        self.status_combo.currentIndexChanged.connect(self._emit)
        combos = QHBoxLayout()
        combos.setContentsMargins(0, 0, 0, 0)
        combos.addWidget(self.type_combo, 1)
        combos.addWidget(self.status_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addLayout(combos)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(tr("Search order no., buyer, caption…"))
        type_key = self.type_combo.currentData()
        status = self.status_combo.currentData()
        for combo in (self.type_combo, self.status_combo):
            combo.blockSignals(True)
            combo.clear()
        self.type_combo.addItem(tr("All complaint types"), "")
        for key in self.library.rules.types:
            self.type_combo.addItem(labels.type_label(self.library.rules, key), key)
        self.status_combo.addItem(tr("All open cases"), SCOPE_OPEN)
        for key, text in labels.all_states():
            self.status_combo.addItem(text, f"state:{key}")
        self.status_combo.insertSeparator(self.status_combo.count())
        self.status_combo.addItem(tr("Archived"), SCOPE_ARCHIVED)
        self.status_combo.addItem(tr("Trash"), SCOPE_TRASH)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(type_key or "")))
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(status or SCOPE_OPEN)))
        for combo in (self.type_combo, self.status_combo):
            combo.blockSignals(False)

    def current(self) -> CaseFilter:
        status = str(self.status_combo.currentData() or SCOPE_OPEN)
        type_key = str(self.type_combo.currentData() or "")
        if status.startswith("state:"):
            return CaseFilter(self.search.text(), (status[6:],), (type_key,) if type_key else ())
        return CaseFilter(self.search.text(), (), (type_key,) if type_key else (), status)

    def show_scope(self, scope: str) -> None:
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(scope)))

    def _emit(self) -> None:
        self._debounce.stop()
        self.changed.emit(self.current())


class CaseListPanel(QWidget):
    """Filter bar, the list, and a count; tells the window which case is current."""

    current_case_changed = Signal(object)  # int | None

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.filters = CaseFilterBar(library, self)
        self.model = CaseListModel(library, self)
        self.view = QTreeView(objectName="caseList")
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        # Uniform rows let the view ask only for the rows it shows, which keeps fetching lazy.
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.view.header()
        # Widths follow a sample of rows (fit_columns), not ResizeToContents: that mode would read
        # every row of a big library on each change. The user can still drag them.
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(36)
        for col, width in MIN_WIDTHS.items():
            header.resizeSection(col, width)
        self._fitted = False
        self._wanted: dict[int, int] = {}  # each column's fitted width, to grow back to
        self.view.viewport().installEventFilter(self)
        # No sort until the user asks: sorting reads every row, opening should read only a page.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.count_label = QLabel(objectName="caseCount")
        self.count_label.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 6)
        layout.setSpacing(6)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        self.filters.changed.connect(self._apply_filter)
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.modelReset.connect(self._update_count)
        self._current: int | None = None

    def retranslate(self) -> None:
        self.filters.retranslate()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 5)
        self._fitted = False  # labels have other lengths in another language
        self.reload()

    def reload(self, keep: int | None = None) -> None:
        """Query again, keeping the current case selected when it still matches."""
        target = keep if keep is not None else self._current
        self.model.reload()
        if not self._fitted and self.model.rowCount():
            # Once, on the first rows there are: refitting on every reload would move columns
            # the user has dragged.
            self.fit_columns()
        self.select_case(target)

    def fit_columns(self, sample: int = SAMPLE_ROWS) -> None:
        """Size each column to its header and to the text of the first `sample` rows."""
        model = self.model
        header = self.view.header()
        plain = self.view.fontMetrics()
        bold_font = QFont(self.view.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        rows = min(sample, model.rowCount())
        for col in range(model.columnCount()):
            title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
            widest = plain.horizontalAdvance(title) + HEADER_PADDING
            metrics = bold if col == COL_ORDER else plain
            for row in range(rows):
                text = model.index(row, col).data()
                if text:
                    widest = max(widest, metrics.horizontalAdvance(str(text)) + CELL_PADDING)
            header.resizeSection(col, min(MAX_WIDTH, max(MIN_WIDTHS[col], widest)))
            self._wanted[col] = header.sectionSize(col)
        self._fitted = rows > 0
        self._fit_to_panel()

    def _fit_to_panel(self) -> None:
        """Give back width from the long text columns (they elide) so that the short ones a
        seller scans (order no., status, days left) never scroll out of sight; in a narrow
        panel (a rail) the columns that are only nice to have step aside altogether."""
        header = self.view.header()
        room = self.view.viewport().width()
        if room <= 0:
            return
        # Bring back what a wider panel has room for, at its smallest.
        for col in (COL_READY, COL_BUYER, COL_TYPE):
            if header.isSectionHidden(col):
                shown = sum(header.sectionSize(c) for c in range(header.count())
                            if not header.isSectionHidden(c))
                if shown + MIN_WIDTHS[col] <= room:
                    self.view.setColumnHidden(col, False)
                    header.resizeSection(col, MIN_WIDTHS[col])
                else:
                    break
        visible = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        excess = sum(header.sectionSize(c) for c in visible) - room
        for col in (COL_TYPE, COL_BUYER, COL_STATUS, COL_DAYS, COL_ORDER):
            if excess <= 0:
                break
            if header.isSectionHidden(col):
                continue
            give = min(excess, header.sectionSize(col) - MIN_WIDTHS[col])
            if give > 0:
                header.resizeSection(col, header.sectionSize(col) - give)
                excess -= give
        for col in (COL_TYPE, COL_BUYER, COL_READY):
            if excess <= 0:
                break
            if not header.isSectionHidden(col):
                excess -= header.sectionSize(col)
                self.view.setColumnHidden(col, True)
        if excess > 0:
            # Still too narrow: the order number elides before status or days left do.
            header.resizeSection(COL_ORDER, max(60, header.sectionSize(COL_ORDER) - excess))
        else:
            # Room freed by the columns that stepped aside goes to the order number first
            # (a seller finds a case by it), then to the status.
            for col in (COL_ORDER, COL_STATUS, COL_DAYS):
                grow = min(-excess, self._wanted.get(col, 0) - header.sectionSize(col))
                if grow > 0:
                    header.resizeSection(col, header.sectionSize(col) + grow)
                    excess += grow

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The viewport's own resize, not the panel's: the layout sizes the view after the panel.
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize \
                and self._fitted:
            self._fit_to_panel()
        return super().eventFilter(watched, event)

    def preferred_width(self) -> int:
        """The panel width at which every column shows in full."""
        header = self.view.header()
        columns = sum(header.sectionSize(c) for c in range(header.count()))
        margins = self.layout().contentsMargins()
        chrome = 2 * self.view.frameWidth() + self.view.verticalScrollBar().sizeHint().width()
        return columns + chrome + margins.left() + margins.right()

    def _apply_filter(self, case_filter: CaseFilter) -> None:
        self.model.set_filter(case_filter)
        self.select_case(self._current)

    def select_case(self, case_id: int | None) -> None:
        row = self.model.row_of(case_id) if case_id is not None else None
        if row is None:
            self.view.selectionModel().clearSelection()
            self.view.setCurrentIndex(QModelIndex())
            self._set_current(None)
            return
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self._set_current(case_id)

    def current_case(self) -> int | None:
        return self._current

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._set_current(self.model.case_id(current.row()) if current.isValid() else None)

    def _set_current(self, case_id: int | None) -> None:
        if case_id != self._current:
            self._current = case_id
            self.current_case_changed.emit(case_id)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(tr("1 case") if n == 1 else tr("{n} cases", n=n))
