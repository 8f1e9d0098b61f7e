"""The seed's submission steps as a checklist beside the case, each step linked to what the desk
prepared for it: the order number to find the order, the complaint type to pick, the English
statement to paste, the upload pack to attach.

Ticks are the seller's own progress on the platform's website, which the desk cannot see, so
they are remembered per case in the settings rather than in the library.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.guidance import Step
from evidence_desk.core.types import CaseInfo
from evidence_desk.i18n import current_language, tr
from evidence_desk.library.service import Library
from evidence_desk.ui.common import labels
from evidence_desk.ui.flow.help_dialogs import copy_text, guidance


def _caption(text: str = "") -> QLabel:
    lbl = QLabel(text)
    labels.emphasize(lbl)
    return lbl


class GuidancePanel(QWidget):
    """Checkable submission steps with the prepared things next to them."""

    copy_statement = Signal()
    export_pack = Signal()
    status_message = Signal(str, int)

    def __init__(self, library: Library, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidancePanel")
        self.library = library
        self.settings = settings
        self.case: CaseInfo | None = None
        self.pack_export: tuple[datetime, dict[str, Any]] | None = None
        # Settings are shared by every library the user opens; case ids are not.
        self._library_key = hashlib.sha1(str(library.folder).encode()).hexdigest()[:10]
        self.checks: dict[str, QCheckBox] = {}
        self.heading = _caption()
        self.note = QLabel(objectName="guidanceNote")
        self.note.setWordWrap(True)
        self.steps_box = QVBoxLayout()
        self.steps_box.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addLayout(self.steps_box)

    def retranslate(self) -> None:
        self.heading.setText(tr("Submitting on Alibaba.com, step by step"))
        self._rebuild()

    # ---- content -----------------------------------------------------------------------
    def set_case(self, case: CaseInfo | None,
                 pack_export: tuple[datetime, dict[str, Any]] | None = None) -> None:
        self.case = case
        self.pack_export = pack_export
        self._rebuild()

    def _settings_key(self) -> str:
        assert self.case is not None
        return f"guidance/{self._library_key}/case_{self.case.id}"

    def ticked(self) -> set[str]:
        if self.case is None:
            return set()
        raw = str(self.settings.value(self._settings_key(), "") or "")
        return {k for k in raw.split(",") if k}

    def _store(self) -> None:
        if self.case is None:
            return
        done = sorted(k for k, box in self.checks.items() if box.isChecked())
        self.settings.setValue(self._settings_key(), ",".join(done))

    def _clear_steps(self) -> None:
        while self.steps_box.count():
            item = self.steps_box.takeAt(0)
            w = item.widget()
            if w is not None:
                w.deleteLater()
        self.checks = {}

    def _rebuild(self) -> None:
        self._clear_steps()
        case = self.case
        if case is None:
            self.note.clear()
            return
        notes = {
            "draft": tr("Not ready yet: the checklist still lacks something. Read the steps "
                        "meanwhile; tick them off when you are on the platform."),
            "ready": tr("The case is ready. Follow these steps on Alibaba.com and tick each "
                        "one off; then press Submit here to record the date."),
            "submitted": tr("Submitted. Keep the steps below for a resubmission."),
        }
        self.note.setText(notes.get(case.state, tr("These are the steps of a complaint on "
                                                     "Alibaba.com.")))
        done = self.ticked()
        for n, step in enumerate(guidance().steps, 1):
            self.steps_box.addWidget(self._step_widget(n, step, step.key in done))

    def _step_widget(self, n: int, step: Step, checked: bool) -> QWidget:
        lang = current_language()
        box = QFrame()
        box.setObjectName("guidanceStep")
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        check = QCheckBox(f"{n}. {step.label(lang)}")
        check.setObjectName(f"step_{step.key}")
        check.setChecked(checked)
        check.toggled.connect(lambda _on: self._store())
        self.checks[step.key] = check
        v.addWidget(check)
        detail = QLabel(step.detail(lang))
        detail.setWordWrap(True)
        detail.setEnabled(False)
        detail.setContentsMargins(24, 0, 0, 0)
        v.addWidget(detail)
        for what in step.prepared:
            row = self._prepared(what)
            if row is not None:
                row.setContentsMargins(24, 0, 0, 0)
                v.addLayout(row)
        return box

    def _prepared(self, what: str) -> QHBoxLayout | None:
        case = self.case
        assert case is not None
        row = QHBoxLayout()
        row.setSpacing(6)
        if what == "order_no":
            value = QLabel(tr("Order no. {order}", order=case.order_no))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton(tr("Copy order number"), objectName="copyOrderNo")
            button.clicked.connect(lambda: self._copy(case.order_no, tr("Order number copied.")))
            row.addWidget(value)
            row.addWidget(button)
        elif what == "type":
            ctype = self.library.rules.types.get(case.type_key)
            text = labels.type_label(self.library.rules, case.type_key)
            if ctype is not None and current_language() == "zh":
                # The international site's form is in English: show both names.
                text = f"{ctype.zh} / {ctype.en}"
            value = QLabel(tr("Choose: {type}", type=text), objectName="guidanceType")
            labels.emphasize(value)
            row.addWidget(value)
        elif what == "statement_en":
            button = QPushButton(tr("Copy statement"), objectName="copyStatementStep")
            button.setToolTip(tr("Copy the English statement for the reason box"))
            button.clicked.connect(self.copy_statement)
            row.addWidget(button)
            if not case.statement_en.strip():
                hint = QLabel(tr("(not composed yet)"))
                hint.setEnabled(False)
                row.addWidget(hint)
        elif what == "pack":
            button = QPushButton(tr("Export upload pack…"), objectName="exportPackStep")
            button.clicked.connect(self.export_pack)
            row.addWidget(button)
            row.addWidget(QLabel(self._pack_text()))
            folder = self._pack_folder()
            if folder:
                from PySide6.QtCore import QUrl
                from PySide6.QtGui import QDesktopServices

                open_button = QPushButton(tr("Open pack folder"), objectName="openPackFolder")
                open_button.clicked.connect(
                    lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(folder)))
                row.addWidget(open_button)
        else:
            return None
        row.addStretch(1)
        return row

    def _pack_text(self) -> str:
        if self.pack_export is None:
            return tr("Not exported yet")
        at, detail = self.pack_export
        zips = detail.get("zips")
        # The audit log keeps UTC; the seller thinks in local time.
        when = at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
        if isinstance(zips, int):
            return tr("Exported {when}: {n} zip(s)", when=when, n=zips)
        return tr("Exported {when}", when=when)

    def _pack_folder(self) -> str:
        if self.pack_export is None:
            return ""
        detail = self.pack_export[1]
        for key in ("folder", "out_dir", "out", "path"):
            value = detail.get(key)
            if isinstance(value, str) and value:
                return value
        return ""

    def _copy(self, text: str, message: str) -> None:
        copy_text(text)
        self.status_message.emit(message, 5000)
