"""What the checklist's buttons do to a warning from the recognised text, and to a value offered
from a screenshot: every one an undo command that calls the Library, never a silent change.

- order_mismatch: the item gets the flag `order_ok` (the seller checked the order number);
- kind_suggestion: the item gets the flag `kind_ok` (it is filed under the kind they mean);
- off_platform_chat: the case records that both sides agreed to the other channel;
- a suggestion fills the empty case field it names (order number, amount, a date, the buyer's
  member id).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from evidence_desk.core.checklist import FLAG_KIND_OK, FLAG_ORDER_OK, Warning
from evidence_desk.core.recognised import Suggestion
from evidence_desk.i18n import tr
from evidence_desk.ui.common.context import EVIDENCE, DeskContext
from evidence_desk.ui.common.undo import SaveBuyerCommand, SetCaseFieldsCommand
from evidence_desk.ui.evidence.commands import EditEvidenceCommand

# Warning code -> the item flag that dismisses it.
ITEM_FLAGS = {"order_mismatch": FLAG_ORDER_OK, "kind_suggestion": FLAG_KIND_OK}
CASE_DISMISSALS = {"off_platform_chat"}
DISMISSIBLE = frozenset(ITEM_FLAGS) | CASE_DISMISSALS
# Case fields a suggestion may fill with a button.
FILLABLE = ("order_no", "amount", "paid_on", "completed_on", "buyer.member_id")


def dismiss_label(code: str) -> str:
    if code == "off_platform_chat":
        return tr("Both sides agreed")
    if code == "kind_suggestion":
        return tr("Keep its kind")
    return tr("Mark as checked")


def dismiss_tip(code: str) -> str:
    if code == "off_platform_chat":
        return tr("Record that the buyer and you agreed to use this channel: the chat then "
                  "counts as evidence. Undo takes it back.")
    if code == "kind_suggestion":
        return tr("Keep the item under the kind it is filed as; the suggestion goes away. "
                  "Undo brings it back.")
    return tr("You checked the order number in this screenshot: the warning goes away for "
              "it. Undo brings it back.")


class FlagItemCommand(EditEvidenceCommand):
    """Add one flag to an item's flags (undo gives it back its flags as they were)."""

    def __init__(self, library: Any, case_id: int, item_id: int, flags: tuple[str, ...],
                 flag: str, after: Any) -> None:
        super().__init__(library, case_id, item_id, "flags", list(flags),
                         [*flags, flag] if flag not in flags else list(flags), after)
        self.setText(tr("Dismiss a warning"))


def dismiss(ctx: DeskContext, case_id: int, warning: Warning) -> str:
    """Dismiss `warning` of `case_id` as one undo step; returns a refusal message or ""."""

    def after(cid: int, _counts: bool) -> None:
        ctx.announce({cid}, (EVIDENCE,))

    flag = ITEM_FLAGS.get(warning.code)
    if flag is not None:
        refusal = ""
        for item_id in warning.item_ids:  # one item a warning, as the checks make them
            info = ctx.library.get_evidence(item_id)
            command = FlagItemCommand(ctx.library, case_id, item_id, tuple(info.flags), flag,
                                      after)
            ctx.undo.push_for(case_id, command)
            refusal = refusal or command.refusal
        return refusal
    if warning.code == "off_platform_chat":
        ctx.undo.push_for(case_id, SetCaseFieldsCommand(
            ctx.edits, case_id, {"other_channel_agreed": False}, {"other_channel_agreed": True},
            tr("Mark the other channel as agreed")))
        return ""
    return tr("This warning cannot be dismissed here.")


def suggestion_changes(s: Suggestion) -> dict[str, Any] | None:
    """The case fields `s` fills, as update_case takes them (None: not a value for a field)."""
    if s.field in ("paid_on", "completed_on"):
        try:
            return {s.field: date.fromisoformat(s.value)}
        except ValueError:
            return None
    if s.field == "amount":
        currency, _, number = s.value.partition(" ")
        try:
            return {"amount": Decimal(number), "currency": currency}
        except InvalidOperation:
            return None
    if s.field == "order_no":
        return {"order_no": s.value}
    return None


def use_suggestion(ctx: DeskContext, case_id: int, s: Suggestion) -> bool:
    """Fill the field `s` names with its value, as one undo step."""
    case = ctx.case_info(case_id)
    if s.field == "buyer.member_id":
        if case.buyer is None:
            return False
        ctx.undo.push_for(case_id, SaveBuyerCommand(
            ctx.edits, case.buyer, replace(case.buyer, member_id=s.value)))
        return True
    changes = suggestion_changes(s)
    if not changes:
        return False
    before = {name: getattr(case, name) for name in changes}
    ctx.undo.push_for(case_id, SetCaseFieldsCommand(ctx.edits, case_id, before, changes,
                                                    tr("Use a value from a screenshot")))
    return True


def usable(suggestions: list[Suggestion], has_buyer: bool) -> list[Suggestion]:
    """The suggestions a button can apply: one per empty field, the first found."""
    out: list[Suggestion] = []
    seen: set[str] = set()
    for s in suggestions:
        if s.field not in FILLABLE or s.field in seen:
            continue
        if s.field == "buyer.member_id" and not has_buyer:
            continue
        if s.field != "buyer.member_id" and suggestion_changes(s) is None:
            continue
        seen.add(s.field)
        out.append(s)
    return out

