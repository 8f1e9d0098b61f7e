"""Words and colours several widgets share: state names, days left, deadline urgency."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from evidence_desk.core import states
from evidence_desk.core.rules import Rules
from evidence_desk.i18n import current_language, tr

# Urgency colours, readable on light and dark backgrounds alike.
RED = QColor(204, 40, 40)
AMBER = QColor(196, 120, 0)
GREEN = QColor(30, 140, 60)
GREY = QColor(128, 128, 128)


def emphasize(widget: QWidget, scale: float = 1.0) -> None:
    """Bold text, optionally larger: headings and captions across the window."""
    font = widget.font()
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    widget.setFont(font)


def type_label(rules: Rules, type_key: str) -> str:
    ctype = rules.types.get(type_key)
    return ctype.label(current_language()) if ctype else type_key


def kind_label(rules: Rules, kind_key: str) -> str:
    kind = rules.kinds.get(kind_key)
    return kind.label(current_language()) if kind else kind_key


def state_label(rules: Rules, type_key: str, state: str) -> str:
    ctype = rules.types.get(type_key)
    # A case's stored state may belong to the other flow (new cases start as "draft"), so the
    # case's own flow is tried first and then every flow, before showing the raw key.
    flows = ([ctype.flow] if ctype else []) + list(states.FLOWS)
    for flow_key in flows:
        try:
            return states.label(flow_key, state, current_language())
        except states.TransitionRefused:
            continue
    return state


def all_states() -> list[tuple[str, str]]:
    """(key, label) of every state of every flow, each key once, in flow order."""
    seen: dict[str, str] = {}
    for flow in states.FLOWS.values():
        for s in flow.states:
            seen.setdefault(s.key, s.label(current_language()))
    return list(seen.items())


def days_left_text(days: int | None) -> str:
    if days is None:
        return tr("No deadline")
    if days < 0:
        return tr("Closed {n} days ago", n=-days) if days < -1 else tr("Closed yesterday")
    if days == 0:
        return tr("Last day today")
    return tr("1 day left") if days == 1 else tr("{n} days left", n=days)


# States before the complaint is filed; after it the complaint window no longer counts down.
NOT_FILED = ("draft", "ready")


def is_filed(state: str) -> bool:
    """Submitted or later: days left to complain mean nothing any more."""
    return state not in NOT_FILED


def days_left_short(days: int | None) -> str:
    """The same, short enough for a list column."""
    if days is None:
        return "—"
    if days < 0:
        return tr("Closed")
    return tr("Today") if days == 0 else tr("{n} d", n=days)


def days_left_colour(days: int | None) -> QColor | None:
    """Red when three days or fewer are left (or the window has closed), amber within a week."""
    if days is None:
        return None
    if days <= 3:
        return RED
    if days <= 7:
        return AMBER
    return None
