"""The systemd units (deploy/systemd/) are valid, and each periodic job runs its command
successfully, as systemd would start it (ExecStart, the environment file's settings)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from portal.config import ROOT
from tests.live import VENV_BIN, server_env

SYSTEMD = ROOT / "deploy" / "systemd"
INSTALLED_AT = "/srv/zaigang/app"
JOBS = ("escalate", "purge", "notices", "backup", "audit-checkpoint", "alerts", "weeks")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(SYSTEMD / name)
    return parser


def test_every_job_has_a_service_and_a_timer_with_the_schedule_we_document():
    schedules = {
        "escalate": "*-*-* *:05:00 Asia/Shanghai",
        "purge": "*-*-* 03:30:00 Asia/Shanghai",
        "notices": "*-*-01 06:00:00 Asia/Shanghai",
        "backup": "*-*-* 02:15:00 Asia/Shanghai",
        # Before the nightly backup, which then carries the day's checkpoint.
        "audit-checkpoint": "*-*-* 01:45:00 Asia/Shanghai",
        "alerts": "*-*-* *:00/5:00 Asia/Shanghai",
        "weeks": "Mon *-*-* 09:00:00 Asia/Shanghai",
    }
    for job in JOBS:
        service, timer = _unit(f"zaigang-{job}.service"), _unit(f"zaigang-{job}.timer")
        assert service["Service"]["Type"] == "oneshot"
        assert service["Service"]["EnvironmentFile"] == "/etc/zaigang/zaigang.env"
        assert timer["Timer"]["OnCalendar"] == schedules[job]
        assert timer["Timer"]["Persistent"] == "true"
    app = _unit("zaigang.service")["Service"]
    assert app["ExecStart"].endswith("gunicorn -c deploy/gunicorn.conf.py wsgi:app")
    assert app["User"] == "zaigang"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    for unit in SYSTEMD.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_AT, str(ROOT)))
    units = [str(p) for p in sorted(tmp_path.iterdir())] + [str(tmp_path / "zaigang@8001.service")]
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60,
                            check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_each_job_runs_as_its_unit_starts_it(tmp_path):
    instance = tmp_path / "instance"
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "zaigang-20200101-021500.tar"
    old.write_bytes(b"an archive older than BACKUP_KEEP_DAYS")
    os.utime(old, (time.time() - 30 * 86400,) * 2)
    env = server_env(instance, PORTAL_ENV="production", BACKUP_DIR=str(backups), BACKUP_KEEP_DAYS="14",
                     ZAIGANG_FLASK=str(VENV_BIN / "flask"), PATH=f"{VENV_BIN}:{os.environ['PATH']}")
    instance.mkdir()
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    running = {}
    for job in JOBS:
        command = _unit(f"zaigang-{job}.service")["Service"]["ExecStart"].replace(INSTALLED_AT, str(ROOT))
        running[job] = subprocess.Popen(command.split(), cwd=ROOT, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    outputs = {}
    for job, process in running.items():
        outputs[job], _ = process.communicate(timeout=180)
        assert process.returncode == 0, f"{job}:\n{outputs[job]}"
    assert "report(s) escalated" in outputs["escalate"]
    assert "purged" in outputs["purge"]
    assert "entries, head" in outputs["audit-checkpoint"]
    assert "alerts are off: MAIL_URL is not set" in outputs["alerts"]
    archives = sorted(p.name for p in backups.iterdir())
    assert len(archives) == 1 and re.fullmatch(r"zaigang-\d{8}-\d{6}\.tar", archives[0])
    assert "archive intact" in outputs["backup"]
    assert str(old) in outputs["backup"]  # pruned, and said so


def test_the_notices_job_publishes_the_month_that_has_just_ended(tmp_path):
    # The script computes the previous month itself; `date` is the only input.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    flask = fake_bin / "flask"
    flask.write_text('#!/bin/sh\necho "$@"\n')
    flask.chmod(0o755)
    env = dict(os.environ, ZAIGANG_FLASK=str(flask))
    script = ROOT / "deploy" / "bin" / "zaigang-notices"
    result = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=True)
    shanghai_month = subprocess.run(
        ["date", "-d", subprocess.run(["date", "+%Y-%m-01"], env=dict(env, TZ="Asia/Shanghai"),
                                      capture_output=True, text=True).stdout.strip() + " -1 day",
         "+%Y-%m"], env=dict(env, TZ="Asia/Shanghai"), capture_output=True, text=True,
    ).stdout.strip()
    assert result.stdout.split() == ["--app", "wsgi", "notices", "publish", "--month", shanghai_month]
    given = subprocess.run([str(script), "2026-10"], env=env, capture_output=True, text=True, check=True)
    assert given.stdout.split()[-1] == "2026-10"


def test_the_example_environment_file_names_every_setting_the_app_reads():
    example = (ROOT / "deploy" / "zaigang.env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    read_from_env = set()
    for path in [ROOT / "portal" / "config.py", ROOT / "deploy" / "gunicorn.conf.py",
                 *Path(ROOT / "deploy" / "bin").iterdir()]:
        text = path.read_text()
        read_from_env |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', text))
        read_from_env |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", text))
    read_from_env -= {"ZAIGANG_FLASK"}  # a test hook of the job scripts
    assert read_from_env - documented == set()


def test_the_example_environment_file_reads_the_same_in_sh_as_in_systemd():
    example = ROOT / "deploy" / "zaigang.env.example"
    result = subprocess.run(["sh", "-c", f'set -a; . "{example}"; set +a; env'], capture_output=True,
                            text=True, check=True, env={"PATH": os.environ["PATH"]})
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for line in example.read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            # systemd's EnvironmentFile drops one pair of surrounding double quotes.
            assert seen[key] == value.removeprefix('"').removesuffix('"'), key
