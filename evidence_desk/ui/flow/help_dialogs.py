"""Help from the seed, in the window: the FAQ, the hotline directory, the complaint tips, the
carrier-change rule, and the escalation route for a complaint that failed.

Everything shown here comes from `resources/guidance/*.toml` (core.guidance), so the numbers and
answers follow the data files when the platform changes them.
"""

from __future__ import annotations

import html
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from evidence_desk.core.guidance import Guidance, Hotline, load_guidance
from evidence_desk.i18n import current_language, tr
from evidence_desk.paths import GUIDANCE_DIR
from evidence_desk.ui.common.labels import emphasize


@cache
def guidance() -> Guidance:
    """The guidance files, read once: six small TOML files, parsed on first use."""
    return load_guidance(GUIDANCE_DIR)


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def _bold(text: str) -> QLabel:
    lbl = QLabel(text)
    emphasize(lbl)
    return lbl


class HotlineGrid(QWidget):
    """Name, number (with the key to press) and a Copy button for each line."""

    def __init__(self, lines: tuple[Hotline, ...], *, emphasise: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = current_language()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.numbers: list[str] = []
        self.copy_buttons: list[QPushButton] = []
        for row, line in enumerate(lines):
            name = QLabel(line.label(lang))
            name.setWordWrap(True)
            number = QLabel(line.dial(lang))
            number.setObjectName("hotlineNumber")
            number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = number.font()
            font.setBold(True)
            if emphasise:
                font.setPointSizeF(font.pointSizeF() * 1.25)
            number.setFont(font)
            button = QPushButton(tr("Copy"))
            button.setObjectName(f"copyHotline_{line.key}")
            button.setToolTip(tr("Copy {number} to the clipboard", number=line.number))
            button.clicked.connect(lambda _c=False, n=line.number: copy_text(n))
            grid.addWidget(name, row, 0)
            grid.addWidget(number, row, 1)
            grid.addWidget(button, row, 2)
            self.numbers.append(line.number)
            self.copy_buttons.append(button)
        grid.setColumnStretch(0, 1)


def _scrolling(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def _close_buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    return buttons


class HotlineDialog(QDialog):
    """Every service number the seed lists, and the self-service items of the 1688 service centre."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hotlineDialog")
        self.setWindowTitle(tr("Hotline directory"))
        g = guidance()
        lang = current_language()
        content = QWidget()
        layout = QVBoxLayout(content)
        intro = QLabel(tr("Alibaba service hotlines. For a complaint about a buyer, call the "
                          "Alibaba.com line."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.grid = HotlineGrid(g.hotlines)
        layout.addWidget(self.grid)
        layout.addSpacing(8)
        layout.addWidget(_bold(tr("Self-service ({source})", source=g.self_service_source(lang))))
        for item in g.self_service:
            lbl = QLabel(f"• {html.escape(item.label(lang))} — {html.escape(item.how(lang))}")
            lbl.setWordWrap(True)
            layout.addWidget(lbl)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(_scrolling(content), 1)
        outer.addWidget(_close_buttons(self))
        self.resize(560, 520)


class TextHelpDialog(QDialog):
    """A titled page of rich text (FAQ, tips, carrier-change rule)."""

    def __init__(self, name: str, title: str, body_html: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(body_html)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(_close_buttons(self))
        self.resize(600, 480)


def faq_html() -> str:
    lang = current_language()
    parts = [f"<h3>{html.escape(e.question(lang))}</h3><p>{html.escape(e.answer(lang))}</p>"
             for e in guidance().faq]
    return "".join(parts)


def tips_html() -> str:
    lang = current_language()
    parts = [f"<h3>{n}. {html.escape(t.title(lang))}</h3><p>{html.escape(t.text(lang))}</p>"
             for n, t in enumerate(guidance().tips, 1)]
    return "".join(parts)


def carrier_rule_html() -> str:
    lang = current_language()
    cc = guidance().carrier_change
    steps = "".join(f"<li><b>{html.escape(s.label(lang))}</b><br>{html.escape(s.detail(lang))}</li>"
                    for s in cc.steps)
    return (f"<p><b>{html.escape(cc.rule(lang))}</b></p><ol>{steps}</ol>"
            f"<p><i>{html.escape(cc.note(lang))}</i></p>")


def faq_dialog(parent: QWidget | None = None) -> TextHelpDialog:
    return TextHelpDialog("faqDialog", tr("Frequently asked questions"), faq_html(), parent)


def tips_dialog(parent: QWidget | None = None) -> TextHelpDialog:
    return TextHelpDialog("tipsDialog", tr("Complaint tips"), tips_html(), parent)


def carrier_dialog(parent: QWidget | None = None) -> TextHelpDialog:
    return TextHelpDialog("carrierRuleDialog", tr("Changing the logistics company"),
                          carrier_rule_html(), parent)


class EscalateDialog(QDialog):
    """What to do when a complaint failed: the seed's customer-service route and its hotline."""

    def __init__(self, can_resubmit: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalateDialog")
        self.setWindowTitle(tr("Escalate to customer service"))
        g = guidance()
        lang = current_language()
        failed = next((e for e in g.faq if e.key == "complaint_failed"), None)
        heading = _bold(failed.question(lang) if failed else tr("The complaint failed"))
        route = QLabel(failed.answer(lang) if failed else "")
        route.setWordWrap(True)
        steps = QLabel(tr("Call Alibaba.com customer service, give them the order number and "
                          "say the complaint was rejected. Have the dossier and the upload pack "
                          "at hand: the desk recorded which files you submitted."))
        steps.setWordWrap(True)
        self.escalation = HotlineGrid(g.escalation_hotlines(), emphasise=True)
        others = tuple(h for h in g.hotlines if not h.escalation)
        self.others = HotlineGrid(others)
        others_box = QWidget()
        ob = QVBoxLayout(others_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.addWidget(_bold(tr("Other Alibaba hotlines")))
        ob.addWidget(self.others)
        self.resubmit_button = QPushButton(tr("Resubmit as a new attempt instead"))
        self.resubmit_button.setObjectName("escalateResubmit")
        self.resubmit_button.clicked.connect(self._resubmit)
        self.resubmit_chosen = False
        buttons = _close_buttons(self)
        buttons.addButton(self.resubmit_button, QDialogButtonBox.ButtonRole.ActionRole)
        # After addButton, which shows the button whatever was set before.
        self.resubmit_button.setVisible(can_resubmit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(route)
        layout.addWidget(steps)
        layout.addSpacing(6)
        layout.addWidget(self.escalation)
        layout.addSpacing(10)
        layout.addWidget(others_box)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def numbers(self) -> list[str]:
        return self.escalation.numbers + self.others.numbers

    def _resubmit(self) -> None:
        self.resubmit_chosen = True
        self.accept()


def ocr_help_html(available: bool, enabled: bool = True) -> str:
    """What text recognition does, whether it is on here, and how to turn it on."""
    from evidence_desk.ocr import install_hint

    lang = current_language()
    what = html.escape(tr(
        "The desk reads the words in chat and order screenshots offline, one picture at a "
        "time in the background, after an import. Search and the board filter then find a "
        "screenshot by what it says; the checklist warns when an order screenshot shows "
        "another order number or a chat comes from WeChat, WhatsApp or another outside app; "
        "values it reads are offered for empty case fields. Nothing is sent anywhere."))
    if not available:
        state = html.escape(install_hint("zh" if lang == "zh" else "en"))
        how = html.escape(tr("Then start the desk again. The one-folder app already includes "
                             "text recognition."))
        return f"<p>{what}</p><p><b>{state}</b></p><p>{how}</p>"
    if not enabled:
        state = html.escape(tr("Text recognition is installed but switched off: turn it on "
                               "in File › Settings."))
    else:
        state = html.escape(tr("Text recognition is installed and on. Its progress shows in "
                               "the status bar, where it can also be stopped; it can be "
                               "switched off in File › Settings."))
    return f"<p>{what}</p><p><b>{state}</b></p>"


def ocr_dialog(available: bool, enabled: bool = True,
               parent: QWidget | None = None) -> TextHelpDialog:
    return TextHelpDialog("ocrHelpDialog", tr("Text recognition (OCR)"),
                          ocr_help_html(available, enabled), parent)
