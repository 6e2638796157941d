"""Fixtures of the production-shape tests: nginx -> two gunicorn instances -> PostgreSQL + Redis."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from tests.conftest import require_service
from tests.deploy import stack
from tests.deploy.http import Client
from tests.live import LiveServer, live_server, stop

# As deploy/zaigang.env.example sets them; the limits keep their defaults
# (TRACK_RATE_LIMIT "10/minute;60/hour" is what the tests run into).
PRODUCTION_ENV = {"PORTAL_ENV": "production", "PROXY_FIX_X_FOR": "1"}


@dataclass
class Stack:
    nginx: stack.Nginx
    apps: list[LiveServer]
    database_url: str
    nginx_binary: str
    # The schema owner's URL (migrations only); the apps connect as database_url's role.
    owner_url: str = ""

    def client(self, source: str = "127.0.0.1") -> Client:
        """A visitor of the site through nginx, from a loopback source address."""
        return Client(self.nginx.url, source)

    def direct(self, index: int, source: str = "127.0.0.1") -> Client:
        """A client of one gunicorn instance, bypassing nginx."""
        return Client(self.apps[index].url, source)

    def app_logs(self) -> str:
        return "".join(app.log() for app in self.apps)


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    binary = stack.nginx_binary()
    require_service(binary is not None, "nginx (Debian package nginx)")
    return binary


@pytest.fixture(scope="session")
def services() -> None:
    require_service(stack.postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    require_service(stack.redis_available(), f"Redis on {stack.TEST_REDIS}")


@pytest.fixture(scope="session")
def production_stack(nginx_binary, services, tmp_path_factory) -> Iterator[Stack]:
    """nginx with the shipped site in front of two gunicorn instances (deploy/gunicorn.conf.py)
    sharing one PostgreSQL database, one Redis and one evidence folder."""
    stack.flush_redis()
    root = tmp_path_factory.mktemp("production")
    with ExitStack() as resources:
        superuser_url = resources.enter_context(stack.postgres_database())
        # As the operator's guide sets it up: the schema belongs to an owner role that only
        # migrates; the apps connect as a role that cannot change or remove audit entries.
        roles = resources.enter_context(stack.postgres_roles(superuser_url))
        url = roles.app_url
        env = dict(PRODUCTION_ENV, DATABASE_URL=url, RATELIMIT_STORAGE_URI=stack.REDIS_LIMITS,
                   CACHE_URL=stack.REDIS_CACHE, EVIDENCE_DIR=str(root / "evidence"))
        apps = [
            resources.enter_context(live_server(
                root / f"app{n}", workers=2, seed=(n == 0), migrate_url=roles.owner_url,
                after_migrate=lambda: stack.grant(superuser_url, roles),
                gunicorn_args=("-c", str(stack.GUNICORN_CONF)), **env,
            ))
            for n in range(2)
        ]
        proxy = resources.enter_context(
            stack.nginx(nginx_binary, root / "nginx", upstreams=[f"127.0.0.1:{a.port}" for a in apps])
        )
        yield Stack(proxy, apps, url, nginx_binary, roles.owner_url)
        # Throwaway instances: no graceful shutdown to wait for (it takes seconds per worker).
        for app in apps:
            stop(app.process, signal.SIGKILL)
