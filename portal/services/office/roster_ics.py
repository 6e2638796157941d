"""The duty roster as an RFC 5545 calendar: the township's (/t/<code>/roster.ics), one event
per shift, and each cadre's own (/t/<code>/cadres/<id>/duty.ics), the shifts they are on, with
a reminder an hour before.

A rostered cadre on leave or on a trip with nobody standing in is named in the event's
summary (the kind of absence only, never a leave's reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, ShiftKind, Township, labels
from portal.rules import coverage
from portal.services.office.chiefs_away import away_records
from portal.services.office.roster import (
    FEED_DAYS_AHEAD,
    FEED_DAYS_BACK,
    OnDuty,
    PersonRef,
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


def _calendar(name: str):
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Zaigang//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    # Calendar apps poll a subscription: once an hour is enough for a roster.
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal


def _window(today: date) -> tuple[date, date]:
    return today - timedelta(days=FEED_DAYS_BACK), today + timedelta(days=FEED_DAYS_AHEAD)


def ics_feed(township: Township, today: date, roster_url: str) -> bytes:
    """An RFC 5545 calendar of the township's shifts around today, one event per shift."""
    from icalendar import Event

    start, end = _window(today)
    shifts = load_shifts(township.id, start, end)
    away = coverage.by_person(away_records(township.id, start, end).absences)
    cal = _calendar(_("%(township)s值班表", township=township.name))
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


def on_duty_cadre(township: Township, public_id: str) -> PersonRef | None:
    """An active cadre of the township (public fields only), or None."""
    row = db.session.execute(
        select(Cadre.public_id, Cadre.name, Cadre.post, Cadre.office_phone).where(
            Cadre.township_id == township.id, Cadre.public_id == public_id,
            Cadre.active.is_(True))
    ).first()
    return PersonRef(*row) if row else None


def _role_in(shift: ShiftView, public_id: str) -> tuple[str, OnDuty] | None:
    for label, people in ((_("带班"), shift.leaders), (_("值班"), shift.staff)):
        for person in people:
            if person.person.public_id == public_id:
                return label, person
    return None


def cadre_feed(township: Township, cadre: PersonRef, today: date, roster_url: str) -> bytes:
    """A cadre's own shifts around today, each with who else is on it and a reminder."""
    from icalendar import Alarm, Event

    start, end = _window(today)
    away = coverage.by_person(away_records(township.id, start, end).absences)
    cal = _calendar(_("%(name)s的值班（%(township)s）", name=cadre.name, township=township.name))
    stamp = township.updated_at.astimezone(UTC)
    for shift in load_shifts(township.id, start, end):
        found = _role_in(shift, cadre.public_id)
        if found is None:
            continue
        role, me = found
        label = _("白班") if shift.kind == ShiftKind.DAY else _("夜班")
        summary = _("%(township)s%(shift)s%(role)s", township=township.name, shift=label, role=role)
        if me.replaces is not None:
            summary += _("（替%(name)s）", name=me.replaces.name)
        everyone, phones = _event_text(shift, away)
        event = Event()
        event.add("uid", f"{township.code}-{shift.uid}-{cadre.public_id}@zaigang")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.starts_at.astimezone(UTC))
        event.add("dtend", shift.ends_at.astimezone(UTC))
        event.add("summary", summary)
        event.add("description", "\n".join(p for p in (everyone, phones, roster_url) if p))
        event.add("url", roster_url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(hours=-1))
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
