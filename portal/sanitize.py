"""The one module that imports bleach: user text in, plain text out (no markup survives)."""

from __future__ import annotations

import html
import re
import threading
import unicodedata

from bleach.sanitizer import Cleaner

# C0/C1 control characters except tab and newline, plus zero-width and bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_BLANK_LINES = re.compile(r"\n{3,}")
# Building a Cleaner sets up an html5lib parser, walker and serializer: done once per thread
# (a Cleaner keeps parser state while it works, so threads must not share one).
_local = threading.local()


def _cleaner() -> Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = Cleaner(tags=set(), attributes={}, strip=True, strip_comments=True)
    return cleaner


def strip_markup(text: str) -> str:
    """Text with every tag and comment removed and entities read, by bleach."""
    # bleach escapes what it keeps; we store plain text and escape on output instead.
    return html.unescape(_cleaner().clean(text))


def clean_text(value: str | None, max_length: int | None = None, multiline: bool = True) -> str:
    """Strip every tag, control character and stray whitespace; the result is plain text.

    Templates escape it again on output, so `<` typed by a user shows as `<`.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # Without '<' or '&' there is no tag, comment or entity, and bleach would hand the text
    # back unchanged (tests/services/test_sanitize.py checks it on generated text): most
    # reports are such, and skip the parser.
    if "<" in text or "&" in text:
        # Again afterwards: an entity such as "&#1;" reads as a control character.
        text = _CONTROL.sub("", strip_markup(text))
    if not multiline:
        text = " ".join(text.split())
    else:
        text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    text = text.strip()
    if max_length is not None:
        text = text[:max_length]
    return text
