"""Timer commands run once across nodes (portal/jobs.py): the run that takes the job's lock
works, every other run at the same moment says who holds it and exits 0; a dead holder's
lock is free again. On SQLite (a file lock beside the database) and PostgreSQL (an advisory
lock), with real concurrent processes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portal import jobs
from portal.config import ROOT
from portal.extensions import db
from portal.models import MonthlyNotice, Report, ReportEvent, ReportStatus, WeekRecord
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from tests import factories
from tests.live import VENV_BIN, server_env
from tests.review.conftest import make_report

HELD = "another run holds its lock"


def _overdue_report(app) -> str:
    """An open report whose acceptance deadline passed long ago: `reports escalate` work."""
    with app.app_context():
        township = factories.township()
        report = make_report(township, submitted_at=utcnow() - timedelta(days=40))
        db.session.commit()
        return report.public_id


def _escalations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReportEvent)
                                 .where(ReportEvent.kind == "escalated"))


def _closed_named_report(app) -> int:
    """A named report closed 400 days ago: `reports purge` work (its contact goes)."""
    with app.app_context():
        township = factories.township()
        report = make_report(township, named=True, status=ReportStatus.CONCLUDED,
                             closed_at=utcnow() - timedelta(days=400))
        db.session.commit()
        return report.id


def _last_month() -> str:
    first = local_date(utcnow()).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


JOBS = {
    "reports escalate": ["reports", "escalate"],
    "reports purge": ["reports", "purge"],
    "notices publish": ["notices", "publish", "--month", "{month}"],
    "alerts send": ["alerts", "send"],
    "weeks close": ["weeks", "close"],
}


def _alert_waiting(app, request):
    """An inspector's alert of a new report, and a real SMTP server for it: `alerts send` work."""
    from portal.models import Alert, Role
    from portal.services.casework import reports
    from tests.alerts.smtp import SmtpSink

    sink = SmtpSink().start()
    request.addfinalizer(sink.stop)
    app.config.update(MAIL_URL=sink.url, MAIL_FROM="zaigang@example.org")
    with app.app_context():
        township = factories.township()
        factories.user(Role.INSPECTOR, township.county).email = "jiang@example.gov.cn"
        reports.create_report(township=township, category="absent_workday", description="办公室无人。")

    def sent() -> bool:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Alert)
                                     .where(Alert.outcome == "sent")) == 1 and len(sink.messages) == 1
    return sent


def _work_for(app, name: str, request=None):
    """Leave work for job `name`; return a function that says whether it was done."""
    if name == "alerts send":
        return _alert_waiting(app, request)
    if name == "reports escalate":
        _overdue_report(app)
        return lambda: _escalations(app) == 1
    if name == "reports purge":
        report_id = _closed_named_report(app)

        def purged() -> bool:
            with app.app_context():
                return db.session.get(Report, report_id).reporter_contact is None
        return purged
    if name == "weeks close":
        with app.app_context():
            township = factories.township()
            factories.cadre(township, is_leader=True, joined_on=datetime(2020, 1, 1, tzinfo=UTC).date())
            db.session.commit()

        def closed() -> bool:
            with app.app_context():
                return db.session.scalar(select(func.count()).select_from(WeekRecord)) == 1
        return closed
    with app.app_context():
        township = factories.township()
        factories.cadre(township, joined_on=datetime(2020, 1, 1, tzinfo=UTC).date())
        db.session.commit()

    def published() -> bool:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(MonthlyNotice)) == 1
    return published


@pytest.mark.parametrize("name", sorted(JOBS))
def test_a_run_that_finds_the_lock_taken_says_so_exits_0_and_does_nothing(app, runner, name,
                                                                         request):
    done = _work_for(app, name, request)
    args = [a.format(month=_last_month()) for a in JOBS[name]]
    with app.app_context(), jobs.job_lock(name) as lock:
        assert lock.held
        result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert f"{name}: not run here, {HELD}: zaigang job {name} on " in result.output
    assert f"pid {os.getpid()}" in result.output
    assert not done()
    # Once the lock is free, the next run does the work.
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and HELD not in again.output, again.output
    assert done()


def test_different_jobs_do_not_wait_for_each_other(app, runner):
    _overdue_report(app)
    with app.app_context(), jobs.job_lock("reports purge") as lock:
        assert lock.held
        result = runner.invoke(args=["reports", "escalate"])
    assert "1 report(s) escalated" in result.output


def _database_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


class _WritersHeldOff:
    """Keep every writer of the `report` table waiting (readers go on) until released: the
    run that gets the job's lock then stays inside its work while the others try."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            self.conn = sqlite3.connect(parsed.database, isolation_level=None, timeout=30)
            self.conn.execute("BEGIN IMMEDIATE")  # the database's write lock
        else:
            self.conn = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(
                hide_password=False))
            self.conn.execute("LOCK TABLE report IN EXCLUSIVE MODE")

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def _start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_timers_firing_on_three_nodes_at_once_escalate_once(app, tmp_path):
    public_id = _overdue_report(app)
    env = server_env(tmp_path / "node", DATABASE_URL=_database_url(app))
    held_off = _WritersHeldOff(_database_url(app))
    try:
        runs = [_start(env, "reports", "escalate") for _ in range(3)]
        # Two of them find the lock taken and end; the third waits inside its work.
        deadline = time.monotonic() + 120
        while sum(run.poll() is not None for run in runs) < 2:
            assert time.monotonic() < deadline, "the runs did not end"
            assert all(run.poll() in (None, 0) for run in runs)
            time.sleep(0.05)
    finally:
        held_off.release()
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    worked = [out for out in outputs if HELD not in out]
    assert len(worked) == 1, outputs
    assert f"escalated {public_id} to level 1" in worked[0] and "1 report(s) escalated" in worked[0]
    assert sum(f"reports escalate: not run here, {HELD}" in out for out in outputs) == 2
    assert _escalations(app) == 1


_HOLD = """
import sys, time
from wsgi import app
from portal import jobs
with app.app_context(), jobs.job_lock(sys.argv[1]) as lock:
    print("held" if lock.held else "not held", flush=True)
    time.sleep(120)
"""


def test_the_lock_of_a_run_killed_mid_work_is_free_again(app, runner, tmp_path):
    _overdue_report(app)
    env = server_env(tmp_path / "node", DATABASE_URL=_database_url(app))
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, "reports escalate"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert HELD in runner.invoke(args=["reports", "escalate"]).output
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdout.close()
    # PostgreSQL drops a dead session's locks once it sees the connection close; the kernel
    # drops a dead process's file locks at once.
    deadline = time.monotonic() + 30
    while HELD in (result := runner.invoke(args=["reports", "escalate"])).output:
        assert time.monotonic() < deadline, result.output
        time.sleep(0.2)
    assert "1 report(s) escalated" in result.output
