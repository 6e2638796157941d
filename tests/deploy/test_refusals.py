"""In production the app refuses to start with an unsafe configuration, and says why: as the
operator sees it from gunicorn (deploy/gunicorn.conf.py, as systemd runs it) and the flask CLI."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

import pytest

from portal.config import ROOT
from tests.deploy.stack import GUNICORN_CONF
from tests.live import VENV_BIN, free_port, live_server, server_env

GOOD_KEY = "k" * 48

# A good configuration starts: the production_stack fixture runs one (on PostgreSQL).
CASES = {
    "no secret key": ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
    "short secret key": ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
    "no audit key": ({"AUDIT_KEY": ""}, "AUDIT_KEY must be set"),
    "debug on": ({"PORTAL_DEBUG": "true"}, "DEBUG must be off"),
    "weak durability": ({"SQLITE_SYNCHRONOUS": "NORMAL"}, "SQLITE_SYNCHRONOUS must be FULL or EXTRA"),
    "no public address": ({"PUBLIC_URL": ""}, "PUBLIC_URL must be set in production"),
}
# The CLI goes through the same factory: one case shows what the operator sees there.
CLI_CASES = ("no secret key", "debug on", "no public address")


def _env(instance: Path, overrides: dict[str, str]) -> dict[str, str]:
    env = server_env(instance, PORTAL_ENV="production", SECRET_KEY=GOOD_KEY, PROXY_FIX_X_FOR="1",
                     RATELIMIT_STORAGE_URI="memory://", PUBLIC_URL="https://zaigang.example.cn")
    env["DATABASE_URL"] = f"sqlite:///{instance / 'refuse.sqlite3'}"
    env.update(overrides)
    return env


def _start_all(tmp_path: Path, command, names) -> dict[str, tuple[subprocess.Popen, str]]:
    """Start one process per case at once (each takes seconds to import and fail)."""
    running = {}
    for name in names:
        overrides, message = CASES[name]
        instance = tmp_path / name.replace(" ", "-")
        instance.mkdir()
        running[name] = (
            subprocess.Popen(command(), cwd=ROOT, env=_env(instance, overrides), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
            message,
        )
    return running


@pytest.mark.parametrize("tool", ["gunicorn", "flask"])
def test_production_refuses_an_unsafe_configuration(tool, tmp_path):
    def command() -> list[str]:
        if tool == "gunicorn":
            return [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "--workers", "1",
                    "--bind", f"127.0.0.1:{free_port()}", "wsgi:app"]
        return [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"]

    names = list(CASES) if tool == "gunicorn" else CLI_CASES
    for name, (process, message) in _start_all(tmp_path, command, names).items():
        output, _ = process.communicate(timeout=120)
        assert process.returncode != 0, f"{tool} started with {name}:\n{output}"
        assert "ConfigurationError" in output and message in output, f"{name}:\n{output}"



@pytest.mark.parametrize("shipped_config", [True, False], ids=["deploy-config", "bare-gunicorn"])
def test_several_workers_on_per_process_limits_refuse_to_start(shipped_config, tmp_path):
    # Each worker would count alone: 40 wrong logins went through with 2 workers.
    config = ("-c", str(GUNICORN_CONF)) if shipped_config else ("--no-control-socket",)
    command = [str(VENV_BIN / "gunicorn"), *config, "--workers", "2",
               "--bind", f"127.0.0.1:{free_port()}", "wsgi:app"]
    done = subprocess.run(command, cwd=ROOT, env=_env(tmp_path, {}), text=True, timeout=120,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    assert done.returncode != 0, done.stdout
    assert "RATELIMIT_STORAGE_URI=memory:// keeps rate-limit counters in each process" in done.stdout
    assert "gunicorn runs 2 workers" in done.stdout


def test_one_worker_on_per_process_limits_starts(tmp_path):
    """The one-machine shape (and `make run`, one process) needs no Redis."""
    shipped = ("-c", str(GUNICORN_CONF))
    with live_server(tmp_path / "one", workers=1, seed=False, gunicorn_args=shipped,
                     **_env(tmp_path, {})) as server, \
            urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:  # noqa: S310
        assert response.status == 200
