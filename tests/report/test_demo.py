"""The demo reports: every state, with history and messages, readable on /track."""

from __future__ import annotations

from sqlalchemy import select

from portal import demo as demo_data
from portal.extensions import db
from portal.models import Message, Report, ReportStatus, Sender, Source
from portal.services.casework import reports, tracking
from portal.services.shared import audit
from tests.report.test_track import look_up


def test_the_demo_has_reports_in_every_state_with_messages(demo):
    with demo.app_context():
        all_reports = db.session.scalars(select(Report)).all()
        assert {r.status for r in all_reports} == set(ReportStatus)
        assert {r.source for r in all_reports} == set(Source)
        assert len({r.township_id for r in all_reports}) >= 6
        senders = {m.sender for m in db.session.scalars(select(Message))}
        assert senders == {Sender.INSPECTOR, Sender.REPORTER}
        concluded = [r for r in all_reports if r.status == ReportStatus.CONCLUDED]
        assert all(r.finding and r.action and r.outcome_public for r in concluded)
        # The demo county has its office key: the named reporters' identities are sealed.
        named = [r for r in all_reports if r.named]
        assert named and all(r.sealed_identity and not r.legacy_reporter_name for r in named)
        assert any(r.evidence for r in all_reports)
        for report in all_reports:
            steps = tracking.public_timeline(report)
            assert steps[0].at == report.submitted_at
            assert [s.at for s in steps] == sorted(s.at for s in steps)
        assert audit.verify().ok


def test_demo_receipts_open_their_reports_on_track(demo):
    from portal.demo.reports import DEMO_REPORTS

    client = demo.test_client()
    spec = DEMO_REPORTS[2]
    html = look_up(client, spec.receipt).get_data(as_text=True)
    assert "已受理" in html and "白色的越野车" in html
    with demo.app_context():
        assert reports.find_by_receipt(DEMO_REPORTS[6].receipt).status == ReportStatus.CONCLUDED


def test_seeding_twice_adds_nothing(demo):
    with demo.app_context():
        before = db.session.scalar(select(db.func.count(Report.id)))
        lines = demo_data.seed()
        assert db.session.scalar(select(db.func.count(Report.id))) == before
    assert any("demo reports already present" in line for line in lines)
