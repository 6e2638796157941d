"""Phone numbers as spreadsheets mangle them: the lost leading 0, exponent form, area codes."""

from __future__ import annotations

import pytest

from portal.rules import phones


@pytest.mark.parametrize(("typed", "hint", "expected"), [
    ("9998800010", None, "0999-8800010"),          # 4-digit area code, 7-digit number
    ("9998800010.0", None, "0999-8800010"),        # the same number read as a float
    ("75588001234", None, "0755-88001234"),        # 4-digit area code, 8-digit number
    ("1088001234", None, "010-88001234"),          # Beijing
    ("2188001234", None, "021-88001234"),          # Shanghai
    ("9998800010", "0999", "0999-8800010"),
    ("31188001234", "0311", "0311-88001234"),
    ("0999-8800010", None, None),                  # kept its 0 (a text cell)
    ("09998800010", None, None),
    ("13812345678", None, None),                   # a mobile
    ("8800202", None, None),                       # a local number without area code
    ("12345", None, None),
    ("999880001012345", None, None),               # too long for any landline
    ("0999-8800010转12", None, None),
])
def test_restore_leading_zero(typed, hint, expected):
    assert phones.restore_leading_zero(typed, hint) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("9.9988E+09", True), ("1.38123E+10", True), ("9.9988e9", True), ("9998800010", False),
    ("0999-8800010", False), ("", False)])
def test_is_scientific(text, expected):
    assert phones.is_scientific(text) is expected


@pytest.mark.parametrize(("phone", "expected"), [
    ("0999-8800000", "0999"), ("(010)88001234", "010"), ("010 88001234", "010"),
    ("09998800000", "0999"), ("02188001234", "021"), ("13812345678", None), ("", None)])
def test_area_code(phone, expected):
    assert phones.area_code(phone) == expected


def test_is_mobile():
    assert phones.is_mobile("138 1234 5678") and not phones.is_mobile("0999-8800000")


@pytest.mark.parametrize(("typed", "hint", "expected"), [
    ("8800010", "0999", "0999-8800010"), ("88001234", "010", "010-88001234"),
    ("8800010.0", "0999", "0999-8800010"), ("8800010", None, None),
    ("13812345678", "0999", None), ("0999-8800010", "0999", None), ("12345", "0999", None),
    ("0800010", "0999", None)])
def test_with_area_code(typed, hint, expected):
    assert phones.with_area_code(typed, hint) == expected


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("0999-8800010", "09998800010", True), ("(0999) 8800010", "0999-8800010", True),
    ("0999-8800010", "0999-8800011", False), ("", "", False), ("138 0000 0001", "13800000001", True)])
def test_same_number(first, second, expected):
    assert phones.same_number(first, second) is expected
