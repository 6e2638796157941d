"""`GET /api/v1/stats`: the public statistics as JSON (the same suppressed figures as /stats)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from portal import http_cache
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.oversight import stats
from portal.services.shared.errors import ValidationError

bp = Blueprint("stats", __name__)

MAX_AGE = 300


def _county():
    code = request.args.get("county", "")
    if code:
        county = stats.county_by_code(code)
        if county is None:
            abort(404)
        return county
    counties = stats.counties()
    if not counties:
        abort(404)
    return counties[0]


@bp.get("/stats")
def index():
    """County and township figures of a month (`period=YYYY-MM`) or quarter (`YYYY-Qn`)."""
    today = local_date(utcnow())
    county = _county()
    try:
        period = stats.parse_period(request.args["period"]) if request.args.get("period") else (
            stats.default_period(today)
        )
    except ValidationError:
        abort(400)

    def render():
        result = stats.county_stats(county, period, today)
        public = stats.public_stats(result)
        return jsonify({
            "county": {"code": county.code, "name": county.name},
            "period": {"key": period.key, "kind": period.kind,
                       "start": period.start.isoformat(), "end": period.end.isoformat()},
            "figures": public.figures,
            "townships": public.townships,
            "quarter": {
                "key": result.quarter.key,
                "figures": public.quarter_figures,
                "townships": public.quarter_townships,
            },
            "trend": public.trend,
            "suppression": {"below": stats.SUPPRESS_BELOW, "shown_as": stats.SUPPRESSED,
                            "total_hidden_as": stats.HIDDEN},
        })

    parts = ("api-stats", county.code, period.key, today, *stats.fingerprint(county))
    return http_cache.cached(parts, render, max_age=MAX_AGE)


# --- OpenAPI description (merged into /api/v1/openapi.json by portal.api.openapi) ----------

_COUNT = {"oneOf": [{"type": "integer", "minimum": 3},
                    {"type": "string", "enum": ["<3", "\u00d7"]}],
          "description": "a count; a township-month under 3 (zero included) is shown as \"<3\"; "
                         "a total (a township's quarter, the county's month or quarter) is shown "
                         "only when it is 3 or more and every township-month of the months "
                         "begun in it is shown, otherwise as \"\u00d7\", so no hidden count "
                         "can be worked out by subtraction"}
_NUMBER = {"type": ["number", "null"]}
_PERCENT = {"type": ["number", "null"], "minimum": 0, "maximum": 100,
            "description": "percent, one decimal; null when there is nothing to measure"}
_INT = {"type": "integer", "minimum": 0}
_FIGURES = {
    "received": _COUNT, "accepted": _COUNT, "substantiated": _COUNT, "rectified": _COUNT,
    "median_accept_days": {**_NUMBER, "description": "working days; null under 3 reports"},
    "median_conclude_days": {**_NUMBER, "description": "working days; null under 3 reports"},
    "compliance_543": _PERCENT, "leader_weeks": _INT, "duty_coverage": _PERCENT,
    "shifts_required": _INT, "board_accuracy": _PERCENT, "spot_check_findings": _INT,
    "score": {**_NUMBER, "description": "mean of the three percentages that have data"},
    "satisfaction_rate": {**_PERCENT, "description": "percent of the reporters' answers that "
                          "were satisfied or mostly satisfied; null unless both the satisfied "
                          "and the other answers are 3 or more (and every township-month shown)"},
    "review_rate": {**_PERCENT, "description": "percent of the concluded reports whose reporter "
                    "asked for a review; null unless both those with and without a request are "
                    "3 or more (and every township-month shown)"},
}


def _obj(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


SCHEMAS = {
    "StatsFigures": _obj(_FIGURES),
    "StatsTownship": _obj({
        "code": {"type": "string", "pattern": "^[0-9]{9}$"}, "name": {"type": "string"},
        "rank": {"type": ["integer", "null"], "minimum": 1}, **_FIGURES,
    }),
    "StatsMonth": _obj({"month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                        **_FIGURES}),
    "Stats": _obj({
        "county": {"$ref": "#/components/schemas/County"},
        "period": _obj({"key": {"type": "string"}, "kind": {"enum": ["month", "quarter"]},
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"}}),
        "figures": {"$ref": "#/components/schemas/StatsFigures"},
        "townships": {"type": "array", "items": {"$ref": "#/components/schemas/StatsTownship"}},
        "quarter": _obj({
            "key": {"type": "string"},
            "figures": {"$ref": "#/components/schemas/StatsFigures"},
            "townships": {"type": "array",
                          "items": {"$ref": "#/components/schemas/StatsTownship"}},
        }),
        "trend": {"type": "array", "items": {"$ref": "#/components/schemas/StatsMonth"}},
        "suppression": _obj({"below": {"type": "integer"}, "shown_as": {"type": "string"},
                             "total_hidden_as": {"type": "string"}}),
    }),
}

PATHS = {
    "/stats": {"get": {
        "summary": "Statistics of a county and its townships for a month or quarter, ranked, "
                   "with the county's 12-month trend; a township-month under 3 is shown as \"<3\" "
                   "and a total that would give one away as \"\u00d7\"",
        "operationId": "getStats",
        "parameters": [
            {"name": "county", "in": "query",
             "schema": {"type": "string", "pattern": "^[0-9]{6}$"},
             "description": "county code (default: the first county)"},
            {"name": "period", "in": "query",
             "schema": {"type": "string", "pattern": "^[0-9]{4}-([0-9]{2}|[Qq][1-4])$"},
             "description": "YYYY-MM or YYYY-Qn (default: the last complete month)"},
        ],
        "responses": {
            "200": {"description": "The statistics",
                    "headers": {"ETag": {"schema": {"type": "string"}},
                                "Cache-Control": {"schema": {"type": "string"}}},
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Stats"}}}},
            "304": {"description": "Not modified (If-None-Match matched the ETag)"},
            "400": {"description": "Bad period", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
            "404": {"description": "Unknown county", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }},
}
