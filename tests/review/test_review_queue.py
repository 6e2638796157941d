"""The queue service: scope, filters, counts, keyset pagination that never uses OFFSET."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql

from portal.extensions import db
from portal.models import Report, ReportStatus, Township, User
from portal.services import queue
from portal.services.queue import QueueFilters
from tests.review.conftest import make_report

S = ReportStatus
BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _many(app, world, n, township="township", **fields):
    with app.app_context():
        t = db.session.get(Township, getattr(world, township).id)
        ids = [make_report(t, submitted_at=BASE + timedelta(minutes=i), **fields).public_id for i in range(n)]
        db.session.commit()
        return ids


def test_keyset_pages_cover_everything_once_in_order(app, world):
    ids = _many(app, world, 23)
    # Equal timestamps must not lose or repeat rows at a page boundary.
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        same = [make_report(t, submitted_at=BASE + timedelta(minutes=10)).public_id for _ in range(4)]
        db.session.commit()
        user = db.session.get(User, world.inspector.id)
        seen, cursor, pages = [], None, 0
        while True:
            page = queue.fetch_page(user=user, filters=QueueFilters(), cursor=cursor, size=5)
            seen += [r.public_id for r in page.reports]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert pages == 6
        assert len(seen) == len(set(seen)) == 27
        assert set(seen) == set(ids) | set(same)
        times = [db.session.scalar(select(Report.submitted_at).where(Report.public_id == p)) for p in seen]
        assert times == sorted(times, reverse=True)


def test_due_order_puts_the_most_overdue_first(app, world):
    now = BASE + timedelta(days=40)
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        late = make_report(t, submitted_at=BASE)
        later = make_report(t, submitted_at=BASE + timedelta(days=1))
        closed = make_report(t, submitted_at=BASE - timedelta(days=5), status=S.NOT_ACCEPTED)
        accepted = make_report(t, submitted_at=BASE + timedelta(days=2), status=S.ACCEPTED,
                               conclude_due=BASE + timedelta(days=32))
        db.session.commit()
        user = db.session.get(User, world.inspector.id)
        page = queue.fetch_page(user=user, filters=QueueFilters(sort="due"), size=2, now=now)
        assert [r.public_id for r in page.reports] == [late.public_id, later.public_id]
        rest = queue.fetch_page(user=user, filters=QueueFilters(sort="due"), cursor=page.next_cursor,
                                size=2, now=now)
        assert [r.public_id for r in rest.reports] == [accepted.public_id]
        assert closed.public_id not in [r.public_id for r in page.reports + rest.reports]
        overdue = queue.fetch_page(user=user, filters=QueueFilters(overdue=True), now=now)
        assert {r.public_id for r in overdue.reports} == {late.public_id, later.public_id, accepted.public_id}


def test_counts_per_status_ignore_the_status_filter_but_keep_the_others(app, world):
    _many(app, world, 3)
    _many(app, world, 2, status=S.ACCEPTED)
    _many(app, world, 4, township="township2", status=S.ACCEPTED)
    _many(app, world, 5, township="foreign_township")
    with app.app_context():
        user = db.session.get(User, world.inspector.id)
        counts = queue.status_counts(user, QueueFilters(status="submitted"))
        assert counts["submitted"] == 3 and counts["accepted"] == 6 and counts["all"] == 9
        code = db.session.get(Township, world.township.id).code
        counts = queue.status_counts(user, QueueFilters(township=code))
        assert counts["accepted"] == 2 and counts["open"] == 5


def test_assigned_to_me(app, world):
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        mine = make_report(t, status=S.VERIFYING, assignee_id=world.inspector.id)
        make_report(t, status=S.VERIFYING, assignee_id=world.inspector2.id)
        db.session.commit()
        user = db.session.get(User, world.inspector.id)
        page = queue.fetch_page(user=user, filters=QueueFilters(mine=True))
        assert [r.public_id for r in page.reports] == [mine.public_id]
        assert page.assignees[world.inspector.id].username == "insp1"


def test_a_malformed_cursor_means_the_first_page(app, world):
    ids = _many(app, world, 3)
    with app.app_context():
        user = db.session.get(User, world.inspector.id)
        for bad in ("%%%", "bm90IGEgY3Vyc29y", "x" * 500, "MjAyNi0wMS0wMXwx"):
            page = queue.fetch_page(user=user, filters=QueueFilters(), cursor=bad)
            assert len(page.reports) == 3 and set(r.public_id for r in page.reports) == set(ids)


def test_page_ten_thousand_costs_what_page_one_costs(app, world):
    """The query of a deep page seeks by index: no OFFSET, no sort of the whole table."""
    with app.app_context():
        user = db.session.get(User, world.inspector.id)
        deep = queue.encode_cursor(BASE - timedelta(days=3000), 10_000 * 50)
        stmt = queue.page_statement(user, QueueFilters(), deep, 50)
        # SQLite's compiler always writes "LIMIT ? OFFSET ?": read the statement as PostgreSQL's.
        sql = str(stmt.compile(dialect=postgresql.dialect()))
        assert "OFFSET" not in sql.upper() and "(report.submitted_at, report.id) <" in sql
        if db.engine.dialect.name == "sqlite":
            detail = " ".join(str(row[-1]) for row in _explain(stmt))
            assert "ix_report_county_submitted" in detail or "ix_report_county_status_submitted" in detail
            assert "TEMP B-TREE FOR ORDER BY" not in detail, detail


def _explain(stmt):
    """EXPLAIN QUERY PLAN of the statement as it runs, with its real (processed) parameters."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        db.session.execute(stmt).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = seen[-1]
    return db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()


def test_a_city_inspector_pages_through_several_counties_in_order(app, world):
    a = _many(app, world, 4)
    b = _many(app, world, 3, township="foreign_township")
    with app.app_context():
        user = db.session.get(User, world.city_inspector.id)
        seen, cursor = [], None
        while True:
            page = queue.fetch_page(user=user, filters=QueueFilters(), cursor=cursor, size=3)
            seen += [r.public_id for r in page.reports]
            if not (cursor := page.next_cursor):
                break
        assert set(seen) == set(a) | set(b) and len(seen) == 7
        times = [db.session.scalar(select(Report.submitted_at).where(Report.public_id == p)) for p in seen]
        assert times == sorted(times, reverse=True)
        if db.engine.dialect.name == "sqlite":
            stmt = queue.page_statement(user, QueueFilters(), queue.encode_cursor(BASE, 99), 50)
            detail = " ".join(str(row[-1]) for row in _explain(stmt))
            # Each county's newest reports come off the index; only the merged tops are sorted.
            assert detail.count("ix_report_county_submitted (county_id=? AND submitted_at<?)") >= 2, detail
