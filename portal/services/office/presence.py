"""What the board says about one cadre at one moment: one rule for the public board, the
API board and the clerk's board, so that they always agree.

The township's working day has office hours (config `OFFICE_HOURS`, default 08:30-18:00)
on the working days of the official calendar. A moment falls into one period:

- office: the office hours of a working day. A status set for today holds as recorded
  (an open 在岗 set this morning runs until the office closes); nothing set: 未更新;
- rest day: the same hours of a weekend day or holiday;
- night: from the end of a day's hours to the start of the next day's.

Outside office hours a day status (在岗, 下村, 会议, 值班, 休息) set before the period began
lapses: at 22:30 nobody is shown at the office because of a morning update. What holds:
a trip or leave (it spans nights), the duty roster's running shift (带班 / 值班), a status
recorded during the period itself, and, at night, a stay in the township (住镇) proved by
an at-township check-in this evening or an evening-work (四夜) diary entry at the township
written this evening. Everyone else has no record for the period, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from portal.models import Status, labels
from portal.rules.calendar import TZ, local_date
from portal.services.office.roster import PersonRef, ShiftView, person_from

DEFAULT_HOURS = (time(8, 30), time(18, 0))

OFFICE, REST_DAY, NIGHT = "office", "rest_day", "night"

# Statuses that genuinely span nights: they hold whatever the hour.
SPANNING = frozenset({Status.TRIP, Status.LEAVE})

# Board states beyond the recorded statuses.
DUTY_LEADER = "duty_leader"
STAYING = "staying"
NO_RECORD_TONIGHT = "no_record_tonight"
NO_RECORD_REST_DAY = "no_record_rest_day"
UNKNOWN = "unknown"

STATE_LABELS = {
    **{status.value: text for status, text in labels.BOARD_STATUS.items()},
    DUTY_LEADER: _l("带班"), STAYING: _l("住镇"), NO_RECORD_TONIGHT: _l("今晚无记录"),
    NO_RECORD_REST_DAY: _l("今天无记录"), UNKNOWN: labels.NOT_UPDATED,
}
# The order of the board's counts line.
STATE_ORDER = (
    DUTY_LEADER, Status.DUTY.value, STAYING, Status.AT_OFFICE.value, Status.VILLAGE.value,
    Status.MEETING.value, Status.TRIP.value, Status.LEAVE.value, Status.OFF.value,
    NO_RECORD_TONIGHT, NO_RECORD_REST_DAY, UNKNOWN,
)


@dataclass(frozen=True)
class Span:
    """A status over a time span as the public sees it; `state` names what is shown when
    no recorded status holds (住镇, no record, 未更新) or the duty role (带班)."""

    status: Status | None
    village: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    substitute: PersonRef | None = None
    # A leave is shown by dates, not times.
    first_day: date | None = None
    last_day: date | None = None
    state: str = ""

    @property
    def key(self) -> str:
        if self.state:
            return self.state
        return self.status.value if self.status else UNKNOWN


NOT_UPDATED = Span(None)


@dataclass(frozen=True)
class Period:
    """The office hours of a day, a rest day's daytime, or a night (`day` is its evening)."""

    kind: str
    day: date
    starts_at: datetime
    ends_at: datetime

    @property
    def off_hours(self) -> bool:
        return self.kind != OFFICE


@dataclass(frozen=True)
class Evening:
    """A cadre's own records in the period: the last check-in at the township, the last
    check-out anywhere, and whether an evening-work diary entry at the township was written."""

    last_in: datetime | None = None
    last_out: datetime | None = None
    diary: bool = False

    @property
    def checked_in(self) -> bool:
        return self.last_in is not None and (self.last_out is None or self.last_out < self.last_in)


def _parse_hours(text: str) -> tuple[time, time]:
    start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    if not start < end:
        raise ValueError("office hours must start before they end")
    return start, end


def office_hours() -> tuple[time, time]:
    """The office hours from config `OFFICE_HOURS` ("08:30-18:00"), or the default."""
    if not has_app_context():
        return DEFAULT_HOURS
    value = current_app.config.get("OFFICE_HOURS") or ""
    try:
        return _parse_hours(value) if value else DEFAULT_HOURS
    except ValueError:
        return DEFAULT_HOURS


def _at(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=TZ)


def period_at(now: datetime, is_working, hours: tuple[time, time] | None = None) -> Period:
    """The period the moment falls in; `is_working(date)` says whether a date is a working day."""
    start, end = hours or office_hours()
    today = local_date(now)
    opens, closes = _at(today, start), _at(today, end)
    if now < opens:
        day = today - timedelta(days=1)
        return Period(NIGHT, day, _at(day, end), opens)
    if now >= closes:
        return Period(NIGHT, today, closes, _at(today + timedelta(days=1), start))
    return Period(OFFICE if is_working(today) else REST_DAY, today, opens, closes)


def set_for_today(entry: Mapping, today: date) -> bool:
    """An entry counts if it starts today or has a planned end; an open one from an earlier
    day is stale (the board shows 未更新, never present)."""
    return entry["ends_at"] is not None or local_date(entry["starts_at"]) == today


def span_of(entry: Mapping) -> Span:
    return Span(Status(entry["status"]), entry["village"] or "", entry["starts_at"],
                entry["ends_at"], person_from(entry, "s"))


def in_force(entries: Iterable[Mapping], at: datetime):
    current = None
    for e in entries:  # ordered by starts_at: the latest start in force wins
        if e["starts_at"] <= at and (e["ends_at"] is None or e["ends_at"] > at):
            current = e
    return current


def duty_roles(shifts: Iterable[ShiftView], now: datetime) -> dict[str, tuple[str, ShiftView]]:
    """Who is on a shift running now, by public id: (state, shift); 带班 before 值班."""
    roles: dict[str, tuple[str, ShiftView]] = {}
    for s in shifts:
        if s.starts_at <= now < s.ends_at:
            for p in s.staff:
                roles.setdefault(p.person.public_id, (Status.DUTY.value, s))
            for p in s.leaders:
                roles[p.person.public_id] = (DUTY_LEADER, s)
    return roles


def _with_leave_substitute(span: Span, leave: Span | None) -> Span:
    if span.status == Status.LEAVE and span.substitute is None and leave is not None:
        return Span(span.status, span.village, span.starts_at, span.ends_at, leave.substitute)
    return span


def decide(period: Period, now: datetime, entries: list, leave: Span | None,
           duty: tuple[str, ShiftView] | None, evening: Evening) -> tuple[Span, list]:
    """The one rule: what the board shows for a cadre now, and the entries still to come
    (`entries` ordered by start, with status, village, starts_at, ends_at, recorded_at and
    the substitute's s_* columns)."""
    today = local_date(now)
    if period.off_hours:
        fresh = [e for e in entries
                 if set_for_today(e, today) or e["recorded_at"] >= period.starts_at]
    else:
        fresh = [e for e in entries if set_for_today(e, today)]
    current = in_force(fresh, now)
    later = [e for e in fresh if e["starts_at"] > now and e is not current]
    if not period.off_hours:
        span = _with_leave_substitute(span_of(current), leave) if current else leave
        return span or NOT_UPDATED, later
    return _off_hours(period, current, leave, duty, evening), later


def _off_hours(period: Period, current, leave: Span | None,
               duty: tuple[str, ShiftView] | None, evening: Evening) -> Span:
    if current is not None and Status(current["status"]) in SPANNING:
        return _with_leave_substitute(span_of(current), leave)
    if leave is not None:
        return leave
    if duty is not None:
        state, shift = duty
        return Span(Status.DUTY, starts_at=shift.starts_at, ends_at=shift.ends_at, state=state)
    if current is not None and current["recorded_at"] >= period.starts_at:
        return span_of(current)  # recorded in this evening or rest day itself
    if period.kind == NIGHT and (evening.checked_in or evening.diary):
        return Span(None, starts_at=evening.last_in if evening.checked_in else None,
                    state=STAYING)
    if period.kind == REST_DAY and evening.checked_in:
        return Span(Status.AT_OFFICE, starts_at=evening.last_in)
    return Span(None, state=NO_RECORD_TONIGHT if period.kind == NIGHT else NO_RECORD_REST_DAY)
