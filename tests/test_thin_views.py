"""Views parse, call a service and render: no blueprint queries the database or ends a
transaction itself (issue 22, item 4)."""

from __future__ import annotations

import re

from portal.config import ROOT

BLUEPRINTS = ("public", "report", "review", "admin", "auth", "api", "stats", "notices", "visits")
# A query, a commit or a rollback written in a view module.
DATABASE_WORK = re.compile(
    r"db\.session|\bselect\(|\.commit\(\)|\.rollback\(\)|from portal\.extensions import db")


def _offenders() -> dict[str, list[int]]:
    found = {}
    for package in BLUEPRINTS:
        for path in sorted((ROOT / "portal" / package).rglob("*.py")):
            lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                     if DATABASE_WORK.search(line)]
            if lines:
                found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_views_leave_queries_and_transactions_to_the_services():
    assert _offenders() == {}


def test_the_check_finds_a_query_in_a_view():
    assert DATABASE_WORK.search("    rows = db.session.scalars(select(Township))")
    assert DATABASE_WORK.search("        db.session.rollback()")
    assert not DATABASE_WORK.search("    rows = visits.visits_between(township_id=township.id)")
