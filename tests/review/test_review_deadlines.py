"""Deadlines on the official calendar, escalation (idempotent) and retention (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Evidence, Report, ReportEvent, ReportStatus, Township, User
from portal.rules.calendar import TZ
from portal.services.casework import cases, escalation, evidence, retention, review
from portal.services.shared import audit
from tests.report.photos import png_bytes
from tests.review.conftest import make_report

S = ReportStatus


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_accept_deadline_skips_the_spring_festival_and_counts_the_adjusted_saturday(app, world):
    """Submitted Fri 13 Feb 2026: Sat 14 is a 调休 working day, 15–23 Feb are off."""
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        r = make_report(t, submitted_at=_local(2026, 2, 13, 16, 0))
        db.session.commit()
        due = r.accept_due.astimezone(TZ)
        # Working days after the 13th: Sat 14 (调休), Tue 24, Wed 25.
        assert (due.year, due.month, due.day) == (2026, 2, 25)
        assert cases.age_in_working_days(r, _local(2026, 2, 23, 12, 0)) == 1
        assert cases.age_in_working_days(r, _local(2026, 2, 25, 12, 0)) == 3


def test_conclusion_deadline_is_thirty_days_after_acceptance_and_configurable(make_app, world):
    for days, app in ((30, make_app()), (15, make_app(REPORT_CONCLUDE_DAYS=15))):
        with app.app_context():
            t = db.session.get(Township, world.township.id)
            r = make_report(t)
            db.session.commit()
            review.accept(user=db.session.get(User, world.inspector.id), report=r)
            accepted = r.accepted_at.astimezone(TZ).date()
            assert r.conclude_due.astimezone(TZ).date() == accepted + timedelta(days=days)


def _escalations():
    return db.session.scalars(select(ReportEvent).where(ReportEvent.kind == "escalated")).all()


def test_escalation_is_idempotent_and_goes_one_level_per_missed_deadline(app, world, runner):
    submitted = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        late = make_report(t, submitted_at=submitted)
        fresh = make_report(t, submitted_at=submitted + timedelta(days=20))
        closed = make_report(t, submitted_at=submitted, status=S.NOT_ACCEPTED)
        db.session.commit()
        now = submitted + timedelta(days=7)
        done = escalation.escalate(now=now)
        assert [d.public_id for d in done] == [late.public_id]
        assert done[0].level == 1 and done[0].region_name == world.city.name
        assert escalation.escalate(now=now) == []
        assert escalation.escalate(now=now + timedelta(days=1)) == []
        db.session.expire_all()
        late = db.session.get(Report, late.id)
        assert late.escalation_level == 1 and late.escalated_at == now
        assert db.session.get(Report, fresh.id).escalation_level == 0
        assert db.session.get(Report, closed.id).escalation_level == 0
        assert len(_escalations()) == 1 and _escalations()[0].public_note
        # Accepted late, then the conclusion deadline passes too: the province is next.
        late.status, late.accepted_at = S.ACCEPTED, now
        late.conclude_due = now + timedelta(days=30)
        db.session.commit()
        assert escalation.escalate(now=now + timedelta(days=10)) == []
        second = escalation.escalate(now=now + timedelta(days=31))
        # (The other report has meanwhile missed its own first deadline.)
        assert sorted((d.public_id, d.level) for d in second) == sorted(
            [(late.public_id, 2), (fresh.public_id, 1)])
        assert escalation.escalate(now=now + timedelta(days=60)) == []
        assert audit.verify().ok
    # The escalated report reaches the city inspector's queue (the default view there).
    result = runner.invoke(args=["reports", "escalate"])
    assert result.exit_code == 0 and "0 report(s) escalated" in result.output


def test_escalate_cli_prints_what_it_did(app, world, runner):
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        r = make_report(t, submitted_at=datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
        db.session.commit()
        pid = r.public_id
    result = runner.invoke(args=["reports", "escalate"])
    assert result.exit_code == 0
    assert f"escalated {pid} to level 1" in result.output and "1 report(s) escalated" in result.output
    assert "0 report(s) escalated" in runner.invoke(args=["reports", "escalate"]).output


def test_purge_removes_photos_and_contacts_after_the_retention_period(app, world, runner):
    now = datetime(2027, 6, 1, tzinfo=UTC)
    with app.app_context():
        t = db.session.get(Township, world.township.id)
        old = make_report(t, named=True, status=S.CONCLUDED, closed_at=now - timedelta(days=400))
        recent = make_report(t, named=True, status=S.CONCLUDED, closed_at=now - timedelta(days=30))
        open_ = make_report(t, named=True, status=S.VERIFYING)
        target = make_report(t, status=S.VERIFYING)
        merged = make_report(t, named=True, status=S.MERGED, merged_into_id=None,
                             closed_at=now - timedelta(days=400))
        db.session.flush()
        merged.merged_into_id = target.id
        for r in (old, recent, open_, merged):
            evidence.store_photo(r, png_bytes(), commit=False)
        db.session.commit()
        ids = {n: r.id for n, r in (("old", old), ("recent", recent), ("open", open_), ("merged", merged))}
        result = retention.purge(now=now)
        assert (result.reports, result.photos) == (1, 1)
        db.session.expire_all()
        purged = db.session.get(Report, ids["old"])
        assert purged.purged_at == now and purged.reporter_name is None and purged.reporter_contact is None
        assert purged.description and purged.events  # the anonymised record and history stay
        photo = db.session.scalar(select(Evidence).where(Evidence.report_id == ids["old"]))
        assert photo.data is None and photo.purged_at is not None
        for name in ("recent", "open", "merged"):
            kept = db.session.get(Report, ids[name])
            assert kept.purged_at is None and kept.reporter_name == "举报人甲", name
        assert retention.purge(now=now) == retention.PurgeResult(0, 0)
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.purged")).all()
        assert len(entries) == 1 and audit.verify().ok
    result = runner.invoke(args=["reports", "purge"])
    assert result.exit_code == 0 and "purged 0 report(s)" in result.output
