"""User text is cleaned to plain text: no markup survives, nothing legitimate is lost."""

from __future__ import annotations

import pytest

from portal.sanitize import clean_text


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
