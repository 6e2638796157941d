"""Point-in-time recovery drill: the database restored to a moment between two reports.

A primary archives its WAL (deploy/postgresql/primary.conf: archive_command, archive_timeout);
a base backup is taken with pg_basebackup; report A is submitted, the moment noted, report B
submitted. The base backup restored with restore_command and recovery_target_time set to that
moment holds A and not B, and `flask audit verify` on it agrees: the chain is intact and ends
with A. Runs in `make test` (so in .ci/run); under CI=true missing server binaries fail it.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from portal.config import ROOT
from portal.extensions import db
from portal.services.casework import reports
from tests import factories
from tests.conftest import require_service
from tests.deploy import pgcluster
from tests.deploy.test_failover import _app
from tests.durability.harness import Tally, submit_one
from tests.live import VENV_BIN, live_server

pytestmark = pytest.mark.drill


def _submit(server, code: str) -> str:
    tally = Tally()
    submit_one(server.url, code, tally)
    assert len(tally.acknowledged) == 1, (tally, server.log()[-2000:])
    return tally.acknowledged[0].receipt


def _archived(primary: pgcluster.Server, archive) -> None:
    """Close the current WAL segment and wait until the archive holds it."""
    segment = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (archive / segment).exists():
        time.sleep(0.2)
    assert (archive / segment).exists(), f"{segment} was not archived"


def _restore(folder: pgcluster.Folder, base, archive, target: str, taken: set[int]):
    port = pgcluster.free_port(taken)
    taken.add(port)
    server = pgcluster.Server("restored", base, port, folder.path / "restored.log")
    conf = base / "postgresql.conf"
    conf.write_text(conf.read_text() + f"\nport = {port}\n"
                    f"restore_command = 'cp {archive}/%f %p'\n"
                    f"recovery_target_time = '{target}'\n"
                    "recovery_target_action = 'promote'\n")
    (base / "recovery.signal").touch()
    if shutil.which("chown") and (folder.path / "primary").owner() == "postgres":
        subprocess.run(["chown", "-R", "postgres:postgres", str(base)], check=True)
    server.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.sql("SELECT pg_is_in_recovery()") == "f":
            return server
        time.sleep(0.2)
    raise RuntimeError(f"recovery did not end: {server.log.read_text(errors='replace')[-2000:]}")


def test_a_restore_to_a_moment_between_two_reports_holds_the_first_only(tmp_path):
    require_service(pgcluster.available(), "PostgreSQL server binaries (initdb, pg_ctl)")
    folder = pgcluster.Folder("zg-drill-pitr-")
    archive = folder.sub("archive")
    taken: set[int] = set()
    primary = pgcluster.init_primary(folder, taken, archive=archive, standby=False)
    restored = None
    try:
        primary.sql("CREATE DATABASE zaigang")
        url = pgcluster.url("zaigang", primary)
        with live_server(tmp_path / "inst", workers=1, seed=False,
                         DATABASE_URL=url, PORTAL_RATELIMIT_ENABLED="false") as server:
            with _app(server) as app, app.app_context():
                code = factories.township(name="回溯镇").code
                db.session.commit()
            base = folder.sub("base")
            primary.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port),
                        "-U", "postgres", "-D", str(base), "-X", "stream", "-c", "fast")
            first = _submit(server, code)
            time.sleep(0.3)
            target = primary.sql("SELECT now()")
            time.sleep(0.3)
            second = _submit(server, code)
            _archived(primary, archive)
            env = server.env
        primary.kill()
        restored = _restore(folder, base, archive, target, taken)
        env = {**env, "DATABASE_URL": pgcluster.url("zaigang", restored)}
        server.env = env
        with _app(server) as app, app.app_context():
            kept, gone = reports.find_by_receipt(first), reports.find_by_receipt(second)
        verify = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "audit", "verify"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        for node in (primary, restored):
            if node is not None:
                node.kill()
        folder.remove()
    assert kept is not None, "the report before the target moment is missing"
    assert gone is None, "the report after the target moment is still there"
    assert verify.returncode == 0, verify.stdout + verify.stderr
