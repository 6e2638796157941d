"""The queue and the case page get what they show from one service call each.

The templates ask the database nothing (no lazy loads, no service called back per row),
the flags say what the user may do, and a refused step leaves nothing behind in the
session: the services own their transaction, the views neither query, commit nor roll back.
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import before_render_template, template_rendered
from sqlalchemy import event, select, update

from portal.extensions import db
from portal.models import Category, Report, ReportStatus, Sender, Township, User
from portal.models.base import utcnow
from portal.services.casework import evidence, reports, review, review_pages
from portal.services.casework.messages import add_message
from portal.services.shared.errors import IllegalTransitionError, ValidationError
from tests.conftest import login_as
from tests.report.photos import png_bytes
from tests.review.conftest import make_report

S = ReportStatus
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@contextmanager
def statements_in_templates(app):
    """The SQL statements run while a template renders (context processors excluded)."""
    statements: list[str] = []
    rendering: list[bool] = []

    def before(_sender, **_extra):
        rendering.append(True)

    def after(_sender, **_extra):
        rendering.pop()

    def executed(_conn, _cursor, statement, *_args):
        if rendering:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    before_render_template.connect(before, app)
    template_rendered.connect(after, app)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        template_rendered.disconnect(after, app)
        before_render_template.disconnect(before, app)


def _client(app, user_id):
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
    login_as(client, user)
    return client


def _busy_case(app, world) -> tuple[str, str, str]:
    """A named report with a cadre, in verification by insp1, with messages and photos both
    ways, a report merged into it and another about the same cadre and day."""
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        inspector = db.session.get(User, world.inspector.id)
        inspector.display_name = "一号检查员"
        report = make_report(township, cadre=world.cadre, named=True)
        child = make_report(township, cadre=world.cadre, observed_at=report.observed_at)
        other = make_report(township, cadre=world.cadre, observed_at=report.observed_at)
        db.session.commit()
        review.accept(user=inspector, report=report)
        review.claim(user=inspector, report=report)
        review.merge(user=inspector, report=child, into_public_id=report.public_id)
        for r in (report, child):
            evidence.store_photo(r, png_bytes())
            message = add_message(report=r, sender=Sender.REPORTER, body=f"补充情况{r.public_id}")
            evidence.store_photo(r, png_bytes(), message)
        review.ask_reporter(user=inspector, report=report, body="请问具体几点？")
        db.session.commit()
        return report.public_id, child.public_id, other.public_id


def test_the_case_page_is_rendered_without_a_query(app, world):
    pid, child, other = _busy_case(app, world)
    client = _client(app, world.inspector.id)
    with statements_in_templates(app) as statements:
        page = client.get(f"/review/{pid}").get_data(as_text=True)
        revealed = client.post(f"/review/{pid}/reveal").get_data(as_text=True)
    for text in (f"补充情况{pid}", f"补充情况{child}", "请问具体几点？", other, "一号检查员",
                 f"/review/{child}/photos/", world.cadre.name):
        assert text in page, text
    assert "举报人甲" not in page and "举报人甲" in revealed
    assert statements == []


def test_the_queue_is_rendered_without_a_query_from_rows_that_carry_what_it_shows(app, world):
    now = utcnow()
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        late = make_report(township, submitted_at=now - timedelta(days=30), cadre_text="某干部")
        taken = make_report(township, status=S.VERIFYING, assignee_id=world.inspector.id,
                            conclude_due=now + timedelta(days=20))
        db.session.execute(update(User).where(User.id == world.inspector.id)
                           .values(display_name="一号检查员"))
        db.session.commit()
        late_id, taken_id = late.public_id, taken.public_id
    client = _client(app, world.inspector.id)
    with statements_in_templates(app) as statements:
        page = client.get("/review").get_data(as_text=True)
    assert statements == []
    assert late_id in page and taken_id in page and "某干部" in page and "一号检查员" in page
    assert page.count('class="overdue"') == 1 and "已逾期" in page and "未指定" in page
    with app.app_context():
        user = db.session.get(User, world.inspector.id)
        view = review_pages.queue_view(user=user, filters=review_pages.queue.QueueFilters(), now=now)
        rows = {row.public_id: row for row in view.rows}
        assert rows[late_id].overdue and rows[late_id].assignee is None and rows[late_id].age > 0
        assert rows[taken_id].due == db.session.get(Report, taken.id).conclude_due
        assert not rows[taken_id].overdue and rows[taken_id].assignee == "一号检查员"
        assert view.counts["open"] == 2 and [t.code for t in view.townships] == sorted(
            [world.township.code, world.township2.code])


@pytest.mark.parametrize(("status", "assignee", "offered"), [
    (S.SUBMITTED, None, {"accept", "not_accept", "merge", "note", "message", "transfer"}),
    (S.ACCEPTED, None, {"merge", "claim", "assign", "note", "message", "transfer"}),
    (S.VERIFYING, "inspector", {"assign", "conclude", "note", "message", "reveal", "transfer"}),
    (S.VERIFYING, "inspector2", {"note", "message"}),
])
def test_the_case_page_says_what_the_user_may_do(app, world, status, assignee, offered):
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        assignee_id = getattr(world, assignee).id if assignee else None
        report = make_report(township, status=status, assignee_id=assignee_id, named=True,
                             conclude_due=utcnow() + timedelta(days=30))
        db.session.commit()
        user = db.session.get(User, world.inspector.id)
        page = review_pages.case_page(user=user, public_id=report.public_id)
        flags = {name for name, value in vars(page.may).items() if value}
        assert flags == offered
        assert page.due == (report.accept_due if status == S.SUBMITTED else report.conclude_due)
        others = {u.username for u in db.session.scalars(select(User).where(
            User.public_id.in_([public_id for public_id, _name in page.assignees])))}
        assert world.inspector.username in others or assignee == "inspector"
        clerk = db.session.get(User, world.clerk.id)
        assert not any(vars(review_pages.permitted(clerk, report)).values())


def test_a_refused_step_leaves_nothing_behind_in_the_session(app, world):
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        report = make_report(township, place="乡政府大门")
        db.session.commit()
        inspector = db.session.get(User, world.inspector.id)
        report.place = "未提交的改动"
        with pytest.raises(IllegalTransitionError):
            review.conclude(user=inspector, report=report, finding="substantiated",
                            action="criticism", outcome_public="属实")
        assert not db.session.dirty and report.place == "乡政府大门"
        report.place = "又一处未提交的改动"
        with pytest.raises(ValidationError):
            reports.create_report(township=township, category=Category.OTHER, description="短")
        assert not db.session.dirty and report.place == "乡政府大门"


VIEWS = ("portal/review/views.py", "portal/report/views.py", "portal/admin/stats_export.py")


@pytest.mark.parametrize("path", VIEWS)
def test_the_casework_views_neither_commit_nor_roll_back(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    calls = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not calls & {"commit", "rollback", "refresh", "flush"}


@pytest.mark.parametrize("path", VIEWS[:2])
def test_the_review_and_report_views_do_not_query(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names} | {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "db" not in imported and "sqlalchemy" not in imported
    assert not {"select", "update", "delete"} & imported
