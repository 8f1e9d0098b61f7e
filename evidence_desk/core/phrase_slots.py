"""Slot values of the phrase bank: each slot has a type, a value is checked against it and stored
in one canonical form, and renders the same way every time, always as ASCII in English. There is
no free-text type on purpose: a statement made of phrases needs no translation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

SLOT_TYPES = ("date", "amount", "count", "days", "order_no", "tracking_no", "member_id",
              "carrier", "exhibit")
_ORDER_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/-]{0,39}")
_TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
_MEMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_EXHIBIT = re.compile(r"[A-Z]-\d{1,3}")


class SlotError(ValueError):
    """A slot value that does not fit its type; both messages name the slot."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh

    def text(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else str(self)


@dataclass(frozen=True)
class Carrier:
    key: str
    en: str
    zh: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    # For an exhibit slot: the evidence kind whose first exhibit is proposed.
    kind: str = ""


def _err(slot: Slot, en: str, zh: str) -> SlotError:
    return SlotError(f"slot {slot.name!r} ({slot.type}): {en}", f"空位“{slot.name}”({slot.type}):{zh}")


def parse_value(slot: Slot, value: str, *, carriers: Mapping[str, Carrier],
                exhibits: Sequence[str] | None = None, currency: str = "USD") -> str:
    """The canonical stored form of `value` for `slot`, or SlotError naming the slot.

    `exhibits` are the case's exhibit numbers (None: not checked here). An amount written
    without a currency takes `currency` (the case's).
    """
    text = " ".join(str(value).split())
    if not text:
        raise _err(slot, "is empty", "未填写")
    t = slot.type
    if t == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise _err(slot, f"{text!r} is not a date in YYYY-MM-DD form",
                       f"“{text}”不是 YYYY-MM-DD 格式的日期") from None
        return day.isoformat()
    if t == "amount":
        return _parse_amount(slot, text, currency)
    if t in ("count", "days"):
        top = 10_000_000 if t == "count" else 3650
        low = 1 if t == "count" else 0
        if not re.fullmatch(r"\d{1,8}", text.replace(",", "")) \
                or not low <= int(text.replace(",", "")) <= top:
            raise _err(slot, f"{text!r} is not a whole number from {low} to {top}",
                       f"“{text}”不是 {low} 到 {top} 之间的整数")
        return str(int(text.replace(",", "")))
    if t in ("order_no", "tracking_no", "member_id"):
        pattern = {"order_no": _ORDER_NO, "tracking_no": _TRACKING, "member_id": _MEMBER}[t]
        if not pattern.fullmatch(text):
            raise _err(slot, f"{text!r} must be Latin letters and digits (with - _ . / where "
                       "usual), no spaces", f"“{text}”只能由英文字母和数字组成(可含 - _ . /),不含空格")
        return text
    if t == "carrier":
        key = text.lower()
        if key not in carriers:
            by_name = {c.en.lower(): c.key for c in carriers.values()}
            by_name.update({c.zh: c.key for c in carriers.values()})
            key = by_name.get(text.lower(), by_name.get(text, ""))
        if key not in carriers:
            raise _err(slot, f"{text!r} is not a known carrier (use one of "
                       f"{', '.join(carriers)})", f"“{text}”不在承运商列表中(可选:{', '.join(carriers)})")
        return key
    if t == "exhibit":
        number = text.upper()
        if not _EXHIBIT.fullmatch(number):
            raise _err(slot, f"{text!r} is not an exhibit number such as A-1",
                       f"“{text}”不是证据编号(如 A-1)")
        if exhibits is not None and number not in exhibits:
            shown = ", ".join(exhibits) or "none yet"
            raise _err(slot, f"the case has no exhibit {number} (it has: {shown})",
                       f"本案没有证据 {number}(现有:{', '.join(exhibits) or '无'})")
        return number
    raise _err(slot, "has an unknown type", "类型未知")


def _parse_amount(slot: Slot, text: str, currency: str) -> str:
    m = re.fullmatch(r"(?:([A-Za-z]{3})\s*)?([\d,]+(?:\.\d{1,2})?)(?:\s*([A-Za-z]{3}))?", text)
    if not m or (m.group(1) and m.group(3)):
        raise _err(slot, f"{text!r} is not an amount such as 'USD 1,250.00'",
                   f"“{text}”不是金额(例如 USD 1,250.00)")
    cur = (m.group(1) or m.group(3) or currency or "USD").upper()
    if not _CURRENCY.fullmatch(cur):
        raise _err(slot, f"{cur!r} is not a three-letter currency code",
                   f"“{cur}”不是三位字母的币种代码")
    try:
        amount = Decimal(m.group(2).replace(",", ""))
    except InvalidOperation:
        raise _err(slot, f"{text!r} is not a number", f"“{text}”不是数字") from None
    if amount >= Decimal(10) ** 12:
        raise _err(slot, "is too large", "金额过大")
    return f"{cur} {amount:,.2f}"


def render_value(slot: Slot, value: str, lang: str, carriers: Mapping[str, Carrier]) -> str:
    """A canonical slot value as the sentence shows it; English output is always ASCII."""
    if slot.type == "date" and lang == "zh":
        d = date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"
    if slot.type == "carrier":
        carrier = carriers.get(value)
        return carrier.label(lang) if carrier else value
    return value


def sample_value(slot: Slot, carriers: Mapping[str, Carrier]) -> str:
    """A valid value of the slot's type, for checking the bank and for previews."""
    return {
        "date": "2024-05-03", "amount": "USD 1,250.00", "count": "120", "days": "7",
        "order_no": "230512345678", "tracking_no": "SF1234567890", "member_id": "br1234567",
        "carrier": next(iter(carriers), "dhl"), "exhibit": "A-1",
    }[slot.type]
