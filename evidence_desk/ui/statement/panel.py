"""The complaint statement: the English text the seller pastes into the platform, the Chinese
reading version beside it, the composer, and the live wording check.

The platform refuses complaint text with non-English characters while most sellers read Chinese
first, so the English is the one that is edited and checked, and the Chinese says what it means.
The composer never overwrites the seller's edits silently: when the facts changed since an edit,
a bar offers the new text and only a click replaces it (and Undo brings the edit back).

Above the texts, the phrase composer: the seller picks Chinese sentences with vetted English twins
and fills their slots, so the English needs no translation. Every phrase change is made off the
GUI thread and is one undo step; a line typed by hand reads in Chinese as the seller's own.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QTextCharFormat, QTextCursor, QUndoCommand
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core import phrase_choice
from evidence_desk.core.phrase_choice import Chosen, PhraseWarning, Sentence
from evidence_desk.core.statement import exhibit_numbers
from evidence_desk.core.types import CaseInfo
from evidence_desk.core.wording import Flag, check_wording
from evidence_desk.i18n import current_language, localized, tr
from evidence_desk.library import phrasing
from evidence_desk.library.phrasing import PhraseRefused
from evidence_desk.library.service import Library
from evidence_desk.ui.common import labels
from evidence_desk.ui.common.context import EVIDENCE, FIELDS, STATE, STATEMENT, DeskContext
from evidence_desk.ui.common.undo import CaseEdits
from evidence_desk.ui.statement.commands import PhraseCommand, PhraseState, StatementStep
from evidence_desk.ui.statement.composer import PhraseComposer
from evidence_desk.ui.statement.leftovers import char_name, find_leftovers

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


class SetStatementCommand(StatementStep):
    """One stretch of statement typing, or one replacement by the composer.

    before/after are (english, chinese, composed): composed restores the "not edited" mark on
    undo. The composer stores `after` itself (`already`)."""

    def __init__(self, library: Library, edits: CaseEdits, case_id: int,
                 before: tuple[str, str, bool], after: tuple[str, str, bool], text: str,
                 *, merge: int | None = None, already: CaseInfo | None = None) -> None:
        super().__init__(library, edits, case_id, before, after, text, already=already)
        self._id = (zlib.crc32(f"statement:{case_id}:{merge}".encode()) & 0x3FFFFFFF
                    if merge is not None else -1)

    def id(self) -> int:
        return self._id

    def _store(self, values: tuple[str, str, bool]) -> CaseInfo:
        en, zh, composed = values
        return self.library.set_statement(self.case_id, en, zh, composed=composed)

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
        self.copy_warning: QMessageBox | None = None
        self._reading_generation = 0
        self._phrases_generation = 0
        self._bank_type = ""
        self._reading: tuple[str, str] = ("", "")
        self.phrase_warnings: list[PhraseWarning] = []
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
        self.copy_action = QAction(self, objectName="actionCopyEnglish")
        # Its key, Ctrl+Shift+C, is the desk's menu action (flow's actionCopyStatement), which
        # calls copy_english too: one key bound twice in a window fires neither.
        self.copy_action.triggered.connect(self.copy_english)
        self.addAction(self.copy_action)
        self.copy_button = QPushButton(objectName="copyStatementButton")
        self.copy_button.clicked.connect(self.copy_action.trigger)
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
        self.char_count = QLabel(objectName="statementCharCount")
        self.char_count.setAlignment(Qt.AlignmentFlag.AlignRight)
        en_head = QHBoxLayout()
        en_head.addWidget(self.en_caption, 1)
        en_head.addWidget(self.char_count)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(2)
        ll.addLayout(en_head)
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
        self.flag_list.setMinimumHeight(28)
        # Below the texts, not in their splitter: a clean statement costs one caption line,
        # and a list of flags takes room only while it has something to show.
        self.flag_list.setMaximumHeight(96)
        self.flag_list.hide()
        self.flag_list.itemClicked.connect(self._flag_clicked)
        self.flag_list.itemActivated.connect(self._flag_clicked)

        self.composer = PhraseComposer()
        self.composer.add_requested.connect(self.add_phrase)
        self.composer.remove_requested.connect(self.remove_phrase)
        self.composer.move_requested.connect(self.move_phrase)
        self.composer.slot_set.connect(self.set_slot)
        self.picker = self.composer.picker

        self.split = QSplitter(Qt.Orientation.Vertical, objectName="statementVSplitter")
        self.split.addWidget(self.composer)
        self.split.addWidget(self.texts)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        self._sized = False
        self.split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.outdated_bar)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.flags_caption)
        layout.addWidget(self.flag_list)

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
                                       "platform's complaint form (Ctrl+Shift+C)"))
        self.copy_action.setText(tr("Copy the English statement"))
        self.copy_action.setStatusTip(tr("Copy the English statement to paste into the "
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
        self._count()
        self.composer.retranslate()
        if self.case is not None:
            # Kind names and the Chinese of the chosen sentences follow the language.
            self.load_phrases()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._first_sizes)

    def _first_sizes(self) -> None:
        # Once the tab has its height: the phrases a little under half, the texts the rest
        # (the seller drags the handle from there on).
        h = max(self.split.height(), 300)
        self.split.setSizes([int(h * 0.45), h - int(h * 0.45)])

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
        if case is None:
            self.composer.set_bank(None, {})
            self.composer.set_chosen([], [], [], [])
            self._bank_type = ""
        else:
            self.load_exhibits()
            self.load_phrases()

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

    def load_phrases(self, select: int | None = None) -> None:
        """The bank for the case's type, its chosen sentences rendered and their warnings, and
        the exhibits a slot may cite: read off the GUI thread."""
        if self.case is None:
            return
        cid = self.case.id
        lib = self.library
        lang = current_language()
        need_bank = self._bank_type != self.case.type_key
        self._phrases_generation += 1
        generation = self._phrases_generation

        def job(_p: Any, _c: Any) -> tuple[Any, ...]:
            case = lib.get_case(cid)
            refs = phrasing.exhibits(lib, cid)
            bank = phrasing.bank(lib)
            groups = phrasing.phrases_for(lib, case.type_key) if need_bank else None
            items = phrasing.chosen(lib, cid)
            sentences = phrase_choice.render(items, bank, refs,
                                             lib.rules.platform.statement_ascii_only)
            warns = phrase_choice.warnings(sentences, lib.rules)
            kinds = lib.rules.kinds
            shown = [(r.number, (kinds[r.kind].zh if lang == "zh" else kinds[r.kind].en)
                      if r.kind in kinds else r.kind) for r in refs]
            return case.type_key, bank, groups, items, sentences, warns, shown

        def done(result: tuple[Any, ...]) -> None:
            if generation != self._phrases_generation or self.case is None \
                    or self.case.id != cid:
                return
            type_key, bank, groups, items, sentences, warns, shown = result
            if groups is not None:
                self._bank_type = type_key
                self.composer.set_bank(bank, groups)
            self._show_chosen(items, sentences, warns, shown, select)

        self.runner.run(job, group="statement", on_done=done, on_error=self._failed,
                        context=self)

    def _show_chosen(self, items: list[Chosen], sentences: list[Sentence],
                     warns: list[PhraseWarning], shown: list[tuple[str, str]],
                     select: int | None) -> None:
        self.composer.set_chosen(items, sentences, warns, shown, select)
        self.phrase_warnings = warns

    def refresh_reading(self) -> None:
        """The Chinese reading version of the English as it stands in the editor (typed lines
        are marked as the seller's own), computed off the GUI thread."""
        if self.case is None:
            return
        cid = self.case.id
        lib = self.library
        text = self.english.toPlainText()
        self._reading_generation += 1
        generation = self._reading_generation
        if not text.strip():
            # No English yet: nothing to read either (composing writes both).
            self._reading = (text, "")
            self.chinese.setPlainText("")
            return

        def job(_p: Any, _c: Any) -> str:
            return phrasing.reading(lib, cid, text).zh

        def done(zh: str) -> None:
            if generation != self._reading_generation or self.case is None \
                    or self.case.id != cid or self.english.toPlainText() != text:
                return
            self._reading = (text, zh)
            if self.chinese.toPlainText() != zh:
                self.chinese.setPlainText(zh)

        self.runner.run(job, group="statement", on_done=done, on_error=self._failed,
                        context=self)

    # ---- phrase changes (off the GUI thread, one undo step each) -------------------------
    def _phrase_change(self, change: Callable[[Library, int], CaseInfo], text: str,
                       select: int | None = None) -> None:
        if self.case is None:
            return
        self.save()
        cid = self.case.id
        lib = self.library
        self.composer.setEnabled(False)

        def job(_p: Any, _c: Any) -> tuple[PhraseState, CaseInfo]:
            before = PhraseState.of(lib.get_case(cid))
            return before, change(lib, cid)

        def done(result: tuple[PhraseState, CaseInfo]) -> None:
            self.composer.setEnabled(True)
            before, case = result
            self.undo.push_for(cid, PhraseCommand(lib, self.edits, cid, before,
                                                  PhraseState.of(case), text, already=case))
            if self.case is not None and self.case.id == cid:
                self.case = case
                self._set_texts(case)
                self.run_check()
                self.load_phrases(select)
                if case.statement_edited:
                    # The seller's own edit is kept: offer the text with the new phrase.
                    self._show_action("outdated")

        def failed(exc: Exception) -> None:
            self.composer.setEnabled(True)
            if isinstance(exc, PhraseRefused):
                msg = exc.message_zh if current_language() == "zh" else str(exc)
                self.status_message.emit(msg, 10000)
                self.load_phrases()
                return
            self._failed(exc)

        self.runner.run(job, group="phrases", on_done=done, on_error=failed, context=self)

    def add_phrase(self, phrase_id: str) -> None:
        at = len(self.composer.chosen)
        self._phrase_change(lambda lib, cid: phrasing.add_phrase(lib, cid, phrase_id),
                            tr("Add a phrase"), select=at)

    def remove_phrase(self, index: int) -> None:
        self._phrase_change(lambda lib, cid: phrasing.remove_phrase(lib, cid, index),
                            tr("Remove a phrase"), select=max(0, index - 1))

    def move_phrase(self, index: int, to: int) -> None:
        self._phrase_change(lambda lib, cid: phrasing.move_phrase(lib, cid, index, to),
                            tr("Move a phrase"), select=to)

    def set_slot(self, index: int, name: str, value: str) -> None:
        self._phrase_change(lambda lib, cid: phrasing.set_slot(lib, cid, index, name, value),
                            tr("Fill in a phrase"), select=index)

    def _set_texts(self, case: CaseInfo | None) -> None:
        en = case.statement_en if case else ""
        zh = case.statement_zh if case else ""
        if self.english.toPlainText() != en:
            self.english.blockSignals(True)
            self.english.setPlainText(en)
            self.english.blockSignals(False)
        if self.chinese.toPlainText() != zh:
            self.chinese.setPlainText(zh)
        self._count()
        if case is not None:
            self.refresh_reading()

    def _count(self) -> None:
        n = len(self.english.toPlainText())
        self.char_count.setText(tr("{n} characters", n=n))

    def _changed(self, ids: frozenset[int] | None, aspects: frozenset[str],
                 _origin: object) -> None:
        if self.case is None or (ids is not None and self.case.id not in ids):
            return
        if not aspects & {FIELDS, STATEMENT, STATE, EVIDENCE}:
            return
        if EVIDENCE in aspects:
            # Exhibit numbers and "relies on evidence the case lacks" follow the board.
            self.load_exhibits()
            self.load_phrases()
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
        if STATEMENT in aspects:
            self.load_phrases()

    # ---- editing -----------------------------------------------------------------------
    def _typed(self) -> None:
        self._check_timer.start()
        self._count()
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
        # The reading version of exactly this text, when it has been worked out already.
        zh = self._reading[1] if self._reading[0] == text else case.statement_zh
        after = (text, zh, False)
        self.undo.push_for(case.id, SetStatementCommand(
            self.library, self.edits, case.id, before, after, tr("Edit the statement"),
            merge=self._epoch))

    def copy_english(self) -> None:
        """Copy the English; placeholders or non-ASCII characters left are named first, and
        only "Copy anyway" copies them (the platform refuses such text)."""
        text = self.english.toPlainText()
        if not text.strip():
            self.status_message.emit(tr("There is no statement yet: compose it first."), 6000)
            return
        left = find_leftovers(text)
        if not left:
            self._copy(text)
            return
        parts = []
        if left.placeholders:
            parts.append(tr("Still to fill in: {items}",
                            items="; ".join(left.placeholders[:8])))
        if left.non_ascii:
            parts.append(tr("Characters the platform does not accept: {items}",
                            items=", ".join(char_name(c) for c in left.non_ascii[:12])))
        box = QMessageBox(QMessageBox.Icon.Warning, tr("The English statement is not finished"),
                          tr("The platform refuses complaint text with placeholders or "
                             "non-English characters."), parent=self)
        box.setObjectName("copyEnglishWarning")
        box.setInformativeText("\n".join(parts))
        anyway = box.addButton(tr("Copy anyway"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)

        def finished(_r: int) -> None:
            if box.clickedButton() is anyway:
                self._copy(text)
            self.copy_warning = None
            box.deleteLater()

        box.finished.connect(finished)
        self.copy_warning = box
        box.open()

    def _copy(self, text: str) -> None:
        from evidence_desk.ui.flow.help_dialogs import copy_text

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
        self.refresh_reading()

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
        self.flag_list.setVisible(n > 0)
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
