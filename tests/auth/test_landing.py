"""After logging in, each role lands where its work is; a valid `next` still wins."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from portal.extensions import db
from portal.models import Role
from tests import factories

PASSWORD = factories.PASSWORD


def _csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def staff(app):
    """One account of every role, in one county with one township."""
    with app.app_context():
        county = factories.county()
        town = factories.township(county)
        people = {
            Role.INSPECTOR: factories.user(Role.INSPECTOR, scope_region=county),
            Role.CLERK: factories.user(Role.CLERK, townships=[town]),
            Role.SUPERVISOR: factories.user(Role.SUPERVISOR, townships=[town]),
            Role.COUNTY_ADMIN: factories.user(Role.COUNTY_ADMIN, scope_region=county),
            Role.SYSADMIN: factories.user(Role.SYSADMIN),
        }
        db.session.commit()
        return {role: (u.username, u.totp_secret) for role, u in people.items()}


def _login(client, account, next_url=None, later=0):
    """Log in; `later` seconds on for the TOTP code (a code is accepted once only)."""
    username, secret = account
    data = {"csrf_token": _csrf(client), "username": username, "password": PASSWORD,
            "totp": pyotp.TOTP(secret).at(time.time() + later) if secret else ""}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


@pytest.mark.parametrize(("role", "landing", "heading"), [
    (Role.INSPECTOR, "/review", "举报受理"),
    (Role.CLERK, "/admin/", "工作台"),
    (Role.SUPERVISOR, "/admin/supervision/", "监督"),
    (Role.COUNTY_ADMIN, "/admin/users", "账号"),
    (Role.SYSADMIN, "/admin/users", "账号"),
])
def test_each_role_lands_on_its_work(app, staff, role, landing, heading):
    client = app.test_client()
    response = _login(client, staff[role])
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    page = client.get(landing)
    assert page.status_code == 200  # the landing page admits the role
    assert heading in page.get_data(as_text=True)
    # Opening the login page again while logged in goes to the same place.
    assert client.get("/login").headers["Location"] == landing


@pytest.mark.parametrize("role", [Role.CLERK, Role.INSPECTOR])
def test_a_valid_next_still_wins_and_a_foreign_one_is_ignored(app, staff, role):
    client = app.test_client()
    response = _login(client, staff[role], next_url="/account")
    assert response.headers["Location"] == "/account"
    other = app.test_client()
    response = _login(other, staff[role], next_url="https://evil.example/admin/", later=30)
    assert response.headers["Location"] == ("/review" if role == Role.INSPECTOR else "/admin/")
