"""The one set of limits every value must meet wherever it enters: the command line, the window,
the library API and a received bundle. Checking the same limits at every door means any case the
desk holds can travel in a bundle to another desk, which checks them again.

The limits are data (TEXT_LIMITS, DATE_MIN ...) so the checks and the messages stay in one place.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# A complaint is about an order on Alibaba.com (founded 1999). Dates outside this range are typing
# mistakes; the upper bound keeps every deadline computed from a date far from date.max.
# 2000-01-01 itself is the window's "not set" value, so real dates start the year after.
DATE_MIN = date(2001, 1, 1)
DATE_MAX = date(2099, 12, 31)
MOMENT_MIN = datetime(1970, 1, 1)
MOMENT_MAX = datetime(2099, 12, 31, 23, 59, 59, 999999)

# Longest text per field, in characters (the database columns are at least this wide).
TEXT_LIMITS: dict[str, int] = {
    "order_no": 100, "title": 300, "buyer": 200, "name": 200, "company": 200, "country": 100,
    "member_id": 100, "credit_level": 50, "currency": 3, "caption": 100_000,
    "original_name": 1000, "reason": 100_000, "demand": 100_000, "notes": 100_000,
    "state_reason": 100_000, "statement_en": 100_000, "statement_zh": 100_000,
}
TEXT_MAX = 100_000
# ISO 4217 codes: three capital letters (USD, CNY, EUR ...).
CURRENCY = re.compile(r"[A-Z]{3}")
# Numeric(14, 2): below 10^12 with cents.
AMOUNT_MAX = Decimal(10) ** 12
# Ids are 32-bit integers in both databases.
ID_MAX = 2**31 - 1
# The largest dossier size a user may ask for, and the zip part sizes a pack accepts.
BUDGET_MB_MAX = 10_000.0
ZIP_KB_MIN = 64
ZIP_KB_MAX = 4 * 1024 * 1024

_STRICT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# An amount as a seller writes one: ASCII digits, an optional decimal point (thousands commas are
# dropped before this); no exponents, signs, underscores or other scripts' digits.
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]*)?|-?\.[0-9]+")
_WHOLE = re.compile(r"[0-9]+")
_FIELD_NAMES = {
    "completed_on": "completed date", "paid_on": "payment date",
    "accepted_on": "acceptance date", "refund_requested_on": "refund request date",
    "submitted_on": "submission date", "result_on": "result date", "order_no": "order number",
    "buyer": "buyer name", "name": "name", "member_id": "member id",
    "credit_level": "credit level", "original_name": "file name",
    "state_reason": "state reason", "statement_en": "English statement",
    "statement_zh": "Chinese statement", "captured_at": "capture time",
    "added_at": "time added", "created_at": "creation time", "case_id": "case id",
}


class LimitError(ValueError):
    """A value outside the limits; `field` names what was wrong, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def field_label(field: str) -> str:
    return _FIELD_NAMES.get(field, field.replace("_", " "))


def check_date(field: str, value: date | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise LimitError(field, f"The {field_label(field)} must be a date.")
    if not DATE_MIN <= value <= DATE_MAX:
        raise LimitError(field, f"The {field_label(field)} {value.isoformat()} is outside "
                                f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}.")
    return value


def check_datetime(field: str, value: datetime | None) -> datetime | None:
    """A moment such as a capture time: cameras with a reset clock say 1970 or 2000, which is
    wrong but is what the file says, so the range here is wider than for the case's dates."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise LimitError(field, f"The {field_label(field)} must be a date and time.")
    if not MOMENT_MIN <= value.replace(tzinfo=None) <= MOMENT_MAX:
        raise LimitError(field, f"The {field_label(field)} {value.isoformat()} is outside "
                                f"{MOMENT_MIN.date().isoformat()} to {DATE_MAX.isoformat()}.")
    return value


def parse_date(field: str, text: str) -> date:
    """A date typed as YYYY-MM-DD exactly (not 20260105, not 2026-W01-1), within the range."""
    if not isinstance(text, str) or not _STRICT_DATE.fullmatch(text):
        raise LimitError(field, f"{_shown(text)} is not a date in YYYY-MM-DD form")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise LimitError(field, f"{_shown(text)} is not a real date") from None
    check_date(field, value)
    return value


def check_text(field: str, value: Any, *, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise LimitError(field, f"The {field_label(field)} must be text.")
    limit = max_len if max_len is not None else TEXT_LIMITS.get(field, TEXT_MAX)
    if len(value) > limit:
        raise LimitError(field, f"The {field_label(field)} is {len(value)} characters long; "
                                f"at most {limit} are kept.")
    if "\x00" in value:
        raise LimitError(field, f"The {field_label(field)} contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise LimitError(field, f"The {field_label(field)} is not valid text "
                                "(it holds bytes that are not UTF-8).") from None
    return value


def check_currency(value: Any) -> str:
    text = check_text("currency", value, max_len=40).strip().upper()
    if not CURRENCY.fullmatch(text):
        raise LimitError("currency", f"The currency {_shown(value)} is not a three-letter code "
                                     "such as USD or CNY.")
    return text


def parse_amount(value: Any) -> Decimal | None:
    """An amount of money: empty for none, else 0 <= amount < 10^12, rounded to cents."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).replace(",", "").strip()
    if len(text) > 20:
        raise LimitError("amount", f"The amount {_shown(value)} is too long to be an amount.")
    if not _AMOUNT.fullmatch(text):
        raise LimitError("amount", f"The amount {_shown(value)} is not a number such as "
                                   "1280.50.")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise LimitError("amount", f"The amount {_shown(value)} is not a number.") from None
    if amount < 0:
        raise LimitError("amount", "The amount cannot be negative.")
    if amount >= AMOUNT_MAX:
        raise LimitError("amount", f"The amount {_shown(value)} is too large (the most is "
                                   "999,999,999,999.99).")
    return amount.quantize(Decimal("0.01"))


def parse_id(field: str, text: str) -> int:
    """A whole number typed in ASCII digits, within the id range."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text.strip()) or len(text) > 12:
        raise LimitError(field, f"{_shown(text)} is not a {field_label(field)} (a whole number "
                                f"from 1 to {ID_MAX})")
    return check_id(field, int(text))


def check_id(field: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_MAX:
        raise LimitError(field, f"{_shown(value)} is not a {field_label(field)} "
                                f"(a whole number from 1 to {ID_MAX})")
    return value


def check_case_values(values: dict[str, Any]) -> dict[str, Any]:
    """The case fields in `values`, checked and normalised (amount to Decimal, currency upper)."""
    out = dict(values)
    for key, value in values.items():
        if key == "amount":
            out[key] = parse_amount(value)
        elif key == "currency":
            out[key] = check_currency(value)
        elif key.endswith("_on"):
            out[key] = check_date(key, value)
        elif key in TEXT_LIMITS and value is not None:
            out[key] = check_text(key, value)
    return out


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return repr(text[:40] + ("…" if len(text) > 40 else ""))
