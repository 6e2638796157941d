"""Case numbers people can say aloud: one sequence per county and year (演示县〔2026〕第0012号).

Plain values in and out: the number is made from the county's name, the year the report was
filed (Asia/Shanghai) and its place in that county's sequence; a typed number is read back
to (year, sequence) from the forms staff write or say.
"""

from __future__ import annotations

import re

SEQ_DIGITS = 4
# Longer input is not a case number; refusing it early keeps the regex work bounded.
_MAX_INPUT = 80
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# "〔2026〕第0012号", "[2026]12", "(2026) 12", "2026-0012", "2026/12", "2026 12", "No. 2026-0012".
_TYPED = re.compile(
    r"(?:^|\D)((?:19|20)\d\d)\s*[〕\]\)）】]?\s*(?:第|no\.?|#|[-/—–_.\s])?\s*0*(\d{1,7})\s*号?\s*$",
    re.IGNORECASE)


def seq_text(seq: int) -> str:
    """The sequence as written in a number: at least four digits (0012)."""
    return f"{seq:0{SEQ_DIGITS}d}"


def parse_case_number(text: str | None) -> tuple[int, int] | None:
    """(year, sequence) of a typed case number, or None when it does not read as one."""
    text = (text or "").strip().translate(_FULL_WIDTH)
    if not text or len(text) > _MAX_INPUT:
        return None
    match = _TYPED.search(text)
    if match is None:
        return None
    year, seq = int(match.group(1)), int(match.group(2))
    return (year, seq) if seq > 0 else None
