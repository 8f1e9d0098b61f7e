"""The phrase composer of the statement tab: the bank for the case's type (Chinese first, grouped
by section, with a filter), the chosen sentences in order, and the inputs of the chosen sentence's
slots. It only shows and asks; the panel makes the changes (off the GUI thread, with undo).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.phrase_choice import Chosen, PhraseWarning, Sentence
from evidence_desk.core.phrases import Phrase, PhraseBank
from evidence_desk.i18n import current_language, tr
from evidence_desk.ui.common import labels
from evidence_desk.ui.statement.slot_inputs import SlotInput

ID_ROLE = Qt.ItemDataRole.UserRole + 2
_SLOT_REF = re.compile(r"\{[^{}]*\}")


def blanks(text: str) -> str:
    """A bank sentence as the picker shows it: its slots as blanks to fill in."""
    return _SLOT_REF.sub("___", text)


def _section_title(section: str) -> str:
    return tr("Facts (what happened)") if section == "facts" else tr("Demand (what you ask for)")


class PhraseComposer(QWidget):
    add_requested = Signal(str)  # phrase id
    move_requested = Signal(int, int)  # index, to
    remove_requested = Signal(int)
    slot_set = Signal(int, str, str)  # index, slot name, value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bank: PhraseBank | None = None
        self.groups: dict[str, list[Phrase]] = {}
        self.chosen: list[Chosen] = []
        self.sentences: list[Sentence] = []
        self.warnings: list[PhraseWarning] = []
        self.exhibits: list[tuple[str, str]] = []
        self.slot_inputs: dict[str, SlotInput] = {}
        # What the slot inputs were built for: kept (and the focus with them) while it holds.
        self._slots_for: tuple[object, ...] = ()
        self._build()

    def _build(self) -> None:
        self.filter = QLineEdit(objectName="phraseFilter")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.picker = QTreeWidget(objectName="phrasePicker")
        self.picker.setHeaderHidden(True)
        self.picker.setUniformRowHeights(False)
        self.picker.setWordWrap(True)
        self.picker.setIndentation(12)
        self.picker.itemDoubleClicked.connect(lambda item, _c: self._add(item))
        self.picker.itemActivated.connect(lambda item, _c: self._add(item))
        self.picker.currentItemChanged.connect(lambda *_a: self._picker_buttons())
        # The English twin of the phrase under the cursor (the list shows the Chinese).
        self.preview = QLabel(objectName="phrasePreview")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setStyleSheet("color: palette(mid);")
        self.add_button = QPushButton(objectName="addPhraseButton")
        self.add_button.clicked.connect(lambda: self._add(self.picker.currentItem()))
        self.bank_caption = QLabel()
        labels.emphasize(self.bank_caption)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(3)
        ll.addWidget(self.bank_caption)
        ll.addWidget(self.filter)
        ll.addWidget(self.picker, 1)
        ll.addWidget(self.preview)
        ll.addWidget(self.add_button)

        self.chosen_caption = QLabel()
        labels.emphasize(self.chosen_caption)
        self.chosen_list = QListWidget(objectName="chosenPhrases")
        self.chosen_list.setWordWrap(True)
        self.chosen_list.currentRowChanged.connect(self._show_slots)
        self.up_button = QPushButton(objectName="phraseUpButton")
        self.down_button = QPushButton(objectName="phraseDownButton")
        self.remove_button = QPushButton(objectName="phraseRemoveButton")
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for b in (self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.slots_box = QWidget(objectName="phraseSlots")
        self.slots_form = QFormLayout(self.slots_box)
        self.slots_form.setContentsMargins(0, 4, 0, 0)
        self.slots_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.slot_note = QLabel(objectName="phraseSlotNote")
        self.slot_note.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(3)
        rl.addWidget(self.chosen_caption)
        rl.addWidget(self.chosen_list, 1)
        rl.addLayout(buttons)
        rl.addWidget(self.slot_note)
        # The blanks of a long sentence scroll rather than push the statement's texts down at
        # a laptop's height.
        self.slots_scroll = QScrollArea(objectName="phraseSlotsScroll")
        self.slots_scroll.setWidget(self.slots_box)
        self.slots_scroll.setWidgetResizable(True)
        self.slots_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.slots_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.slots_scroll.setMinimumHeight(2 * self.filter.sizeHint().height() + 12)
        rl.addWidget(self.slots_scroll, 1)

        split = QSplitter(Qt.Orientation.Horizontal, objectName="phraseSplitter")
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._picker_buttons()
        self._chosen_buttons()

    def retranslate(self) -> None:
        self.bank_caption.setText(tr("Phrases: pick what happened and what you ask for"))
        self.filter.setPlaceholderText(tr("Filter phrases (Chinese or English)…"))
        self.add_button.setText(tr("Add to the statement"))
        self.add_button.setToolTip(tr("Add the selected phrase (or double-click it)"))
        self.chosen_caption.setText(tr("Your statement, sentence by sentence"))
        self.up_button.setText(tr("Move up"))
        self.down_button.setText(tr("Move down"))
        self.remove_button.setText(tr("Remove"))
        self.set_bank(self.bank, self.groups)
        self.set_chosen(self.chosen, self.sentences, self.warnings, self.exhibits)

    # ---- the bank ----------------------------------------------------------------------
    def set_bank(self, bank: PhraseBank | None, groups: dict[str, list[Phrase]]) -> None:
        current = self.picker.currentItem()
        keep = current.data(0, ID_ROLE) if current is not None else None
        self.bank = bank
        self.groups = groups
        self.picker.clear()
        for section, phrases in groups.items():
            top = QTreeWidgetItem([_section_title(section)])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.picker.addTopLevelItem(top)
            for p in phrases:
                item = QTreeWidgetItem([blanks(p.zh)])
                item.setData(0, ID_ROLE, p.id)
                item.setToolTip(0, f"{blanks(p.zh)}\n{blanks(p.en)}\n[{p.id}]")
                top.addChild(item)
                if p.id == keep:
                    self.picker.setCurrentItem(item)
            top.setExpanded(True)
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.picker.topLevelItemCount()):
            top = self.picker.topLevelItem(i)
            shown = 0
            for j in range(top.childCount()):
                item = top.child(j)
                hay = f"{item.toolTip(0)}".casefold()
                hide = bool(words) and not all(w in hay for w in words)
                item.setHidden(hide)
                shown += not hide
            top.setHidden(shown == 0 and bool(words))

    def visible_phrase_ids(self) -> list[str]:
        out = []
        for i in range(self.picker.topLevelItemCount()):
            top = self.picker.topLevelItem(i)
            out += [top.child(j).data(0, ID_ROLE) for j in range(top.childCount())
                    if not top.child(j).isHidden()]
        return out

    def select_phrase(self, phrase_id: str) -> bool:
        for i in range(self.picker.topLevelItemCount()):
            top = self.picker.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, ID_ROLE) == phrase_id:
                    self.picker.setCurrentItem(top.child(j))
                    return True
        return False

    def _picker_buttons(self) -> None:
        item = self.picker.currentItem()
        phrase = self.bank.get(item.data(0, ID_ROLE)) if item and self.bank else None
        self.preview.setText(blanks(phrase.en) if phrase else "")
        self.add_button.setEnabled(item is not None and bool(item.data(0, ID_ROLE))
                                   and self.isEnabled())

    def _add(self, item: QTreeWidgetItem | None) -> None:
        if item is not None and item.data(0, ID_ROLE):
            self.add_requested.emit(item.data(0, ID_ROLE))

    # ---- the chosen sentences ------------------------------------------------------------
    def set_chosen(self, chosen: Sequence[Chosen], sentences: Sequence[Sentence],
                   warnings: Sequence[PhraseWarning],
                   exhibits: Sequence[tuple[str, str]], select: int | None = None) -> None:
        row = self.chosen_list.currentRow() if select is None else select
        self.chosen = list(chosen)
        self.sentences = list(sentences)
        self.warnings = list(warnings)
        self.exhibits = list(exhibits)
        lang = current_language()
        self.chosen_list.blockSignals(True)
        self.chosen_list.clear()
        for i, item in enumerate(self.chosen):
            sentence = self.sentences[i] if i < len(self.sentences) else None
            zh = sentence.zh if sentence else item.own or item.phrase_id
            en = sentence.en if sentence else item.own
            mine = [w for w in self.warnings if w.index == i]
            mark = "⚠ " if mine else ""
            li = QListWidgetItem(f"{mark}{i + 1}. {zh}")
            li.setToolTip("\n".join([en] + [w.text(lang) for w in mine]))
            if any(w.code == "phrase_missing_evidence" for w in mine):
                li.setForeground(labels.RED)
            elif mine:
                li.setForeground(labels.AMBER)
            self.chosen_list.addItem(li)
        self.chosen_list.blockSignals(False)
        if self.chosen:
            self.chosen_list.setCurrentRow(max(0, min(row, len(self.chosen) - 1)))
        self._show_slots(self.chosen_list.currentRow())
        n = len(self.chosen)
        self.chosen_caption.setText(tr("Your statement, sentence by sentence ({n})", n=n))

    def _chosen_buttons(self) -> None:
        row = self.chosen_list.currentRow()
        has = 0 <= row < len(self.chosen)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self.chosen) - 1)
        self.remove_button.setEnabled(has)

    def _move(self, step: int) -> None:
        row = self.chosen_list.currentRow()
        if 0 <= row < len(self.chosen) and 0 <= row + step < len(self.chosen):
            self.move_requested.emit(row, row + step)

    def _remove(self) -> None:
        row = self.chosen_list.currentRow()
        if 0 <= row < len(self.chosen):
            self.remove_requested.emit(row)

    def _show_slots(self, row: int) -> None:
        self._chosen_buttons()
        lang = current_language()
        item = self.chosen[row] if 0 <= row < len(self.chosen) else None
        phrase = self.bank.get(item.phrase_id) if item and self.bank else None
        notes = [w.text(lang) for w in self.warnings if w.index == row]
        if item is None:
            self.slot_note.setText(tr("Add phrases from the left; choose one here to fill in "
                                      "its blanks."))
        elif phrase is None:
            self.slot_note.setText(tr("You wrote this sentence yourself; change it in the "
                                      "English text below."))
        elif not phrase.slots:
            self.slot_note.setText(tr("This sentence has nothing to fill in."))
        else:
            self.slot_note.setText(tr("Fill in the blanks of sentence {n}:", n=row + 1))
        if notes:
            self.slot_note.setText(self.slot_note.text() + "\n⚠ " + "\n⚠ ".join(notes))
            self.slot_note.setStyleSheet(f"color: {labels.RED.name()};")
        else:
            self.slot_note.setStyleSheet("")
        if phrase is None or item is None or self.bank is None:
            self._clear_slots()
            return
        values = item.values
        key = (row, phrase.id, tuple(self.exhibits), lang)
        if key == self._slots_for and self.slot_inputs:
            for name, box in self.slot_inputs.items():
                box.show_value(values.get(name, ""))
            return
        self._clear_slots()
        self._slots_for = key
        for slot in phrase.slots:
            box = SlotInput(slot, values.get(slot.name, ""), carriers=self.bank.carriers,
                            exhibits=self.exhibits)
            box.committed.connect(lambda name, value, i=row: self.slot_set.emit(i, name, value))
            self.slot_inputs[slot.name] = box
            self.slots_form.addRow(slot_label(slot.name, slot.type), box)


    def _clear_slots(self) -> None:
        while self.slots_form.rowCount():
            self.slots_form.removeRow(0)
        self.slot_inputs = {}
        self._slots_for = ()


def slot_label(name: str, type_: str) -> str:
    """A slot's name as the seller reads it: the English name, its type named in the UI's
    language (the bank's slot names are English identifiers)."""
    kinds = {
        "date": tr("date"), "amount": tr("amount"), "count": tr("number"),
        "days": tr("days"), "order_no": tr("order number"),
        "tracking_no": tr("tracking number"), "member_id": tr("member ID"),
        "carrier": tr("carrier"), "exhibit": tr("exhibit"),
    }
    return f"{name.replace('_', ' ')} ({kinds.get(type_, type_)})"
