"""The open case's fields. There is no Save button: each change becomes an undoable command that
writes through the Library as soon as the user leaves the field or pauses typing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QEvent,
    QLocale,
    QObject,
    QRegularExpression,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QRegularExpressionValidator, QResizeEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.deadlines import complaint_deadline, days_left
from evidence_desk.core.limits import DATE_MAX, TEXT_LIMITS
from evidence_desk.core.types import BuyerInfo, CaseInfo
from evidence_desk.i18n import tr
from evidence_desk.library.service import Library
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.context import BUYER, FIELDS, STATE, STATEMENT, DeskContext
from evidence_desk.ui.common.undo import SaveBuyerCommand, SetCaseFieldsCommand

# A pause in typing this long saves the field, so nothing is lost if the app is closed mid-edit.
TYPING_PAUSE_MS = 800
# Below this width the form's two fact columns stack.
NARROW_FORM = 440
_NO_DATE = QDate(2000, 1, 1)
CURRENCIES = ("USD", "CNY", "EUR", "GBP", "JPY", "HKD", "AUD", "CAD")
DATE_FIELDS = ("completed_on", "paid_on", "accepted_on", "refund_requested_on")
TEXT_FIELDS = ("order_no", "title", "amount", "reason", "demand", "notes")
BUYER_FIELDS = ("credit_level", "country", "member_id", "company", "notes")


def _field_labels() -> dict[str, str]:
    return {
        "order_no": tr("Order no."), "title": tr("Title"), "buyer": tr("Buyer"),
        "type_key": tr("Complaint type"), "completed_on": tr("Completed on"),
        "paid_on": tr("Paid on"), "accepted_on": tr("Service accepted on"),
        "refund_requested_on": tr("Refund requested on"), "amount": tr("Amount"),
        "currency": tr("Currency"), "reason": tr("Complaint reason"), "demand": tr("Demand"),
        "notes": tr("Notes"), "other_channel_agreed": tr("Other chat channel"),
    }


# Typed dates: ISO first, then the seller's own order (and compact or slashed forms of both).
_TYPED_FORMATS = ("yyyy-MM-dd", "yyyy-M-d", "yyyyMMdd", "yyyy/M/d", "yyyy.M.d")


def parse_typed_date(text: str) -> QDate | None:
    """A date typed by hand: ISO, compact, slashed, or in the locale's short order."""
    text = text.strip()
    if not text:
        return None
    locale = QLocale()
    formats = (*_TYPED_FORMATS, locale.dateFormat(QLocale.FormatType.ShortFormat),
               locale.dateFormat(QLocale.FormatType.LongFormat), "d/M/yyyy", "M/d/yyyy")
    for fmt in formats:
        d = QDate.fromString(text, fmt)
        if d.isValid() and d.year() > 1900:
            return d
    return None


class _TypedDateEdit(QDateEdit):
    """A date edit that takes a whole date typed in one go, not only section by section:
    an unset field shows "Not set", and typing 2026-11-25 over it must give that date."""

    def validate(self, text: str, pos: int) -> object:
        if text == self.specialValueText() or parse_typed_date(text) is not None:
            return (QValidator.State.Acceptable, text, pos)
        if len(text) <= 12 and all(c.isdigit() or c in "-/. " for c in text):
            return (QValidator.State.Intermediate, text, pos)
        return super().validate(text, pos)

    def dateTimeFromText(self, text: str) -> QDateTime:
        d = parse_typed_date(text)
        if d is not None:
            return QDateTime(d, QTime(0, 0))
        return super().dateTimeFromText(text)

    def fixup(self, text: str) -> str:
        d = parse_typed_date(text)
        return d.toString(self.displayFormat()) if d is not None else super().fixup(text)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.date() == self.minimumDate():
            # "Not set" is selected whole, so typing replaces it instead of mixing into it.
            QTimer.singleShot(0, self.selectAll)


class DateField(QWidget):
    """A date that may be unset: 'Not set' until picked, with a button to clear it again."""

    committed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = _TypedDateEdit()
        self.near: date | None = None  # where the calendar opens while the field is unset
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMinimumDate(_NO_DATE)
        # Dates after core.limits.DATE_MAX are refused by the library; the field cannot make one.
        self.edit.setMaximumDate(QDate(DATE_MAX.year, DATE_MAX.month, DATE_MAX.day))
        self.edit.setDate(_NO_DATE)
        self.clear_button = QToolButton()
        self.clear_button.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_LineEditClearButton))
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(self._clear)
        self.edit.editingFinished.connect(self.committed)
        self.edit.dateChanged.connect(self._changed)
        # A popup opened on an unset date would start in the year 2000; start at today instead.
        self.edit.calendarWidget().installEventFilter(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.clear_button)
        self.retranslate()
        self._sync_clear()

    def retranslate(self) -> None:
        self.edit.setSpecialValueText(tr("Not set"))
        self.clear_button.setToolTip(tr("Clear the date"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.value() is None:
            # Near the case's other dates (an order is paid, accepted and refunded within
            # weeks), else today.
            near = self.near or date.today()
            self.edit.calendarWidget().setCurrentPage(near.year, near.month)
        return False

    def value(self) -> date | None:
        d = self.edit.date()
        return None if d == _NO_DATE else date(d.year(), d.month(), d.day())

    def set_value(self, value: date | None) -> None:
        self.edit.blockSignals(True)
        self.edit.setDate(QDate(value.year, value.month, value.day) if value else _NO_DATE)
        self.edit.blockSignals(False)
        self._sync_clear()

    def _changed(self) -> None:
        self._sync_clear()
        # A pick in the calendar popup ends the edit without editingFinished from the field.
        if not self.edit.hasFocus():
            self.committed.emit()

    def _clear(self) -> None:
        self.edit.setDate(_NO_DATE)
        self.committed.emit()

    def _sync_clear(self) -> None:
        self.clear_button.setEnabled(self.value() is not None)


class CaseHeader(QWidget):
    """The bold title over the open case: order number, title, type, state and days left."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseHeader")
        self.library = library
        self.title = QLabel(objectName="caseTitle")
        labels.emphasize(self.title, 1.35)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(objectName="caseSubtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.RichText)
        # A long title is elided (full text in the tooltip) rather than widening the column:
        # opening a case must never move the window's splitter.
        self._full_title = ""
        for label in (self.title, self.subtitle):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setMinimumWidth(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)

    def show_case(self, case: CaseInfo | None) -> None:
        if case is None:
            self._full_title = ""
            self.title.clear()
            self.subtitle.clear()
            return
        rules = self.library.rules
        self._full_title = case.order_no + (f"  ·  {case.title}" if case.title else "")
        self._elide_title()
        ctype = rules.types.get(case.type_key)
        left = days_left(complaint_deadline(case, ctype), date.today()) if ctype else None
        parts = [labels.type_label(rules, case.type_key),
                 labels.state_label(rules, case.type_key, case.state)]
        if case.buyer:
            parts.insert(0, case.buyer.name)
        colour = None if labels.is_filed(case.state) else labels.days_left_colour(left)
        days = tr("Filed") if labels.is_filed(case.state) else labels.days_left_text(left)
        days_html = f'<span style="color:{colour.name()}; font-weight:600">{days}</span>' \
            if colour else days
        self.subtitle.setText("  ·  ".join(_escape(p) for p in parts) + "  ·  " + days_html)


    def _elide_title(self) -> None:
        margins = self.layout().contentsMargins()
        room = max(40, self.width() - margins.left() - margins.right())
        shown = self.title.fontMetrics().elidedText(self._full_title,
                                                    Qt.TextElideMode.ElideRight, room)
        self.title.setText(shown)
        self.title.setToolTip(self._full_title if shown != self._full_title else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide_title()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CaseEditor(QWidget):
    """Edits one case; every change goes through an undo command on the shared stack."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseEditor")
        self.ctx = ctx
        self.library = ctx.library
        self.edits = ctx.edits
        self.undo = ctx.undo
        self.case: CaseInfo | None = None
        self._timers: dict[str, QTimer] = {}
        self._epoch = 0
        self._labels: dict[str, QLabel] = {}
        self._read_only = False
        self._build()
        self.retranslate()
        ctx.case_changed.connect(self._changed)
        ctx.on_save_pending(self.flush)
        self.setEnabled(False)

    # ---- building ----------------------------------------------------------------------
    def _build(self) -> None:
        self.order_no = QLineEdit(objectName="orderEdit")
        self.title = QLineEdit(objectName="titleEdit")
        # The library refuses longer ones (core.limits); the fields stop typing there instead.
        self.order_no.setMaxLength(TEXT_LIMITS["order_no"])
        self.title.setMaxLength(TEXT_LIMITS["title"])
        self.buyer = QComboBox(objectName="buyerCombo")
        self.buyer.setEditable(True)
        self.buyer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.type_combo = QComboBox(objectName="typeCombo")
        for combo in (self.buyer, self.type_combo):
            # Long names must not widen the whole editor; the popup still shows them in full.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        self.dates = {name: DateField() for name in DATE_FIELDS}
        for name, field in self.dates.items():
            field.setObjectName(f"{name}Edit")
            field.committed.connect(lambda n=name: self._commit(n))
        self.amount = QLineEdit(objectName="amountEdit")
        self.amount.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"^\d{0,12}([.,]\d{0,2})?$"), self.amount))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency = QComboBox(objectName="currencyCombo")
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.reason = QPlainTextEdit(objectName="reasonEdit")
        self.demand = QPlainTextEdit(objectName="demandEdit")
        self.notes = QPlainTextEdit(objectName="notesEdit")
        for edit in (self.reason, self.demand, self.notes):
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(52)
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.other_channel = QCheckBox(objectName="otherChannelCheck")

        self._texts: dict[str, QLineEdit | QPlainTextEdit] = {
            "order_no": self.order_no, "title": self.title, "amount": self.amount,
            "reason": self.reason, "demand": self.demand, "notes": self.notes,
        }
        for name, edit in self._texts.items():
            timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
            timer.timeout.connect(lambda n=name: self._commit(n))
            self._timers[name] = timer
            if isinstance(edit, QLineEdit):
                edit.textEdited.connect(timer.start)
                edit.editingFinished.connect(lambda n=name: self._finish(n))
            else:
                edit.textChanged.connect(timer.start)
                edit.installEventFilter(self)
        self.buyer.activated.connect(lambda _i: self._commit_buyer())
        self.buyer.lineEdit().editingFinished.connect(self._commit_buyer)
        self.type_combo.activated.connect(lambda _i: self._commit("type_key"))
        self.currency.activated.connect(lambda _i: self._commit("currency"))
        self.currency.lineEdit().editingFinished.connect(lambda: self._commit("currency"))
        self.other_channel.toggled.connect(lambda _c: self._commit("other_channel_agreed"))

        money = QHBoxLayout()
        money.setSpacing(6)
        money.addWidget(self.amount, 2)
        money.addWidget(self.currency, 1)

        # The facts in two short columns over the three text boxes side by side: compact
        # above the board, and the reason and demand as wide as a third of the form each.
        left = QFormLayout()
        self._form_defaults(left)
        for name, widget in (("order_no", self.order_no), ("title", self.title),
                             ("buyer", self.buyer), ("type_key", self.type_combo)):
            left.addRow(self._label(name), widget)
        middle = QFormLayout()
        self._form_defaults(middle)
        for name, field in self.dates.items():
            middle.addRow(self._label(name), field)
        middle.addRow(self._label("amount"), money)
        middle.addRow(self._label("other_channel_agreed"), self.other_channel)
        self._left_form = middle

        texts = QGridLayout()
        texts.setHorizontalSpacing(12)
        texts.setVerticalSpacing(2)
        for col, (name, widget) in enumerate((("reason", self.reason), ("demand", self.demand),
                                              ("notes", self.notes))):
            texts.addWidget(self._label(name), 0, col)
            texts.addWidget(widget, 1, col)
            texts.setColumnStretch(col, 1 if name == "notes" else 2)
            widget.setMinimumHeight(58)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        grid.addLayout(left, 0, 0)
        grid.addLayout(middle, 0, 1)
        grid.addLayout(texts, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(1, 1)
        self._grid, self._facts, self._texts_grid = grid, (left, middle), texts
        self._narrow = False

        self.buyer_toggle = QToolButton(objectName="buyerDetailsToggle")
        self.buyer_toggle.setCheckable(True)
        self.buyer_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.buyer_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.buyer_toggle.setAutoRaise(True)
        self.buyer_toggle.toggled.connect(self._toggle_buyer)
        self.buyer_box = QGroupBox(objectName="buyerDetails")
        self.buyer_box.setFlat(True)
        self.buyer_edits: dict[str, QLineEdit | QPlainTextEdit] = {
            "credit_level": QLineEdit(), "country": QLineEdit(), "member_id": QLineEdit(),
            "company": QLineEdit(), "notes": QPlainTextEdit(),
        }
        trading = self.buyer_edits["notes"]
        assert isinstance(trading, QPlainTextEdit)
        trading.setTabChangesFocus(True)
        trading.setMaximumHeight(64)
        trading.installEventFilter(self)
        for name, edit in self.buyer_edits.items():
            edit.setObjectName(f"buyer_{name}Edit")
            if isinstance(edit, QLineEdit):
                edit.editingFinished.connect(self._commit_buyer_details)
        bgrid = QGridLayout(self.buyer_box)
        bgrid.setContentsMargins(0, 4, 0, 0)
        bgrid.setHorizontalSpacing(18)
        self._buyer_labels = {name: QLabel() for name in self.buyer_edits}
        places = {"credit_level": (0, 0), "country": (0, 2), "member_id": (1, 0),
                  "company": (1, 2), "notes": (2, 0)}
        for name, (row, col) in places.items():
            lbl = self._buyer_labels[name]
            lbl.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            bgrid.addWidget(lbl, row, col)
            bgrid.addWidget(self.buyer_edits[name], row, col + 1, 1, 3 if name == "notes" else 1)
        bgrid.setColumnStretch(1, 1)
        bgrid.setColumnStretch(3, 1)
        self.buyer_box.setVisible(False)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 6, 12, 8)
        outer.setSpacing(4)
        outer.addLayout(grid, 1)
        outer.addWidget(rule)
        outer.addWidget(self.buyer_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.buyer_box)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A narrow middle (a 1024 px window) stacks the two fact columns instead of cutting
        # them off; the text boxes stay side by side below.
        narrow = self.width() < NARROW_FORM
        if narrow != self._narrow:
            self._narrow = narrow
            left, middle = self._facts
            grid = self._grid
            for item in (left, middle, self._texts_grid):
                grid.removeItem(item)
            grid.addLayout(left, 0, 0, 1, 1 if not narrow else 2)
            grid.addLayout(middle, 0 if not narrow else 1, 1 if not narrow else 0,
                           1, 1 if not narrow else 2)
            grid.addLayout(self._texts_grid, 1 if not narrow else 2, 0, 1, 2)
            grid.setRowStretch(1, 0 if narrow else 1)
            grid.setRowStretch(2, 1 if narrow else 0)

    @staticmethod
    def _form_defaults(form: QFormLayout) -> None:
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(10)

    def _label(self, name: str) -> QLabel:
        lbl = QLabel()
        self._labels[name] = lbl
        return lbl

    def retranslate(self) -> None:
        names = _field_labels()
        for name, lbl in self._labels.items():
            lbl.setText(names[name])
        self.other_channel.setText(tr("Agreed by both parties"))
        self.other_channel.setToolTip(tr("Only Alibaba.com's own chat counts as evidence unless "
                                         "both parties agreed on another channel."))
        self.order_no.setPlaceholderText(tr("The Alibaba.com order number"))
        self.title.setPlaceholderText(tr("A short summary for your own list"))
        self.buyer.lineEdit().setPlaceholderText(tr("Pick a buyer or type a new name"))
        self.amount.setPlaceholderText(tr("0.00"))
        self.reason.setPlaceholderText(tr("What the buyer did, calmly and in order"))
        self.demand.setPlaceholderText(tr("What you ask the platform to do"))
        self.notes.setPlaceholderText(tr("Private notes; not exported"))
        self.buyer_toggle.setText(tr("Buyer details"))
        buyer_names = {"credit_level": tr("Credit level"), "country": tr("Country"),
                       "member_id": tr("Member ID"), "company": tr("Company"),
                       "notes": tr("Trading record")}
        for name, lbl in self._buyer_labels.items():
            lbl.setText(buyer_names[name])
        for field in self.dates.values():
            field.retranslate()
        self.type_combo.blockSignals(True)
        current = self.type_combo.currentData()
        self.type_combo.clear()
        for key in self.library.rules.types:
            self.type_combo.addItem(labels.type_label(self.library.rules, key), key)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(current)))
        self.type_combo.blockSignals(False)

    def set_read_only(self, on: bool) -> None:
        """A case in the trash: its text can be read and copied, nothing can be changed."""
        self._read_only = on
        for edit in (*self._texts.values(), *self.buyer_edits.values()):
            edit.setReadOnly(on)
        for widget in (self.buyer, self.type_combo, self.currency, self.other_channel,
                       *self.dates.values()):
            widget.setEnabled(not on)

    def is_read_only(self) -> bool:
        return self._read_only

    # ---- loading -----------------------------------------------------------------------
    def set_case(self, case_id: int | None) -> None:
        """Show a case (None: nothing); edits still being typed in the previous one are saved."""
        self.flush()
        self.case = None
        if case_id is None:
            self.setEnabled(False)
            self._fill(None)
            return
        case = self.library.get_case(case_id)
        self.edits.seen(case)
        self.case = case
        self._reload_buyers()
        self._fill(case)
        self.setEnabled(True)

    def reload(self) -> None:
        if self.case is not None:
            self.set_case(self.case.id)

    def flush(self) -> None:
        """Save every field whose typing pause has not yet run out."""
        for name, timer in self._timers.items():
            if timer.isActive():
                timer.stop()
                self._commit(name)

    def _reload_buyers(self) -> None:
        text = self.buyer.currentText()
        self.buyer.blockSignals(True)
        self.buyer.clear()
        self._buyers = {b.name: b for b in self.library.list_buyers()}
        for name, b in self._buyers.items():
            self.buyer.addItem(name, b.id)
        self.buyer.setEditText(text)
        self.buyer.blockSignals(False)

    def _fill(self, case: CaseInfo | None, skip: str = "") -> None:
        widgets: list[QObject] = [*self._texts.values(), self.buyer, self.type_combo,
                                  self.currency, self.other_channel,
                                  *self.buyer_edits.values()]
        for w in widgets:
            w.blockSignals(True)
        try:
            self._fill_values(case, skip)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._update_visibility()

    def _fill_values(self, case: CaseInfo | None, skip: str) -> None:
        values: dict[str, Any] = {
            "order_no": case.order_no if case else "", "title": case.title if case else "",
            "amount": _amount_text(case.amount) if case else "",
            "reason": case.reason if case else "", "demand": case.demand if case else "",
            "notes": case.notes if case else "",
        }
        for name, edit in self._texts.items():
            if name == skip:
                continue
            if isinstance(edit, QLineEdit):
                if edit.text() != values[name]:
                    edit.setText(values[name])
                    if not edit.hasFocus():
                        edit.setCursorPosition(0)  # show a long title from its start
            elif edit.toPlainText() != values[name]:
                edit.setPlainText(values[name])
        known = [getattr(case, n) for n in DATE_FIELDS if case and getattr(case, n)]
        for name, field in self.dates.items():
            field.set_value(getattr(case, name) if case else None)
            field.near = max(known) if known else None
        self.buyer.setEditText(case.buyer.name if case and case.buyer else "")
        self.type_combo.setCurrentIndex(
            max(0, self.type_combo.findData(case.type_key)) if case else 0)
        self.currency.setEditText(case.currency if case else "")
        self.other_channel.setChecked(bool(case and case.other_channel_agreed))
        self._fill_buyer(case.buyer if case else None)

    def _fill_buyer(self, buyer: BuyerInfo | None) -> None:
        for name, edit in self.buyer_edits.items():
            value = getattr(buyer, name) if buyer else ""
            edit.blockSignals(True)
            if isinstance(edit, QLineEdit):
                edit.setText(value)
            else:
                edit.setPlainText(value)
            edit.blockSignals(False)
        self.buyer_toggle.setEnabled(buyer is not None)
        if buyer is None:
            self.buyer_toggle.setChecked(False)

    def _update_visibility(self) -> None:
        ctype = self.library.rules.types.get(self.case.type_key) if self.case else None
        logistics = ctype is not None and ctype.flow == "logistics"
        for name, field in self.dates.items():
            shown = (name != "completed_on") if logistics else (name == "completed_on")
            self._left_form.setRowVisible(field, shown)

    def _toggle_buyer(self, on: bool) -> None:
        self.buyer_toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.buyer_box.setVisible(on)

    # ---- committing --------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            if watched is self.buyer_edits["notes"]:
                self._commit_buyer_details()
            else:
                for name, edit in self._texts.items():
                    if edit is watched:
                        self._finish(name)
        return False

    def _finish(self, name: str) -> None:
        """Leaving a field: save it, and let the next typing there be a new undo step."""
        self._timers[name].stop()
        self._commit(name)
        self._epoch += 1

    def _read(self, name: str) -> Any:
        if name in self._texts:
            edit = self._texts[name]
            text = edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()
            if name == "amount":
                # The library reads commas as thousands separators; here one is a decimal comma.
                return text.strip().replace(",", ".")
            return text.strip() if name == "order_no" else text
        if name in self.dates:
            return self.dates[name].value()
        if name == "type_key":
            return self.type_combo.currentData()
        if name == "currency":
            return self.currency.currentText().strip().upper()
        if name == "other_channel_agreed":
            return self.other_channel.isChecked()
        raise KeyError(name)

    def _stored(self, name: str) -> Any:
        assert self.case is not None
        if name == "amount":
            return _amount_text(self.case.amount)
        return getattr(self.case, name)

    def _commit(self, name: str) -> None:
        if self.case is None or self.ctx.closed or self._read_only:
            return  # a closed desk's library may already be another one (a restore)
        new = self._read(name)
        old = self._stored(name)
        if name == "amount" and _same_amount(new, old):
            return
        if new == old:
            return
        label = _field_labels().get(name, name)
        merge = f"{name}:{self._epoch}" if name in TEXT_FIELDS else None
        self.undo.push_for(self.case.id, SetCaseFieldsCommand(
            self.edits, self.case.id, {name: old}, {name: new},
            tr("Edit {field}", field=label), merge_key=merge))
        if self.case is not None and self._stored(name) != new and name != "amount":
            # Refused (an empty order number, say): show what is really stored.
            self._fill(self.case)

    def _commit_buyer(self) -> None:
        if self.case is None or self._read_only:
            return
        name = self.buyer.currentText().strip()
        old = self.case.buyer
        if (old.name if old else "") == name:
            return
        new_id: int | None = None
        if name:
            known = self._buyers.get(name)
            if known is None:
                known = self.edits.save_buyer(BuyerInfo(id=None, name=name))
                if known is None:
                    return
                self._reload_buyers()
            new_id = known.id
        self.undo.push_for(self.case.id, SetCaseFieldsCommand(
            self.edits, self.case.id, {"buyer_id": old.id if old else None},
            {"buyer_id": new_id}, tr("Change buyer to {name}", name=name or "—")))

    def _commit_buyer_details(self) -> None:
        if self.case is None or self.case.buyer is None or self._read_only:
            return
        before = self.case.buyer
        values = {}
        for name, edit in self.buyer_edits.items():
            values[name] = edit.text().strip() if isinstance(edit, QLineEdit) \
                else edit.toPlainText()
        after = replace(before, **values)
        if after != before:
            self.undo.push_for(self.case.id, SaveBuyerCommand(self.edits, before, after))

    # ---- following changes made anywhere -----------------------------------------------
    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 _origin: object) -> None:
        case = self.case
        if case is None or (ids is not None and case.id not in ids):
            return
        if BUYER in aspects:
            self._reload_buyers()
        if not aspects & {FIELDS, STATE, STATEMENT, BUYER}:
            return
        fresh = self.ctx.case_info(case.id)
        self.edits.seen(fresh)
        self.case = fresh
        typing = next((n for n, t in self._timers.items() if t.isActive()), "")
        self._fill(fresh, skip=typing)


def _amount_text(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def _same_amount(a: str, b: str) -> bool:
    try:
        return (Decimal(a) if a else None) == (Decimal(b) if b else None)
    except InvalidOperation:
        return False

