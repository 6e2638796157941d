"""Receipt codes for anonymous reporters: random, typeable, stored only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

RECEIPT_DIGITS = 25  # 10**25 > 2**83: above the 80 bits PRODUCT.md asks for
GROUP = 5
# Longer input is not a receipt; refusing it early keeps the regex work bounded.
_MAX_INPUT = 100

# Phones offer full-width digits in Chinese input modes; map them to ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# Separators a person may type between groups: any whitespace and dashes of any width.
_SEPARATORS = re.compile(r"[\s\-－‐‑–—]+")
_DIGITS = re.compile(rf"[0-9]{{{RECEIPT_DIGITS}}}")


def format_receipt(digits: str) -> str:
    """Group plain digits by five for display: "12345 67890 ..."."""
    return " ".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def new_receipt() -> str:
    """A fresh receipt code of 25 random digits in groups of five."""
    # One draw, uniform over all 10**25 codes, zero-padded: leading zeros are as likely as
    # any other digit.
    return format_receipt(f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}")


def normalize_receipt(text: str) -> str | None:
    """The 25 plain digits of a typed receipt, or None if it is not one."""
    if len(text) > _MAX_INPUT:
        return None
    digits = _SEPARATORS.sub("", text.translate(_FULL_WIDTH))
    # [0-9] and not \d: other scripts' digits are not part of a receipt.
    return digits if _DIGITS.fullmatch(digits) else None


def receipt_hash(key: bytes, receipt: str) -> str:
    """HMAC-SHA256 (hex) of the normalized receipt under the server's key."""
    if not key:
        raise ValueError("an HMAC key is required")
    digits = normalize_receipt(receipt)
    if digits is None:
        # Never echo the input: receipts must not reach logs, even malformed ones.
        raise ValueError("malformed receipt")
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()
