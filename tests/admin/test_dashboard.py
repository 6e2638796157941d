"""`/admin/`: the staff home shows, per township in scope, what needs doing today."""

from __future__ import annotations

import pytest
from flask import url_for

from portal.models import Role


def _html(client, app, endpoint="admin.dashboard.index", **values):
    with app.test_request_context():
        url = url_for(endpoint, **values)
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_clerk_sees_own_township_status_and_links(app, office, clerk_client):
    html = _html(clerk_client, app)
    assert "大庄测试镇" in html
    assert "在册干部 10 人" in html
    assert "今天未更新去向 10 人" in html
    assert f"/admin/t/{office.code}/board" in html
    assert f"/admin/t/{office.code}/roster" in html
    assert f"/admin/t/{office.code}/cadres" in html
    assert "本月值班缺岗" in html
    assert "/admin/calendar" not in html


def test_counts_fall_after_the_morning_update(app, office, clerk_client):
    from tests.admin.conftest import post_form

    post_form(clerk_client, f"/admin/t/{office.code}/board", f"/admin/t/{office.code}/board/bulk",
              {"span": "today"})
    assert "今天未更新去向 0 人" in _html(clerk_client, app)


def test_other_townships_are_not_listed(app, office, staff_client):
    client = staff_client(Role.CLERK, in_scope=False)
    html = _html(client, app)
    assert "大庄测试镇" not in html


def test_supervisor_reads_boards_only(app, office, staff_client):
    html = _html(staff_client(Role.SUPERVISOR), app)
    assert f"/admin/t/{office.code}/board" in html
    assert f"/admin/t/{office.code}/cadres" not in html
    assert "只读" in html


@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.SYSADMIN])
def test_administrators_get_the_calendar(app, office, staff_client, role):
    html = _html(staff_client(role, county_scope=role == Role.COUNTY_ADMIN), app)
    assert "/admin/calendar" in html
    assert "大庄测试镇" in html


def test_dashboard_needs_login(app):
    response = app.test_client().get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_navigation_lists_only_what_the_role_may_open(app, office, clerk_client, staff_client):
    board = f"/admin/t/{office.code}/board"
    html = clerk_client.get(board).get_data(as_text=True)
    assert f'href="/admin/t/{office.code}/leave"' in html
    assert 'href="/admin/calendar"' not in html
    supervisor = staff_client(Role.SUPERVISOR).get(board).get_data(as_text=True)
    assert f'href="/admin/t/{office.code}/roster"' in supervisor
    assert f'href="/admin/t/{office.code}/leave"' not in supervisor
    assert f'href="/admin/t/{office.code}/cadres"' not in supervisor
    admin = staff_client(Role.SYSADMIN).get(board).get_data(as_text=True)
    assert 'href="/admin/calendar"' in admin


@pytest.mark.parametrize("page", ["", "t/{code}/board", "t/{code}/roster", "t/{code}/cadres",
                                  "t/{code}/leave", "t/{code}/cadres/import"])
def test_office_pages_in_english(app, office, clerk_client, page):
    response = clerk_client.get("/admin/" + page.format(code=office.code) + "?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Dashboard" in html
