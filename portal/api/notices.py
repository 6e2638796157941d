"""`GET /api/v1/townships/<code>/notices` and `.../notices/<YYYY-MM>`: the monthly public notices.

A published notice never changes; a correction is a new version. The month's answer carries
the figures exactly as frozen (`content`) with their version and SHA-256, so that anyone can
check a copy: the hash is taken over `content` serialised as JSON with sorted keys, no
spaces, and non-ASCII characters as they are (UTF-8). `?v=N` gives an earlier version.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, request, url_for
from flask_babel import gettext as _

from portal import http_cache, links
from portal.api.serialize import iso_time
from portal.api.serialize import township as township_json
from portal.services.office import notices, notices_read

bp = Blueprint("notices_api", __name__)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_AGE = 300


class BadNoticeParameter(Exception):
    """A month or version the API cannot use; its text is the message for the client."""


@bp.errorhandler(BadNoticeParameter)
def _bad(error: BadNoticeParameter):
    body = {"error": {"code": 400, "title": _("请求有误"), "message": str(error)}}
    return jsonify(body), 400


def _links(code: str, month: str, version: int | None = None) -> dict:
    args = {"v": version} if version else {}
    return {"page": url_for("notices.show", code=code, month=month, **args),
            "api": url_for("api.notices_api.notice", code=code, month=month, **args)}


def _version(code: str, notice) -> dict:
    return {"version": notice.version, "sha256": notice.sha256,
            "published_at": iso_time(notice.published_at),
            "links": _links(code, notice.month, notice.version)}


@bp.get("/townships/<code>/notices")
def notice_list(code: str):
    """The township's published months, newest first, each with its latest version."""
    township = links.township_or_404(code)

    def render():
        items = [{"month": m.month, "version": m.version, "sha256": m.sha256,
                  "published_at": iso_time(m.published_at),
                  "first_published_at": iso_time(m.first_published_at),
                  "links": _links(code, m.month)} for m in notices_read.latest_versions(township.id)]
        return jsonify({"township": township_json(township), "items": items})

    return http_cache.cached(("api-notices", code, township.data_version), render, max_age=MAX_AGE)


def _wanted_version() -> int | None:
    raw = request.args.get("v", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise BadNoticeParameter(_("v 参数应为正整数（版本号）。"))
    return int(raw)


@bp.get("/townships/<code>/notices/<month>")
def notice(code: str, month: str):
    """A month's notice as published (the latest version, or ?v=N), with every version."""
    township = links.township_or_404(code)
    if not MONTH.match(month):
        raise BadNoticeParameter(_("月份格式应为 YYYY-MM。"))
    wanted = _wanted_version()
    versions = notices.versions(township.id, month)
    chosen = next((n for n in versions if n.version == wanted), None) if wanted else (
        versions[0] if versions else None)
    if chosen is None:
        abort(404)

    def render():
        return jsonify({
            "township": township_json(township), "month": month,
            "version": chosen.version, "latest_version": versions[0].version,
            "sha256": chosen.sha256, "published_at": iso_time(chosen.published_at),
            "content": notices.content_of(chosen), "changes": notices.changes_of(chosen),
            "versions": [_version(code, n) for n in versions],
            "links": _links(code, month, chosen.version),
        })

    return http_cache.cached(("api-notice", code, month, chosen.sha256, versions[0].version),
                             render, max_age=MAX_AGE)


# --- OpenAPI description (merged into /api/v1/openapi.json by portal.api.openapi) ----------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, optional: tuple[str, ...] = (), description: str = "") -> dict:
    schema = {"type": "object", "properties": properties,
              "required": [k for k in properties if k not in optional],
              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


_STR, _INT = {"type": "string"}, {"type": "integer", "minimum": 0}
_MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}
_SHA = {"type": "string", "pattern": "^[0-9a-f]{64}$",
        "description": "SHA-256 of `content` as JSON with sorted keys, no spaces, UTF-8"}
_TIME = {"type": "string", "format": "date-time"}
_LINKS = _obj({"page": _STR, "api": _STR})
_LEADER_ONLY = {"type": ["integer", "null"], "minimum": 0,
                "description": "for the leadership team; null for other cadres"}

SCHEMAS = {
    "NoticeSummary": _obj({"month": _MONTH, "version": {"type": "integer", "minimum": 1},
                           "sha256": _SHA, "published_at": _TIME, "first_published_at": _TIME,
                           "links": _LINKS}, description="A published month and its latest version."),
    "NoticeList": _obj({"township": _ref("Township"),
                        "items": {"type": "array", "items": _ref("NoticeSummary")}}),
    "NoticeRow": _obj({
        "id": _STR, "name": _STR, "post": _STR, "is_leader": {"type": "boolean"},
        "days_present": _INT, "nights": _INT, "village_days": _INT,
        "weeks_compliant": _LEADER_ONLY, "weeks_total": _LEADER_ONLY, "leave_days": _INT,
        "evening_work": _INT, "reports_substantiated": _INT,
        "from": {"type": "string", "format": "date", "description": "joined during the month"},
        "until": {"type": "string", "format": "date", "description": "left during the month"},
        "evaluation_satisfied": _INT, "evaluation_basic": _INT, "evaluation_unsatisfied": _INT,
    }, optional=("evening_work", "reports_substantiated", "from", "until", "evaluation_satisfied",
                 "evaluation_basic", "evaluation_unsatisfied"),
        description="A cadre's month: days present, nights stayed, village days, 5-4-3 weeks, "
                    "leave days (never the reason), evening work, substantiated reports."),
    "NoticeContent": _obj({
        "format": {"type": "integer", "const": 1},
        "township": _obj({"code": _STR, "name": _STR}),
        "month": _MONTH, "working_days": _INT,
        "weeks": {"type": "array", "items": {"type": "string", "format": "date"}},
        "cadres": {"type": "array", "items": _ref("NoticeRow")},
        "evening_work": {"type": "object", "additionalProperties": _INT,
                         "description": "the township's evening work by kind"},
        "duty": _obj({"shifts_required": _INT, "shifts_staffed": _INT, "shifts_absent": _INT}),
        "evaluation": _obj({"month": _MONTH, "meeting_on": {"type": "string", "format": "date"},
                            "ballots_cast": _INT},
                           description="the democratic evaluation held this month (of the month "
                                       "before), once its vote closed; counts per leader in the rows"),
    }, optional=("evening_work", "duty", "evaluation"), description="The figures exactly as published."),
    "NoticeChange": _obj({"cadre": _STR, "post": _STR, "field": _STR, "change": _STR,
                          "old": {}, "new": {}},
                         optional=("cadre", "post", "field", "change", "old", "new"),
                         description="What a correction changed from the version before."),
    "NoticeVersion": _obj({"version": {"type": "integer", "minimum": 1}, "sha256": _SHA,
                           "published_at": _TIME, "links": _LINKS}),
    "Notice": _obj({
        "township": _ref("Township"), "month": _MONTH,
        "version": {"type": "integer", "minimum": 1},
        "latest_version": {"type": "integer", "minimum": 1},
        "sha256": _SHA, "published_at": _TIME, "content": _ref("NoticeContent"),
        "changes": {"type": "array", "items": _ref("NoticeChange")},
        "versions": {"type": "array", "items": _ref("NoticeVersion"),
                     "description": "every version, newest first"},
        "links": _LINKS,
    }),
}

_CODE = {"name": "code", "in": "path", "required": True,
         "schema": {"type": "string", "pattern": "^[0-9]{9}$"}, "description": "township code"}
_OK_HEADERS = {"ETag": {"schema": _STR}, "Cache-Control": {"schema": _STR}}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "headers": _OK_HEADERS,
            "content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


PATHS = {
    "/townships/{code}/notices": {"get": {
        "summary": "The township's published monthly notices (张榜公示), newest first",
        "operationId": "listNotices",
        "parameters": [_CODE],
        "responses": {"200": _json("NoticeList", "The published months"),
                      "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                      "404": _error("Unknown township")},
    }},
    "/townships/{code}/notices/{month}": {"get": {
        "summary": "A month's notice as published: its figures, version and SHA-256, and its "
                   "corrections",
        "operationId": "getNotice",
        "parameters": [
            _CODE,
            {"name": "month", "in": "path", "required": True, "schema": _MONTH,
             "description": "YYYY-MM"},
            {"name": "v", "in": "query", "schema": {"type": "integer", "minimum": 1},
             "description": "a version (default: the latest)"},
        ],
        "responses": {"200": _json("Notice", "The notice"),
                      "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                      "400": _error("Bad month or version"),
                      "404": _error("Unknown township, or nothing published for the month")},
    }},
}
