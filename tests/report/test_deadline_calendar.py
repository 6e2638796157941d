"""The acceptance deadline a reporter is shown follows the calendar in force at submission.

The app keeps the calendar between submissions and reads it again only when the township has
changed; every override marks every township changed. These tests change the calendar through
the service, which does not touch the kept calendar itself (another process's would not
either), and check that the very next report already counts with the change.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Report
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.shared import calendar
from tests.report.test_form import RECEIPT, post_report


def _last_accept_due(app):
    with app.app_context():
        return db.session.scalar(select(Report.accept_due).order_by(Report.id.desc()).limit(1))


def _file(client, place):
    answer = post_report(client, place)
    assert answer.status_code == 200 and RECEIPT.search(answer.get_data(as_text=True))
    return _last_accept_due(client.application)


def test_an_override_made_after_a_report_moves_the_next_reports_deadline(app, client, place):
    before = _file(client, place)
    with app.test_request_context():
        first_working = calendar.official_calendar().add_working_days(local_date(utcnow()), 1)
        # Another administrator (any process) declares that day a holiday.
        calendar.set_override(first_working, False, "临时休假")
    after = _file(client, place)
    assert local_date(after) > local_date(before)
    with app.test_request_context():
        calendar.remove_override(first_working)
    assert local_date(_file(client, place)) == local_date(before)


def test_an_override_far_ahead_leaves_the_deadline_alone(app, client, place):
    before = _file(client, place)
    with app.test_request_context():
        calendar.set_override(local_date(utcnow()) + timedelta(days=200), False, "远期")
    assert local_date(_file(client, place)) == local_date(before)
