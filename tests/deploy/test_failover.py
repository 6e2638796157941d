"""Failover drill: the primary PostgreSQL server dies under load and nothing acknowledged is lost.

A primary and a synchronous streaming standby (initdb and pg_basebackup on loopback ports,
deploy/postgresql/*.conf) serve one database; gunicorn reaches them through one multi-host
DATABASE_URL with target_session_attrs=read-write. Eight writers submit reports and readers
open the board; the primary is killed (pg_ctl -m immediate: no checkpoint, as a machine that
loses power), the standby promoted, and the app, never restarted, carries on on the new
primary. Every report a writer got a receipt for is there, intact, and the audit chain
verifies. Runs in `make test` (so in .ci/run); under CI=true missing server binaries fail it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Report
from portal.services.casework import reports
from portal.services.shared import audit
from tests import factories
from tests.conftest import require_service
from tests.deploy import pgcluster
from tests.durability.harness import GUNICORN_ARGS, Tally, writer
from tests.e2e.support import ARTIFACTS, app_for
from tests.live import live_server

WRITERS = 8
READERS = 4

pytestmark = pytest.mark.drill


@contextlib.contextmanager
def _app(server):
    """An in-process app on the served database, signing audit entries as the server does."""
    with app_for(server) as app:
        app.config["AUDIT_KEY"] = server.env["AUDIT_KEY"]
        yield app


def _reader(url: str, stop: threading.Event, statuses: list[int]) -> None:
    while not stop.is_set():
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
        except OSError:
            statuses.append(0)
            time.sleep(0.1)


def _acknowledged_after(tally: Tally, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tally.lock:
            if len(tally.acknowledged) >= count:
                return True
        time.sleep(0.1)
    return False


def test_losing_the_primary_loses_no_acknowledged_report(tmp_path):
    require_service(pgcluster.available(), "PostgreSQL server binaries (initdb, pg_ctl)")
    folder = pgcluster.Folder("zg-drill-failover-")
    taken: set[int] = set()
    primary = pgcluster.init_primary(folder, taken)
    standby = None
    try:
        standby = pgcluster.init_standby(folder, primary, taken)
        pgcluster.wait_streaming(primary)
        primary.sql("CREATE DATABASE zaigang")
        url = pgcluster.url("zaigang", primary, standby)
        with live_server(tmp_path / "inst", workers=2, seed=False, gunicorn_args=GUNICORN_ARGS,
                         DATABASE_URL=url, PORTAL_RATELIMIT_ENABLED="false") as server:
            with _app(server) as app, app.app_context():
                code = factories.township(name="切换镇").code
                db.session.commit()
            _drill(server, code, primary, standby)
            with _app(server) as app, app.app_context():
                lost, stored, chain = _check(server.tally)  # type: ignore[attr-defined]
    finally:
        for node in (primary, standby):
            if node is not None:
                node.kill()
        folder.remove()
    tally = server.tally  # type: ignore[attr-defined]
    assert not lost, lost[:10]
    assert stored >= len(tally.acknowledged)
    assert chain.ok, chain
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "failover.json").write_text(json.dumps({
        "writers": WRITERS, "readers": READERS, "acknowledged": len(tally.acknowledged),
        "acknowledged_after_failover": server.after_failover,  # type: ignore[attr-defined]
        "seconds_without_receipts": round(server.without_receipts, 2),  # type: ignore[attr-defined]
        "stored": stored, "lost": len(lost), "audit_chain_ok": chain.ok,
    }, indent=2))
    assert server.after_failover > 0  # type: ignore[attr-defined]


def _drill(server, code: str, primary, standby) -> None:
    tally = Tally()
    stop = threading.Event()
    statuses: list[int] = []
    threads = [threading.Thread(target=writer, args=(server.url, code, tally, stop), daemon=True)
               for _ in range(WRITERS)]
    threads += [threading.Thread(target=_reader, args=(f"{server.url}/t/{code}", stop, statuses),
                                 daemon=True) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    try:
        assert _acknowledged_after(tally, 20, 60), "the writers got no receipts before the failover"
        with tally.lock:
            at_failover = len(tally.acknowledged)
        killed = time.monotonic()
        primary.kill()
        standby.promote()
        assert _acknowledged_after(tally, at_failover + 1, 60)
        server.without_receipts = time.monotonic() - killed
        # The app carries on by itself: new receipts from the new primary.
        assert _acknowledged_after(tally, at_failover + 20, 60), (
            f"no receipts after the failover\n{server.log()[-3000:]}")
        boards = len(statuses)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and statuses[boards:].count(200) < 10:
            time.sleep(0.1)
        assert statuses[boards:].count(200) >= 10, "the board is not served after the failover"
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    server.tally = tally
    server.after_failover = len(tally.acknowledged) - at_failover


def _check(tally: Tally):
    lost = []
    for item in tally.acknowledged:
        report = reports.find_by_receipt(item.receipt)
        if report is None or item.marker not in report.description:
            lost.append(item.marker)
    stored = db.session.scalar(select(db.func.count()).select_from(Report))
    return lost, stored, audit.verify()


def test_the_deploy_settings_make_the_standby_synchronous():
    settings = (Path(pgcluster.DEPLOY_CONF) / "primary.conf").read_text()
    assert "synchronous_standby_names = 'FIRST 1 (zaigang_standby)'" in settings
    assert "synchronous_commit = on" in settings
