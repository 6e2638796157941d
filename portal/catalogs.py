"""The translation catalogs: merge the per-area .po files, compile, and find what is missing.

`python -m portal.catalogs compile` (run by make) and `python -m portal.catalogs missing`
(prints the untranslated strings as .po entries to paste into `i18n/en/<area>.po`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.config import ROOT

# How a message with a context (pgettext) is keyed: the same as in a compiled catalog.
CONTEXT_SEPARATOR = "\x04"


def _key(msgid: str, context: str | None) -> str:
    return f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid


def compile_catalogs(source: Path, target: Path) -> int:
    """Merge the per-area .po files of each language into one compiled messages.mo."""
    written = 0
    for lang_dir in sorted(p for p in source.iterdir() if p.is_dir()):
        merged = Catalog(locale=lang_dir.name)
        for po_path in sorted(lang_dir.glob("*.po")):
            with po_path.open("rb") as fh:
                for message in read_po(fh, locale=lang_dir.name):
                    if message.id and message.string and not message.fuzzy:
                        merged.add(message.id, message.string, context=message.context)
        out = target / lang_dir.name / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with (out / "messages.mo").open("wb") as fh:
            write_mo(fh, merged)
        written += 1
    return written


def extract_messages(root: Path) -> dict[str, list[str]]:
    """Every translatable string in the code and templates, with where it occurs."""
    found: dict[str, list[str]] = {}
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(root), method_map=method_map, keywords={"_": None, "gettext": None,
        "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "pgettext": ((1, "c"), 2)},
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(_key(msgid, context), []).append(f"{filename}:{lineno}")
    return found


def missing_translations(root: Path, lang: str = "en") -> dict[str, list[str]]:
    """Strings of the code that the language's catalogs do not translate."""
    translated: set[str] = set()
    for po_path in (root / "i18n" / lang).glob("*.po"):
        with po_path.open("rb") as fh:
            translated |= {_key(m.id, m.context) for m in read_po(fh)
                           if m.id and m.string and not m.fuzzy}
    return {k: v for k, v in extract_messages(root).items() if k not in translated}


def main(argv: list[str]) -> int:
    """`python -m portal.catalogs compile | missing`."""
    if argv[:1] == ["compile"]:
        count = compile_catalogs(ROOT / "i18n", ROOT / "translations")
        print(f"compiled {count} language catalog(s) into translations/")
        return 0
    if argv[:1] == ["missing"]:
        missing = missing_translations(ROOT)
        for key, where in sorted(missing.items(), key=lambda kv: kv[1][0]):
            context, _, msgid = key.rpartition(CONTEXT_SEPARATOR)
            escaped = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            ctxt = f'msgctxt "{context}"\n' if context else ""
            print(f"#: {' '.join(where[:3])}\n{ctxt}msgid \"{escaped}\"\nmsgstr \"\"\n")
        return 1 if missing else 0
    print("usage: python -m portal.catalogs compile | missing")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
