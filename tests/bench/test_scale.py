"""The scale generator: a small national-shaped data set that the app serves correctly."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cadre, DutyShift, Region, RegionLevel, Report, ReportEvent, Township, Whereabouts


def test_demo_scale_builds_linked_rows_and_reports_counts(app, runner):
    result = runner.invoke(args=["demo", "scale", "--townships", "40", "--cadres-per-township", "12",
                                 "--reports", "300"])
    assert result.exit_code == 0, result.output
    assert "done in" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Township.id))) == 40
        assert db.session.scalar(select(func.count(Cadre.id))) == 480
        assert db.session.scalar(select(func.count(Whereabouts.id))) == 480
        assert db.session.scalar(select(func.count(Report.id))) == 300
        counties = db.session.scalar(
            select(func.count(Region.id)).where(Region.level == RegionLevel.COUNTY))
        assert counties >= 1
        # Every report's history starts with its submission and ends in its status.
        report = db.session.scalars(select(Report).where(Report.status == "rectified")).first()
        kinds = [e.kind for e in db.session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report.id).order_by(ReportEvent.id))]
        assert kinds[0] == "submitted" and kinds[-1] == "rectified"
        assert db.session.scalar(select(func.count(DutyShift.id))) >= 40 * 28
        township = db.session.scalars(select(Township)).first()
        assert township.initials and township.pinyin.startswith(township.initials[0])
    # The ORM can still insert after explicit ids (sequences moved on PostgreSQL).
    with app.app_context():
        from tests import factories

        factories.cadre(db.session.scalars(select(Township)).first())
        db.session.commit()
    again = runner.invoke(args=["demo", "scale", "--townships", "5", "--reports", "0"])
    assert again.exit_code != 0 and "already present" in again.output
