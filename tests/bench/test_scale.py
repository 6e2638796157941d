"""The scale generator: a small national-shaped data set that the app serves correctly."""

from __future__ import annotations

import random
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.demo.scale import ScalePlan
from portal.demo.scale_reports import report_townships
from portal.extensions import db
from portal.models import (
    Cadre,
    DutyShift,
    Region,
    RegionLevel,
    Report,
    ReportEvent,
    ReportStatus,
    Township,
    Whereabouts,
)
from portal.models.report import ReportTally
from portal.services.casework.queue import OPEN_STATUSES


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


def test_reports_carry_their_region_path_tally_and_escalations(app, runner):
    result = runner.invoke(args=["demo", "scale", "--townships", "30", "--cadres-per-township", "7",
                                 "--reports", "400"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        county, city = aliased(Region), aliased(Region)
        wrong = db.session.scalar(
            select(func.count(Report.id)).join(county, county.id == Report.county_id)
            .join(city, city.id == county.parent_id)
            .where((Report.city_id != city.id) | (Report.province_id != city.parent_id)))
        assert wrong == 0
        counted = {}
        for column in (Report.county_id, Report.city_id, Report.province_id):
            key = (column, Report.category, Report.status, Report.escalation_level)
            counted.update({tuple(r[:4]): r[4] for r in db.session.execute(
                select(*key, func.count()).group_by(*key))})
        tallied = {tuple(r[:4]): r[4] for r in db.session.execute(select(
            ReportTally.region_id, ReportTally.category, ReportTally.status,
            ReportTally.escalation_level, ReportTally.n)) if r[4]}
        assert tallied == counted
        escalated = db.session.scalars(select(Report).where(Report.escalation_level == 1)).all()
        assert escalated and all(r.status in OPEN_STATUSES and r.escalated_at for r in escalated)
        last = escalated[0].events[-1]
        assert last.kind == "escalated" and last.at == escalated[0].escalated_at
        assert last.staff_note.startswith("合成市")
        # The triggers are back: an ORM write still counts.
        report = db.session.scalars(select(Report).where(Report.status == ReportStatus.SUBMITTED)).first()
        report.status = ReportStatus.ACCEPTED
        db.session.commit()
        assert db.session.scalar(select(func.sum(ReportTally.n)).where(
            ReportTally.status == ReportStatus.ACCEPTED)) == 3 * counted_status(ReportStatus.ACCEPTED)


def counted_status(status: ReportStatus) -> int:
    return db.session.scalar(select(func.count(Report.id)).where(Report.status == status))


def test_the_first_province_gets_its_share_of_the_reports_exactly():
    plan = ScalePlan(townships=1000, cadres_per_township=7, reports=1000, focus_share=0.51)
    generator = SimpleNamespace(plan=plan, rng=random.Random(1), first_province_counties=40,
                                ancestors={county: (0, 0) for county in range(77)})
    townships = list(report_townships(generator))
    assert len(townships) == 1000
    assert sum(1 for t in townships if t % 77 < 40) == 510
    assert len(set(townships)) > 400  # spread over the townships, not piled on a few
