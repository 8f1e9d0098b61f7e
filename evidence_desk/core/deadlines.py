"""Complaint windows, working days and expected result dates.

Working days are Monday to Friday. Public holidays are not in the platform's published rules, so
they are not assumed; callers that know them can pass `holidays`.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, timedelta

from evidence_desk.core.rules import ComplaintType, PlatformProfile
from evidence_desk.core.types import CaseInfo

_NO_HOLIDAYS: frozenset[date] = frozenset()


def is_working_day(day: date, holidays: Container[date] = _NO_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: date, n: int, *, holidays: Container[date] = _NO_HOLIDAYS
) -> date:
    """The day `n` working days after `start` (before it when `n` is negative).

    `start` itself is never counted, so Friday + 1 is Monday and Saturday + 1 is Monday too.
    `n == 0` gives `start` when it is a working day, else the next working day: "within 0 working
    days" of a Saturday submission cannot mean the Saturday itself, when nobody works.
    A count that would run past the calendar's ends stops at date.min or date.max: a library an
    older version let hold 9999-12-31 must still show its cases, not fail on them.
    """
    if n == 0:
        day = start
        while not is_working_day(day, holidays) and day < date.max:
            day += timedelta(days=1)
        return day
    step = timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        if day == (date.max if n > 0 else date.min):
            return day
        day += step
        if is_working_day(day, holidays):
            left -= 1
    return day


def add_days(start: date, n: int) -> date:
    """`start` + `n` calendar days, stopping at the calendar's ends instead of overflowing."""
    try:
        return start + timedelta(days=n)
    except OverflowError:
        return date.max if n > 0 else date.min


def case_date(case: CaseInfo, field_name: str) -> date | None:
    """The case's date field named by a rules file (e.g. "completed_on"), or None when unset.

    The field name comes from a user-editable file; an unknown name reads as "not set" so a typo
    shows up as a missing date on the checklist instead of crashing the window that shows it.
    """
    if not field_name:
        return None
    value = getattr(case, field_name, None)
    return value if isinstance(value, date) else None


def complaint_deadline(case: CaseInfo, ctype: ComplaintType) -> date | None:
    """The last day the complaint (or, for the logistics flow, the refund request) may be made.

    None when the date the window depends on is not known yet.
    """
    if ctype.flow == "logistics":
        # The refund must be requested after payment and before acceptance, so acceptance is the
        # deadline; until the service is accepted the window stays open.
        return case_date(case, ctype.window_until)
    start = case_date(case, ctype.window_from)
    if start is None:
        return None
    if ctype.window_working_days:
        return add_working_days(start, ctype.window_days)
    return add_days(start, ctype.window_days)


def days_left(deadline: date | None, today: date) -> int | None:
    """Whole days until the deadline: 0 on the deadline day itself, negative once it has passed."""
    if deadline is None:
        return None
    return (deadline - today).days


def expected_result(submitted_on: date, profile: PlatformProfile) -> tuple[date, date]:
    """The earliest and latest day the platform's result is expected, in working days."""
    return (
        add_working_days(submitted_on, profile.result_working_days_min),
        add_working_days(submitted_on, profile.result_working_days_max),
    )


def local_naive(moment: datetime) -> datetime:
    """`moment` as a naive local time, so capture times from EXIF (naive) and from the clipboard
    (aware) compare with each other and with the case's local calendar dates."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)
