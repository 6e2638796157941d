"""`flask alerts send` on several nodes at the same moment sends each alert once: the timer
commands' lock lets one run work, and the rows' claim (a conditional UPDATE; FOR UPDATE SKIP
LOCKED on PostgreSQL) keeps even runs that bypass the lock from sending a row twice. Real
processes, a real SMTP server on loopback, the test's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

from sqlalchemy import func, select

from portal.config import ROOT
from portal.extensions import db
from portal.models import Alert
from portal.services.casework import reports
from tests.alerts.conftest import make_county
from tests.alerts.smtp import SmtpSink
from tests.conftest import at
from tests.live import VENV_BIN, server_env

REPORTS = 5


def _fill(app) -> int:
    """Reports whose alerts are due now; returns how many alerts wait."""
    county = make_county(app)
    from portal.models import Township

    with app.app_context():
        township = db.session.get(Township, county.township_id)
        for n in range(REPORTS):
            reports.create_report(township=township, category="absent_workday",
                                  description=f"第{n}次看到办公室无人。")
        return db.session.scalar(select(func.count()).select_from(Alert))


def _env(app, sink, tmp_path) -> dict:
    return server_env(tmp_path / "node", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                      MAIL_URL=sink.url, MAIL_FROM="zaigang@example.org")


def _each_once(app, sink, waiting: int) -> None:
    keys = Counter((str(m["To"]), str(m["Subject"])) for m in sink.messages)
    assert keys and max(keys.values()) == 1, keys
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)
                                 .where(Alert.outcome == "sent")) == waiting
        assert db.session.scalar(select(func.count()).select_from(Alert)
                                 .where(Alert.sent_at.is_(None))) == 0


def test_three_nodes_running_alerts_send_at_once_send_each_alert_once(make_app, tmp_path):
    at("2026-12-07T10:00")
    with SmtpSink(delay=0.05) as sink:
        app = make_app(MAIL_URL=sink.url, MAIL_FROM="zaigang@example.org")
        waiting = _fill(app)
        env = _env(app, sink, tmp_path)
        runs = [subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "alerts", "send"],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True) for _ in range(3)]
        outputs = [run.communicate(timeout=180)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], outputs
        _each_once(app, sink, waiting)
    # Digest readers get one e-mail for all of theirs: fewer e-mails than alerts.
    assert REPORTS * 2 <= len(sink.messages) < waiting


_SEND_WITHOUT_LOCK = """
from wsgi import app
from portal.services.casework import alerts
with app.app_context(), app.test_request_context():
    result = alerts.send_due()
print("sent", result.sent, "failed", result.failed, flush=True)
"""


def test_runs_that_bypass_the_lock_still_send_each_alert_once(make_app, tmp_path):
    at("2026-12-07T10:00")
    with SmtpSink(delay=0.05) as sink:
        app = make_app(MAIL_URL=sink.url, MAIL_FROM="zaigang@example.org")
        waiting = _fill(app)
        env = _env(app, sink, tmp_path)
        runs = [subprocess.Popen([sys.executable, "-c", _SEND_WITHOUT_LOCK], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _ in range(3)]
        outputs = [run.communicate(timeout=180)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], outputs
        sent = [int(out.split("sent ")[1].split()[0]) for out in outputs]
        assert sum(sent) == waiting, outputs
        _each_once(app, sink, waiting)
