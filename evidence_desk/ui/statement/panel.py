"""The complaint statement: the English text the seller pastes into the platform, the Chinese
reading version beside it, the composer, and the live wording check.

The platform refuses complaint text with non-English characters while most sellers read Chinese
first, so the English is the one that is edited and checked, and the Chinese says what it means.
The composer never overwrites the seller's edits silently: when the facts changed since an edit,
a bar offers the new text and only a click replaces it (and Undo brings the edit back).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QUndoCommand
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.statement import exhibit_numbers
from evidence_desk.core.types import CaseInfo
from evidence_desk.core.wording import Flag, check_wording
from evidence_desk.i18n import current_language, localized, tr
from evidence_desk.library.service import Library, LibraryError
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.context import FIELDS, STATE, STATEMENT, DeskContext
from evidence_desk.ui.common.undo import CaseEdits

# Typing pauses: the check follows quickly, the save a little later (as in the case editor).
CHECK_PAUSE_MS = 300
SAVE_PAUSE_MS = 800
FLAG_ROLE = Qt.ItemDataRole.UserRole + 1

# Name-calling and threats weigh most; form problems least.
_SEVERE = ("insult", "threat")
_TONE = ("shouting", "exclamations", "vague_demand", "no_demand")


def flag_colour(code: str) -> QColor:
    if code in _SEVERE:
        return labels.RED
    if code in _TONE:
        return labels.AMBER
    return QColor(40, 110, 200)


def utf16_offsets(text: str) -> Callable[[int], int]:
    """Python index -> QTextCursor position (UTF-16 units); they differ after an astral character
    such as an emoji, which counts once in Python and twice in Qt."""
    if all(ord(c) < 0x10000 for c in text):
        return lambda i: i
    table = [0]
    for c in text:
        table.append(table[-1] + (2 if ord(c) >= 0x10000 else 1))
    return lambda i: table[max(0, min(i, len(text)))]


class SetStatementCommand(QUndoCommand):
    """One stretch of statement typing, or one replacement by the composer."""

    def __init__(self, library: Library, edits: CaseEdits, case_id: int,
                 before: tuple[str, str, bool], after: tuple[str, str, bool], text: str,
                 *, merge: int | None = None, already: CaseInfo | None = None) -> None:
        super().__init__(text)
        self.library = library
        self.edits = edits
        self.case_id = case_id
        # (english, chinese, composed): composed restores the "not edited" mark on undo.
        self.before = before
        self.after = after
        self._id = (zlib.crc32(f"statement:{case_id}:{merge}".encode()) & 0x3FFFFFFF
                    if merge is not None else -1)
        # The composer has stored `after` itself: the first redo only announces it.
        self._already = already

    def id(self) -> int:
        return self._id

    def _apply(self, values: tuple[str, str, bool]) -> None:
        en, zh, composed = values
        try:
            case = self.library.set_statement(self.case_id, en, zh, composed=composed)
        except LibraryError as exc:
            self.edits.failed(localized(exc))
            self.setObsolete(True)
            return
        self.edits.announce(case, ("statement",))

    def redo(self) -> None:
        if self._already is not None:
            case, self._already = self._already, None
            self.edits.announce(case, ("statement",))
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetStatementCommand) or other.id() != self.id():
            return False
        self.after = other.after
        return True


class StatementPanel(QWidget):
    """English statement (editable), Chinese reading version, composer and wording flags."""

    status_message = Signal(str, int)
    composed = Signal(str)  # the compose action: replaced, unchanged, kept_edits, outdated
    checked = Signal(int)  # number of wording flags after each check

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statementPanel")
        self.ctx = ctx
        self.library = ctx.library
        self.runner = ctx.runner
        self.edits = ctx.edits
        self.undo = ctx.undo
        self.case: CaseInfo | None = None
        self.exhibits: set[str] = set()
        self.flags: list[Flag] = []
        self.last_action = ""
        self._fresh_pending = False
        self._epoch = 0
        self._generation = 0
        self._build()
        self.retranslate()
        self.setEnabled(False)
        ctx.case_changed.connect(self._changed)
        ctx.on_save_pending(self.save)

    # ---- building ----------------------------------------------------------------------
    def _build(self) -> None:
        self.compose_button = QPushButton(objectName="composeButton")
        self.compose_button.clicked.connect(lambda: self.compose())
        self.copy_button = QPushButton(objectName="copyStatementButton")
        self.copy_button.clicked.connect(self.copy_english)
        self.state_label = QLabel(objectName="statementState")
        self.state_label.setWordWrap(True)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.compose_button)
        top.addWidget(self.copy_button)
        top.addWidget(self.state_label, 1)

        # Shown when the case's facts changed since the seller edited: the one way to replace.
        self.outdated_bar = QFrame(objectName="statementOutdatedBar")
        self.outdated_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.outdated_bar.setStyleSheet(
            "#statementOutdatedBar { background: rgba(196,120,0,40); border-radius: 4px; }")
        self.outdated_text = QLabel()
        self.outdated_text.setWordWrap(True)
        self.replace_button = QPushButton(objectName="replaceStatementButton")
        self.replace_button.clicked.connect(self.replace_with_fresh)
        self.keep_button = QPushButton(objectName="keepStatementButton")
        self.keep_button.clicked.connect(self._keep_edits)
        ob = QHBoxLayout(self.outdated_bar)
        ob.setContentsMargins(8, 6, 8, 6)
        ob.addWidget(self.outdated_text, 1)
        ob.addWidget(self.replace_button)
        ob.addWidget(self.keep_button)
        self.outdated_bar.setVisible(False)

        self.english = QPlainTextEdit(objectName="statementEnglishEdit")
        self.english.setTabChangesFocus(True)
        self.english.installEventFilter(self)
        self.english.textChanged.connect(self._typed)
        self.chinese = QPlainTextEdit(objectName="statementZhView")
        self.chinese.setReadOnly(True)
        self.en_caption = QLabel()
        self.zh_caption = QLabel()
        for cap in (self.en_caption, self.zh_caption):
            labels.emphasize(cap)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(2)
        ll.addWidget(self.en_caption)
        ll.addWidget(self.english, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(2)
        rl.addWidget(self.zh_caption)
        rl.addWidget(self.chinese, 1)
        self.texts = QSplitter(Qt.Orientation.Horizontal, objectName="statementSplitter")
        self.texts.addWidget(left)
        self.texts.addWidget(right)
        self.texts.setChildrenCollapsible(False)

        self.flags_caption = QLabel(objectName="wordingCaption")
        self.flag_list = QListWidget(objectName="wordingFlags")
        self.flag_list.setWordWrap(True)
        self.flag_list.itemClicked.connect(self._flag_clicked)
        self.flag_list.itemActivated.connect(self._flag_clicked)
        flags_box = QWidget()
        fl = QVBoxLayout(flags_box)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.setSpacing(2)
        fl.addWidget(self.flags_caption)
        fl.addWidget(self.flag_list, 1)

        self.split = QSplitter(Qt.Orientation.Vertical, objectName="statementVSplitter")
        self.split.addWidget(self.texts)
        self.split.addWidget(flags_box)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.outdated_bar)
        layout.addWidget(self.split, 1)

        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_PAUSE_MS)
        self._check_timer.timeout.connect(self.run_check)
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_PAUSE_MS)
        self._save_timer.timeout.connect(self.save)

    def retranslate(self) -> None:
        self.compose_button.setText(tr("Compose from the case"))
        self.compose_button.setToolTip(tr("Write the statement from the case's facts and "
                                          "evidence; your own edits are never replaced "
                                          "without asking"))
        self.copy_button.setText(tr("Copy English text"))
        self.copy_button.setToolTip(tr("Copy the English statement to paste into the "
                                       "platform's complaint form"))
        self.en_caption.setText(tr("English (submitted to the platform)"))
        self.zh_caption.setText(tr("Chinese (for you to read; not submitted)"))
        self.english.setPlaceholderText(tr("Press “Compose from the case” to write the "
                                           "statement, then edit it freely."))
        self.outdated_text.setText(tr("The case's facts changed since you edited the "
                                      "statement. Replace your text with the newly composed "
                                      "one? (Undo brings your edit back.)"))
        self.replace_button.setText(tr("Replace with the new text"))
        self.keep_button.setText(tr("Keep my edits"))
        self._show_action(self.last_action)
        self._fill_flags()

    # ---- loading -----------------------------------------------------------------------
    def set_case(self, case: CaseInfo | None) -> None:
        """Show a case (None: nothing); typing not yet saved in the previous one is saved."""
        self.save()
        self.case = case
        self.last_action = ""
        self._fresh_pending = False
        self.outdated_bar.setVisible(False)
        self._epoch += 1
        self.setEnabled(case is not None)
        self._set_texts(case)
        self._show_action("")
        self.exhibits = set()
        self.run_check()
        if case is not None:
            self.load_exhibits()

    def load_exhibits(self) -> None:
        """Which exhibit numbers the case has (for 'cites a missing exhibit'), off the GUI thread."""
        if self.case is None:
            return
        cid = self.case.id
        lib = self.library
        self._generation += 1
        generation = self._generation

        def job(_p: Any, _c: Any) -> set[str]:
            return set(exhibit_numbers(lib.list_evidence(cid), lib.rules).values())

        def done(numbers: set[str]) -> None:
            if generation == self._generation and self.case is not None \
                    and self.case.id == cid:
                self.exhibits = numbers
                self.run_check()

        self.runner.run(job, group="statement", on_done=done, on_error=self._failed)

    def _set_texts(self, case: CaseInfo | None) -> None:
        en = case.statement_en if case else ""
        zh = case.statement_zh if case else ""
        if self.english.toPlainText() != en:
            self.english.blockSignals(True)
            self.english.setPlainText(en)
            self.english.blockSignals(False)
        if self.chinese.toPlainText() != zh:
            self.chinese.setPlainText(zh)

    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 _origin: object) -> None:
        if self.case is None or (ids is not None and self.case.id not in ids):
            return
        if not aspects & {FIELDS, STATEMENT, STATE}:
            return
        case = self.ctx.case_info(self.case.id)
        demand_changed = case.demand != self.case.demand
        self.case = case
        if not self._save_timer.isActive():
            # Never reset the text under the seller's fingers while a save is pending.
            self._set_texts(case)
        if demand_changed or not self._save_timer.isActive():
            self._check_timer.start()

    # ---- editing -----------------------------------------------------------------------
    def _typed(self) -> None:
        self._check_timer.start()
        if self.case is not None:
            self._save_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.english and event.type() == QEvent.Type.FocusOut:
            self.save()
            self._epoch += 1  # the next stretch of typing is a new undo step
        return False

    def save(self) -> None:
        """Store the English text as the seller's own (composed=False), as one undo step."""
        self._save_timer.stop()
        case = self.case
        if case is None or self.ctx.closed:
            return  # a closed desk's library may already be another one (a restore)
        text = self.english.toPlainText()
        if text == case.statement_en:
            return
        before = (case.statement_en, case.statement_zh, not case.statement_edited)
        after = (text, case.statement_zh, False)
        self.undo.push_for(case.id, SetStatementCommand(
            self.library, self.edits, case.id, before, after, tr("Edit the statement"),
            merge=self._epoch))

    def copy_english(self) -> None:
        from evidence_desk.ui.flow.help_dialogs import copy_text

        text = self.english.toPlainText()
        if not text.strip():
            self.status_message.emit(tr("There is no statement yet: compose it first."), 6000)
            return
        copy_text(text)
        self.status_message.emit(tr("English statement copied to the clipboard."), 6000)

    # ---- composing ---------------------------------------------------------------------
    def compose(self, force: bool = False) -> None:
        """Compose off the GUI thread; the result says whether edits were kept."""
        if self.case is None:
            return
        self.save()
        cid = self.case.id
        lib = self.library
        self.compose_button.setEnabled(False)
        before = (self.case.statement_en, self.case.statement_zh, not self.case.statement_edited)

        def job(_p: Any, _c: Any) -> tuple[CaseInfo, str]:
            return lib.compose_statement(cid, force=force)

        def done(result: tuple[CaseInfo, str]) -> None:
            self.compose_button.setEnabled(True)
            case, action = result
            if self.case is None or self.case.id != cid:
                return
            if force:
                # Pushed already done, so Undo can bring the seller's edit back.
                after = (case.statement_en, case.statement_zh, True)
                self.undo.push_for(cid, SetStatementCommand(
                    lib, self.edits, cid, before, after, tr("Replace the statement"),
                    already=case))
            else:
                self.edits.announce(case, ("statement",))
            self.case = case
            self._set_texts(case)
            self._show_action(action)
            self.run_check()
            self.composed.emit(action)

        def failed(exc: Exception) -> None:
            self.compose_button.setEnabled(True)
            self._failed(exc)

        self.runner.run(job, group="compose", on_done=done, on_error=failed)

    def replace_with_fresh(self) -> None:
        self.outdated_bar.setVisible(False)
        self.compose(force=True)

    def _keep_edits(self) -> None:
        self.outdated_bar.setVisible(False)
        self.last_action = "kept_edits"
        self._show_action("kept_edits")

    def _show_action(self, action: str) -> None:
        self.last_action = action
        texts = {
            "replaced": tr("Composed from the case's facts and evidence."),
            "unchanged": tr("The statement is up to date with the case."),
            "kept_edits": tr("Kept your edits: the case's facts have not changed since."),
            "outdated": tr("Your edits are kept; the facts changed since — see above."),
        }
        self.state_label.setText(texts.get(action, ""))
        self.outdated_bar.setVisible(action == "outdated")

    def _failed(self, exc: Exception) -> None:
        self.status_message.emit(localized(exc), 10000)

    # ---- the wording check -------------------------------------------------------------
    def run_check(self) -> None:
        self._check_timer.stop()
        text = self.english.toPlainText()
        if self.case is None or not text.strip():
            self.flags = []
        else:
            self.flags = check_wording(text, lang="en", exhibit_numbers=self.exhibits,
                                       demand=self.case.demand)
        self._highlight(text)
        self._fill_flags()
        self.checked.emit(len(self.flags))

    def _highlight(self, text: str) -> None:
        pos = utf16_offsets(text)
        selections = []
        doc = self.english.document()
        for f in self.flags:
            if f.end <= f.start:
                continue
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(doc)
            cursor.setPosition(pos(f.start))
            cursor.setPosition(pos(f.end), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            colour = flag_colour(f.code)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(colour)
            fill = QColor(colour)
            fill.setAlpha(45)
            fmt.setBackground(fill)
            fmt.setToolTip(f.text(current_language()))
            sel.cursor = cursor  # type: ignore[attr-defined]
            sel.format = fmt  # type: ignore[attr-defined]
            selections.append(sel)
        self.english.setExtraSelections(selections)

    def _fill_flags(self) -> None:
        lang = current_language()
        self.flag_list.clear()
        text = self.english.toPlainText()
        for f in self.flags:
            words = text[f.start:f.end]
            shown = f.text(lang)
            if words and f.code in ("shouting", "exclamations", "placeholder"):
                shown = f"“{words.strip()[:40]}” — {shown}"
            item = QListWidgetItem(shown)
            item.setData(FLAG_ROLE, (f.start, f.end))
            item.setForeground(flag_colour(f.code))
            item.setToolTip(shown)
            self.flag_list.addItem(item)
        n = len(self.flags)
        if not text.strip():
            self.flags_caption.setText(tr("Wording check"))
        elif n == 0:
            self.flags_caption.setText(tr("Wording check: calm and clear, nothing to fix"))
        else:
            self.flags_caption.setText(tr("Wording check: {n} to look at", n=n))

    def _flag_clicked(self, item: QListWidgetItem) -> None:
        start, end = item.data(FLAG_ROLE)
        text = self.english.toPlainText()
        pos = utf16_offsets(text)
        cursor = self.english.textCursor()
        cursor.setPosition(pos(start))
        if end > start:
            cursor.setPosition(pos(end), QTextCursor.MoveMode.KeepAnchor)
        self.english.setTextCursor(cursor)
        self.english.ensureCursorVisible()
        self.english.setFocus()

    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]
