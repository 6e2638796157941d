"""Read-only JSON of townships, boards, rosters, notices and statistics, described by
/api/v1/openapi.json (and for people by /api/v1/docs).

Public, cacheable (ETag, Cache-Control, 304), bounded in SQL statements; bad parameters
answer 400 with {"error": {"code", "title", "message"}}.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from portal import http_cache, links, pagecache
from portal.api import serialize
from portal.api.docs import api_docs
from portal.api.notices import bp as notices_bp
from portal.api.openapi import API_VERSION, document
from portal.api.stats import bp as stats_bp
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.rules.names import normalize_query
from portal.services.office import board as board_service
from portal.services.office import roster as roster_service
from portal.services.shared import townships

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_blueprint(stats_bp)
bp.register_blueprint(notices_bp)

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class BadParameter(Exception):
    """A query parameter the API cannot use; its text is the message for the client."""


@bp.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter):
    body = {"error": {"code": 400, "title": _("请求有误"), "message": str(error)}}
    return jsonify(body), 400


def _json(parts: tuple, build, max_age: int = http_cache.DEFAULT_MAX_AGE):
    return http_cache.cached(parts, lambda: jsonify(build()), max_age=max_age)


def _encode_cursor(code: str) -> str:
    return base64.urlsafe_b64encode(code.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        code = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        code = ""
    if not (len(code) == 9 and code.isdigit()):
        raise BadParameter(_("cursor 参数无效：请使用上一页返回的 next 值。"))
    return code


def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadParameter(_("limit 参数应为 1 到 %(max)s 之间的整数。", max=MAX_LIMIT))
    return int(raw)


def _search_key() -> str:
    q = request.args.get("q", "").strip()
    if not q:  # a blank q filters nothing
        return ""
    key = normalize_query(request.args["q"][:100])
    if not key:
        raise BadParameter(_("q 参数应包含汉字、拼音或数字。"))
    return key


@bp.get("/townships")
def township_list():
    limit = _limit()
    key = _search_key()
    county = request.args.get("county")
    if county is not None and not (len(county) == 6 and county.isdigit()):
        raise BadParameter(_("county 参数应为 6 位县级行政区划代码。"))
    after = _decode_cursor(request.args["cursor"]) if request.args.get("cursor") else ""
    page, more = townships.listing(key=key, county_code=county, after=after, limit=limit)
    etag = http_cache.etag_for("townships", request.query_string,
                               *(f"{t.code}.{t.data_version}" for t, _c in page))
    if http_cache.is_fresh(etag):
        return http_cache.not_modified(etag)
    body = {
        "items": [serialize.township(t, c) for t, c in page],
        "next": _encode_cursor(page[-1][0].code) if more else None,
    }
    return http_cache.set_cache_headers(jsonify(body), etag)


@bp.get("/townships/<code>/board")
def township_board(code: str):
    data = board_service.load(code)
    if data is None:
        abort(404)
    max_age = http_cache.max_age_until(data.valid_until)
    pagecache.offer(data.township, data.valid_until, max_age)
    return _json(("api-board", *board_service.etag_parts(data)), lambda: serialize.board(data),
                 max_age=max_age)


def _date_param(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or len(raw) != 10 or not 2000 <= value.year <= 2099:
        raise BadParameter(_("%(name)s 参数应为 YYYY-MM-DD 格式的日期。", name=name))
    return value


@bp.get("/townships/<code>/roster")
def township_roster(code: str):
    township = links.township_or_404(code)
    today = local_date(utcnow())
    start = _date_param("from", today)
    end = _date_param("to", start + timedelta(days=30))
    if end < start:
        raise BadParameter(_("to 不能早于 from。"))
    if (end - start).days >= roster_service.MAX_RANGE_DAYS:
        raise BadParameter(_("一次最多查询 %(n)s 天。", n=roster_service.MAX_RANGE_DAYS))
    data = roster_service.range_roster(township, start, end)
    calendar_key = roster_service.overrides_key(d.day for d in data.days)
    return _json(("api-roster", code, township.data_version, start, end, today, calendar_key),
                 lambda: serialize.roster(data))


@bp.get("/openapi.json")
def openapi():
    return _json(("openapi", API_VERSION), document, max_age=3600)


@bp.get("/docs")
def docs():
    """The API described for people, from the same document (no third-party script)."""
    return http_cache.cached(
        ("api-docs", API_VERSION, str(get_locale())),
        lambda: render_template("api/docs.html", docs=api_docs()), max_age=3600)
