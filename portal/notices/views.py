"""Public, print-ready monthly notices. Published versions never change, so pages cache well."""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request, url_for

from portal import http_cache, links
from portal.rules.calendar import TZ
from portal.services import notices, townships

bp = Blueprint("notices", __name__)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_AGE = 300


def _township(code: str):
    township = townships.get_by_code(code)
    if township is None:
        abort(404)
    return township


@bp.get("/t/<code>/notices")
def index(code: str):
    township = _township(code)
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
    township = _township(code)
    if not MONTH.match(month):
        abort(404)
    all_versions = notices.versions(township.id, month)
    if not all_versions:
        abort(404)
    wanted = request.args.get("v", type=int)
    notice = next((n for n in all_versions if n.version == wanted), None) if wanted else all_versions[0]
    if notice is None:
        abort(404)
    url = url_for("notices.show", code=township.code, month=month, v=notice.version, _external=True)

    def render():
        return render_template(
            "notices/show.html", township=township, notice=notice,
            content=notices.content_of(notice), changes=notices.changes_of(notice),
            versions=all_versions, latest=all_versions[0], url=url, qr=_qr(url),
            labels=notices.FIELD_LABELS, tz=TZ, urls=links.township_urls(township),
        )

    return http_cache.cached(("notice", township.code, month, notice.sha256, all_versions[0].version),
                             render, max_age=MAX_AGE)
