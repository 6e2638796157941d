"""Fixtures: every test gets a fresh, migrated database (SQLite file, or TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import clock, create_app
from portal.catalogs import compile_catalogs
from portal.config import ROOT, TestConfig
from portal.extensions import db, limiter

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
# The Redis server of the tests that need one of their own databases (limits, page cache,
# the deploy stack): another server, e.g. redis://127.0.0.1:6380, keeps parallel runs apart.
TEST_REDIS = os.environ.get("ZG_TEST_REDIS", "redis://127.0.0.1:6379").rstrip("/")


def require_service(available: bool, what: str) -> None:
    """Skip without a service on a developer machine; under CI=true a missing service fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} not available")


def pytest_sessionstart(session) -> None:
    compile_catalogs(ROOT / "i18n", ROOT / "translations")


# portal.clock has started from ZAIGANG_CLOCK (make test CLOCK=...). The variable leaves this
# process's environment so that in-process production configs start; served instances and
# command-line runs get the test's clock reading from tests.live.server_env.
CLOCK_GIVEN = os.environ.pop(clock.ENV_VAR, "")


def pytest_report_header(config) -> str:
    if clock.is_shifted():
        return (f"clock: {clock.ENV_VAR}={CLOCK_GIVEN} "
                f"(local time now {clock.local_now():%Y-%m-%d %H:%M %a})")
    return "clock: the system clock"


@pytest.fixture(autouse=True)
def _clock_undone():
    """A test may move the app's clock (clock.set_to); the next test gets it back as it was."""
    with clock.preserved():
        yield


# The apps of the running test (they share its database), for at().
_TEST_APPS: list[Flask] = []


def at(text: str) -> None:
    """Move the app's clock to an ISO moment (local time when no offset), running on from there.

    A test that logged in first and then moves the clock means "the same user, at that moment":
    the staff sessions open in its database are renewed at the new moment, as a fresh login
    would be. Tests of the idle timeout itself move the clock with clock.set_to instead.
    """
    clock.set_to(clock.parse_moment(text))
    if _TEST_APPS:
        from portal.models import StaffSession

        with _TEST_APPS[0].app_context():
            now = clock.now()
            db.session.execute(db.update(StaffSession).values(created_at=now, seen_at=now))
            db.session.commit()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> dict:
    """Migrate once per session; each test then starts from a copy (SQLite) or truncation."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        app = _build_app({"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL}, tmp_path_factory.mktemp("i"))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return {"url": TEST_DATABASE_URL}
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = _build_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}, folder)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    # Fold the WAL into the main file so that a plain copy is complete.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    return {"path": path}


def _build_app(overrides: dict, instance: Path) -> Flask:
    config = TestConfig()
    config.INSTANCE_PATH = str(instance)
    config.EVIDENCE_DIR = str(instance / "evidence")
    config.RATELIMIT_STORAGE_URI = RATELIMIT_STORAGE_URI
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


def fresh_database_url(template: dict, folder: Path) -> str:
    """A database for one test: a copy of the migrated SQLite file, or the truncated PostgreSQL."""
    if "url" in template:
        engine = create_engine(template["url"])
        with engine.begin() as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
            ]
            if tables:
                quoted = ", ".join(f'"{t}"' for t in tables)
                # The audit table refuses TRUNCATE (migration 0010) unless triggers are off,
                # which only a superuser may do for the session.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template["url"]
    path = folder / "test.sqlite3"
    shutil.copyfile(template["path"], path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_template, tmp_path) -> Iterator:
    """Build an app on this test's fresh database, with config overrides."""
    url = fresh_database_url(database_template, tmp_path)
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        config = TestConfig()
        config.INSTANCE_PATH = str(tmp_path)
        config.EVIDENCE_DIR = str(tmp_path / "evidence")
        config.SQLALCHEMY_DATABASE_URI = url
        config.RATELIMIT_STORAGE_URI = RATELIMIT_STORAGE_URI
        for key, value in overrides.items():
            setattr(config, key, value)
        application = create_app(config)
        with application.app_context():
            limiter.reset()
        apps.append(application)
        _TEST_APPS.append(application)
        return application

    yield factory
    _TEST_APPS.clear()
    for application in apps:
        cache = application.extensions.get("zaigang_pagecache")
        if cache is not None:
            cache.close()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    """The app on a fresh database. No context is held open: requests get their own, and a
    test that reads the database wraps it in `with app.app_context():`."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo data set, loaded once for this test."""
    from portal import demo as demo_data

    with app.app_context():
        demo_data.seed()
    return app


def login_as(client, user) -> None:
    """Give the test client a logged-in staff session for `user` (as a real login would)."""
    import time

    from portal.services.accounts import sessions

    now = int(time.time())
    with client.application.app_context():
        token = sessions.open_session(user, lifetime_seconds=8 * 3600)
    with client.session_transaction() as sess:
        sess.clear()
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["auth_at"] = now
        sess["seen_at"] = now
        sess["sid"] = token
        sess.permanent = True
