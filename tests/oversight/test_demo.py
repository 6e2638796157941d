"""The demo county has spot checks with mismatches, so /stats shows movement."""

from sqlalchemy import select

from portal import demo as demo_data
from portal.extensions import db
from portal.models import Region, Report, Source, SpotCheck, SpotCheckFinding
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services import stats


def test_demo_spot_checks_show_movement_and_a_reported_mismatch(demo):
    with demo.app_context():
        assert db.session.query(SpotCheck).count() > 40
        mismatches = db.session.query(SpotCheckFinding).filter(SpotCheckFinding.mismatch != "")
        assert mismatches.count() > 10
        linked = db.session.scalars(
            select(SpotCheckFinding).where(SpotCheckFinding.report_id.is_not(None))).all()
        assert len(linked) == 1
        report = db.session.get(Report, linked[0].report_id)
        assert report.source == Source.SPOT_CHECK
        today = local_date(utcnow())
        county = db.session.scalar(select(Region).where(Region.code == "990101"))
        result = stats.county_stats(county, stats.default_period(today), today)
        accuracy = [f.accuracy for _p, f in result.trend if f.accuracy is not None]
        assert len(accuracy) >= 5
        assert len(set(accuracy)) > 1  # the months differ
        assert accuracy[-1] > accuracy[0]  # and the boards got truer
    response = demo.test_client().get("/stats")
    assert response.status_code == 200
    assert "公示准确率" in response.get_data(as_text=True)


def test_seeding_twice_adds_no_spot_checks(demo):
    with demo.app_context():
        before = db.session.query(SpotCheck).count()
        lines = demo_data.seed()
        assert any("demo spot checks already present" in line for line in lines)
        assert db.session.query(SpotCheck).count() == before
