"""Public, print-ready monthly notices. Published versions never change, so pages cache well."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_skeleton
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from portal import http_cache, links
from portal.rules.calendar import TZ
from portal.services.office import notices

bp = Blueprint("notices", __name__)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_AGE = 300


@bp.app_template_filter("month_label")
def month_label(month: str) -> str:
    """"2026-11" as "2026年11月" ("November 2026" in English)."""
    year, number = (int(part) for part in month.split("-"))
    return format_skeleton("yMMMM", date(year, number, 1), locale=get_locale())


@bp.app_template_filter("long_date")
def long_date(day: date) -> str:
    """"2026年12月1日" ("December 1, 2026" in English)."""
    return format_skeleton("yMMMMd", day, locale=get_locale())


def issuer(township_name: str) -> str:
    """The office that issues the township's notice (and seals it on paper)."""
    if township_name.endswith("街道"):
        return _("%(name)s办事处", name=township_name)
    return _("%(name)s人民政府", name=township_name)


@bp.get("/t/<code>/notices")
def index(code: str):
    township = links.township_or_404(code)
    return http_cache.cached(
        ("notices", township.code, township.data_version),
        lambda: render_template("notices/index.html", township=township,
                                months=notices.months(township.id),
                                urls=links.township_urls(township)),
        max_age=MAX_AGE,
    )


def _qr(url: str) -> str:
    import segno  # loaded by the workers that draw a code, not by every one

    return segno.make(url, error="m").svg_data_uri(scale=3, dark="#000", light="#fff")


@bp.get("/t/<code>/notices/<month>")
def show(code: str, month: str):
    township = links.township_or_404(code)
    if not MONTH.match(month):
        abort(404)
    all_versions = notices.versions(township.id, month)
    if not all_versions:
        abort(404)
    wanted = request.args.get("v", type=int)
    notice = next((n for n in all_versions if n.version == wanted), None) if wanted else all_versions[0]
    if notice is None:
        abort(404)
    url = links.absolute("notices.show", code=township.code, month=month, v=notice.version)

    def render():
        return render_template(
            "notices/show.html", township=township, notice=notice,
            content=notices.content_of(notice), changes=notices.changes_of(notice),
            versions=all_versions, latest=all_versions[0], url=url, qr=_qr(url),
            labels=notices.FIELD_LABELS, tz=TZ, urls=links.township_urls(township),
            issuer=issuer(township.name), issued=notice.published_at.astimezone(TZ).date(),
        )

    return http_cache.cached(("notice", township.code, month, notice.sha256, all_versions[0].version),
                             render, max_age=MAX_AGE)
