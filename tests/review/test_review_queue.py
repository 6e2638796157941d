"""The queue service: scope, filters, counts, keyset pagination that never uses OFFSET."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.dialects import postgresql

from portal.extensions import db
from portal.models import Region, RegionLevel, Report, ReportStatus, Role, Township, User
from portal.services.casework import queue
from portal.services.casework.queue import QueueFilters
from tests import factories
from tests.public.helpers import count_statements
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
        # "Overdue only" is written two ways (one per index it walks): the same reports.
        by_due = queue.fetch_page(user=user, filters=QueueFilters(overdue=True, sort="due"), now=now)
        assert [r.public_id for r in by_due.reports] == [late.public_id, later.public_id,
                                                         accepted.public_id]
        not_yet = queue.fetch_page(user=user, filters=QueueFilters(overdue=True, sort="due"),
                                   now=BASE + timedelta(days=3))
        assert not_yet.reports == []


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


def _explain(stmt, prefix: str = "EXPLAIN QUERY PLAN "):
    """EXPLAIN (QUERY PLAN) of the statement as it runs, with its real (processed) parameters."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        db.session.execute(stmt).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = seen[-1]
    return db.session.connection().exec_driver_sql(prefix + statement, parameters).all()


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
        stmt = queue.page_statement(user, QueueFilters(), queue.encode_cursor(BASE, 99), 50)
        # The city's reports, all counties together, come off one index in order: no sort.
        _assert_one_index_range(stmt, "ix_report_city_submitted", "city_id")


def _assert_index_walk(stmt, sqlite_search: str, postgresql_scan: str = "") -> None:
    """The statement's rows come off one index in order, with no sort."""
    if db.engine.dialect.name == "sqlite":
        detail = " ".join(str(row[-1]) for row in _explain(stmt))
        assert sqlite_search in detail, detail
        assert "TEMP B-TREE" not in detail, detail
        return
    # PostgreSQL prefers a sequential scan of a table this small: forbid it, so that the plan
    # shows that an index of the scope's column is walked in order, with no sort.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(str(row[0]) for row in _explain(stmt, prefix="EXPLAIN "))
    assert postgresql_scan in plan and "Sort" not in plan, plan


def _assert_one_index_range(stmt, index: str, column: str, postgresql_index: str = "") -> None:
    # (Which of the column's two time indexes PostgreSQL takes depends on statistics that a
    # tiny table lacks.)
    scope_indexes = postgresql_index or "ix_report_" + column.split("_id")[0]
    _assert_index_walk(stmt, f"{index} ({column}=? AND submitted_at<?)",
                       f"Index Scan Backward using {scope_indexes}")


def _province_inspector(world) -> User:
    province = db.session.get(Region, world.city.id).parent
    return factories.user(Role.INSPECTOR, scope_region=province, username="provinsp")


def test_a_province_inspector_pages_through_one_index_to_any_depth(app, world):
    a = _many(app, world, 4)
    b = _many(app, world, 3, township="foreign_township")
    with app.app_context():
        user = _province_inspector(world)
        db.session.commit()
        seen, cursor = [], None
        while True:
            page = queue.fetch_page(user=user, filters=QueueFilters(), cursor=cursor, size=2)
            seen += [r.public_id for r in page.reports]
            assert page.counts["all"] == 7
            if not (cursor := page.next_cursor):
                break
        assert set(seen) == set(a) | set(b) and len(seen) == 7
        deep = queue.encode_cursor(BASE - timedelta(days=3000), 10_000 * 50)
        _assert_one_index_range(queue.page_statement(user, QueueFilters(), deep, 50),
                                "ix_report_province_submitted", "province_id")
        _assert_one_index_range(queue.page_statement(user, QueueFilters(status="accepted"), deep, 50),
                                "ix_report_province_status_submitted", "province_id=? AND status")
        # The first view of a province's inspectors: the reports escalated to the province.
        _assert_one_index_range(queue.page_statement(user, QueueFilters(escalated=True), deep, 50),
                                "ix_report_province_escalated", "province_id",
                                postgresql_index="ix_report_province_escalated")


def _assert_due_range(stmt, column: str) -> None:
    """The page comes off ix_report_<region>_due in order, from the start of its range."""
    index = f"ix_report_{column.removesuffix('_id')}_due"
    _assert_index_walk(stmt, f"{index} ({column}=? AND <expr>>?", f"Index Scan using {index}")


def test_the_due_order_of_a_province_is_one_index_range_at_any_depth(app, world):
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        reports = [make_report(t, submitted_at=BASE + timedelta(hours=i)) for i in range(5)]
        reports += [make_report(t, submitted_at=BASE + timedelta(hours=i), status=S.CONCLUDED)
                    for i in range(5)]
        user = _province_inspector(world)
        db.session.commit()
        seen, cursor = [], None
        while True:
            page = queue.fetch_page(user=user, filters=QueueFilters(sort="due"), cursor=cursor,
                                    size=2)
            seen += [r.public_id for r in page.reports]
            if not (cursor := page.next_cursor):
                break
        # Open reports only, the nearest deadline first.
        assert seen == [r.public_id for r in reports[:5]]
        deep = queue.encode_cursor(BASE + timedelta(days=3), 10_000 * 50)
        for cursor in (None, deep):
            _assert_due_range(queue.page_statement(user, QueueFilters(sort="due"), cursor, 50),
                              "province_id")
            _assert_due_range(queue.page_statement(
                user, QueueFilters(sort="due", overdue=True), cursor, 50, now=BASE), "province_id")


def test_overdue_newest_first_walks_the_time_index_without_a_sort(app, world):
    """Newest first, "overdue only" filters the scope's time index on the way; it does not
    take the overdue part of the due index and sort all of it."""
    with app.app_context():
        user = _province_inspector(world)
        db.session.commit()
        stmt = queue.page_statement(user, QueueFilters(overdue=True), None, 50, now=BASE)
        _assert_index_walk(stmt, "ix_report_province_submitted")


def _statements_of_a_page(app, username: str, **filters) -> list[str]:
    with app.app_context():
        db.session.expire_all()
        user = db.session.scalar(select(User).where(User.username == username))
        with count_statements(app) as statements:
            page = queue.fetch_page(user=user, filters=QueueFilters(**filters))
            assert page.reports
        return list(statements)


@pytest.mark.parametrize("username", ["insp1", "cityinsp", "provinsp"])
def test_a_queue_page_runs_the_same_few_statements_whatever_the_size_of_the_region(
        app, world, username):
    """Page, assignees and counts per status, whatever the number of counties and reports."""
    _many(app, world, 3, status=S.VERIFYING, assignee_id=world.inspector.id, escalation_level=1)
    with app.app_context():
        _province_inspector(world)
        db.session.commit()
    small = _statements_of_a_page(app, username)
    small_escalated = _statements_of_a_page(app, username, escalated=True, status="all")
    with app.app_context():
        city = db.session.get(Region, world.city.id)
        for _ in range(5):
            town = factories.township(factories.region(RegionLevel.COUNTY, city))
            for i in range(12):
                make_report(town, submitted_at=BASE + timedelta(hours=i), status=list(S)[i % 7],
                            escalation_level=i % 2, assignee_id=world.inspector.id)
        db.session.commit()
    large = _statements_of_a_page(app, username)
    assert len(large) == len(small) <= 6, large
    assert len(_statements_of_a_page(app, username, escalated=True, status="all")) == len(small_escalated)
