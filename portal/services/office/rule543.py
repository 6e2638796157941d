"""5-4-3 from the database: gather a cadre's records and hand them to the pure engine.

Night stays are not a table of their own: a night D is proved by an at-township sign-in
record on D from EVENING_FROM on (or an evening 四夜 diary entry at the township) and a
check-in on D+1 before MORNING_BY. An evening check-in is a stay check, not the start of a
work day, so it is kept out of the day's sign-in pairs.

Every function here costs a fixed number of queries, whatever the number of cadres or weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, DiaryKind, FieldDiary, Leave, SignIn, SignInKind, VillageVisit
from portal.rules import rule_543
from portal.rules.calendar import TZ, OfficialCalendar, iter_dates
from portal.services.shared.calendar import official_calendar

# The engine's reasons are plain Chinese constants; listed here so that they are translated
# where they are shown (`_(reason)` in the templates).
REASON_LABELS = (
    _l("签到无签退"), _l("签退无签到"), _l("签到地点不在乡镇"), _l("签到类型不明"), _l("缺晚间签到"),
    _l("缺次日早签到"), _l("缺晚间签到和次日早签到"), _l("未经群众确认"),
)
EVENING_FROM = time(20, 0)
MORNING_BY = time(7, 30)
EVENING_KINDS = frozenset(
    {DiaryKind.NIGHT_STUDY, DiaryKind.NIGHT_MEETING, DiaryKind.NIGHT_TALK, DiaryKind.NIGHT_VISIT}
)


@dataclass
class CadreRecords:
    """One cadre's records over a span of dates, as the engine wants them."""

    sign_ins: list[rule_543.SignInRecord] = field(default_factory=list)
    evening_checks: set[date] = field(default_factory=set)
    morning_checks: set[date] = field(default_factory=set)
    evening_diaries: set[date] = field(default_factory=set)
    visits: list[rule_543.Visit] = field(default_factory=list)
    leave_days: set[date] = field(default_factory=set)
    joined_on: date | None = None  # the service period at the township; None: open
    left_on: date | None = None

    def serves_on(self, day: date) -> bool:
        return (self.joined_on is None or self.joined_on <= day) and (
            self.left_on is None or day <= self.left_on)

    def unserved(self, week_start: date) -> frozenset[date]:
        """The week's dates (and the Sunday before it) outside the service period."""
        days = iter_dates(week_start - timedelta(days=1), week_start + timedelta(days=6))
        return frozenset(d for d in days if not self.serves_on(d))

    def stays(self) -> list[rule_543.NightStay]:
        """A claimed stay for every night with evening evidence (sign-in or diary)."""
        nights = self.evening_checks | self.evening_diaries
        return [
            rule_543.NightStay(
                id=night.isoformat(), night_of=night,
                evening_sign_in=night in self.evening_checks,
                morning_sign_in=(night + timedelta(days=1)) in self.morning_checks,
                evening_diary=night in self.evening_diaries,
            )
            for night in sorted(nights)
        ]


def week_start_of(day: date) -> date:
    """The Monday of the ISO week of a date."""
    return day - timedelta(days=day.weekday())


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants that bound the local dates start..end (both included)."""
    lo = datetime.combine(start, time.min, tzinfo=TZ)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ)
    return lo, hi


def _add_sign_in(records: CadreRecords, record_id: int, at: datetime, kind: SignInKind,
                 at_township: bool) -> None:
    local = at.astimezone(TZ)
    evening = local.time() >= EVENING_FROM
    if at_township and evening:
        records.evening_checks.add(local.date())
    if at_township and kind == SignInKind.IN and local.time() < MORNING_BY:
        records.morning_checks.add(local.date())
    if evening and kind == SignInKind.IN:
        return  # a stay check-in, not the start of a work day
    records.sign_ins.append(
        rule_543.SignInRecord(id=record_id, at=at, kind=rule_543.SignInKind(kind.value),
                              at_township=at_township)
    )


def periods(cadres: Iterable[Cadre]) -> dict[int, tuple[date | None, date | None]]:
    """The service periods (joined_on, left_on) of cadres, for `gather`."""
    return {c.id: (c.joined_on, c.left_on) for c in cadres}


def gather(cadre_ids: Iterable[int], start: date, end: date,
           service: Mapping[int, tuple[date | None, date | None]] | None = None,
           ) -> dict[int, CadreRecords]:
    """The records of the cadres for local dates start..end, in four queries.

    `service` gives each cadre's service period (joined_on, left_on): days outside it are
    excused and count for nothing (see `rule_543.compute_week`).
    """
    ids = list(cadre_ids)
    service = service or {}
    out: dict[int, CadreRecords] = {}
    for cid in ids:
        joined_on, left_on = service.get(cid, (None, None))
        out[cid] = CadreRecords(joined_on=joined_on, left_on=left_on)
    if not ids:
        return out
    lo, hi = _utc_bounds(start, end)
    # Plain columns, not ORM objects: a township's month is thousands of rows.
    for record_id, cid, at, kind, at_township in db.session.execute(
        select(SignIn.id, SignIn.cadre_id, SignIn.at, SignIn.kind, SignIn.at_township)
        .where(SignIn.cadre_id.in_(ids), SignIn.at >= lo, SignIn.at < hi).order_by(SignIn.at)
    ):
        _add_sign_in(out[cid], record_id, at, kind, at_township)
    for cid, day, confirmed_at, visit_id, village in db.session.execute(
        select(VillageVisit.cadre_id, VillageVisit.day, VillageVisit.confirmed_at, VillageVisit.id,
               VillageVisit.village)
        .where(VillageVisit.cadre_id.in_(ids), VillageVisit.day >= start, VillageVisit.day <= end)
    ):
        out[cid].visits.append(rule_543.Visit(id=visit_id, day=day, village=village,
                                              confirmed=confirmed_at is not None))
    for cid, day in db.session.execute(
        select(FieldDiary.cadre_id, FieldDiary.day).where(
            FieldDiary.cadre_id.in_(ids), FieldDiary.day >= start, FieldDiary.day <= end,
            FieldDiary.kind.in_(list(EVENING_KINDS)), FieldDiary.at_township.is_(True),
        )
    ):
        out[cid].evening_diaries.add(day)
    for cid, first, last in db.session.execute(
        select(Leave.cadre_id, Leave.start_date, Leave.end_date).where(
            Leave.cadre_id.in_(ids), Leave.in_force(),
            Leave.start_date <= end, Leave.end_date >= start,
        )
    ):
        out[cid].leave_days.update(iter_dates(max(first, start), min(last, end)))
    return out


def weeks_between(start: date, end: date) -> list[date]:
    """The Mondays of every ISO week that overlaps start..end."""
    monday = week_start_of(start)
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def compute_weeks(records: CadreRecords, weeks: list[date],
                  calendar: OfficialCalendar) -> list[rule_543.WeekResult]:
    """The engine's figures for each week, from records gathered over (at least) those weeks."""
    stays = records.stays()
    return [
        rule_543.compute_week(monday, calendar, records.sign_ins, stays, records.visits,
                              records.leave_days, records.unserved(monday))
        for monday in weeks
    ]


def span_for(weeks: list[date]) -> tuple[date, date]:
    """The dates to gather for these weeks: the Sunday night before the first belongs to it."""
    return weeks[0] - timedelta(days=1), weeks[-1] + timedelta(days=6)


def cadre_weeks(cadre: Cadre, first_monday: date, last_monday: date) -> list[rule_543.WeekResult]:
    """A cadre's 5-4-3 figures for each ISO week from first_monday to last_monday."""
    weeks = weeks_between(first_monday, last_monday)
    start, end = span_for(weeks)
    records = gather([cadre.id], start, end, periods([cadre]))[cadre.id]
    return compute_weeks(records, weeks, official_calendar())


def leader_week(cadre: Cadre, week_start: date) -> rule_543.WeekResult:
    """One leader's 5-4-3 figures for the ISO week starting on week_start (a Monday)."""
    return cadre_weeks(cadre, week_start, week_start)[0]


def township_weeks(township_id: int, first_monday: date, last_monday: date,
                   leaders_only: bool = True) -> dict[Cadre, list[rule_543.WeekResult]]:
    """The weekly figures of every (leading) cadre who served at the township during those
    weeks, whether or not still serving: five queries in all."""
    weeks = weeks_between(first_monday, last_monday)
    start, end = span_for(weeks)
    stmt = select(Cadre).where(Cadre.township_id == township_id,
                               Cadre.serving_between(weeks[0], end))
    if leaders_only:
        stmt = stmt.where(Cadre.is_leader.is_(True))
    cadres = list(db.session.scalars(stmt.order_by(Cadre.sort_order, Cadre.id)))
    gathered = gather([c.id for c in cadres], start, end, periods(cadres))
    calendar = official_calendar()
    return {c: compute_weeks(gathered[c.id], weeks, calendar) for c in cadres}


def month_weeks(year: int, month: int) -> list[date]:
    """The ISO weeks of a month: those whose Thursday falls in it (the ISO convention)."""
    first = date(year, month, 1)
    monday = week_start_of(first)
    if (monday + timedelta(days=3)).month != month:
        monday += timedelta(days=7)
    weeks = []
    while (monday + timedelta(days=3)).month == month:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks
