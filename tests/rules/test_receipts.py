"""Tests for receipt codes."""

import math
import re
from collections import Counter

import pytest

from portal.rules.receipts import (
    RECEIPT_DIGITS,
    format_receipt,
    new_receipt,
    normalize_receipt,
    receipt_hash,
)

SAMPLE = "1234567890123456789012345"
KEY = b"k" * 32
FORMAT = re.compile(r"[0-9]{5}( [0-9]{5}){4}")


def test_entropy_is_at_least_80_bits() -> None:
    assert RECEIPT_DIGITS * math.log2(10) >= 80
    assert 10**RECEIPT_DIGITS > 2**83


def test_format_is_constant() -> None:
    for _ in range(200):
        code = new_receipt()
        assert FORMAT.fullmatch(code), code
        assert len(code) == 29


def test_codes_are_distinct_and_digits_uniform() -> None:
    codes = [normalize_receipt(new_receipt()) for _ in range(2000)]
    assert len(set(codes)) == 2000
    for position in range(RECEIPT_DIGITS):
        counts = Counter(code[position] for code in codes)
        assert set(counts) == set("0123456789")
        # Expected 200 each, standard deviation about 13.4: 100..300 is a 7-sigma band.
        assert all(100 <= n <= 300 for n in counts.values()), (position, counts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SAMPLE, SAMPLE),
        ("12345 67890 12345 67890 12345", SAMPLE),
        ("  12345 67890 12345 67890 12345\n", SAMPLE),
        ("12345-67890-12345-67890-12345", SAMPLE),
        ("12345 - 67890 - 12345 - 67890 - 12345", SAMPLE),
        ("１２３４５ ６７８９０ １２３４５ ６７８９０ １２３４５", SAMPLE),  # full-width digits
        ("12345\u300067890\u300012345\u300067890\u300012345", SAMPLE),  # ideographic space
        ("12345－67890－12345－67890－12345", SAMPLE),  # full-width dash
        ("123 4567 890123 4567890 12345", SAMPLE),  # grouped differently
        ("", None),
        ("   ", None),
        ("12345 67890 12345 67890 1234", None),  # 24 digits
        ("12345 67890 12345 67890 123456", None),  # 26 digits
        ("12345 67890 12345 67890 1234a", None),
        ("12345.67890.12345.67890.12345", None),
        ("١٢٣٤٥ 67890 12345 67890 12345", None),  # Arabic-Indic digits are not ours
        ("12345 67890 12345 67890 12345" + " " * 200, None),  # absurdly long
    ],
)
def test_normalize_receipt(text: str, expected: str | None) -> None:
    assert normalize_receipt(text) == expected


def test_normalize_round_trips_new_codes() -> None:
    code = new_receipt()
    assert format_receipt(normalize_receipt(code)) == code


def test_hash_is_keyed_and_ignores_typing_differences() -> None:
    h = receipt_hash(KEY, SAMPLE)
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert receipt_hash(KEY, "１２３４５-67890 12345 67890 12345 ") == h
    assert receipt_hash(b"other key", SAMPLE) != h
    assert receipt_hash(KEY, "1234567890123456789012346") != h
    assert SAMPLE not in h


@pytest.mark.parametrize(("key", "receipt"), [(KEY, "1234"), (KEY, ""), (b"", SAMPLE)])
def test_hash_refuses_bad_input(key: bytes, receipt: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        receipt_hash(key, receipt)
    assert receipt not in str(excinfo.value) or not receipt
