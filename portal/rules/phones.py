"""Chinese phone numbers as spreadsheets mangle them.

A landline typed into an Excel cell as a number loses its leading 0: "0999-8800010" becomes
9998800010. Area codes are 010 and 02x (three digits with the 0) or 0xxx (four), followed by
a 7- or 8-digit local number; mobiles are 11 digits starting with 1[3-9]. A long number in a
narrow column can also come out as "9.99880E+09", which has lost digits for good.

    restore_leading_zero("9998800010")            -> "0999-8800010"
    restore_leading_zero("1088001234")            -> "010-88001234"
    restore_leading_zero("13812345678")           -> None (a mobile)
    area_code("0999-8800000")                     -> "0999"
    with_area_code("8800010", "0999")             -> "0999-8800010"
    same_number("0999-8800010", "09998800010")    -> True
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"^\d+(\.0+)?$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_AREA = re.compile(r"^\(?(0\d{2,3})\)?[-\s]")


def digits_of(text: str) -> str:
    """The digits of a cell that holds a bare number ("9998800010", "9998800010.0"), else ""."""
    text = (text or "").strip()
    return text.split(".")[0] if _DIGITS.match(text) else ""


def is_mobile(text: str) -> bool:
    return bool(_MOBILE.match(re.sub(r"[\s-]", "", text or "")))


def is_scientific(text: str) -> bool:
    """"9.9988E+09": a number Excel wrote in exponent form; its last digits are lost."""
    return bool(_SCIENTIFIC.match((text or "").strip()))


def split_area(digits: str) -> tuple[str, str]:
    """A landline's digits with their 0 ("09998800010") as (area code, local number)."""
    three = digits.startswith(("010", "02"))
    cut = 3 if three else 4
    return digits[:cut], digits[cut:]


def area_code(phone: str) -> str | None:
    """The area code a written landline starts with ("0999-8800000", "(010)88001234")."""
    match = _AREA.match((phone or "").strip())
    if match:
        return match.group(1)
    bare = re.sub(r"\D", "", phone or "")
    if bare.startswith("0") and 10 <= len(bare) <= 12:
        return split_area(bare)[0]
    return None


def restore_leading_zero(text: str, area_hint: str | None = None) -> str | None:
    """The landline a bare number stood for before it lost its 0, written "0999-8800010".

    None when the cell is not such a number (it has a 0 already, is a mobile, a short local
    number, or has too few or too many digits for an area code and a local number). With the
    township's own area code as `area_hint`, a number that starts with it is split there.
    """
    digits = digits_of(text)
    if not digits or digits.startswith("0") or _MOBILE.match(digits) or not 9 <= len(digits) <= 11:
        return None
    full = "0" + digits
    if area_hint and full.startswith(area_hint) and 7 <= len(full) - len(area_hint) <= 8:
        return f"{area_hint}-{full[len(area_hint):]}"
    area, local = split_area(full)
    if not 7 <= len(local) <= 8:
        return None
    return f"{area}-{local}"


def with_area_code(text: str, area_hint: str | None) -> str | None:
    """A local landline written without its area code ("8800010"), with the township's: the
    board is read on mobiles, which cannot dial a local number. None when it is not one."""
    digits = digits_of(text) or re.sub(r"[\s-]", "", (text or "").strip())
    if not area_hint or not re.fullmatch(r"[2-9]\d{6,7}", digits):
        return None
    return f"{area_hint}-{digits}"


def same_number(first: str, second: str) -> bool:
    """The same phone however it is written ("0999-8800010", "(0999) 8800010", "09998800010")."""
    a, b = re.sub(r"\D", "", first or ""), re.sub(r"\D", "", second or "")
    return bool(a) and a == b
