"""The whereabouts board, read side: who is where now, who is on duty today and tonight.

`load(code)` answers everything the public board shows in at most 4 SQL statements,
whatever the number of cadres: (1) the township with today's calendar override,
(2) its active cadres with today's approved leave and the substitute (and, outside office
hours, their own check-ins and evening diary entries of the period), (3) the whereabouts
entries touching today with their substitutes, (4) yesterday's and today's shifts.

Rules: what each cadre shows is decided by `portal.services.office.presence.decide` (the clerk's
board uses it too): the entry in force (latest start) if set for today, else today's leave,
else 未更新; outside office hours a day status lapses and the board shows duty, 住镇, trips
and leave, or no record. Only public fields leave this module (see PersonRef): never the
personal phone, the note of an entry, the reason of a leave, or earlier entries (history is
for staff).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, false, func, literal, null, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.extensions import db
from portal.models import (
    Cadre,
    CalendarOverride,
    ChiefRole,
    FieldDiary,
    Leave,
    ShiftKind,
    SignIn,
    SignInKind,
    Status,
    Township,
    Whereabouts,
)
from portal.models.base import utcnow
from portal.rules import coverage
from portal.rules.calendar import Day, OfficialCalendar, local_date
from portal.services.office import absences, presence, roster
from portal.services.office.chiefs_away import (
    CHIEF_AWAY_STATUSES,
    Interval,
    both_away_days,
    day_bounds,
    entry_interval,
)
from portal.services.office.presence import Evening, Period, Span
from portal.services.office.roster import (
    PersonRef,
    ShiftView,
)
from portal.services.office.rule543 import EVENING_KINDS

# An entry planned further back than this is not looked at (a bounded index range scan);
# longer absences are recorded as leave.
LOOKBACK = timedelta(days=92)




@dataclass(frozen=True)
class CadreRow:
    person: PersonRef
    is_leader: bool
    chief_role: ChiefRole | None
    now: Span
    later: tuple[Span, ...] = ()
    has_photo: bool = False

    @property
    def status_key(self) -> str:
        return self.now.key


@dataclass
class Board:
    township: Township
    now: datetime
    today: Day
    rows: list[CadreRow]
    day_shift: ShiftView | None
    night_shift: ShiftView | None
    # Last night's shift while it still runs (before about 08:30).
    running_night: ShiftView | None
    gaps: list[coverage.Gap]
    chiefs_both_away: bool
    valid_until: datetime
    counts: dict[str, int] = field(default_factory=dict)
    period: Period | None = None

    @property
    def off_hours(self) -> bool:
        """After the office hours, at night, at weekends and on holidays."""
        return self.period is not None and self.period.off_hours

    @property
    def last_updated(self) -> datetime:
        return self.township.updated_at

    def gap(self, kind: str) -> coverage.Gap | None:
        """Today's coverage gap of a shift kind ("day" or "night"), if any."""
        return next((g for g in self.gaps if g.kind.value == kind), None)

    def absent(self, kind: str) -> list:
        """(person, absence kind) of today's shift of a kind: rostered, away, nobody in place."""
        gap, shift = self.gap(kind), self.day_shift if kind == "day" else self.night_shift
        if gap is None or shift is None:
            return []
        people = {p.person.public_id: p.person for p in (*shift.leaders, *shift.staff)}
        return [(people[a.person_id], a.kind) for a in gap.absent if a.person_id in people]

    @property
    def day_shift_required(self) -> bool:
        return not self.today.is_working


def _township(code: str, today: date) -> tuple[Township, CalendarOverride | None] | None:
    if not (len(code) == 9 and code.isdigit()):
        return None
    found = db.session.execute(
        select(Township, CalendarOverride)
        .outerjoin(CalendarOverride, CalendarOverride.day == today)
        .options(joinedload(Township.county))
        .where(Township.code == code, Township.active.is_(True))
    ).first()
    return (found[0], found[1]) if found else None


def _evening_columns(period: Period, now: datetime) -> list:
    """Outside office hours: each cadre's last check-in at the township and last check-out in
    the period so far, and whether an evening-work diary entry at the township was written
    in it (correlated lookups on the cadre's indexes: no statement of their own)."""
    if not period.off_hours:
        return [null().label("last_in"), null().label("last_out"), false().label("diary")]

    def last(kind: SignInKind, *where):
        return (select(func.max(SignIn.at))
                .where(SignIn.cadre_id == Cadre.id, SignIn.kind == kind,
                       SignIn.at >= period.starts_at, SignIn.at <= now, *where)
                .scalar_subquery())

    diary = exists().where(
        FieldDiary.cadre_id == Cadre.id, FieldDiary.day == period.day,
        FieldDiary.kind.in_(list(EVENING_KINDS)), FieldDiary.at_township.is_(True),
        FieldDiary.recorded_at >= period.starts_at, FieldDiary.recorded_at <= now,
    ) if period.kind == presence.NIGHT else literal(False)
    return [last(SignInKind.IN, SignIn.at_township.is_(True)).label("last_in"),
            last(SignInKind.OUT).label("last_out"), diary.label("diary")]


def _cadres(township_id: int, today: date, period: Period, now: datetime):
    """Active cadres (public columns only), the approved leave of each, if any, today, and
    their own records of the period (see _evening_columns)."""
    substitute = aliased(Cadre)
    rows = db.session.execute(
        select(
            Cadre.id, Cadre.public_id, Cadre.name, Cadre.post, Cadre.office_phone,
            Cadre.is_leader, Cadre.chief_role, Cadre.photo.is_not(None).label("has_photo"),
            Leave.start_date, Leave.end_date,
            *roster.person_columns(substitute, "s"), *_evening_columns(period, now),
        )
        .outerjoin(Leave, and_(
            Leave.cadre_id == Cadre.id, Leave.in_force(),
            Leave.start_date <= today, Leave.end_date >= today,
        ))
        .outerjoin(substitute, substitute.id == Leave.substitute_id)
        .where(Cadre.township_id == township_id, Cadre.active.is_(True))
        .order_by(Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id)
    ).mappings().all()
    cadres, leaves, seen = [], {}, set()
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            cadres.append(row)
        if row["start_date"] is not None and row["id"] not in leaves:
            leaves[row["id"]] = Span(Status.LEAVE, substitute=roster.person_from(row, "s"),
                                     first_day=row["start_date"], last_day=row["end_date"])
    return cadres, leaves


def _entries(township_id: int, today: date) -> list:
    substitute = aliased(Cadre)
    start, end = day_bounds(today)
    return db.session.execute(
        select(
            Whereabouts.id, Whereabouts.cadre_id, Whereabouts.status, Whereabouts.village,
            Whereabouts.starts_at, Whereabouts.ends_at, Whereabouts.recorded_at,
            *roster.person_columns(substitute, "s"),
        )
        .outerjoin(substitute, substitute.id == Whereabouts.substitute_id)
        .where(
            Whereabouts.township_id == township_id,
            Whereabouts.starts_at < end, Whereabouts.starts_at >= start - LOOKBACK,
            or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > start),
        )
        .order_by(Whereabouts.starts_at, Whereabouts.id)
    ).mappings().all()


def _row(cadre, entries: list, leave: Span | None, now: datetime, period: Period,
         duty: dict) -> CadreRow:
    evening = Evening(cadre["last_in"], cadre["last_out"], bool(cadre["diary"]))
    span, later = presence.decide(period, now, entries, leave, duty.get(cadre["public_id"]),
                                  evening)
    person = PersonRef(cadre["public_id"], cadre["name"], cadre["post"], cadre["office_phone"])
    role = ChiefRole(cadre["chief_role"]) if cadre["chief_role"] else None
    return CadreRow(person, cadre["is_leader"], role, span,
                    tuple(presence.span_of(e) for e in later), bool(cadre["has_photo"]))


def _away_intervals(entries: list, leave: Span | None, today: date) -> list[Interval]:
    intervals = [entry_interval(e["starts_at"], e["ends_at"]) for e in entries
                 if presence.set_for_today(e, today)
                 and Status(e["status"]) in CHIEF_AWAY_STATUSES]
    if leave is not None:
        intervals.append(day_bounds(today))
    return intervals


def _chiefs_both_away(cadres: list, by_cadre: dict, leaves: dict, today: date) -> bool:
    away: dict[str, list[Interval]] = {coverage.SECRETARY: [], coverage.HEAD: []}
    for cadre in cadres:
        if cadre["chief_role"]:
            away[str(cadre["chief_role"])] += _away_intervals(
                by_cadre.get(cadre["id"], []), leaves.get(cadre["id"]), today)
    return today in both_away_days(away[coverage.SECRETARY], away[coverage.HEAD])


def _valid_until(entries: list, shifts: list[ShiftView], now: datetime, today: date,
                 period: Period) -> datetime:
    """The next moment at which the board changes by itself: a status or shift boundary,
    the office opening or closing, midnight."""
    moments = [day_bounds(today)[1], period.ends_at]
    for e in entries:
        moments += [e["starts_at"], e["ends_at"]]
    for s in shifts:
        moments += [s.starts_at, s.ends_at]
    return min(m for m in moments if m is not None and m > now)


def _shifts(township_id: int, today: date, now: datetime):
    shifts = roster.load_shifts(township_id, today - timedelta(days=1), today)
    by_slot = {(s.day, s.kind): s for s in shifts}
    running = by_slot.get((today - timedelta(days=1), ShiftKind.NIGHT))
    if running is not None and running.ends_at <= now:
        running = None
    return shifts, by_slot.get((today, ShiftKind.DAY)), by_slot.get((today, ShiftKind.NIGHT)), running


def _calendar(today: date, override: CalendarOverride | None) -> OfficialCalendar:
    return OfficialCalendar({today: (override.is_working, override.name or None)} if override else {})


def load(code: str, now: datetime | None = None) -> Board | None:
    """The board of an active township by code, or None: at most 4 SQL statements."""
    now = now or utcnow()
    today = local_date(now)
    found = _township(code, today)
    if found is None:
        return None
    township, override = found
    calendar = _calendar(today, override)
    period = presence.period_at(now, calendar.is_working_day)
    cadres, leaves = _cadres(township.id, today, period, now)
    entries = _entries(township.id, today)
    by_cadre: dict[int, list] = {}
    for e in entries:
        by_cadre.setdefault(e["cadre_id"], []).append(e)
    shifts, day_shift, night_shift, running = _shifts(township.id, today, now)
    duty = presence.duty_roles(shifts, now)
    rows = [_row(c, by_cadre.get(c["id"], []), leaves.get(c["id"]), now, period, duty)
            for c in cadres]
    gaps = coverage.find_gaps(today, today, calendar, roster.shift_infos(shifts),
                              absences.for_board(cadres, leaves, entries))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status_key] = counts.get(row.status_key, 0) + 1
    return Board(
        township=township, now=now, today=calendar.day(today), rows=rows, day_shift=day_shift,
        night_shift=night_shift, running_night=running, gaps=gaps,
        chiefs_both_away=_chiefs_both_away(cadres, by_cadre, leaves, today),
        valid_until=_valid_until(entries, shifts, now, today, period), counts=counts,
        period=period,
    )


PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"RIFF": "image/webp"}


def photo(code: str, public_id: str) -> tuple[bytes, str, int] | None:
    """A cadre's photo as (bytes, mimetype, township data version), if one was provided."""
    found = db.session.execute(
        select(Cadre.photo, Township.data_version)
        .join(Township, Township.id == Cadre.township_id)
        .where(Township.code == code, Township.active.is_(True), Cadre.public_id == public_id,
               Cadre.active.is_(True), Cadre.photo.is_not(None))
    ).first()
    if found is None:
        return None
    data, version = found
    mimetype = next((t for magic, t in PHOTO_TYPES.items() if data.startswith(magic)), None)
    return (data, mimetype, version) if mimetype else None


def etag_parts(board: Board) -> tuple:
    """What the board's ETag depends on: the data version, today's calendar, the time window."""
    return ("board", board.township.code, board.township.data_version, board.today.kind,
            board.today.name, board.valid_until.isoformat())
