"""The demo county has spot checks with mismatches, so /stats shows movement."""

from sqlalchemy import select

from portal import demo as demo_data
from portal.extensions import db
from portal.models import Region, Report, Source, SpotCheck, SpotCheckFinding
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.oversight import stats


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


def test_week_by_week_compliance_equals_the_office_service(demo):
    """stats hands each week only its records; the figures are those of rule543.compute_weeks."""
    from datetime import timedelta

    from portal.models import Cadre
    from portal.services.office import rule543
    from portal.services.oversight.stats_figures import _weeks_of
    from portal.services.shared.calendar import official_calendar

    with demo.app_context():
        today = local_date(utcnow())
        weeks = rule543.weeks_between(today - timedelta(days=70), today - timedelta(days=7))
        leaders = db.session.scalars(select(Cadre.id).where(Cadre.is_leader.is_(True))).all()
        start, end = rule543.span_for(weeks)
        gathered = rule543.gather(leaders, start, end)
        calendar = official_calendar()
        compliant = 0
        for cadre_id in leaders:
            ours = _weeks_of(gathered[cadre_id], weeks, calendar)
            theirs = rule543.compute_weeks(gathered[cadre_id], weeks, calendar)
            assert [(r.work_days, r.nights, r.village_days, r.compliant) for r in ours] == [
                (r.work_days, r.nights, r.village_days, r.compliant) for r in theirs]
            compliant += sum(r.compliant for r in ours)
        assert compliant > 0  # the demo has compliant weeks to compare
