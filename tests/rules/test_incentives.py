"""Every completed year of service needs an assessment of at least 称职."""

from __future__ import annotations

from datetime import date

from portal.rules.incentives import check_years, year_ranges

PASSING = {"excellent", "competent"}


def test_every_completed_year_needs_a_passing_assessment():
    grades = {2020: "competent", 2021: "excellent", 2022: "basic", 2024: "competent"}
    check = check_years(date(2020, 9, 1), date(2026, 3, 1), grades, PASSING)
    assert check.missing == (2023, 2025) and check.below == (2022,) and not check.ok


def test_this_year_is_not_yet_assessed():
    check = check_years(date(2024, 1, 1), date(2026, 12, 7), {2024: "competent", 2025: "excellent"},
                        PASSING)
    assert check.ok


def test_years_are_shown_as_ranges():
    assert year_ranges((1996, 1997, 1998, 2003, 2005, 2006)) == "1996–1998、2003、2005–2006"
    assert year_ranges(()) == ""
