"""Public JSON shapes of townships, boards and rosters (the only fields the API gives out).

Each function returns exactly the properties its schema in portal/api/openapi.py lists
(`additionalProperties: false`), and tests/api enumerates them: a new field must be added
to both on purpose. Times are ISO 8601 in Asia/Shanghai with their offset.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from portal.links import report_url
from portal.models import Region, Township
from portal.rules.calendar import TZ, Day
from portal.rules.coverage import Gap
from portal.services.office.board import Board, CadreRow, Span
from portal.services.office.presence import STATE_LABELS
from portal.services.office.roster import (
    AbsentView,
    Cell,
    OnDuty,
    PersonRef,
    RangeRoster,
    RosterDay,
    ShiftView,
)


def iso_time(value: datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat() if value is not None else None


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def township(t: Township, county: Region | None = None) -> dict:
    county = county or t.county
    return {
        "code": t.code,
        "name": t.name,
        "county": {"code": county.code, "name": county.name},
        "address": t.address,
        "office_phone": t.office_phone,
        "hotline": t.hotline,
        "updated_at": iso_time(t.updated_at),
        "links": {
            "board": url_for("public.board", code=t.code),
            "roster": url_for("public.roster", code=t.code),
            "report": report_url(t.code),
            "board_api": url_for("api.township_board", code=t.code),
            "roster_api": url_for("api.township_roster", code=t.code),
            "notices": url_for("notices.index", code=t.code),
            "notices_api": url_for("api.notices_api.notice_list", code=t.code),
            "roster_ics": url_for("public.roster_ics", code=t.code),
        },
    }


def person(p: PersonRef | None) -> dict | None:
    if p is None:
        return None
    return {"id": p.public_id, "name": p.name, "post": p.post, "office_phone": p.office_phone}


def on_duty(p: OnDuty) -> dict:
    return {**person(p.person), "replaces": person(p.replaces)}


def shift(s: ShiftView | None) -> dict | None:
    if s is None:
        return None
    return {
        "date": iso_date(s.day),
        "kind": s.kind.value,
        "starts_at": iso_time(s.starts_at),
        "ends_at": iso_time(s.ends_at),
        "leaders": [on_duty(p) for p in s.leaders],
        "staff": [on_duty(p) for p in s.staff],
    }


def absent(a: AbsentView) -> dict:
    return {**person(a.person), "role": a.role.value, "kind": a.kind.value}


def gap(g: Gap | None, away: tuple[AbsentView, ...] = ()) -> dict | None:
    if g is None:
        return None
    return {
        "date": iso_date(g.date),
        "kind": g.kind.value,
        "missing_leader": g.missing_leader,
        "missing_staff": g.missing_staff,
        "missing_shift": g.missing_shift,
        "absent": [absent(a) for a in away],
    }


def span(s: Span) -> dict:
    return {
        "status": s.status.value if s.status else None,
        "state": s.key,
        "label": str(STATE_LABELS[s.key]),
        "village": s.village,
        "starts_at": iso_time(s.starts_at),
        "ends_at": iso_time(s.ends_at),
        "first_day": iso_date(s.first_day),
        "last_day": iso_date(s.last_day),
        "substitute": person(s.substitute),
    }


def cadre_row(row: CadreRow, code: str) -> dict:
    return {
        **person(row.person),
        "is_leader": row.is_leader,
        "photo_url": url_for("public.cadre_photo", code=code, public_id=row.person.public_id)
        if row.has_photo else None,
        "now": span(row.now),
        "later_today": [span(s) for s in row.later],
    }


def day(d: Day) -> dict:
    return {"date": iso_date(d.date), "kind": d.kind.value, "holiday": d.name}


def board(b: Board) -> dict:
    return {
        "township": township(b.township),
        "today": day(b.today),
        "last_updated": iso_time(b.last_updated),
        "valid_until": iso_time(b.valid_until),
        "chiefs_both_away": b.chiefs_both_away,
        "period": b.period.kind if b.period else "office",
        "duty": {
            "running_night": shift(b.running_night),
            "day": shift(b.day_shift),
            "day_required": b.day_shift_required,
            "night": shift(b.night_shift),
            "gaps": [gap(g) for g in b.gaps],
        },
        "cadres": [cadre_row(r, b.township.code) for r in b.rows],
    }


def cell(c: Cell) -> dict:
    return {"kind": c.kind.value, "required": c.required, "shift": shift(c.shift),
            "gap": gap(c.gap, c.absent)}


def roster_day(rd: RosterDay) -> dict:
    return {**day(rd.day), "chiefs_both_away": rd.chiefs_both_away,
            "slots": [cell(c) for c in rd.cells]}


def roster(r: RangeRoster) -> dict:
    return {
        "township": township(r.township),
        "from": iso_date(r.start),
        "to": iso_date(r.end),
        "required_shifts": r.required,
        "gap_count": len(r.gaps),
        "coverage_ratio": round(r.coverage_ratio, 4),
        "chiefs_both_away_days": [iso_date(d) for d in r.chiefs_away_days],
        "days": [roster_day(d) for d in r.days],
    }
