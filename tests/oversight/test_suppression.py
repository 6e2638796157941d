"""Small-number suppression and periods: pure functions, tested by tables."""

from datetime import date

import pytest

from portal.services.oversight.stats import (
    HIDDEN,
    Period,
    begun,
    default_period,
    months_back,
    parse_period,
    suppress,
    suppress_total,
)
from portal.services.shared.errors import ValidationError


@pytest.mark.parametrize(("value", "shown"), [(0, "<3"), (1, "<3"), (2, "<3"), (3, 3), (17, 17)])
def test_a_count_under_three_shows_as_less_than_three(value, shown):
    assert suppress(value) == shown


@pytest.mark.parametrize(("value", "components", "shown"), [
    (16, [5, 7, 4], 16),
    # Oct 5, Nov 1, Dec 4: the quarter's 10 would give November away.
    (10, [5, 1, 4], HIDDEN),
    # A large total with one hidden component: hidden, and not as "<3" (it is not under 3).
    (40, [38, 2], HIDDEN),
    # Under 3 itself: hidden with the same mark, so the mark tells nothing about the size.
    (2, [2], HIDDEN),
    (0, [], HIDDEN),
])
def test_a_total_is_shown_only_when_all_its_cells_are(value, components, shown):
    assert suppress_total(value, components) == shown


def test_months_not_yet_begun_are_not_part_of_a_total():
    q4 = Period("quarter", 2026, 4).months
    assert begun(q4, date(2026, 11, 27)) == [(2026, 10), (2026, 11)]
    assert begun(q4, date(2026, 10, 1)) == [(2026, 10)]
    assert begun(q4, date(2026, 9, 30)) == []


@pytest.mark.parametrize(("text", "period", "start", "end"), [
    ("2026-02", Period("month", 2026, 2), date(2026, 2, 1), date(2026, 2, 28)),
    ("2026-12", Period("month", 2026, 12), date(2026, 12, 1), date(2026, 12, 31)),
    ("2026-q4", Period("quarter", 2026, 4), date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-Q1", Period("quarter", 2026, 1), date(2026, 1, 1), date(2026, 3, 31)),
])
def test_periods_parse_and_span_their_dates(text, period, start, end):
    assert parse_period(text) == period
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "2026-Q5", "x", "", "2026-10-01"])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValidationError):
        parse_period(text)


def test_quarter_default_and_month_runs():
    assert Period("month", 2026, 11).quarter() == Period("quarter", 2026, 4)
    assert Period("month", 2026, 11).key == "2026-11"
    assert Period("quarter", 2026, 4).key == "2026-Q4"
    assert default_period(date(2026, 1, 15)) == Period("month", 2025, 12)
    assert months_back((2026, 2), 4) == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
