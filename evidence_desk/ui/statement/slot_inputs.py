"""One input per slot type of the phrase bank: a typeable date picker, an amount with its
currency, a carrier list, spin boxes for counts and days, validated Latin line edits for order,
tracking and member numbers, and the case's own exhibits. Each input says its value in the
canonical form core.phrase_slots parses, or "" while it is left blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from evidence_desk.core.phrase_slots import Carrier, Slot
from evidence_desk.i18n import current_language, tr

# A blank date shows as the date picker's lowest date, labelled with a dash.
BLANK_DATE = QDate(1990, 1, 1)
CURRENCIES = ("USD", "EUR", "GBP", "CNY", "HKD", "JPY", "AUD", "CAD")
# The Latin characters each identifier may hold (the same rules core checks, typed or pasted).
_PATTERNS = {
    "order_no": r"[A-Za-z0-9][A-Za-z0-9_/-]{0,39}",
    "tracking_no": r"[A-Za-z0-9][A-Za-z0-9-]{3,39}",
    "member_id": r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
}


class SlotInput(QWidget):
    """The input of one slot; `committed` carries the new canonical value when it is finished."""

    committed = Signal(str, str)  # slot name, value

    def __init__(self, slot: Slot, value: str, *, carriers: dict[str, Carrier],
                 exhibits: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.setObjectName(f"slot_{slot.name}")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self._last = value
        t = slot.type
        if t == "date":
            self.date = QDateEdit(calendarPopup=True)
            self.date.setDisplayFormat("yyyy-MM-dd")
            self.date.setMinimumDate(BLANK_DATE)
            self.date.setMaximumDate(QDate(2100, 12, 31))
            self.date.setSpecialValueText("—")
            self.date.setDate(QDate.fromString(value, "yyyy-MM-dd") if value else BLANK_DATE)
            self.date.editingFinished.connect(self._finish)
            self.date.dateChanged.connect(self._date_picked)
            row.addWidget(self.date)
        elif t == "amount":
            cur, _, num = value.partition(" ")
            self.currency = QComboBox(editable=True)
            self.currency.addItems(CURRENCIES)
            self.currency.setCurrentText(cur or "USD")
            self.currency.lineEdit().setValidator(QRegularExpressionValidator(
                QRegularExpression("[A-Za-z]{0,3}")))
            self.amount = QDoubleSpinBox()
            self.amount.setRange(0, 999_999_999_999.99)
            self.amount.setDecimals(2)
            self.amount.setGroupSeparatorShown(True)
            self.amount.setSpecialValueText("—")
            self.amount.setValue(float(num.replace(",", "")) if num else 0)
            self.amount.editingFinished.connect(self._finish)
            self.currency.currentTextChanged.connect(lambda _t: self._finish())
            row.addWidget(self.currency)
            row.addWidget(self.amount, 1)
        elif t in ("count", "days"):
            self.spin = QSpinBox()
            # One below the lowest value stands for "not filled in".
            low = 1 if t == "count" else 0
            self.spin.setRange(low - 1, 10_000_000 if t == "count" else 3650)
            self.spin.setSpecialValueText("—")
            self.spin.setValue(int(value) if value else low - 1)
            self.spin.setSuffix(tr(" days") if t == "days" else "")
            self.spin.editingFinished.connect(self._finish)
            row.addWidget(self.spin)
        elif t == "carrier":
            self.combo = QComboBox()
            self.combo.addItem("—", "")
            lang = current_language()
            for c in carriers.values():
                self.combo.addItem(c.label(lang) if lang != "zh" else f"{c.zh} ({c.en})", c.key)
            self.combo.setCurrentIndex(max(0, self.combo.findData(value)))
            self.combo.currentIndexChanged.connect(lambda _i: self._finish())
            row.addWidget(self.combo, 1)
        elif t == "exhibit":
            self.combo = QComboBox()
            self.combo.addItem(tr("— no exhibit yet —") if not exhibits else "—", "")
            for number, label in exhibits:
                self.combo.addItem(f"{number}  {label}", number)
            self.combo.setCurrentIndex(max(0, self.combo.findData(value)))
            self.combo.currentIndexChanged.connect(lambda _i: self._finish())
            row.addWidget(self.combo, 1)
        else:
            self.line = QLineEdit(value)
            self.line.setValidator(QRegularExpressionValidator(QRegularExpression(
                _PATTERNS.get(t, "[ -~]*"))))
            self.line.setPlaceholderText(tr("Latin letters and digits"))
            self.line.editingFinished.connect(self._finish)
            row.addWidget(self.line, 1)

    def value(self) -> str:
        t = self.slot.type
        if t == "date":
            d = self.date.date()
            return "" if d == BLANK_DATE else date(d.year(), d.month(), d.day()).isoformat()
        if t == "amount":
            if self.amount.value() == 0:
                return ""
            return f"{self.currency.currentText().upper()} {self.amount.value():.2f}"
        if t in ("count", "days"):
            return "" if self.spin.value() < self.spin.minimum() + 1 else str(self.spin.value())
        if t in ("carrier", "exhibit"):
            return str(self.combo.currentData() or "")
        return self.line.text().strip()

    def show_value(self, value: str) -> None:
        """Show a stored value (after an undo, say) without committing it again."""
        if value == self._last:
            return
        self._last = value
        t = self.slot.type
        widgets = [w for w in self.findChildren(QWidget)]
        for w in widgets:
            w.blockSignals(True)
        try:
            if t == "date":
                self.date.setDate(QDate.fromString(value, "yyyy-MM-dd") if value else BLANK_DATE)
            elif t == "amount":
                cur, _, num = value.partition(" ")
                self.currency.setCurrentText(cur or "USD")
                self.amount.setValue(float(num.replace(",", "")) if num else 0)
            elif t in ("count", "days"):
                self.spin.setValue(int(value) if value else self.spin.minimum())
            elif t in ("carrier", "exhibit"):
                self.combo.setCurrentIndex(max(0, self.combo.findData(value)))
            else:
                self.line.setText(value)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def set_date(self, day: date) -> None:
        """Set a date slot as if picked from the calendar (what a click there does)."""
        self.date.setDate(QDate(day.year, day.month, day.day))
        self._finish()

    def _date_picked(self, _d: QDate) -> None:
        # The calendar popup commits at once; typing commits when the field is left.
        if not self.date.hasFocus():
            self._finish()

    def _finish(self) -> None:
        value = self.value()
        if value and value != self._last:
            self._last = value
            self.committed.emit(self.slot.name, value)
