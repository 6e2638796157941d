"""A township whose board, roster and leave on Wednesday 18 November 2026 are known by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from portal.extensions import db
from portal.models import (
    ChiefRole,
    DutyAssignment,
    DutyRole,
    DutyShift,
    Leave,
    LeaveKind,
    Role,
    ShiftKind,
    Status,
    Whereabouts,
)
from portal.rules.calendar import TZ
from tests import factories
from tests.conftest import at


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


CHECK_AT = local(11, 18, 10)  # a Wednesday, office hours


@dataclass
class Town:
    county_id: int
    township_id: int
    other_township_id: int
    ids: dict[str, int]
    public_ids: dict[str, str]
    inspector_id: int
    supervisor_id: int
    other_supervisor_id: int
    outsider_id: int


def board(cadre, status, starts, recorded=None, ends=None, superseded=None, village=""):
    entry = Whereabouts(cadre_id=cadre.id, township_id=cadre.township_id, status=status,
                        starts_at=starts, ends_at=ends, recorded_at=recorded or starts,
                        superseded_at=superseded, village=village, note="内部备注")
    db.session.add(entry)
    return entry


def shift(township, day, kind, starts, ends, leader=None, staff=(), recorded=None):
    s = DutyShift(township_id=township.id, day=day, kind=kind, starts_at=starts, ends_at=ends)
    if leader is not None:
        s.assignments.append(DutyAssignment(cadre_id=leader.id, role=DutyRole.LEADER,
                                            recorded_at=recorded or local(11, 1, 9)))
    for person in staff:
        s.assignments.append(DutyAssignment(cadre_id=person.id, role=DutyRole.STAFF,
                                            recorded_at=recorded or local(11, 1, 9)))
    db.session.add(s)
    return s


@pytest.fixture
def town(app) -> Town:
    """Cadres and what the records said about them on 18 November 2026."""
    # The tests look back at that Wednesday from a week later, whatever the real date.
    at("2026-11-25T10:00")
    with app.app_context():
        county = factories.county()
        t = factories.township(county, name="检查镇")
        other = factories.township(county, name="别处镇")
        c = {
            "secretary": factories.cadre(t, "书记甲", "党委书记", True, ChiefRole.SECRETARY),
            "clerk": factories.cadre(t, "干事乙"),
            "onleave": factories.cadre(t, "干事丙"),
            "boardleave": factories.cadre(t, "干事丁"),
            "late": factories.cadre(t, "干事戊"),
            "changed": factories.cadre(t, "干事己"),
            "away": factories.cadre(t, "干事庚"),
        }
        stranger = factories.cadre(other, "外镇干部")
        morning = local(11, 18, 8)
        board(c["secretary"], Status.AT_OFFICE, morning)
        board(c["clerk"], Status.AT_OFFICE, morning)
        board(c["boardleave"], Status.LEAVE, morning)
        # Entered at 10:30, backdated to 08:00: after the check, so it does not count.
        board(c["late"], Status.AT_OFFICE, morning, recorded=local(11, 18, 10, 30))
        # 下村 from 08:00; at 11:00 changed to 在岗 from 09:00 (closing the first entry early).
        board(c["changed"], Status.VILLAGE, morning, ends=local(11, 18, 9),
              superseded=local(11, 18, 11), village="东村")
        board(c["changed"], Status.AT_OFFICE, local(11, 18, 9), recorded=local(11, 18, 11))
        board(c["away"], Status.MEETING, morning)
        # An older, ended entry must not win over the current one.
        board(c["secretary"], Status.OFF, local(11, 17, 18), ends=morning)
        db.session.add(Leave(cadre_id=c["onleave"].id, township_id=t.id, kind=LeaveKind.SICK,
                             start_date=date(2026, 11, 17), end_date=date(2026, 11, 19),
                             reason="私人原因", recorded_at=local(11, 16, 9)))
        db.session.add(Leave(cadre_id=c["boardleave"].id, township_id=t.id,
                             kind=LeaveKind.ANNUAL, start_date=date(2026, 11, 18),
                             end_date=date(2026, 11, 18), cancelled=True,
                             recorded_at=local(11, 16, 9)))
        # Night shift of the 18th: 18:00 to 08:00 the next morning.
        shift(t, date(2026, 11, 18), ShiftKind.NIGHT, local(11, 18, 18), local(11, 19, 8),
              leader=c["secretary"], staff=[c["clerk"]])
        shift(t, date(2026, 11, 19), ShiftKind.NIGHT, local(11, 19, 18), local(11, 20, 8),
              leader=c["secretary"], staff=[c["away"]])
        inspector = factories.user(Role.INSPECTOR, scope_region=county)
        supervisor = factories.user(Role.SUPERVISOR, townships=[t], totp=False)
        other_supervisor = factories.user(Role.SUPERVISOR, townships=[t], totp=False)
        outsider = factories.user(Role.SUPERVISOR, townships=[other], totp=False)
        db.session.commit()
        c["stranger"] = stranger
        return Town(county.id, t.id, other.id, {k: v.id for k, v in c.items()},
                    {k: v.public_id for k, v in c.items()}, inspector.id, supervisor.id,
                    other_supervisor.id, outsider.id)
