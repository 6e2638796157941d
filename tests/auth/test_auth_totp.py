"""TOTP enrolment for clerks and supervisors: QR shown once, confirmed by a code; then required."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, User
from portal.services.accounts import auth
from tests import factories
from tests.conftest import login_as


@pytest.fixture
def clerk(app):
    with app.app_context():
        user = factories.user(Role.CLERK, townships=[factories.township()], username="zhao")
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _start(client):
    page = client.get("/account").get_data(as_text=True)
    assert "开启动态验证码" in page
    response = client.post("/account/totp/start", data={"csrf_token": _token(page)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body).group(1)
    assert 'src="data:image/svg+xml' in body  # the QR code, drawn locally
    return body, secret


def test_a_clerk_turns_totp_on_and_then_needs_it(app, client, clerk):
    login_as(client, clerk)
    body, secret = _start(client)
    wrong = client.post("/account/totp/confirm", data={"csrf_token": _token(body), "code": "000000"
                                                       if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.get_data(as_text=True)
    token = _token(wrong.get_data(as_text=True))
    ok = client.post("/account/totp/confirm", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "已开启" in page and secret not in page  # never shown again
    with app.app_context():
        user = db.session.get(User, clerk.id)
        assert user.totp_enabled and user.totp_secret == secret
        last = db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()))
        assert last == "auth.totp_enabled"
    # Logging in now needs the code (a fresh one: the enrolment code was used once).
    fresh = app.test_client()
    login_page = fresh.get("/login").get_data(as_text=True)
    data = {"csrf_token": _token(login_page), "username": "zhao", "password": factories.PASSWORD}
    assert fresh.post("/login", data={**data, "totp": ""}).status_code == 401
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    assert fresh.post("/login", data={**data, "totp": next_code}).status_code == 302


def test_turning_totp_off_needs_a_valid_code(app, client, clerk):
    with app.app_context():
        user = db.session.get(User, clerk.id)
        user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
        db.session.commit()
        secret = user.totp_secret
    login_as(client, clerk)
    page = client.get("/account").get_data(as_text=True)
    client.post("/account/totp/disable", data={"csrf_token": _token(page), "code": "12345x"})
    with app.app_context():
        assert db.session.get(User, clerk.id).totp_enabled
    client.post("/account/totp/disable", data={"csrf_token": _token(page), "code": pyotp.TOTP(secret).now()})
    with app.app_context():
        assert not db.session.get(User, clerk.id).totp_enabled


def test_inspectors_cannot_turn_totp_off(app):
    with app.app_context():
        user = factories.user(Role.INSPECTOR, scope_region=factories.county())
        db.session.commit()
        assert not auth.may_change_totp(user)
        with pytest.raises(auth.ValidationError):
            auth.disable_totp(user=user, code=pyotp.TOTP(user.totp_secret).now())


def test_codes_of_the_previous_and_next_step_work_once(app):
    with app.app_context():
        user = factories.user(Role.INSPECTOR, scope_region=factories.county())
        db.session.commit()
        now = time.time()
        totp = pyotp.TOTP(user.totp_secret)
        assert auth.consume_totp(user, totp.at(now - 30), now)
        assert not auth.consume_totp(user, totp.at(now - 30), now)  # replay
        assert auth.consume_totp(user, totp.at(now), now)
        assert not auth.consume_totp(user, totp.at(now - 30), now)  # older than the last one
        assert not auth.consume_totp(user, totp.at(now + 90), now)  # too far ahead
        assert not auth.consume_totp(user, "12 34", now)


def test_account_page_needs_a_session(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/totp/start").status_code in (302, 400)
