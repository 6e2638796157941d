"""Reading a typed or spoken case number back to (year, sequence)."""

from __future__ import annotations

import pytest

from portal.rules.case_numbers import parse_case_number, seq_text


@pytest.mark.parametrize(("typed", "expected"), [
    ("演示县〔2026〕第0012号", (2026, 12)),
    ("〔2026〕第12号", (2026, 12)),
    ("[2026]0012", (2026, 12)),
    ("（2026）12", (2026, 12)),
    ("2026-0012", (2026, 12)),
    ("2026/12", (2026, 12)),
    ("  2026 12 ", (2026, 12)),
    ("演示县 No. 2026-0012", (2026, 12)),
    ("〔２０２６〕第００１２号", (2026, 12)),  # full-width digits from a Chinese input mode
    ("2025-10345", (2025, 10345)),
    ("12", None),
    ("2026", None),
    ("〔2026〕第0000号", None),
    ("", None),
    (None, None),
    ("abc", None),
    ("2026-12" + "x" * 100, None),
])
def test_typed_numbers_are_read_back(typed, expected):
    assert parse_case_number(typed) == expected


def test_the_sequence_has_at_least_four_digits():
    assert seq_text(12) == "0012" and seq_text(12345) == "12345"
