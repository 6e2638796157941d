"""Two inspectors claim the same report at the same moment: exactly one wins.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with
TEST_DATABASE_URL): each thread has its own app context, session and connection.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Report, ReportEvent, ReportStatus, Township, User
from portal.services.casework import review
from portal.services.shared.errors import ConflictError, IllegalTransitionError
from tests.review.conftest import make_report


def test_two_concurrent_claims_one_wins(app, world):
    with app.app_context():
        report = make_report(db.session.get(Township, world.township.id), status=ReportStatus.ACCEPTED)
        db.session.commit()
        pid = report.public_id
    for _round in range(3):
        with app.app_context():
            r = db.session.scalar(select(Report).where(Report.public_id == pid))
            r.status, r.assignee_id = ReportStatus.ACCEPTED, None
            db.session.commit()
        barrier = threading.Barrier(2, timeout=20)
        outcomes: dict[str, str] = {}

        def claim(name: str) -> None:
            with app.app_context():
                user = db.session.get(User, getattr(world, name).id)
                loaded = db.session.scalar(select(Report).where(Report.public_id == pid))
                assert loaded.status == ReportStatus.ACCEPTED  # both saw it unclaimed
                barrier.wait()
                try:
                    review.claim(user=user, report=loaded)
                    outcomes[name] = "won"
                except (ConflictError, IllegalTransitionError):
                    outcomes[name] = "lost"
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=claim, args=(n,)) for n in ("inspector", "inspector2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes.values()) == ["lost", "won"], outcomes
        winner = next(n for n, o in outcomes.items() if o == "won")
        with app.app_context():
            r = db.session.scalar(select(Report).where(Report.public_id == pid))
            assert r.assignee_id == getattr(world, winner).id
            assert r.status == ReportStatus.VERIFYING
    with app.app_context():
        # One assignment event and one audit entry per round: the loser left no trace.
        events = db.session.scalars(select(ReportEvent).where(ReportEvent.kind == "assigned")).all()
        assert len(events) == 3
        claims = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.claimed")).all()
        assert len(claims) == 3
