"""A cadre rostered while on leave or on a trip: flagged on the public roster, the roster API
and the calendar feed, by kind only (a leave's reason never shows), until a substitute fills in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.extensions import db
from portal.models import DutyAssignment, Status, User
from portal.services.office import duty, duty_changes
from portal.services.shared import townships
from tests import factories
from tests.public.helpers import entry, leave, local, shift, today_local, township_with_cadres

NIGHT = duty.ShiftKind.NIGHT
REASON = "住院治疗（私密）"
# Wednesday 2 to Friday 4 December 2026: working days, so only the nights are required.
D2, D3, D4 = date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)


@pytest.fixture
def december(app):
    """Three nights: staff on leave; the duty leader on a trip; staff on leave but their
    leave's substitute on the same shift."""
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(4)
        shift(t, D2, NIGHT, leaders=[deputy], staff=[staff[0]])
        shift(t, D3, NIGHT, leaders=[deputy], staff=[staff[1]])
        shift(t, D4, NIGHT, leaders=[head], staff=[staff[2], staff[3]])
        leave(staff[0], D2, D2 + timedelta(days=5), reason=REASON)
        entry(deputy, Status.TRIP, local(D3, 9), local(D3 + timedelta(days=1), 17), note="赴省里学习")
        leave(staff[2], D4, D4, substitute=staff[3], reason=REASON)
        db.session.commit()
        return t.code


def _slots(app, code: str) -> dict:
    body = app.test_client().get(
        f"/api/v1/townships/{code}/roster?from=2026-12-02&to=2026-12-04").get_json()
    return {(d["date"], s["kind"]): s for d in body["days"] for s in d["slots"]}


def test_public_roster_flags_the_absent_cadre_by_kind_only(app, december):
    html = app.test_client().get(f"/t/{december}/roster?month=2026-12").get_data(as_text=True)
    assert "干事00请假，无人替班" in html
    assert "副镇长丙出差，无人替班" in html
    # 干事02's substitute 干事03 is on the same night: covered, nothing flagged for them.
    assert "干事02请假" not in html
    assert REASON not in html and "赴省里学习" not in html


def test_roster_api_gap_names_who_is_absent_and_why(app, december):
    slots = _slots(app, december)
    gap = slots[("2026-12-02", "night")]["gap"]
    assert gap["missing_staff"] is True and gap["missing_leader"] is False
    assert [(a["name"], a["role"], a["kind"]) for a in gap["absent"]] == [("干事00", "staff", "leave")]
    trip = slots[("2026-12-03", "night")]["gap"]
    assert trip["missing_leader"] is True
    assert [(a["name"], a["role"], a["kind"]) for a in trip["absent"]] == [("副镇长丙", "leader", "trip")]
    assert slots[("2026-12-04", "night")]["gap"] is None
    text = app.test_client().get(
        f"/api/v1/townships/{december}/roster?from=2026-12-02&to=2026-12-04").get_data(as_text=True)
    assert REASON not in text and "reason" not in text and "赴省里学习" not in text


def test_a_recorded_substitute_removes_the_gap(app, december):
    assert _slots(app, december)[("2026-12-02", "night")]["gap"] is not None
    with app.app_context():
        t = townships.get_by_code(december)
        assignment = db.session.scalar(
            select(DutyAssignment).join(DutyAssignment.shift)
            .where(duty.DutyShift.township_id == t.id, duty.DutyShift.day == D2,
                   DutyAssignment.role == duty.DutyRole.STAFF))
        staff03 = db.session.scalar(select(duty.Cadre).where(duty.Cadre.township_id == t.id,
                                                             duty.Cadre.name == "干事03"))
        clerk = factories.user(factories.Role.CLERK, townships=[t])
        db.session.commit()
        duty_changes.substitute(user=db.session.get(User, clerk.id), township=t, assignment=assignment,
                        cadre_id=staff03.id)
    assert _slots(app, december)[("2026-12-02", "night")]["gap"] is None
    html = app.test_client().get(f"/t/{december}/roster?month=2026-12").get_data(as_text=True)
    assert "干事00请假" not in html


def test_calendar_feed_names_the_absence_not_the_reason(app):
    today = today_local()
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(2)
        shift(t, today, NIGHT, leaders=[deputy], staff=[staff[0]])
        leave(staff[0], today, today, reason=REASON)
        db.session.commit()
        code = t.code
    cal = Calendar.from_ical(app.test_client().get(f"/t/{code}/roster.ics").data)
    (event,) = cal.walk("VEVENT")
    assert "干事00请假，无人替班" in str(event["SUMMARY"])
    assert REASON not in str(event["SUMMARY"]) + str(event.get("DESCRIPTION", ""))


def test_demo_shows_the_cadre_on_leave_flagged_on_this_months_roster(demo):
    from portal.demo.roster import DAZHUANG
    from portal.models import Leave

    today = today_local()
    with demo.app_context():
        t = townships.get_by_code(DAZHUANG)
        on_leave = db.session.scalar(select(Leave).where(
            Leave.township_id == t.id, Leave.start_date <= today, Leave.end_date >= today))
        name, reason = on_leave.cadre.name, on_leave.reason
    html = demo.test_client().get(f"/t/{DAZHUANG}/roster").get_data(as_text=True)
    assert f"{name}请假，无人替班" in html
    assert reason and reason not in html
