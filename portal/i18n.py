"""Language choice and the translation catalogs.

Source strings are Chinese (zh_CN is the default language); the English catalog
is merged from one .po file per area in `i18n/en/` and compiled by `make`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, has_request_context, request
from flask_babel import get_translations
from werkzeug.wrappers import Response

LANG_COOKIE = "lang"
SUPPORTED = ("zh_CN", "en")
LABELS = {"zh_CN": "中文", "en": "English"}


def _valid(code: str | None) -> str | None:
    return code if code in SUPPORTED else None


def select_locale() -> str:
    """An explicit ?lang= wins, then the remembered choice, then Chinese (also outside requests:
    the command line and background jobs speak the default language)."""
    if not has_request_context():
        return "zh_CN"
    chosen = _valid(request.args.get("lang")) or _valid(request.cookies.get(LANG_COOKIE))
    return chosen or "zh_CN"


def lang_url(code: str) -> str:
    """The current page in another language (a plain link: works without JavaScript)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def _remember_choice(response: Response) -> Response:
    chosen = _valid(request.args.get("lang"))
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=True,
            secure=request.is_secure,
        )
    response.vary.add("Cookie")
    return response


def _html_lang() -> str:
    return "zh-CN" if g.get("html_lang_locale", select_locale()) == "zh_CN" else "en"


_CATALOG = "zaigang.translations"


def _translations():
    """The request's catalog, found once per request: Flask-Babel looks it up through the
    domain, the context and the locale for every string, and a page has dozens."""
    if not has_request_context():
        return get_translations()
    environ = request.environ
    catalog = environ.get(_CATALOG)
    if catalog is None:
        catalog = environ[_CATALOG] = get_translations()
    return catalog


def register(app: Flask) -> None:
    """Language switch, template helpers and the templates' gettext (after Babel's init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(lang_url=lang_url, lang_labels=LABELS, html_lang=_html_lang)
    app.jinja_env.globals["current_locale"] = select_locale
