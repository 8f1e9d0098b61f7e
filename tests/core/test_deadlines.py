from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from evidence_desk.core.deadlines import (
    add_working_days,
    case_date,
    complaint_deadline,
    days_left,
    expected_result,
    is_working_day,
    local_naive,
)
from evidence_desk.core.rules import Rules, load_rules
from evidence_desk.core.types import CaseInfo
from evidence_desk.paths import RULES_DIR

# 2024-03-01 is a Friday; 2024-03-02/03 the weekend.
FRI = date(2024, 3, 1)
SAT = date(2024, 3, 2)
SUN = date(2024, 3, 3)
MON = date(2024, 3, 4)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RULES_DIR)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (MON, 1, date(2024, 3, 5)),
        (MON, 4, FRI + timedelta(days=7)),
        (FRI, 1, MON),  # over the weekend
        (SAT, 1, MON),  # counting starts after a weekend day, not on it
        (SUN, 1, MON),
        (FRI, 5, date(2024, 3, 8)),
        (FRI, 10, date(2024, 3, 15)),
        (MON, 0, MON),
        (SAT, 0, MON),  # documented: n == 0 on a weekend gives the next working day
        (SUN, 0, MON),
        (MON, -1, FRI),
        (SUN, -1, FRI),
        (date(2024, 12, 31), 1, date(2025, 1, 1)),  # a Tuesday into a Wednesday, new year
        (date(2021, 12, 31), 1, date(2022, 1, 3)),  # Friday 31 Dec to Monday 3 Jan
        (date(2022, 12, 30), 3, date(2023, 1, 4)),  # Friday across the weekend and the year
        (date(2023, 1, 2), -1, date(2022, 12, 30)),  # backwards across the year end
        (date(2024, 2, 28), 2, date(2024, 3, 1)),  # a leap day is a Thursday, a working day
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_add_working_days_long_span_counts_five_per_week() -> None:
    # 260 working days = 52 whole weeks from a Monday lands on a Monday 364 days on.
    assert add_working_days(MON, 260) == MON + timedelta(days=364)
    assert add_working_days(MON + timedelta(days=364), -260) == MON


def test_add_working_days_skips_given_holidays() -> None:
    holidays = {date(2024, 3, 5)}
    assert add_working_days(MON, 1, holidays=holidays) == date(2024, 3, 6)
    assert add_working_days(date(2024, 3, 5), 0, holidays=holidays) == date(2024, 3, 6)
    assert not is_working_day(date(2024, 3, 5), holidays)
    assert is_working_day(MON)
    assert not is_working_day(SAT)


def test_complaint_deadline_is_15_calendar_days_after_completion(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1", completed_on=FRI)
    ctype = rules.type("fake_transaction")
    # Calendar days: weekends count, so the 16th (a Saturday) is the deadline.
    assert complaint_deadline(case, ctype) == date(2024, 3, 16)


def test_complaint_deadline_each_seed_type_uses_completion(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="x", order_no="A1", completed_on=date(2024, 12, 20))
    for key in ("fake_transaction", "quality_dispute", "service_failure", "transaction_fraud"):
        assert complaint_deadline(case, rules.type(key)) == date(2025, 1, 4)


def test_complaint_deadline_in_working_days_when_the_rules_say_so(rules: Rules) -> None:
    ctype = replace(rules.type("fake_transaction"), window_working_days=True)
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1", completed_on=FRI)
    # 15 working days = three weeks from a Friday.
    assert complaint_deadline(case, ctype) == date(2024, 3, 22)


def test_complaint_deadline_unknown_without_completion(rules: Rules) -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1")
    assert complaint_deadline(case, rules.type("fake_transaction")) is None


def test_logistics_deadline_is_acceptance_or_open(rules: Rules) -> None:
    ctype = rules.type("logistics_service_dispute")
    open_case = CaseInfo(id=1, type_key=ctype.key, order_no="L1", paid_on=FRI)
    assert complaint_deadline(open_case, ctype) is None
    accepted = replace(open_case, accepted_on=date(2024, 3, 20))
    assert complaint_deadline(accepted, ctype) == date(2024, 3, 20)


def test_case_date_reads_only_date_fields() -> None:
    case = CaseInfo(id=1, type_key="fake_transaction", order_no="A1", completed_on=FRI)
    assert case_date(case, "completed_on") == FRI
    assert case_date(case, "paid_on") is None
    assert case_date(case, "order_no") is None  # a string field is not a date
    assert case_date(case, "no_such_field") is None
    assert case_date(case, "") is None


def test_days_left() -> None:
    deadline = date(2024, 3, 16)
    assert days_left(deadline, date(2024, 3, 1)) == 15
    assert days_left(deadline, deadline) == 0
    assert days_left(deadline, date(2024, 3, 17)) == -1
    assert days_left(None, deadline) is None


def test_expected_result_is_one_to_three_working_days(rules: Rules) -> None:
    assert expected_result(MON, rules.platform) == (date(2024, 3, 5), date(2024, 3, 7))
    # Submitted on a Thursday: Friday at the earliest, Tuesday at the latest.
    assert expected_result(date(2024, 2, 29), rules.platform) == (FRI, date(2024, 3, 5))
    # Submitted on a Saturday: nothing happens before Monday.
    assert expected_result(SAT, rules.platform) == (MON, date(2024, 3, 6))
    # Across the year end: Friday 2021-12-31.
    assert expected_result(date(2021, 12, 31), rules.platform) == (
        date(2022, 1, 3), date(2022, 1, 5))


def test_expected_result_with_zero_minimum(rules: Rules) -> None:
    profile = replace(rules.platform, result_working_days_min=0, result_working_days_max=0)
    assert expected_result(FRI, profile) == (FRI, FRI)
    assert expected_result(SUN, profile) == (MON, MON)


def test_local_naive_keeps_naive_and_converts_aware() -> None:
    naive = datetime(2024, 3, 1, 12, 0)
    assert local_naive(naive) is naive
    aware = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    converted = local_naive(aware)
    assert converted.tzinfo is None
    assert converted == aware.astimezone().replace(tzinfo=None)
