"""The inputs carry the limits the server enforces, read from the form classes.

Every control of a form whose field has a Length validator says the same `maxlength` (and
`minlength`), and the 发现时间 picker offers nothing after now (Asia/Shanghai) nor before the
oldest time a report may name.
"""

from __future__ import annotations

import re

import pytest
from wtforms.validators import Length

from portal.report.forms import ReportForm, TrackForm
from portal.services.casework.reports import MAX_AGE
from tests.conftest import at


def _control(html: str, field_id: str) -> str | None:
    found = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="{field_id}"[^>]*>', html)
    return found.group(0) if found else None


def _attr(control: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', control)
    return found.group(1) if found else None


def checked(form_class, html: str) -> int:
    """Compare each Length-limited field of `form_class` with its control; how many were."""
    checked = 0
    for name, unbound in form_class._unbound_fields or ():
        validators = unbound.kwargs.get("validators") or ()
        lengths = [v for v in validators if isinstance(v, Length)]
        control = _control(html, name)
        if not lengths or control is None or 'type="hidden"' in control or control.startswith("<select"):
            continue
        limit = lengths[0]
        if limit.max not in (None, -1):
            assert _attr(control, "maxlength") == str(limit.max), (form_class.__name__, name)
        if limit.min not in (None, -1) and limit.min > 0:
            assert _attr(control, "minlength") == str(limit.min), (form_class.__name__, name)
        checked += 1
    return checked


def bind(form_class, app):
    """Make sure the class has its unbound fields listed (WTForms fills them on first use)."""
    with app.test_request_context():
        form_class(meta={"csrf": False})


def test_the_report_form_carries_the_lengths_of_its_validators(app, client, place):
    bind(ReportForm, app)
    html = client.get(f"/report?township={place.code}").get_data(as_text=True)
    # cadre_text, place, description, name, contact
    assert checked(ReportForm, html) >= 5


def test_the_tracking_form_carries_the_length_of_its_validator(app, client):
    bind(TrackForm, app)
    assert checked(TrackForm, client.get("/track").get_data(as_text=True)) == 1


@pytest.mark.parametrize("moment", ["2026-12-07T10:00", "2026-12-31T23:50"])
def test_the_time_seen_offers_nothing_after_now_nor_before_the_oldest_allowed(
        client, place, moment):
    at(moment)
    html = client.get(f"/report?township={place.code}").get_data(as_text=True)
    control = _control(html, "observed_at")
    assert _attr(control, "type") == "datetime-local"
    assert _attr(control, "max") == moment
    from datetime import datetime

    oldest = (datetime.fromisoformat(moment) - MAX_AGE).strftime("%Y-%m-%dT%H:%M")
    assert _attr(control, "min") == oldest
