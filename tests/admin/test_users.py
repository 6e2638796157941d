"""/admin/users: county administrators and sysadmins manage staff accounts, within scope, audited."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, User
from tests import factories
from tests.conftest import login_as


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def county_world(app):
    with app.app_context():
        county, other = factories.county(), factories.county()
        town, far = factories.township(county), factories.township(other)
        people = {
            "admin": factories.user(Role.COUNTY_ADMIN, scope_region=county, username="cadmin"),
            "clerk": factories.user(Role.CLERK, townships=[town], username="clerk-in"),
            "inspector": factories.user(Role.INSPECTOR, scope_region=county, username="insp-in"),
            "foreign": factories.user(Role.INSPECTOR, scope_region=other, username="insp-out"),
            "foreign_clerk": factories.user(Role.CLERK, townships=[far], username="clerk-out"),
            "sysadmin": factories.user(Role.SYSADMIN, username="root"),
        }
        db.session.commit()
        info = {k: (u.id, u.public_id) for k, u in people.items()}
        info["codes"] = (county.code, other.code, town.code, far.code)
        return info


def _client(app, world, who):
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, world[who][0])
        db.session.expunge(user)
    login_as(client, user)
    return client


def test_list_shows_only_accounts_in_scope(app, county_world):
    page = _client(app, county_world, "admin").get("/admin/users").get_data(as_text=True)
    assert "clerk-in" in page and "insp-in" in page and "cadmin" in page
    assert "insp-out" not in page and "clerk-out" not in page and "root" not in page
    page = _client(app, county_world, "sysadmin").get("/admin/users").get_data(as_text=True)
    assert "insp-out" in page and "root" in page


def test_other_roles_are_forbidden(app, county_world):
    for who in ("clerk", "inspector"):
        assert _client(app, county_world, who).get("/admin/users").status_code == 403


def test_create_shows_password_and_totp_once_and_the_account_works(app, county_world):
    county_code = county_world["codes"][0]
    client = _client(app, county_world, "admin")
    response = client.post("/admin/users/new", data={
        "username": "new-insp", "display_name": "新纪检干部", "role": "inspector", "scope": county_code})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = re.search(r'<dt>密码</dt><dd><code class="secret">([^<]+)</code>', page).group(1)
    secret = re.search(r'<dt>动态验证码密钥</dt><dd><code class="secret">([A-Z2-7]+)</code>', page).group(1)
    assert "data:image/svg+xml" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "new-insp"))
        assert user.role == Role.INSPECTOR and user.totp_enabled and user.scope_region.code == county_code
        public_id = user.public_id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.created"))
        assert entry.object_id == public_id and entry.actor_id == county_world["admin"][0]
    # The detail page never shows the secrets again.
    detail = client.get(f"/admin/users/{public_id}").get_data(as_text=True)
    assert password not in detail and secret not in detail
    login = app.test_client().post("/login", data={"username": "new-insp", "password": password,
                                                   "totp": pyotp.TOTP(secret).now()})
    assert login.status_code == 302


@pytest.mark.parametrize(("role", "scope_index"), [("inspector", 1), ("clerk", 3), ("sysadmin", 0)])
def test_a_county_admin_cannot_create_outside_the_county_or_a_sysadmin(app, county_world, role, scope_index):
    client = _client(app, county_world, "admin")
    response = client.post("/admin/users/new", data={
        "username": "sneaky", "role": role, "scope": county_world["codes"][scope_index]})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "sneaky")) is None


def test_deactivate_reset_password_and_totp(app, county_world):
    client = _client(app, county_world, "admin")
    target_id, target_pid = county_world["inspector"]
    assert client.post(f"/admin/users/{target_pid}/deactivate").status_code == 303
    with app.app_context():
        assert not db.session.get(User, target_id).active
    client.post(f"/admin/users/{target_pid}/activate")
    page = client.post(f"/admin/users/{target_pid}/reset-password").get_data(as_text=True)
    new_password = re.search(r'<dt>密码</dt><dd><code class="secret">([^<]+)</code>', page).group(1)
    page = client.post(f"/admin/users/{target_pid}/reset-totp").get_data(as_text=True)
    new_secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    with app.app_context():
        user = db.session.get(User, target_id)
        assert user.active and user.totp_secret == new_secret
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == target_pid)
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["user.deactivated", "user.activated", "user.password_reset", "user.totp_reset"]
    login = app.test_client().post("/login", data={"username": "insp-in", "password": new_password,
                                                   "totp": pyotp.TOTP(new_secret).now()})
    assert login.status_code == 302
    # Resetting a clerk's optional TOTP turns it off rather than inventing a secret.
    clerk_pid = county_world["clerk"][1]
    assert client.post(f"/admin/users/{clerk_pid}/reset-totp").status_code == 303


def test_out_of_scope_accounts_answer_404_and_self_deactivation_is_refused(app, county_world):
    client = _client(app, county_world, "admin")
    for who in ("foreign", "foreign_clerk", "sysadmin"):
        pid = county_world[who][1]
        assert client.get(f"/admin/users/{pid}").status_code == 404
        assert client.post(f"/admin/users/{pid}/deactivate").status_code == 404
        assert client.post(f"/admin/users/{pid}/reset-password").status_code == 404
    own = county_world["admin"][1]
    client.post(f"/admin/users/{own}/deactivate")
    with app.app_context():
        assert db.session.get(User, county_world["admin"][0]).active


def test_no_state_changes_on_get_and_csrf_is_required(make_app, county_world):
    app = make_app()
    client = _client(app, county_world, "admin")
    pid = county_world["inspector"][1]
    assert client.get(f"/admin/users/{pid}/deactivate").status_code == 405
    assert client.post(f"/admin/users/{pid}/deactivate").status_code == 400
    with app.app_context():
        assert db.session.get(User, county_world["inspector"][0]).active
