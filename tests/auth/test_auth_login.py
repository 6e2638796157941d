"""Staff login: password + TOTP, replay, throttling, `next`, session lifetime, logout."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, User
from tests import factories
from tests.conftest import login_as

PASSWORD = factories.PASSWORD


def _csrf(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _login(client, username, password=PASSWORD, totp="", next_url=None):
    data = {"csrf_token": _csrf(client), "username": username, "password": password, "totp": totp}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


@pytest.fixture
def people(app):
    with app.app_context():
        county = factories.county()
        town = factories.township(county)
        inspector = factories.user(Role.INSPECTOR, scope_region=county, username="wang")
        clerk = factories.user(Role.CLERK, townships=[town], username="li")
        db.session.commit()
        return {"inspector": (inspector.username, inspector.totp_secret), "clerk": (clerk.username, None)}


def _code(secret, offset=0):
    return pyotp.TOTP(secret).at(time.time() + offset)


def test_inspector_logs_in_with_password_and_totp(client, people):
    name, secret = people["inspector"]
    response = _login(client, name, totp=_code(secret))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review")
    page = client.get("/review")
    assert page.status_code == 200
    assert "退出登录" in page.get_data(as_text=True)


def test_inspector_without_totp_is_refused_with_the_generic_message(client, people):
    name, _secret = people["inspector"]
    response = _login(client, name)
    assert response.status_code == 401
    assert "用户名、密码或动态验证码不正确" in response.get_data(as_text=True)
    assert client.get("/review").status_code == 302


def test_clerk_without_totp_logs_in(client, people):
    response = _login(client, people["clerk"][0])
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")  # the township workbench, where a clerk works


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "wrong code", "inactive"])
def test_every_failure_looks_the_same(app, client, people, case):
    name, secret = people["inspector"]
    kwargs = {"totp": _code(secret)}
    if case == "unknown user":
        name = "nobody"
    elif case == "wrong password":
        kwargs["password"] = "wrong password!"
    elif case == "wrong code":
        kwargs["totp"] = "000000" if _code(secret) != "000000" else "111111"
    else:
        with app.app_context():
            db.session.scalar(select(User).where(User.username == name)).active = False
            db.session.commit()
    response = _login(client, name, **kwargs)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "用户名、密码或动态验证码不正确" in body
    reference = _login(app.test_client(), people["clerk"][0], password="not the password")
    reference = reference.get_data(as_text=True)
    assert _normalized(body) == _normalized(reference)


def _normalized(page: str) -> str:
    """The page without what legitimately differs (the token and the echoed username)."""
    page = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)
    return re.sub(r'(id="username"[^>]*) value="[^"]*"', r"\1", page)


def test_a_totp_code_cannot_be_replayed(client, app, people):
    name, secret = people["inspector"]
    code = _code(secret)
    assert _login(client, name, totp=code).status_code == 302
    other = app.test_client()
    assert _login(other, name, totp=code).status_code == 401


def test_login_starts_a_new_session(client, people):
    name, secret = people["inspector"]
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    _login(client, name, totp=_code(secret))
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["auth_at"] and sess["seen_at"]


@pytest.mark.parametrize(("target", "allowed"), [
    ("/review?status=open", True), ("/account", True), ("https://evil.example/", False),
    ("//evil.example/x", False), ("/\\evil.example", False), ("javascript:alert(1)", False),
    ("http:/evil", False), ("/%0d%0aSet-Cookie:x", True),
])
def test_next_only_goes_to_paths_on_this_site(client, people, target, allowed):
    name, secret = people["inspector"]
    response = _login(client, name, totp=_code(secret), next_url=target)
    location = response.headers["Location"]
    if allowed:
        assert location == target
    else:
        assert location == "/review"


def test_throttling_per_account_with_a_clear_message(make_app, people):
    app = make_app(LOGIN_LIMIT_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_CLIENT="100 per 15 minutes")
    name, secret = people["inspector"]
    statuses = []
    for n in range(4):
        c = app.test_client()  # fresh clients: the per-account limit does not depend on cookies
        statuses.append(_login(c, name, password=f"wrong-{n}", totp=_code(secret)).status_code)
    assert statuses == [401, 401, 401, 429]
    c = app.test_client()
    blocked = _login(c, name, totp=_code(secret))
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "登录失败次数过多" in text
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    # The same answer for an account that does not exist: no hint either way.
    for n in range(4):
        last = _login(app.test_client(), "ghost", password=f"x{n}")
    assert last.status_code == 429 and "登录失败次数过多" in last.get_data(as_text=True)
    # Another account from the same client is not locked out.
    assert _login(app.test_client(), people["clerk"][0]).status_code == 302


def test_throttling_per_client(make_app, people):
    app = make_app(LOGIN_LIMIT_ACCOUNT="100 per 15 minutes", LOGIN_LIMIT_CLIENT="3 per 15 minutes")
    c = app.test_client()
    statuses = [_login(c, f"user{n}", password="nope").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_successful_logins_do_not_count_against_the_limit(make_app, people):
    app = make_app(LOGIN_LIMIT_ACCOUNT="2 per 15 minutes", LOGIN_LIMIT_CLIENT="2 per 15 minutes")
    for _ in range(4):
        assert _login(app.test_client(), people["clerk"][0]).status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, app, people):
    name, secret = people["inspector"]
    _login(client, name, totp=_code(secret))
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", data={"csrf_token": _csrf(client, "/account")})
    assert response.status_code == 302
    assert client.get("/review").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["auth.login", "auth.logout"]


def _inspector(app, name):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        db.session.expunge(user)
        return user


def test_idle_timeout_and_absolute_lifetime(app, client, people):
    user = _inspector(app, people["inspector"][0])
    login_as(client, user)
    assert client.get("/review").status_code == 200
    with client.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - 31 * 60
    response = client.get("/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # An expired session ends every session of the account: a new login has a new epoch.
    user = _inspector(app, people["inspector"][0])
    login_as(client, user)
    with client.session_transaction() as sess:
        sess["auth_at"] = int(time.time()) - 8 * 3600 - 5
    assert client.get("/review").status_code == 302
    # Activity keeps a session alive within its absolute lifetime.
    user = _inspector(app, people["inspector"][0])
    login_as(client, user)
    with client.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - 29 * 60
    assert client.get("/review").status_code == 200
    assert client.get("/review").status_code == 200


def test_deactivation_ends_live_sessions(app, client, people):
    user = _inspector(app, people["inspector"][0])
    login_as(client, user)
    assert client.get("/review").status_code == 200
    with app.app_context():
        row = db.session.get(User, user.id)
        row.active = False
        row.session_epoch += 1
        db.session.commit()
    assert client.get("/review").status_code == 302


def test_login_still_works_when_the_limiter_storage_is_down(app, people, tmp_path):
    """In-memory fallback (chosen in the factory): an unreachable Redis does not lock staff out."""
    from portal import create_app
    from portal.config import TestConfig

    config = TestConfig()
    config.INSTANCE_PATH = str(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"
    down = create_app(config)
    name, secret = people["inspector"]
    try:
        assert _login(down.test_client(), name, totp=_code(secret)).status_code == 302
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_login_without_its_csrf_token_says_so(client, people):
    name, secret = people["inspector"]
    response = client.post("/login", data={"username": name, "password": PASSWORD, "totp": _code(secret)})
    assert response.status_code == 400
    assert "表单已过期或缺少安全校验" in response.get_data(as_text=True)
    assert client.get("/review").status_code == 302
