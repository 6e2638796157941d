"""The app's one clock: ZAIGANG_CLOCK starts it at a moment, it runs on, production refuses it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest

from portal import clock, create_app
from portal.config import ROOT, ProductionConfig
from portal.models.base import utcnow
from portal.security import ConfigurationError
from tests.conftest import at
from tests.live import VENV_BIN, live_server

PRINT_NOW = "from portal import clock; print(clock.now().isoformat())"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {clock.ENV_VAR, "PORTAL_ENV"}}
    env.update(extra)
    return env


def _now_in_a_process(**extra: str) -> str:
    done = subprocess.run([sys.executable, "-c", PRINT_NOW], cwd=ROOT, env=_env(**extra),
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_zaigang_clock_starts_the_clock_at_the_moment_and_it_runs_on():
    said = clock.parse_moment(_now_in_a_process(ZAIGANG_CLOCK="2027-01-04T22:30:00+08:00"))
    start = clock.parse_moment("2027-01-04T22:30:00+08:00")
    assert start <= said < start + timedelta(minutes=1)
    # Local time without an offset is Asia/Shanghai.
    local = clock.parse_moment(_now_in_a_process(ZAIGANG_CLOCK="2026-12-31T23:50"))
    assert local.astimezone(clock.TZ).strftime("%Y-%m-%d %H:%M") == "2026-12-31 23:50"


def test_the_clock_runs_on_from_where_a_test_sets_it():
    at("2026-12-31T23:59:59.5")
    first = clock.local_now()
    assert first.date().isoformat() == "2026-12-31"
    time.sleep(0.6)
    assert clock.today().isoformat() == "2027-01-01"
    assert utcnow() == pytest.approx(clock.now(), abs=timedelta(seconds=1))


def test_a_bad_moment_is_refused_with_a_message_that_says_what_is_wanted():
    with pytest.raises(clock.ClockError, match="ISO 8601"):
        clock.parse_moment("next tuesday")
    done = subprocess.run([sys.executable, "-c", PRINT_NOW], cwd=ROOT,
                          env=_env(ZAIGANG_CLOCK="31/12/2026"), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode != 0 and "ZAIGANG_CLOCK must be an ISO 8601 moment" in done.stderr


def test_production_refuses_to_start_with_zaigang_clock(monkeypatch):
    monkeypatch.setenv(clock.ENV_VAR, "2027-01-04T22:30:00+08:00")
    config = ProductionConfig()
    config.SECRET_KEY = "p" * 40
    config.AUDIT_KEY = "q" * 40
    config.PUBLIC_URL = "https://zaigang.example.cn"
    with pytest.raises(ConfigurationError, match="ZAIGANG_CLOCK"):
        create_app(config)
    # The command line refuses too, and a production process never shifts its clock.
    env = _env(ZAIGANG_CLOCK="2027-01-04T22:30:00+08:00", PORTAL_ENV="production",
               SECRET_KEY="p" * 40, AUDIT_KEY="q" * 40, PUBLIC_URL="https://zaigang.example.cn")
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "routes"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0 and "ZAIGANG_CLOCK is refused in production" in done.stderr
    shifted = subprocess.run([sys.executable, "-c", "from portal import clock; print(clock.is_shifted())"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
                             env=_env(ZAIGANG_CLOCK="2027-01-04T22:30:00+08:00", PORTAL_ENV="production"))
    assert shifted.stdout.strip() == "False"


def test_a_served_instance_and_its_demo_live_on_the_tests_clock(tmp_path):
    at("2027-01-04T10:00")
    with live_server(tmp_path / "inst", workers=1) as server, \
            urllib.request.urlopen(server.url + "/t/990101001") as response:  # noqa: S310
        html = response.read().decode()
    # The board's day line is the clock's today, a Monday, and the demo's records are of that day.
    assert "1月4日" in html and "周一" in html
