"""The whereabouts board (去向公示), staff side: status updates that keep every entry as history.

An update never overwrites: it ends the entries in force at its start (`ends_at` and
`superseded_at` set) and adds a new one. The entry in force at a moment is the one with
the latest start among those with starts_at <= moment < ends_at (or no end).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import AWAY_STATUSES, Cadre, ChiefRole, Leave, Status, Township, User, Whereabouts
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.rules.coverage import HEAD, SECRETARY
from portal.sanitize import clean_text
from portal.services.shared import audit, townships
from portal.services.shared.errors import ValidationError

# The office day a morning update lasts until, unless the clerk says otherwise.
DEFAULT_OFFICE_END = time(18, 0)


def local_dt(d: date, t: time) -> datetime:
    """A local date and time as an aware datetime."""
    return datetime.combine(d, t, tzinfo=TZ)


def _in_force(at: datetime):
    return (Whereabouts.starts_at <= at, or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > at))


def current_entries(cadre_ids: Iterable[int], at: datetime) -> dict[int, Whereabouts]:
    """The entry in force at `at` for each cadre that has one."""
    ids = list(cadre_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Whereabouts).where(Whereabouts.cadre_id.in_(ids), *_in_force(at))
        .order_by(Whereabouts.starts_at, Whereabouts.id)
    )
    return {row.cadre_id: row for row in rows}  # the latest start wins


def close_open_entries(*, cadre_id: int, at: datetime, until: datetime | None = None) -> int:
    """End the cadre's entries that would be in force between `at` and `until`; caller commits.

    The past is never rewritten: the cut is `at` or now, whichever is later, so what the
    board said before the update stays on record. An entry running at the cut ends there;
    one planned to start later inside the span never comes into force.
    """
    now = utcnow()
    cut = max(at, now)
    stmt = select(Whereabouts).where(
        Whereabouts.cadre_id == cadre_id, or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > cut)
    )
    if until is not None:
        stmt = stmt.where(Whereabouts.starts_at < until)
    count = 0
    for entry in db.session.scalars(stmt):
        entry.ends_at = cut if entry.starts_at < cut else entry.starts_at
        entry.superseded_at = now
        count += 1
    return count


@dataclass(frozen=True)
class StatusChange:
    """One status to set: what, from when, until when (None: until the next update)."""

    status: Status
    starts_at: datetime
    ends_at: datetime | None = None
    village: str = ""
    note: str = ""
    substitute_id: int | None = None


def validate_change(cadre: Cadre, change: StatusChange) -> StatusChange:
    """The change cleaned, or ValidationError (village for 下村, end after start, substitute)."""
    village = clean_text(change.village, 64, multiline=False)
    if change.status == Status.VILLAGE and not village:
        raise ValidationError(_l("下村请填写村名。"))
    if change.ends_at is not None and change.ends_at <= change.starts_at:
        raise ValidationError(_l("结束时间必须晚于开始时间。"))
    if change.substitute_id is not None:
        sub = db.session.get(Cadre, change.substitute_id)
        if sub is None or sub.township_id != cadre.township_id or not sub.active:
            raise ValidationError(_l("替班人必须是本乡镇在册的干部。"))
        if sub.id == cadre.id:
            raise ValidationError(_l("替班人不能是本人。"))
    return StatusChange(change.status, change.starts_at, change.ends_at,
                        village if change.status == Status.VILLAGE else "",
                        clean_text(change.note, 200, multiline=False),
                        change.substitute_id if change.status == Status.LEAVE else None)


def add_entry(*, user: User | None, cadre: Cadre, change: StatusChange) -> Whereabouts:
    """Add a validated entry, ending what it overlaps (no audit, no commit: the caller's use case)."""
    close_open_entries(cadre_id=cadre.id, at=change.starts_at, until=change.ends_at)
    entry = Whereabouts(
        cadre_id=cadre.id, township_id=cadre.township_id, status=change.status,
        village=change.village, note=change.note, substitute_id=change.substitute_id,
        starts_at=change.starts_at, ends_at=change.ends_at,
        recorded_by_id=user.id if user else None,
    )
    db.session.add(entry)
    return entry


def set_status(*, user: User, cadre: Cadre, change: StatusChange) -> Whereabouts:
    """Set one cadre's status for a span; shows on the public board at once."""
    if not cadre.active:
        raise ValidationError(_l("该干部已停用，不能更新去向。"))
    change = validate_change(cadre, change)
    entry = add_entry(user=user, cadre=cadre, change=change)
    db.session.flush()
    audit.record("whereabouts.set", actor=user, object_type="cadre", object_id=cadre.public_id,
                 detail={"status": change.status.value, "from": change.starts_at,
                         "until": change.ends_at, "village": change.village})
    townships.touch(cadre.township_id)
    db.session.commit()
    return entry


def on_leave_ids(township_id: int, day: date) -> set[int]:
    """Cadres of the township with approved, not cancelled leave covering the day."""
    return set(db.session.scalars(
        select(Leave.cadre_id).where(Leave.township_id == township_id, Leave.in_force(),
                                     Leave.start_date <= day, Leave.end_date >= day)
    ))


@dataclass(frozen=True)
class BulkResult:
    updated: int
    skipped_on_leave: list[str]


def everyone_at_office(*, user: User, township: Township, except_ids: Iterable[int],
                       starts_at: datetime, ends_at: datetime) -> BulkResult:
    """The morning update: every active cadre at the office, but the exceptions and those on leave."""
    if ends_at <= starts_at:
        raise ValidationError(_l("结束时间必须晚于开始时间。"))
    excluded = set(except_ids)
    on_leave = on_leave_ids(township.id, local_date(starts_at))
    cadres = db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
        .order_by(Cadre.sort_order, Cadre.id)
    ).all()
    updated, skipped = 0, []
    for cadre in cadres:
        if cadre.id in excluded:
            continue
        if cadre.id in on_leave:
            skipped.append(cadre.name)
            continue
        add_entry(user=user, cadre=cadre,
                   change=StatusChange(Status.AT_OFFICE, starts_at, ends_at))
        updated += 1
    audit.record("whereabouts.bulk_at_office", actor=user, object_type="township",
                 object_id=township.code, detail={"updated": updated, "excepted": len(excluded),
                                                  "on_leave": len(skipped), "until": ends_at})
    townships.touch(township.id)
    db.session.commit()
    return BulkResult(updated, skipped)


@dataclass(frozen=True)
class BoardRow:
    cadre: Cadre
    entry: Whereabouts | None
    on_leave: bool
    stale: bool  # nothing in force, or an open-ended entry set before today

    @property
    def away_for_a_span(self) -> bool:
        """Set elsewhere until a given end (a trip until Friday): the morning update leaves it be."""
        return bool(self.entry and self.entry.ends_at and self.entry.status != Status.AT_OFFICE)


def board_rows(township_id: int, at: datetime | None = None) -> list[BoardRow]:
    """Every active cadre with the entry in force now and whether it needs today's update."""
    from portal.services.office.cadres import list_cadres

    at = at or utcnow()
    today = local_date(at)
    start_of_day = local_dt(today, time(0))
    cadres = list_cadres(township_id)
    entries = current_entries([c.id for c in cadres], at)
    leave = on_leave_ids(township_id, today)
    rows = []
    for cadre in cadres:
        entry = entries.get(cadre.id)
        stale = entry is None or (entry.ends_at is None and entry.starts_at < start_of_day)
        rows.append(BoardRow(cadre, entry, cadre.id in leave, stale))
    return rows


def history(cadre_id: int, limit: int = 50) -> list[Whereabouts]:
    """A cadre's entries, newest first (staff only: the history is never public)."""
    return list(db.session.scalars(
        select(Whereabouts).where(Whereabouts.cadre_id == cadre_id)
        .order_by(Whereabouts.starts_at.desc(), Whereabouts.id.desc()).limit(limit)
    ))


def chiefs_away_in_office_hours(township_id: int, start: date, end: date) -> dict[str, set[date]]:
    """Days on which the Party secretary and the township head are away (leave or an away status)."""
    chiefs = {c.id: c.chief_role for c in db.session.scalars(
        select(Cadre).where(Cadre.township_id == township_id, Cadre.active.is_(True),
                            Cadre.chief_role.is_not(None)))}
    key = {ChiefRole.SECRETARY: SECRETARY, ChiefRole.HEAD: HEAD}
    away: dict[str, set[date]] = {SECRETARY: set(), HEAD: set()}
    if not chiefs:
        return away
    for leave in db.session.scalars(
        select(Leave).where(Leave.cadre_id.in_(chiefs), Leave.in_force(),
                            Leave.start_date <= end, Leave.end_date >= start)
    ):
        d = max(leave.start_date, start)
        while d <= min(leave.end_date, end):
            away[key[chiefs[leave.cadre_id]]].add(d)
            d += timedelta(days=1)
    span_start, span_end = local_dt(start, time(0)), local_dt(end + timedelta(days=1), time(0))
    for entry in db.session.scalars(
        select(Whereabouts).where(Whereabouts.cadre_id.in_(chiefs),
                                  Whereabouts.status.in_(list(AWAY_STATUSES)),
                                  Whereabouts.starts_at < span_end,
                                  or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > span_start))
    ):
        _mark_working_hours(away[key[chiefs[entry.cadre_id]]], entry, start, end)
    return away


def _mark_working_hours(days: set[date], entry: Whereabouts, start: date, end: date) -> None:
    """Days whose office hours (9:00-17:00 local) the away entry overlaps."""
    d = max(local_date(entry.starts_at), start)
    last = min(local_date(entry.ends_at) if entry.ends_at else end, end)
    while d <= last:
        opens, closes = local_dt(d, time(9)), local_dt(d, time(17))
        if entry.starts_at < closes and (entry.ends_at is None or entry.ends_at > opens):
            days.add(d)
        d += timedelta(days=1)


def chiefs_both_away(township_id: int, at: datetime | None = None) -> bool:
    """Whether the Party secretary and the township head are both away today or right now."""
    at = at or utcnow()
    today = local_date(at)
    away = chiefs_away_in_office_hours(township_id, today, today)
    if today in away[SECRETARY] and today in away[HEAD]:
        return True
    chiefs = dict(db.session.execute(
        select(Cadre.chief_role, Cadre.id).where(Cadre.township_id == township_id, Cadre.active.is_(True),
                                                 Cadre.chief_role.is_not(None))).all())
    if len(chiefs) < 2:
        return False
    entries = current_entries(chiefs.values(), at)
    leave = on_leave_ids(township_id, today)
    return all(cid in leave or (cid in entries and entries[cid].status in AWAY_STATUSES)
               for cid in chiefs.values())
