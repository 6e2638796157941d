"""The duty roster as an RFC 5545 calendar (/t/<code>/roster.ics): one event per shift.

A rostered cadre on leave or on a trip with nobody standing in is named in the event's
summary (the kind of absence only, never a leave's reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, timedelta

from flask_babel import gettext as _

from portal.models import ShiftKind, Township, labels
from portal.rules import coverage
from portal.services.office.chiefs_away import away_records
from portal.services.office.roster import (
    FEED_DAYS_AHEAD,
    FEED_DAYS_BACK,
    OnDuty,
    ShiftView,
    load_shifts,
    shift_infos,
)


def _names(people: Iterable[OnDuty]) -> str:
    parts = []
    for p in people:
        name = f"{p.person.name}（{p.person.post}）"
        if p.replaces is not None:
            name += _("替%(name)s", name=p.replaces.name)
        parts.append(name)
    return "、".join(parts)


def _event_text(shift: ShiftView, away: coverage.Absences) -> tuple[str, str]:
    label = _("白班") if shift.kind == ShiftKind.DAY else _("夜班")
    leaders = _names(shift.leaders) or _("缺带班领导")
    staff = _names(shift.staff) or _("缺值班人员")
    summary = _("%(shift)s 带班：%(leaders)s；值班：%(staff)s", shift=label, leaders=leaders,
                staff=staff)
    names = {p.person.public_id: p.person.name for p in (*shift.leaders, *shift.staff)}
    for absent in coverage.present(shift_infos([shift])[0], away)[2]:
        summary += "；" + _("%(name)s%(kind)s，无人替班", name=names[absent.person_id],
                           kind=labels.ABSENCE_KIND[absent.kind])
    phones = [f"{p.person.name} {p.person.office_phone}"
              for p in (*shift.leaders, *shift.staff) if p.person.office_phone]
    return summary, "\n".join(phones)


def ics_feed(township: Township, today: date, roster_url: str) -> bytes:
    """An RFC 5545 calendar of the township's shifts around today, one event per shift."""
    from icalendar import Calendar, Event

    start, end = today - timedelta(days=FEED_DAYS_BACK), today + timedelta(days=FEED_DAYS_AHEAD)
    shifts = load_shifts(township.id, start, end)
    away = coverage.by_person(away_records(township.id, start, end).absences)
    cal = Calendar()
    cal.add("prodid", "-//Zaigang//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("%(township)s值班表", township=township.name))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = township.updated_at.astimezone(UTC)
    for shift in shifts:
        summary, description = _event_text(shift, away)
        event = Event()
        # Stable across edits and regenerations: a calendar app updates the event in place.
        event.add("uid", f"{township.code}-{shift.uid}@zaigang")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.starts_at.astimezone(UTC))
        event.add("dtend", shift.ends_at.astimezone(UTC))
        event.add("summary", summary)
        if description:
            event.add("description", description)
        event.add("url", roster_url)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
