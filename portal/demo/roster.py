"""Demo duty roster: day and night shifts around today in every demo township.

The previous, current and next month, plus, in 大庄镇, the National Day holiday week (with its
调休 Saturday) when it is not among them. Each township gets a few coverage gaps
(a night nobody was rostered, a shift without a leader, one without staff) and some
swaps (替班) recorded as such. In 大庄镇 the cadre on sick leave is still rostered on a night
of the leave, in the current month: the roster flags that slot until a substitute is put on it.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import insert, select

from portal.demo.base import COUNTY_CODE
from portal.extensions import db
from portal.models import Cadre, DutyAssignment, DutyRole, DutyShift, Leave, ShiftKind, Township
from portal.rules.calendar import iter_dates
from portal.services.office.roster import month_bounds, shift_month, usual_times
from portal.services.shared import townships as township_service
from portal.services.shared.calendar import official_calendar

DAZHUANG = COUNTY_CODE + "001"


def _range(today: date) -> tuple[date, date]:
    """The previous, the current and the next month."""
    first, _ = month_bounds(*shift_month(today.year, today.month, -1))
    return first, month_bounds(*shift_month(today.year, today.month, 1))[1]


def _holiday_week(today: date) -> list[date]:
    year = today.year if today >= date(today.year, 10, 11) else today.year - 1
    return iter_dates(date(year, 9, 30), date(year, 10, 11))


def _slots(days: list[date]) -> list[tuple[date, ShiftKind]]:
    calendar = official_calendar()
    slots = []
    for d in days:
        if calendar.is_rest_day(d):
            slots.append((d, ShiftKind.DAY))
        slots.append((d, ShiftKind.NIGHT))
    return slots


def _gap_plan(slots: list, today: date, rng: random.Random) -> dict:
    """Which slots get which defect: missing entirely, no leader, no staff."""
    ahead = [s for s in slots if s[0] >= today]
    behind = [s for s in slots if s[0] < today]
    plan = {}
    for defect, pool in (("none", ahead), ("no_leader", ahead), ("no_staff", behind),
                         ("no_leader", behind)):
        if pool:
            plan[rng.choice(pool)] = defect
    rest_days = [s for s in ahead if s[1] == ShiftKind.DAY]
    if rest_days:
        plan[rest_days[0]] = "no_leader"
    return plan


def _shifts_for(township: Township, slots: list, plan: dict, rng: random.Random):
    cadres = db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
        .order_by(Cadre.sort_order, Cadre.id)).all()
    leaders = [c for c in cadres if c.is_leader]
    staff = [c for c in cadres if not c.is_leader]
    shifts, people = [], []
    for i, (d, kind) in enumerate(slots):
        defect = plan.get((d, kind))
        if defect == "none":
            continue
        starts_at, ends_at = usual_times(d, kind)
        shifts.append({"township_id": township.id, "day": d, "kind": kind,
                       "starts_at": starts_at, "ends_at": ends_at})
        lead = [] if defect == "no_leader" else [leaders[i % len(leaders)]]
        n_staff = 2 if kind == ShiftKind.DAY else 1
        crew = [] if defect == "no_staff" else [staff[(i * 2 + k) % len(staff)] for k in range(n_staff)]
        people.append([(c, DutyRole.LEADER) for c in lead] + [(c, DutyRole.STAFF) for c in crew])
    if not shifts:
        return 0
    table = DutyShift.__table__
    ids = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), shifts).scalars().all()
    rows = []
    for shift_id, crew in zip(ids, people, strict=True):
        on_shift = {cadre.id for cadre, _role in crew}
        for cadre, role in crew:
            pool = leaders if role == DutyRole.LEADER else staff
            # A swap hands the slot to the next colleague who is not on this shift already.
            start = pool.index(cadre)
            partner = next((p for p in pool[start + 1:] + pool[:start] if p.id not in on_shift), None)
            swapped = partner is not None and rng.random() < 0.08
            on_duty = partner if swapped else cadre
            on_shift.add(on_duty.id)
            rows.append({"shift_id": shift_id, "cadre_id": on_duty.id, "role": role,
                         "replaces_id": cadre.id if swapped else None,
                         "note": "换班（演示）" if swapped else ""})
    if rows:
        db.session.execute(insert(DutyAssignment.__table__), rows)
    return len(shifts)


def _leave_clash(township: Township, today: date) -> None:
    """The cadre on leave today stays on the staff of a night of the leave (this month)."""
    leave = db.session.scalar(
        select(Leave).where(Leave.township_id == township.id, Leave.in_force(),
                            Leave.start_date <= today, Leave.end_date >= today).order_by(Leave.id))
    if leave is None:
        return
    day = max(leave.start_date, today.replace(day=1))
    shift = db.session.scalar(select(DutyShift).where(
        DutyShift.township_id == township.id, DutyShift.day == day,
        DutyShift.kind == ShiftKind.NIGHT))
    if shift is None:
        starts_at, ends_at = usual_times(day, ShiftKind.NIGHT)
        shift = DutyShift(township_id=township.id, day=day, kind=ShiftKind.NIGHT,
                          starts_at=starts_at, ends_at=ends_at)
        db.session.add(shift)
    for assignment in list(shift.assignments):
        # Nobody stands in: neither the leave's substitute nor anyone else on the staff.
        if assignment.role == DutyRole.STAFF or assignment.cadre_id == leave.substitute_id:
            shift.assignments.remove(assignment)
    shift.assignments.append(DutyAssignment(cadre_id=leave.cadre_id, role=DutyRole.STAFF))


def seed(today: date) -> list[str]:
    """Shifts with leaders and staff, some gaps and swaps, in every demo township."""
    if db.session.scalar(select(DutyShift.id).limit(1)) is not None:
        return ["duty roster already present: left as it is"]
    townships = db.session.scalars(
        select(Township).where(Township.code.startswith(COUNTY_CODE)).order_by(Township.code)).all()
    rng = random.Random(20261001)
    start, end = _range(today)
    days = iter_dates(start, end)
    total = 0
    for township in townships:
        township_days = list(days)
        if township.code == DAZHUANG:
            township_days = sorted(set(township_days) | set(_holiday_week(today)))
        slots = _slots(township_days)
        plan = _gap_plan(slots, today, rng)
        if township.code == DAZHUANG:
            holiday = [s for s in slots if s[0] in set(_holiday_week(today))]
            # On the holiday: one night nobody was rostered, one day without staff.
            plan[holiday[4]] = "none"
            plan[holiday[7]] = "no_staff"
        total += _shifts_for(township, slots, plan, rng)
        if township.code == DAZHUANG:
            _leave_clash(township, today)
        township_service.touch(township.id)
    db.session.commit()
    return [f"duty roster: {total} shifts from {start} to {end}, with gaps and swaps"]
