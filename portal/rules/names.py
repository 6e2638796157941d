"""Search keys for Chinese place names: full pinyin and initials ("大庄镇" → "dazhuangzhen", "dzz")."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) of a name, lower case, without spaces or tones."""
    # pypinyin's phrase dictionaries take about 55 MB per process: only the writes of a
    # township need them (search matches the stored pinyin columns), so load them here.
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    syllables = [s.replace("ü", "v") for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def normalize_query(text: str) -> str:
    """Fold width and case, drop spaces and punctuation: "Da Zhuang" → "dazhuang"."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return _NON_ALNUM.sub("", folded)[:64]


def is_latin(query: str) -> bool:
    """True when a normalized query is pinyin or digits rather than Chinese characters."""
    return bool(query) and all(c.isascii() for c in query)
