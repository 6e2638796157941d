"""Small-number suppression and periods: pure functions, tested by tables."""

from datetime import date

import pytest

from portal.services.oversight.stats import (
    SUPPRESSED,
    Period,
    default_period,
    months_back,
    parse_period,
    suppress,
    suppress_column,
)
from portal.services.shared.errors import ValidationError


@pytest.mark.parametrize(("value", "shown"), [(0, "<3"), (1, "<3"), (2, "<3"), (3, 3), (17, 17)])
def test_a_count_under_three_shows_as_less_than_three(value, shown):
    assert suppress(value) == shown


@pytest.mark.parametrize(("values", "shown"), [
    ([5, 7, 9], [5, 7, 9]),
    # One hidden cell could be worked out from the county total: the next smallest goes too.
    ([1, 7, 4, 9], [SUPPRESSED, 7, SUPPRESSED, 9]),
    ([2, 3, 3], [SUPPRESSED, SUPPRESSED, 3]),
    ([0, 2, 8], [SUPPRESSED, SUPPRESSED, 8]),
    ([1, 1, 1], [SUPPRESSED] * 3),
    ([2], [SUPPRESSED]),
    ([], []),
])
def test_a_column_never_has_exactly_one_hidden_cell(values, shown):
    assert suppress_column(values) == shown


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
