"""Crash durability: no acknowledged report is ever lost or left half-written.

Eight writers submit reports through POST /report while gunicorn (master and workers) is
killed with SIGKILL at random moments and restarted: 20 times in `make test`, 100 under
`make audit` (ZG_CRASH_ITERATIONS). Afterwards every report whose receipt a writer
received is in the database, intact (its text, its photos byte for byte, its history and
audit entry) and trackable over POST /track, and no table holds an orphan row. Runs on
SQLite (WAL, synchronous=FULL) and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sqlalchemy import select, text

from portal.extensions import db
from portal.models import AuditEntry, Report
from portal.services.casework import evidence, reports
from portal.services.shared import audit
from tests import factories
from tests.durability.harness import GUNICORN_ARGS, crash_loop, stop_server
from tests.e2e.support import ARTIFACTS, app_for, served
from tests.e2e.webclient import WebClient

ITERATIONS = int(os.environ.get("ZG_CRASH_ITERATIONS", "20"))
WRITERS = 8
ORPHANS = {
    "report_event": "SELECT count(*) FROM report_event e LEFT JOIN report r ON r.id = e.report_id "
                    "WHERE r.id IS NULL",
    "message": "SELECT count(*) FROM message m LEFT JOIN report r ON r.id = m.report_id "
               "WHERE r.id IS NULL",
    "evidence": "SELECT count(*) FROM evidence v LEFT JOIN report r ON r.id = v.report_id "
                "WHERE r.id IS NULL",
    "report without its submitted event": (
        "SELECT count(*) FROM report r WHERE NOT EXISTS (SELECT 1 FROM report_event e "
        "WHERE e.report_id = r.id AND e.kind = 'submitted')"),
    "report without its audit entry": (
        "SELECT count(*) FROM report r WHERE NOT EXISTS (SELECT 1 FROM audit_entry a "
        "WHERE a.object_id = r.public_id AND a.action = 'report.submitted')"),
    "audit entry without its report": (
        "SELECT count(*) FROM audit_entry a WHERE a.action = 'report.submitted' AND NOT EXISTS "
        "(SELECT 1 FROM report r WHERE r.public_id = a.object_id)"),
}


def _intact(acknowledged, evidence_dir: Path) -> list[str]:
    problems = []
    for item in acknowledged:
        report = reports.find_by_receipt(item.receipt)
        if report is None:
            problems.append(f"acknowledged report {item.marker} is lost")
            continue
        if item.marker not in report.description:
            problems.append(f"report {item.marker} has another text: {report.description!r}")
        if len(report.evidence) != item.photos:
            problems.append(f"report {item.marker}: {len(report.evidence)} photos of {item.photos}")
        for photo in report.evidence:
            if hashlib.sha256(evidence.read_bytes(photo)).hexdigest() != photo.sha256:
                problems.append(f"report {item.marker}: photo {photo.public_id} is damaged")
    return problems


def _orphans() -> dict[str, int]:
    found = {name: db.session.scalar(text(sql)) for name, sql in ORPHANS.items()}
    return {name: n for name, n in found.items() if n}


def _trackable(server, acknowledged) -> list[str]:
    client = WebClient(server.url)
    token = client.get("/track").csrf()
    lost = []
    for item in acknowledged:
        answer = client.post("/track", {"csrf_token": token, "receipt": item.receipt})
        if answer.status != 200 or "待受理" not in answer.body:
            lost.append(f"{item.marker}: /track answered {answer.status}")
    return lost


def test_no_acknowledged_report_is_lost_when_the_server_is_killed(tmp_path):
    with served(tmp_path / "inst", "crash", seed=False, workers=2,
                gunicorn_args=GUNICORN_ARGS, PORTAL_RATELIMIT_ENABLED="false",
                EVIDENCE_STORAGE="files") as server:
        with app_for(server) as app, app.app_context():
            code = factories.township(name="崩溃镇").code
            db.session.commit()
        tally = crash_loop(server, code, ITERATIONS, WRITERS)
        try:
            assert not tally.server_errors, tally.server_errors[:5]
            assert len(tally.acknowledged) >= ITERATIONS, "the writers got too few receipts"
            untracked = _trackable(server, tally.acknowledged)
            with app_for(server) as app, app.app_context():
                problems = _intact(tally.acknowledged, Path(app.config["EVIDENCE_DIR"]))
                orphans = _orphans()
                chain = audit.verify()
                stored = db.session.scalar(select(db.func.count()).select_from(Report))
                audited = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
                dialect = db.engine.dialect.name
                integrity = (db.session.scalar(text("PRAGMA integrity_check"))
                             if dialect == "sqlite" else "ok")
        finally:
            stop_server(server)
    figures = {
        "dialect": dialect, "kills": ITERATIONS, "writers": WRITERS,
        "acknowledged": len(tally.acknowledged), "stored": stored,
        "interrupted_attempts": tally.failed_attempts, "audit_entries": audited,
        "lost": len(problems), "untracked": len(untracked), "orphans": orphans,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"durability-{dialect}.json").write_text(json.dumps(figures, indent=2))
    assert not problems, problems[:10]
    assert not untracked, untracked[:10]
    assert not orphans, orphans
    assert chain.ok, chain
    assert integrity == "ok"
    assert stored >= len(tally.acknowledged)
