"""A live server for browser and end-to-end tests: gunicorn on a free loopback port.

The database is a temporary SQLite *file* (never :memory:: each worker would have its own),
or TEST_DATABASE_URL when set.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from portal import clock
from portal.config import ROOT

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run a `flask --app wsgi` command against the same database and instance folder."""
        return subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=300, check=False,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def server_env(instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a served instance: its own database, secret and evidence folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_INSTANCE_PATH=str(instance),
        SECRET_KEY="live-test-secret-" + "x" * 32,
        AUDIT_KEY="live-test-audit-key-" + "a" * 32,
        AUDIT_CHECKPOINT_FILE=str(instance / "audit-checkpoints.jsonl"),
        DATABASE_URL=os.environ.get("TEST_DATABASE_URL")
        or f"sqlite:///{instance / 'live.sqlite3'}",
        EVIDENCE_DIR=str(instance / "evidence"),
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        PUBLIC_URL="http://127.0.0.1",
    )
    # The served instance reads the same clock as the test (ZAIGANG_CLOCK or a test's set_to).
    # A production instance refuses ZAIGANG_CLOCK: it runs on the system clock (clock.system_now).
    env.pop(clock.ENV_VAR, None)
    env.update(extra)
    if clock.is_shifted() and env.get("PORTAL_ENV") != "production":
        env[clock.ENV_VAR] = clock.now().isoformat()
    return env


@contextmanager
def live_server(instance: Path, *, workers: int = 2, seed: bool = True,
                gunicorn_args: tuple[str, ...] = (), migrate_url: str = "",
                after_migrate=None, **extra_env: str) -> Iterator[LiveServer]:
    """Migrate, optionally load the demo, serve with gunicorn, and stop it afterwards.

    With `migrate_url` the migrations run as that database user (the schema's owner) and
    `after_migrate()` then grants the app's own role what it needs.
    """
    instance.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_env(instance, **{"PUBLIC_URL": f"http://127.0.0.1:{port}", **extra_env})
    log_path = instance / "gunicorn.log"
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT,
                   env=dict(env, DATABASE_URL=migrate_url) if migrate_url else env, check=True,
                   capture_output=True, timeout=300)
    if after_migrate is not None:
        after_migrate()
    if seed:
        subprocess.run([*flask, "demo", "seed", "--if-empty"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--access-logfile", "-", "--error-logfile", "-",
             # Each instance alone: gunicorn's shared control socket would join them.
             *(() if "--no-control-socket" in gunicorn_args else ("--no-control-socket",)),
             *gunicorn_args, "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", port, env, log_path, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        stop(process)


def _wait_until_up(server: LiveServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout}s:\n{server.log()}")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop gunicorn and its workers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
