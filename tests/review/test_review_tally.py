"""report_tally: the triggers keep it exact; a region's counts per status come from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select, text, update

from portal.extensions import db
from portal.models import Category, Region, Report, ReportStatus, Role, Township, User
from portal.models.base import utcnow
from portal.models.report import ReportTally
from portal.services.casework import escalation, queue, reports, review, tally
from portal.services.casework.queue import QueueFilters
from portal.services.shared.scope import township_ids_in_scope
from tests import factories
from tests.review.conftest import make_report

S = ReportStatus


def _tallied() -> dict:
    rows = db.session.execute(select(ReportTally.region_id, ReportTally.category, ReportTally.status,
                                     ReportTally.escalation_level, ReportTally.n)).all()
    return {tuple(row[:4]): row[4] for row in rows if row[4]}


def _counted() -> dict:
    """What the tally should hold: each report counted in its county, city and province."""
    counted: dict = {}
    for column in (Report.county_id, Report.city_id, Report.province_id):
        key = (column, Report.category, Report.status, Report.escalation_level)
        rows = db.session.execute(select(*key, func.count()).where(column.is_not(None)).group_by(*key))
        counted.update({tuple(row[:4]): row[4] for row in rows})
    return counted


def test_the_tally_follows_every_write(app, world):
    with app.app_context():
        inspector = db.session.get(User, world.inspector.id)
        township = db.session.get(Township, world.township.id)
        filed, _receipt = reports.create_report(township=township, category=Category.LEFT_POST,
                                                description="工作日上午镇政府无人值班，电话无人接听。")
        other = make_report(db.session.get(Township, world.foreign_township.id), status=S.CONCLUDED)
        db.session.commit()
        assert _tallied() == _counted() and sum(_counted().values()) == 2 * 3
        review.accept(user=inspector, report=filed)
        review.claim(user=inspector, report=filed)
        assert _tallied() == _counted()
        assert _tallied()[(world.county.id, Category.LEFT_POST, S.VERIFYING, 0)] == 1
        escalation.escalate(now=utcnow() + timedelta(days=400))  # Core UPDATEs, no ORM events
        assert _tallied() == _counted()
        assert _tallied()[(world.county.id, Category.LEFT_POST, S.VERIFYING, 1)] == 1
        db.session.execute(update(Report).where(Report.id == other.id).values(category=Category.OTHER))
        db.session.execute(update(Report).where(Report.id == other.id).values(place="镇政府"))
        db.session.commit()
        assert _tallied() == _counted()
        db.session.execute(delete(Report).where(Report.id == other.id))
        db.session.commit()
        assert _tallied() == _counted() and sum(_counted().values()) == 1 * 3


def test_recount_rebuilds_the_regions_it_is_given(app, world):
    with app.app_context():
        for status in (S.SUBMITTED, S.ACCEPTED, S.ACCEPTED):
            make_report(db.session.get(Township, world.township.id), status=status)
        make_report(db.session.get(Township, world.foreign_township.id))
        db.session.commit()
        expected = _tallied()
        province = db.session.get(Region, world.city.id).parent_id
        db.session.execute(delete(ReportTally))
        tally.recount([world.county.id, world.other_county.id, world.city.id, province])
        assert _tallied() == expected == _counted()
        tally.recount([world.other_county.id])
        assert _tallied() == expected


@pytest.fixture
def spread(app, world):
    """Reports in every status over two counties, some escalated, one assigned to insp1."""
    with app.app_context():
        province = db.session.get(User, world.city_inspector.id).scope_region.parent
        factories.user(Role.INSPECTOR, scope_region=province, username="provinsp")
        towns = [db.session.get(Township, t.id) for t in
                 (world.township, world.township2, world.foreign_township)]
        categories = list(Category)
        for i in range(60):
            make_report(towns[i % 3], status=list(S)[i % len(S)], category=categories[i % 5],
                        escalation_level=1 if i % 4 == 0 else 0,
                        assignee_id=world.inspector.id if i == 7 else None)
        db.session.commit()
    return world


FILTERS = [QueueFilters(), QueueFilters(status="submitted"), QueueFilters(category="commuting"),
           QueueFilters(escalated=True, category="left_post"), QueueFilters(mine=True),
           QueueFilters(overdue=True), QueueFilters(status="open", escalated=True)]


@pytest.mark.parametrize("username", ["insp1", "cityinsp", "provinsp", "foreign", "sup1"])
def test_counts_from_the_tally_equal_counting_the_reports(app, spread, monkeypatch, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        code = db.session.get(Township, spread.township.id).code
        filters = [*FILTERS, QueueFilters(township=code)]
        tallied = [queue.status_counts(user, f) for f in filters]
        monkeypatch.setattr(tally, "covers", lambda _user: False)
        assert tallied == [queue.status_counts(user, f) for f in filters]
        assert tallied[0]["all"] == len(db.session.scalars(
            select(Report.id).where(Report.township_id.in_(township_ids_in_scope(user)))).all())


def test_counts_of_a_region_read_the_tally_not_the_reports(app, spread):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "provinsp"))
        assert tally.covers(user)
        seen = []

        def listen(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            queue.status_counts(user, QueueFilters(escalated=True))
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert seen and all("FROM report " not in s and "FROM report\n" not in s for s in seen), seen


@pytest.mark.parametrize("username", ["insp1", "cityinsp", "provinsp", "foreign", "sys1", "sup1",
                                      "clerk1", "cadmin"])
def test_the_queue_sees_exactly_the_townships_of_the_scope(app, spread, username):
    """The denormalised city and province columns give the same set as the region tree."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        by_column = set(db.session.scalars(select(Report.id).where(queue.visible_condition(user))))
        by_tree = set(db.session.scalars(
            select(Report.id).where(Report.township_id.in_(township_ids_in_scope(user)))))
        assert by_column == by_tree


def test_postgresql_tally_trigger_takes_the_audit_chain_lock(app):
    """One lock order for every report writer (see migration 0002): the audit chain's first."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        for function in ("report_tally_count", "audit_tail"):
            source = db.session.scalar(
                text("SELECT prosrc FROM pg_proc WHERE proname = :name"), {"name": function})
            body = source.split("BEGIN", 1)[1].strip().splitlines()
            assert body[0].strip() == "PERFORM pg_advisory_xact_lock(7201300);", function
