"""Fixtures of the safety suites: one app per module on a fresh database holding the world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db, limiter
from tests.conftest import RATELIMIT_STORAGE_URI, fresh_database_url, login_as
from tests.safety.world import World, build_world, user_for


@pytest.fixture(scope="module")
def world_app(database_template, tmp_path_factory) -> Iterator[tuple[Flask, World]]:
    """An app with the demo county and a foreign jurisdiction, shared by one module's tests."""
    folder = tmp_path_factory.mktemp("world")
    config = TestConfig()
    config.INSTANCE_PATH = str(folder)
    config.EVIDENCE_DIR = str(folder / "evidence")
    config.SQLALCHEMY_DATABASE_URI = fresh_database_url(database_template, folder)
    config.RATELIMIT_STORAGE_URI = RATELIMIT_STORAGE_URI
    # The walkers send hundreds of requests from one address: limits are tested elsewhere.
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        limiter.reset()
    world = build_world(app)
    yield app, world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def client_as(app: Flask, role: str, username: str | None = None):
    """A test client with a staff session of the role's demo account (none for anonymous)."""
    client = app.test_client()
    if role != "anonymous" or username:
        with app.app_context():
            from sqlalchemy import select

            from portal.models import User

            user = (db.session.scalar(select(User).where(User.username == username))
                    if username else user_for(role))
            login_as(client, user)
    return client
