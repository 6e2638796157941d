"""Every string goes through Flask-Babel and has its English translation."""

from __future__ import annotations

import re
from pathlib import Path

from portal.catalogs import extract_messages, missing_translations
from portal.config import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_translatable_string_has_an_english_translation():
    missing = missing_translations(ROOT)
    listing = "\n".join(f"{where[0]}: {msgid}" for msgid, where in missing.items())
    assert not missing, (
        "untranslated strings (run `python -m portal.catalogs missing` and add them to "
        f"i18n/en/<area>.po):\n{listing}"
    )


def test_templates_have_no_untranslated_chinese_text():
    """Chinese outside {{ _() }} in a template would show in Chinese on the English site."""
    offenders = []
    tags = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
    for path in Path(ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        # A tag may span lines: blank it whole, keeping its line breaks so the numbers hold.
        stripped = tags.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        for lineno, (line, left) in enumerate(zip(text.splitlines(), stripped.splitlines(),
                                                  strict=False), 1):
            if CJK.search(left):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_extraction_finds_the_layout_strings():
    found = extract_messages(ROOT)
    assert "查找乡镇" in found
    assert any(loc.startswith("templates/base.html") for loc in found["跳到正文"])


def test_the_brand_and_the_status_have_their_own_english(client):
    """"在岗" is the site's name (Zaigang) and a cadre's status (At post): contexts keep them apart."""
    from flask_babel import gettext, pgettext

    html = client.get("/?lang=en").get_data(as_text=True)
    assert ">Zaigang<" in html
    with client.application.test_request_context("/?lang=en"):
        assert gettext("在岗") == "At post"
        assert pgettext("brand", "在岗") == "Zaigang"
