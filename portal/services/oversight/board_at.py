"""What the whereabouts board, the duty roster and approved leave said at a moment.

Pure queries: nothing here writes. Spot checks compare their findings with it, and the
review side's cross-check may reuse it.

API (every `at` and `known_at` is an aware datetime):

- `whereabouts_at(cadre_ids, at, known_at=None) -> {cadre_id: Whereabouts}`: the entry
  in force at `at` (starts_at <= at < ends_at, or open), the latest start winning.
- `leave_at(cadre_ids, at, known_at=None) -> {cadre_id: Leave}`: approved, not
  cancelled leave covering the local date of `at`.
- `shifts_at(township_id, at, known_at=None) -> [ShiftAt]`: the duty shifts running at
  `at` (starts_at <= at < ends_at: a moment exactly at a shift's end belongs to the next
  shift), with the leaders and staff assigned.
- `township_at(township_id, at, known_at=None) -> TownshipAt` and
  `cadre_at(cadre_id, at, known_at=None) -> CadreAt`: all three together.

`known_at` says as of when the records are read. By default it is `at` itself: "what the
board said at t, as anyone could see it at t", which ignores entries recorded after t (a
board corrected after a spot check or a report does not hide what it said). Pass
`known_at=utcnow()` for what the records say now about that moment; comparing both shows
a board that was changed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Cadre, DutyRole, DutyShift, Leave, Whereabouts
from portal.rules.calendar import local_date


@dataclass(frozen=True)
class ShiftAt:
    """A duty shift running at the moment, with who was rostered on it then."""

    shift: DutyShift
    leader_ids: tuple[int, ...]
    staff_ids: tuple[int, ...]

    def role_of(self, cadre_id: int) -> DutyRole | None:
        """The cadre's role on this shift, or None."""
        if cadre_id in self.leader_ids:
            return DutyRole.LEADER
        if cadre_id in self.staff_ids:
            return DutyRole.STAFF
        return None


@dataclass(frozen=True)
class CadreAt:
    """One cadre's board entry, leave and duty at the moment."""

    cadre_id: int
    whereabouts: Whereabouts | None
    leave: Leave | None
    shifts: tuple[ShiftAt, ...] = ()

    @property
    def status(self):
        """The board status (a `Status`), or None when the board showed nothing."""
        return self.whereabouts.status if self.whereabouts else None

    @property
    def duty_role(self) -> DutyRole | None:
        """The cadre's role on a running shift (leader first), or None when not on duty."""
        roles = [s.role_of(self.cadre_id) for s in self.shifts]
        if DutyRole.LEADER in roles:
            return DutyRole.LEADER
        return DutyRole.STAFF if DutyRole.STAFF in roles else None


@dataclass(frozen=True)
class TownshipAt:
    """The board, roster and leave of a township at a moment."""

    township_id: int
    at: datetime
    known_at: datetime
    cadres: dict[int, CadreAt] = field(default_factory=dict)
    shifts: tuple[ShiftAt, ...] = ()


def _check(at: datetime, known_at: datetime | None) -> datetime:
    if at.tzinfo is None or (known_at is not None and known_at.tzinfo is None):
        raise ValueError("aware datetimes are required")
    return at if known_at is None else known_at


def whereabouts_at(cadre_ids: Iterable[int], at: datetime,
                   known_at: datetime | None = None) -> dict[int, Whereabouts]:
    """The board entry of each cadre in force at `at`, as recorded by `known_at`."""
    known = _check(at, known_at)
    ids = list(set(cadre_ids))
    if not ids:
        return {}
    # An entry closed early by an update made after `known_at` was still open as known then.
    stmt = (
        select(Whereabouts)
        .where(
            Whereabouts.cadre_id.in_(ids),
            Whereabouts.starts_at <= at,
            Whereabouts.recorded_at <= known,
            or_(
                Whereabouts.ends_at.is_(None),
                Whereabouts.ends_at > at,
                Whereabouts.superseded_at > known,
            ),
        )
        .order_by(Whereabouts.starts_at, Whereabouts.recorded_at, Whereabouts.id)
    )
    found: dict[int, Whereabouts] = {}
    for entry in db.session.scalars(stmt):
        found[entry.cadre_id] = entry  # ordered by start: the latest start wins
    return found


def leave_at(cadre_ids: Iterable[int], at: datetime,
             known_at: datetime | None = None) -> dict[int, Leave]:
    """Approved, not cancelled leave covering the local date of `at`, recorded by `known_at`."""
    known = _check(at, known_at)
    ids = list(set(cadre_ids))
    if not ids:
        return {}
    day = local_date(at)
    stmt = (
        select(Leave)
        .where(
            Leave.cadre_id.in_(ids), Leave.in_force(), Leave.start_date <= day,
            Leave.end_date >= day, func.coalesce(Leave.decided_at, Leave.recorded_at) <= known,
        )
        .order_by(Leave.start_date, Leave.id)
    )
    return {leave.cadre_id: leave for leave in db.session.scalars(stmt)}


def shifts_at(township_id: int, at: datetime, known_at: datetime | None = None) -> list[ShiftAt]:
    """The township's shifts running at `at`, with the assignments recorded by `known_at`."""
    known = _check(at, known_at)
    stmt = (
        select(DutyShift)
        .where(DutyShift.township_id == township_id, DutyShift.starts_at <= at,
               DutyShift.ends_at > at)
        .options(selectinload(DutyShift.assignments))
        .order_by(DutyShift.starts_at, DutyShift.id)
    )
    result = []
    for shift in db.session.scalars(stmt):
        current = [a for a in shift.assignments if a.recorded_at <= known]
        result.append(ShiftAt(
            shift,
            tuple(a.cadre_id for a in current if a.role == DutyRole.LEADER),
            tuple(a.cadre_id for a in current if a.role == DutyRole.STAFF),
        ))
    return result


def township_at(township_id: int, at: datetime, known_at: datetime | None = None,
                cadre_ids: Iterable[int] | None = None) -> TownshipAt:
    """Board, leave and duty of the township's cadres (or of `cadre_ids`) at `at`."""
    known = _check(at, known_at)
    if cadre_ids is None:
        cadre_ids = db.session.scalars(
            select(Cadre.id).where(Cadre.township_id == township_id, Cadre.active.is_(True))
        ).all()
    ids = list(cadre_ids)
    board = whereabouts_at(ids, at, known)
    leave = leave_at(ids, at, known)
    shifts = tuple(shifts_at(township_id, at, known))
    cadres = {
        cid: CadreAt(cid, board.get(cid), leave.get(cid),
                     tuple(s for s in shifts if s.role_of(cid) is not None))
        for cid in ids
    }
    return TownshipAt(township_id, at, known, cadres, shifts)


def cadre_at(cadre_id: int, at: datetime, known_at: datetime | None = None) -> CadreAt:
    """One cadre's board entry, leave and duty at `at`."""
    cadre = db.session.get(Cadre, cadre_id)
    if cadre is None:
        raise LookupError(f"no cadre {cadre_id}")
    return township_at(cadre.township_id, at, known_at, [cadre_id]).cadres[cadre_id]

