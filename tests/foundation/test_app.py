"""The skeleton: home page, health check, headers, error pages, languages, configuration."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ProductionConfig
from portal.security import ConfigurationError


def test_home_lists_the_demo_townships_in_chinese(demo):
    page = demo.test_client().get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "演示县" in html
    for name in ("大庄镇", "城关镇", "河口乡", "新华街道"):
        assert name in html


def test_home_in_english_on_request_and_remembered(demo):
    client = demo.test_client()
    page = client.get("/?lang=en")
    assert "Find a township" in page.get_data(as_text=True)
    assert "lang=en" in page.headers.get("Set-Cookie", "")
    again = client.get("/")
    assert '<html lang="en">' in again.get_data(as_text=True)


def test_healthz_reports_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "database": True}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_reports_an_unreachable_database(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"ok": False, "database": False}


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/static/site.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    headers = response.headers
    response.close()
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers


def test_hsts_when_served_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("lang", "title"), [("zh_CN", "页面不存在"), ("en", "Page not found")]
)
def test_404_page_in_the_users_language(client, lang, title):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


def test_405_page(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "请求方式不支持" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_500_page_in_chinese_without_details(make_app):
    app = make_app()
    app.testing = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "服务器出错" in html
    assert "secret internals" not in html


def test_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10)

    @app.post("/upload")
    def upload():
        from flask import request

        return str(len(request.get_data()))

    response = app.test_client().post("/upload", data=b"x" * 100)
    assert response.status_code == 413
    assert "上传内容过大" in response.get_data(as_text=True)


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_a_missing_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(ProductionConfig())


def test_production_refuses_debug(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUDIT_KEY", "y" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    config = ProductionConfig()
    config.DEBUG = True
    with pytest.raises(ConfigurationError, match="DEBUG"):
        create_app(config)


def test_production_refuses_weak_sqlite_durability(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUDIT_KEY", "y" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    config = ProductionConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/p.sqlite3"
    config.SQLITE_SYNCHRONOUS = "NORMAL"
    with pytest.raises(ConfigurationError, match="SQLITE_SYNCHRONOUS"):
        create_app(config)


def test_production_has_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUDIT_KEY", "y" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    config = ProductionConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/p.sqlite3"
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_prefixed_environment_settings(monkeypatch, make_app):
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("PORTAL_MAX_PHOTOS", "3")
    app = create_app()
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["MAX_PHOTOS"] == 3


def test_development_secret_is_generated_once_and_kept(monkeypatch, tmp_path):
    from portal.config import Config

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    first = Config().SECRET_KEY
    assert len(first) >= 32
    assert first == Config().SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_durability_settings(app):
    """SQLite: WAL with a busy timeout; PostgreSQL: commits are synchronous and fsynced."""
    from sqlalchemy import text

    from portal.database import sqlite_settings
    from portal.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            settings = sqlite_settings()
            assert settings["journal_mode"] == "WAL"
            assert int(settings["busy_timeout"]) >= 5000
        else:
            assert db.session.scalar(text("SHOW synchronous_commit")) == "on"
            assert db.session.scalar(text("SHOW fsync")) == "on"


def test_proxy_fix_trusts_only_configured_hops(make_app):
    from flask import request

    app = make_app(PROXY_FIX_X_FOR=1)

    @app.get("/whoami")
    def whoami():
        return request.remote_addr

    client = app.test_client()
    seen = client.get(
        "/whoami", headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.9"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert seen.get_data(as_text=True) == "10.0.0.9"
    untrusted = make_app(PROXY_FIX_X_FOR=0)

    @untrusted.get("/whoami")
    def whoami2():
        return request.remote_addr

    seen = untrusted.test_client().get(
        "/whoami", headers={"X-Forwarded-For": "6.6.6.6"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert seen.get_data(as_text=True) == "127.0.0.1"


def test_translations_work_outside_a_request(app):
    from flask_babel import gettext

    with app.app_context():
        assert gettext("查找乡镇") == "查找乡镇"


def test_production_refuses_flask_debug_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUDIT_KEY", "y" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="DEBUG"):
        create_app(ProductionConfig())


def test_rate_limit_key_is_a_keyed_hash_not_the_address(make_app):
    from portal.clientkey import client_key

    app = make_app()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        first = client_key()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.8"}):
        other = client_key()
    assert "203.0.113" not in first and len(first) == 32 and first != other
    same_secret = make_app()
    same_secret.config["SECRET_KEY"] = app.config["SECRET_KEY"]
    with same_secret.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        assert client_key() == first  # every process of a deployment counts a client once


@pytest.mark.parametrize("audit_key", ["", "short", "x" * 40])
def test_production_refuses_a_missing_short_or_reused_audit_key(monkeypatch, audit_key):
    """The audit log's key must be its own: not SECRET_KEY, and never the database's."""
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    monkeypatch.setenv("AUDIT_KEY", audit_key)
    monkeypatch.setenv("PUBLIC_URL", "https://zaigang.example.cn")
    with pytest.raises(ConfigurationError, match="AUDIT_KEY"):
        create_app(ProductionConfig())
