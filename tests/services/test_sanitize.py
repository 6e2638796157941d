"""User text is cleaned to plain text: no markup survives, nothing legitimate is lost."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.sanitize import _CONTROL, clean_text, strip_markup


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<script>alert(1)</script>张三不在岗", "alert(1)张三不在岗"),
        ('<img src=x onerror="alert(1)">', ""),
        ("周一 9:00 < 10:00 & 办公室没人", "周一 9:00 < 10:00 & 办公室没人"),
        ("a\x00b\u202ec", "abc"),
        ("  前后空格  ", "前后空格"),
        ("第一行\r\n\r\n\r\n\r\n第二行", "第一行\n\n第二行"),
        (None, ""),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_single_line_and_length():
    assert clean_text("a\n b\tc", multiline=False) == "a b c"
    assert clean_text("一二三四五", max_length=3) == "一二三"


@settings(max_examples=1000, deadline=None)
@given(text=st.text())
def test_text_without_markup_characters_is_what_bleach_returns(text):
    """clean_text skips bleach for text without '<' or '&': bleach would not change it."""
    text = _CONTROL.sub("", text.replace("\r", ""))
    assume("<" not in text and "&" not in text)
    assert strip_markup(text) == text


@pytest.mark.parametrize("raw", ["a\x01b", "a&#1;b", "a<b>&#x7f;</b>b", "a\x1fb"])
def test_control_characters_are_removed_not_replaced(raw):
    assert clean_text(raw) == "ab"
