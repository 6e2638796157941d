"""A session ends on the server: a cookie copied before logout, a TOTP change or a
deactivation opens nothing afterwards, however often it is replayed."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import select

from portal.extensions import db
from portal.models import Role, User
from portal.services.accounts import auth as auth_service
from portal.services.accounts.passwords import hash_password
from tests import factories
from tests.auth.test_auth_login import _code, _csrf, _login

COOKIE = "zg_session"


def _copy(source, app):
    """Another browser holding the same session cookie (copied, or stolen)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, source.get_cookie(COOKIE).value)
    return thief


def _people(app):
    with app.app_context():
        county = factories.county()
        town = factories.township(county)
        inspector = factories.user(Role.INSPECTOR, scope_region=county, username="wang")
        clerk = factories.user(Role.CLERK, townships=[town], username="li")
        admin = factories.user(Role.COUNTY_ADMIN, scope_region=county, username="zhao")
        db.session.commit()
        return {"inspector": (inspector.username, inspector.totp_secret),
                "clerk": (clerk.username, None), "admin": (admin.username, admin.totp_secret)}


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app):
    name, secret = _people(app)["inspector"]
    browser = app.test_client()
    _login(browser, name, totp=_code(secret))
    thief = _copy(browser, app)
    assert thief.get("/review").status_code == 200
    assert browser.post("/logout", data={"csrf_token": _csrf(browser, "/account")}).status_code == 302
    for _ in range(5):
        response = thief.get("/review")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_accounts_other_sessions_too(app):
    name, secret = _people(app)["inspector"]
    phone, desk = app.test_client(), app.test_client()
    _login(phone, name, totp=_code(secret))
    _login(desk, name, totp=_code(secret, 30))
    phone.post("/logout", data={"csrf_token": _csrf(phone, "/account")})
    assert desk.get("/review").status_code == 302


def test_turning_totp_on_or_off_ends_every_other_session(app):
    name, _ = _people(app)["clerk"]
    browser = app.test_client()
    _login(browser, name)
    thief = _copy(browser, app)
    assert thief.get("/account").status_code == 200
    browser.post("/account/totp/start", data={"csrf_token": _csrf(browser, "/account")})
    with browser.session_transaction() as sess:
        secret = sess["totp_enrolment"]
    done = browser.post("/account/totp/confirm", data={
        "csrf_token": _csrf(browser, "/account"), "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert browser.get("/account").status_code == 200  # the person who changed it stays in
    assert thief.get("/account").status_code == 302
    thief = _copy(browser, app)
    browser.post("/account/totp/disable", data={
        "csrf_token": _csrf(browser, "/account"), "code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert browser.get("/account").status_code == 200
    assert thief.get("/account").status_code == 302


def test_deactivation_and_a_password_reset_end_every_session(app):
    people = _people(app)
    name, secret = people["inspector"]
    browser = app.test_client()
    _login(browser, name, totp=_code(secret))
    assert browser.get("/review").status_code == 200
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == people["admin"][0]))
        user = db.session.scalar(select(User).where(User.username == name))
        auth_service.reset_password(admin=admin, user=user)
    assert browser.get("/review").status_code == 302
    _login(browser, name, password="wrong")  # the old password no longer works either
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        user.password_hash = hash_password("correct horse battery staple")
        db.session.commit()
    _login(browser, name, password="correct horse battery staple", totp=_code(secret, 30))
    assert browser.get("/review").status_code == 200
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == people["admin"][0]))
        user = db.session.scalar(select(User).where(User.username == name))
        auth_service.set_active(admin=admin, user=user, active=False)
    assert browser.get("/review").status_code == 302


def test_an_idle_session_ends_on_the_server_however_the_cookie_is_replayed(app):
    """The idle time is the server's: a replayed cookie cannot carry its own freshness."""
    from datetime import timedelta

    from portal import clock

    name, secret = _people(app)["inspector"]
    browser = app.test_client()
    _login(browser, name, totp=_code(secret))
    old_cookie = _copy(browser, app)
    # Used within the idle time (by the server's clock), the session lives on.
    clock.set_to(clock.now() + timedelta(minutes=20))
    assert browser.get("/review").status_code == 200
    clock.set_to(clock.now() + timedelta(minutes=20))
    assert old_cookie.get("/review").status_code == 200
    # Then nobody uses it for longer than STAFF_IDLE_TIMEOUT (30 minutes).
    clock.set_to(clock.now() + timedelta(minutes=31))
    for client in (old_cookie, old_cookie, browser):
        response = client.get("/review")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    _login(browser, name, totp=_code(secret, 30))
    assert browser.get("/review").status_code == 200


def test_a_session_left_open_ends_while_the_accounts_other_session_is_busy(app):
    """Idle time is kept per session: the desk's work does not keep the phone's session alive."""
    from datetime import timedelta

    from portal import clock
    from portal.models import StaffSession

    name, secret = _people(app)["inspector"]
    phone, desk = app.test_client(), app.test_client()
    _login(phone, name, totp=_code(secret))
    _login(desk, name, totp=_code(secret, 30))
    left_on_the_phone = _copy(phone, app)
    for _ in range(4):  # 40 minutes of work at the desk, nothing on the phone
        clock.set_to(clock.now() + timedelta(minutes=10))
        assert desk.get("/review").status_code == 200
    for client in (left_on_the_phone, phone):
        response = client.get("/review")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert desk.get("/review").status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(StaffSession)).all()) == 1  # only the desk's


def test_the_database_holds_no_session_token(app):
    """The cookie's session token is kept only as its hash: a copy of the database opens no
    session."""
    from portal.models import StaffSession

    name, secret = _people(app)["inspector"]
    browser = app.test_client()
    _login(browser, name, totp=_code(secret))
    with browser.session_transaction() as sess:
        token = sess["sid"]
    with app.app_context():
        rows = db.session.scalars(select(StaffSession)).all()
    assert len(rows) == 1 and token not in rows[0].id
    forged = app.test_client()
    with forged.session_transaction() as sess:
        with browser.session_transaction() as real:
            sess.update(real)
        sess["sid"] = rows[0].id
    response = forged.get("/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
