"""The production shape on loopback: nginx (deploy/nginx/*) in front of gunicorn
(deploy/gunicorn.conf.py) on PostgreSQL, with Redis rate limits.

nginx runs from Debian's package with a temporary prefix, its own main configuration,
`daemon off;` and every pid, log and temp path under the test's folder. The site files
are the shipped ones with the few installation paths replaced; every replacement must hit.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from portal.config import ROOT
from tests.conftest import TEST_REDIS
from tests.live import free_port, stop

DEPLOY = ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "zaigang.conf"
NGINX_APP = DEPLOY / "nginx" / "zaigang-app.conf"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Redis databases of the deploy tests: 8 for rate limits, 9 for caches.
REDIS_LIMITS = f"{TEST_REDIS}/8"
REDIS_CACHE = f"{TEST_REDIS}/9"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_LIMITS, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


def flush_redis() -> None:
    import redis

    for url in (REDIS_LIMITS, REDIS_CACHE):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A database of the stack's own: next to TEST_DATABASE_URL (same server, name + "_deploy")
    when that names PostgreSQL, else a throwaway one on 127.0.0.1:5432. Never the test
    database itself, whose per-test truncation must not touch the running servers."""
    from tests.e2e.support import create_own_database, drop_own_database

    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        url = create_own_database("deploy")
        try:
            yield url
        finally:
            drop_own_database(url)
        return
    import psycopg

    name = f"zg_prod_deploy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


GRANTS = DEPLOY / "postgresql" / "grants.sql"


@dataclass(frozen=True)
class Roles:
    """The two roles of the operator's guide, for one test database: the owner migrates, the
    app serves (deploy/postgresql/grants.sql)."""

    owner_url: str
    app_url: str
    app_role: str


def _admin(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return psycopg.connect(parsed.set(drivername="postgresql", database="postgres")
                           .render_as_string(hide_password=False), autocommit=True)


@contextmanager
def postgres_roles(url: str) -> Iterator[Roles]:
    """Make `url`'s database belong to a fresh owner role and yield it with an app role."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    owner, app = f"{database}_owner"[:63], f"{database}_app"[:63]
    with _admin(url) as conn:
        for role in (owner, app):
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO "{owner}"')
    try:
        yield Roles(parsed.set(username=owner).render_as_string(hide_password=False),
                    parsed.set(username=app).render_as_string(hide_password=False), app)
    finally:
        with _admin(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            for role in (app, owner):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def grant(url: str, roles: Roles) -> None:
    """Run the shipped grants file as the superuser, with this test's role and database names."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    sql = GRANTS.read_text()
    sql = _replace(sql, "ON DATABASE zaigang TO", f'ON DATABASE "{parsed.database}" TO')
    sql = sql.replace(" zaigang;", f' "{roles.app_role}";').replace(
        " zaigang,", f' "{roles.app_role}",')
    with psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(sql)


def render_site(folder: Path, *, port: int, upstreams: list[str], tls: dict | None = None) -> Path:
    """The shipped site and snippet with test paths; with `tls`, the TLS block turned on."""
    folder.mkdir(parents=True, exist_ok=True)
    snippet = NGINX_APP.read_text()
    snippet = _replace(snippet, "root /srv/zaigang/app;", f"root {ROOT};")
    snippet = _replace(snippet, "/var/log/nginx/zaigang.access.log", str(folder / "access.log"))
    (folder / "zaigang-app.conf").write_text(snippet)

    site = NGINX_SITE.read_text()
    site = _replace(site, "    server 127.0.0.1:8000;\n",
                    "".join(f"    server {u} max_fails=1 fail_timeout=2s;\n" for u in upstreams))
    site = _replace(site, "include snippets/zaigang-app.conf;", f"include {folder / 'zaigang-app.conf'};",
                    count=2)
    site = _replace(site, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{port};\n")
    if tls:
        site = re.sub(r"^(\s*)#tls ?", r"\1", site, flags=re.MULTILINE)
        site = _replace(site, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
                        f"    listen 127.0.0.1:{tls['port']} ssl http2;\n")
        site = _replace(site, "/etc/letsencrypt/live/zaigang.example.gov.cn/fullchain.pem", tls["cert"])
        site = _replace(site, "/etc/letsencrypt/live/zaigang.example.gov.cn/privkey.pem", tls["key"])
        site = _replace(site, "root /var/www/letsencrypt;", f"root {folder / 'acme'};")
    path = folder / "zaigang.conf"
    path.write_text(site)
    return path


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    found = text.count(old)
    assert found == count, f"expected {count} of {old!r} in the shipped configuration, found {found}"
    return text.replace(old, new)


def main_config(folder: Path, site: Path) -> Path:
    """A main nginx.conf like Debian's, with every path under `folder`."""
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "temp" / sub).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = f"""{user}worker_processes 2;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {folder / 'default-access.log'};
    client_body_temp_path {folder / 'temp' / 'client_body'};
    proxy_temp_path {folder / 'temp' / 'proxy'};
    fastcgi_temp_path {folder / 'temp' / 'fastcgi'};
    uwsgi_temp_path {folder / 'temp' / 'uwsgi'};
    scgi_temp_path {folder / 'temp' / 'scgi'};
    include {site};
}}
"""
    path = folder / "nginx.conf"
    path.write_text(conf)
    return path


def nginx_command(binary: str, folder: Path, conf: Path, *args: str) -> list[str]:
    return [binary, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf), *args]


@dataclass
class Nginx:
    url: str
    folder: Path
    process: subprocess.Popen

    def access_log(self) -> str:
        path = self.folder / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def nginx(binary: str, folder: Path, *, upstreams: list[str], tls: dict | None = None) -> Iterator[Nginx]:
    """Run nginx with the shipped site in front of `upstreams` until the block ends."""
    port = free_port()
    site = render_site(folder, port=port, upstreams=upstreams, tls=tls)
    conf = main_config(folder, site)
    check = subprocess.run(nginx_command(binary, folder, conf, "-t"), capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
    process = subprocess.Popen(nginx_command(binary, folder, conf), stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Nginx(f"http://127.0.0.1:{port}", folder, process)
    try:
        _wait_for_port(port, process)
        yield server
    finally:
        stop(process, signal.SIGTERM)


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 10.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("nginx exited early")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within {timeout}s")


def self_signed_certificate(folder: Path) -> tuple[str, str]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=zaigang.example.gov.cn", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


def host_port(url: str) -> tuple[str, int]:
    parsed = urllib.parse.urlsplit(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 80
