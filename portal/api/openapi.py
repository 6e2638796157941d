"""The OpenAPI 3.1 description of the public API, served at /api/v1/openapi.json.

Every object schema forbids additional properties: the document is also the list of
the public fields (tests validate every response against it).
"""

from __future__ import annotations

from functools import cache

API_VERSION = "1.0.0"


def _obj(properties: dict, description: str = "") -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


STR = {"type": "string"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
TIME = {
    "type": "string", "format": "date-time",
    "description": "ISO 8601 in Asia/Shanghai, with its offset (+08:00)",
}
SHIFT_KIND = {"type": "string", "enum": ["day", "night"]}
STATUS = {"type": ["string", "null"],
          "enum": ["at_office", "village", "meeting", "trip", "leave", "duty", "off", None],
          "description": "the recorded status in force; null: none holds (see state)"}
STATE = {"type": "string",
         "enum": ["at_office", "village", "meeting", "trip", "leave", "duty", "off",
                  "duty_leader", "staying", "no_record_tonight", "no_record_rest_day", "unknown"],
         "description": "what the board shows: a status, or duty_leader (带班), staying (住镇: "
                        "checked in at the township or evening work recorded there tonight), "
                        "no_record_tonight / no_record_rest_day (nothing recorded outside "
                        "office hours), unknown (未更新: not updated today)"}
PERIOD = {"type": "string", "enum": ["office", "rest_day", "night"],
          "description": "office hours of a working day, a rest day's daytime, or the night; "
                         "outside office hours a day status lapses"}
DAY_KIND = {"type": "string", "enum": ["workday", "adjusted_workday", "weekend", "holiday"]}

SCHEMAS = {
    "Error": _obj({"error": _obj({"code": {"type": "integer"}, "title": STR, "message": STR})}),
    "County": _obj({"code": {"type": "string", "pattern": "^[0-9]{6}$"}, "name": STR}),
    "Township": _obj({
        "code": {"type": "string", "pattern": "^[0-9]{9}$"},
        "name": STR,
        "county": _ref("County"),
        "address": STR,
        "office_phone": STR,
        "hotline": STR,
        "updated_at": TIME,
        "links": _obj({k: STR for k in ("board", "roster", "report", "board_api", "roster_api",
                                        "notices", "notices_api", "roster_ics")}),
    }),
    "TownshipList": _obj({
        "items": {"type": "array", "items": _ref("Township")},
        "next": {"type": ["string", "null"], "description": "cursor of the next page, or null"},
    }),
    "Person": _obj({"id": STR, "name": STR, "post": STR, "office_phone": STR},
                   "A cadre's public face: random id, name, post, office phone."),
    "OnDuty": _obj({"id": STR, "name": STR, "post": STR, "office_phone": STR,
                    "replaces": _nullable(_ref("Person"))},
                   "A cadre on a shift; `replaces` is set for a swap or substitute (替班)."),
    "Shift": _obj({
        "date": DATE, "kind": SHIFT_KIND, "starts_at": TIME, "ends_at": TIME,
        "leaders": {"type": "array", "items": _ref("OnDuty")},
        "staff": {"type": "array", "items": _ref("OnDuty")},
    }),
    "Absent": _obj({"id": STR, "name": STR, "post": STR, "office_phone": STR,
                    "role": {"type": "string", "enum": ["leader", "staff"]},
                    "kind": {"type": "string", "enum": ["leave", "trip"],
                             "description": "leave: 请假; trip: 出差 (never the reason)"}},
                   "A cadre rostered on the shift but away then, with nobody standing in."),
    "Gap": _obj({"date": DATE, "kind": SHIFT_KIND, "missing_leader": BOOL,
                 "missing_staff": BOOL, "missing_shift": BOOL,
                 "absent": {"type": "array", "items": _ref("Absent")}},
                "A required shift without a leader or without staff, or whose rostered cadre "
                "is on leave or on a trip with no substitute (a coverage gap). The figures "
                "count only the cadres present; `absent` names who is away and why."),
    "Span": _obj({
        "status": STATUS, "state": STATE, "label": STR, "village": STR,
        "starts_at": {"type": ["string", "null"], "format": "date-time"},
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
        "first_day": {"type": ["string", "null"], "format": "date"},
        "last_day": {"type": ["string", "null"], "format": "date"},
        "substitute": _nullable(_ref("Person")),
    }, "A status over a time span; a leave has first and last day instead of times."),
    "CadreStatus": _obj({
        "id": STR, "name": STR, "post": STR, "office_phone": STR, "is_leader": BOOL,
        "photo_url": {"type": ["string", "null"], "description": "the cadre's photo, if provided"},
        "now": _ref("Span"),
        "later_today": {"type": "array", "items": _ref("Span")},
    }),
    "Day": _obj({"date": DATE, "kind": DAY_KIND, "holiday": {"type": ["string", "null"]}}),
    "Board": _obj({
        "township": _ref("Township"),
        "today": _ref("Day"),
        "last_updated": TIME,
        "valid_until": TIME,
        "chiefs_both_away": BOOL,
        "period": PERIOD,
        "duty": _obj({
            "running_night": _nullable(_ref("Shift")),
            "day": _nullable(_ref("Shift")),
            "day_required": BOOL,
            "night": _nullable(_ref("Shift")),
            "gaps": {"type": "array", "items": _ref("Gap")},
        }),
        "cadres": {"type": "array", "items": _ref("CadreStatus")},
    }),
    "Slot": _obj({"kind": SHIFT_KIND, "required": BOOL, "shift": _nullable(_ref("Shift")),
                  "gap": _nullable(_ref("Gap"))}),
    "RosterDay": _obj({
        "date": DATE, "kind": DAY_KIND, "holiday": {"type": ["string", "null"]},
        "chiefs_both_away": BOOL,
        "slots": {"type": "array", "items": _ref("Slot")},
    }),
    "Roster": _obj({
        "township": _ref("Township"),
        "from": DATE,
        "to": DATE,
        "required_shifts": {"type": "integer", "minimum": 0},
        "gap_count": {"type": "integer", "minimum": 0},
        "coverage_ratio": {"type": "number", "minimum": 0, "maximum": 1},
        "chiefs_both_away_days": {"type": "array", "items": DATE},
        "days": {"type": "array", "items": _ref("RosterDay")},
    }),
}


def _json_response(schema: str, description: str) -> dict:
    return {"description": description,
            "headers": {"ETag": {"schema": STR}, "Cache-Control": {"schema": STR}},
            "content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


CODE = {"name": "code", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]{9}$"}, "description": "township code"}
NOT_MODIFIED = {"description": "Not modified (If-None-Match matched the ETag)"}


def _paths() -> dict:
    return {
        "/townships": {"get": {
            "summary": "Active townships, by code, with cursor pagination",
            "operationId": "listTownships",
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100},
                 "description": "name, full pinyin or initials (\"dzz\")"},
                {"name": "county", "in": "query",
                 "schema": {"type": "string", "pattern": "^[0-9]{6}$"}},
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"},
                 "description": "the `next` value of the previous page"},
            ],
            "responses": {"200": _json_response("TownshipList", "A page of townships"),
                          "304": NOT_MODIFIED, "400": _error("Bad parameter")},
        }},
        "/townships/{code}/board": {"get": {
            "summary": "The whereabouts board: each cadre's status now, today's duty officers",
            "operationId": "getBoard",
            "parameters": [CODE],
            "responses": {"200": _json_response("Board", "The board"), "304": NOT_MODIFIED,
                          "404": _error("Unknown township")},
        }},
        "/townships/{code}/roster": {"get": {
            "summary": "Duty shifts, required slots and coverage gaps, at most 62 days",
            "operationId": "getRoster",
            "parameters": [
                CODE,
                {"name": "from", "in": "query", "schema": DATE,
                 "description": "first day (default: today)"},
                {"name": "to", "in": "query", "schema": DATE,
                 "description": "last day, included (default: from + 30 days)"},
            ],
            "responses": {"200": _json_response("Roster", "The roster"), "304": NOT_MODIFIED,
                          "400": _error("Bad parameter"), "404": _error("Unknown township")},
        }},
        "/openapi.json": {"get": {
            "summary": "This document", "operationId": "getOpenAPI",
            "responses": {"200": {"description": "OpenAPI 3.1 document",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    }


@cache
def document() -> dict:
    """The OpenAPI document (built once per process)."""
    from portal.api import notices as notices_api
    from portal.api import stats as stats_api

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Zaigang public API",
            "version": API_VERSION,
            "description": "Read-only public data of township whereabouts boards, duty rosters, "
                           "monthly public notices and statistics. Only public fields: never "
                           "personal phones, notes, leave reasons or whereabouts history.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {**_paths(), **notices_api.PATHS, **stats_api.PATHS},
        "components": {"schemas": {**SCHEMAS, **notices_api.SCHEMAS, **stats_api.SCHEMAS}},
    }
