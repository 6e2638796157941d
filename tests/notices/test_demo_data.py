"""The demo county's attendance records and notices look lived-in, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.demo import attendance as demo_attendance
from portal.extensions import db
from portal.models import FieldDiary, Leave, MonthlyNotice, SignIn, Township, VillageVisit
from portal.models.base import utcnow
from portal.rules.calendar import local_date


def test_every_demo_township_has_records_and_last_months_notice(demo):
    today = local_date(utcnow())
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with demo.app_context():
        towns = db.session.scalars(select(Township)).all()
        published = set(db.session.scalars(select(MonthlyNotice.township_id)
                                           .where(MonthlyNotice.month == month)))
        assert published == {t.id for t in towns}
        per_town = dict(db.session.execute(
            select(SignIn.township_id, func.count(SignIn.id)).group_by(SignIn.township_id)).all())
        assert all(per_town.get(t.id, 0) > 500 for t in towns)
        confirmed = db.session.scalar(select(func.count(VillageVisit.id))
                                      .where(VillageVisit.confirmed_at.is_not(None)))
        unconfirmed = db.session.scalar(select(func.count(VillageVisit.id))
                                        .where(VillageVisit.confirmed_at.is_(None)))
        assert confirmed > 100 and unconfirmed > 10
        assert db.session.scalar(select(func.count(FieldDiary.id))) > confirmed
        assert db.session.scalar(select(func.count(Leave.id)).where(Leave.substitute_id.is_not(None))) >= 8
        code = towns[0].code
    client = demo.test_client()
    page = client.get(f"/t/{code}/notices/{month}")
    assert page.status_code == 200 and "5-4-3" in page.get_data(as_text=True)


def test_seeding_again_adds_nothing(demo):
    with demo.app_context():
        before = db.session.scalar(select(func.count(SignIn.id)))
        lines = demo_attendance.seed(local_date(utcnow()))
        assert "already present" in lines[0]
        assert db.session.scalar(select(func.count(SignIn.id))) == before


def test_demo_leave_awaits_approval_and_past_leave_was_closed(demo):
    from portal.models import Cadre, LeaveState
    from portal.services.office import whereabouts

    with demo.app_context():
        waiting = db.session.scalars(select(Leave).where(Leave.state == LeaveState.REQUESTED)).all()
        assert any(x.cadre.is_leader for x in waiting) and any(not x.cadre.is_leader for x in waiting)
        returned = db.session.scalars(select(Leave).where(Leave.returned_on.is_not(None))).all()
        assert returned and all(db.session.get(Cadre, x.cadre_id).is_leader for x in returned)
        first = waiting[0]
        assert first.cadre_id not in whereabouts.on_leave_ids(first.township_id, first.start_date)
