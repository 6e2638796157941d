"""Every staff form refused for its input comes back with each message at its field.

The field is marked (aria-invalid, aria-describedby naming its message), the message sits
next to it, and the error summary at the top of the page links to the field by its id.
"""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.admin.forms import CadreForm
from portal.admin.users import NewUserForm
from portal.extensions import db
from portal.models import Role, Township
from tests.admin.conftest import csrf_token
from tests.conftest import at
from tests.report.test_field_limits import bind, checked
from tests.review.conftest import make_report

# (role, county scope, page, action (None: the page), data, the field at fault)
CASES = [
    ("clerk", Role.CLERK, False, "/admin/t/{code}/cadres/new", None,
     {"name": "", "post": "党政办干事", "sort_order": "100"}, "name"),
    ("clerk-phone", Role.CLERK, False, "/admin/t/{code}/cadres/new", None,
     {"name": "王五", "post": "干事", "sort_order": "100", "office_phone": "打电话"}, "office_phone"),
    ("clerk-import", Role.CLERK, False, "/admin/t/{code}/cadres/import", None,
     {"file": (io.BytesIO(b"x"), "名单.pdf")}, "file"),
    ("roster-import", Role.CLERK, False, "/admin/t/{code}/roster/import", None,
     {"file": (io.BytesIO(b"x"), "值班表.pdf"), "month": "2026-12"}, "file"),
    ("leave", Role.CLERK, False, "/admin/t/{code}/leave", None,
     {"kind": "personal", "start_date": "", "end_date": "2026-12-08"}, "start_date"),
    ("board", Role.CLERK, False, "/admin/t/{code}/board/{cadre}", None,
     {"status": "in_office", "starts_on": "", "starts_time": "08:00"}, "starts_on"),
    ("visit", Role.CLERK, False, "/admin/visits/new?township={code}", None,
     {"village": "", "day": "2026-12-01"}, "village"),
    ("evening", Role.CLERK, False, "/admin/visits/evening?township={code}", None,
     {"kind": "study", "day": "2026-12-01", "text": ""}, "text"),
    ("machine-import", Role.CLERK, False, "/admin/attendance/import?township={code}", None,
     {"file": (io.BytesIO(b"x"), "记录.pdf")}, "file"),
    ("calendar", Role.COUNTY_ADMIN, True, "/admin/calendar", None,
     {"day": "", "is_working": "rest", "name": "春节"}, "day"),
    ("township", Role.COUNTY_ADMIN, True, "/admin/townships/new", None,
     {"suffix": "9", "name": ""}, "name"),
    ("user", Role.COUNTY_ADMIN, True, "/admin/users/new", None,
     {"username": "", "role": "clerk", "scope": ""}, "username"),
    ("supervision", Role.SUPERVISOR, False, "/admin/supervision/report", None,
     {"township": "{code}", "category": "absent_workday", "description": ""}, "description"),
    ("merge", Role.INSPECTOR, True, "/review/{report}", "/review/{report}/merge",
     {"into": ""}, "into"),
    ("message", Role.INSPECTOR, True, "/review/{report}", "/review/{report}/message",
     {"body": ""}, "body"),
    ("not-accept", Role.INSPECTOR, True, "/review/{report}", "/review/{report}/not-accept",
     {"reason": ""}, "reason"),
    ("note", Role.INSPECTOR, True, "/review/{report}", "/review/{report}/note",
     {"text": "备" * 2001}, "text"),
]


@pytest.fixture
def places(app, office):
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        report = make_report(town)
        db.session.commit()
        from portal.models import Cadre

        cadre = db.session.get(Cadre, office.staff_ids[0])
        return {"code": office.code, "report": report.public_id, "cadre": cadre.public_id}


@pytest.mark.parametrize(("case", "role", "county", "page", "action", "data", "field_id"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_refused_staff_form_puts_each_message_at_its_field(
        staff_client, places, case, role, county, page, action, data, field_id):
    client = staff_client(role, county_scope=county)
    page_url = page.format(**places)
    shown = client.get(page_url)
    assert shown.status_code == 200, shown.status_code
    data = {k: v.format(**places) if isinstance(v, str) else v for k, v in data.items()}
    payload = {**data, "csrf_token": csrf_token(shown.get_data(as_text=True))}
    response = client.post((action or page).format(**places), data=payload,
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 413, 422), response.status_code  # not redirected
    control = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert control, f"no control #{field_id}"
    control = control.group(0)
    assert 'aria-invalid="true"' in control
    described = re.search(r'aria-describedby="([^"]+)"', control).group(1).split()
    assert f"{field_id}-error" in described
    message = re.search(rf'<p class="error-text" id="{field_id}-error">([^<]+)</p>', html)
    assert message and message.group(1).strip()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    link = re.search(rf'<a href="#{field_id}">([^<]+)</a>', summary.group(0))
    assert link and message.group(1).strip() in link.group(1)


def test_staff_forms_carry_the_lengths_of_their_validators(app, staff_client, office):
    bind(CadreForm, app)
    bind(NewUserForm, app)
    clerk = staff_client(Role.CLERK)
    html = clerk.get(f"/admin/t/{office.code}/cadres/new").get_data(as_text=True)
    assert checked(CadreForm, html) >= 5
    admin = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    html = admin.get("/admin/users/new").get_data(as_text=True)
    assert checked(NewUserForm, html) == 5


def test_an_import_cut_off_on_its_way_comes_back_with_its_month_and_the_refusal_at_the_file(
        clerk_client, office):
    page_url = f"/admin/t/{office.code}/roster/import"
    shown = clerk_client.get(page_url).get_data(as_text=True)
    data = MultiDict({"csrf_token": csrf_token(shown), "month": "2027-01"})
    data.add("file", FileStorage(io.BytesIO(b"\0" * 50_000), "值班表.xlsx", "file"))
    boundary, body = encode_multipart(data)
    response = clerk_client.post(page_url, data=body[: len(body) - 10_000],
                                 content_type=f"multipart/form-data; boundary={boundary}")
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert 'value="2027-01"' in html
    message = re.search(r'<p class="error-text" id="file-error">([^<]+)</p>', html).group(1)
    assert "上传中断" in message
    assert '<a href="#file">' in html


def test_dates_that_cannot_be_later_than_today_are_offered_up_to_today(staff_client, office):
    at("2026-12-07T10:00")
    clerk = staff_client(Role.CLERK)
    html = clerk.get(f"/admin/t/{office.code}/cadres/new").get_data(as_text=True)
    for field_id in ("joined_on", "township_service_since"):
        control = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert 'max="2026-12-07"' in control and 'type="date"' in control
    inspector = staff_client(Role.INSPECTOR, county_scope=True)
    html = inspector.get(f"/admin/spotchecks/new/{office.code}").get_data(as_text=True)
    assert 'max="2026-12-07T10:00"' in re.search(r'<input[^>]*id="at"[^>]*>', html).group(0)
    page = clerk.get(f"/admin/t/{office.code}/cadres/new").get_data(as_text=True)
    response = clerk.post(f"/admin/t/{office.code}/cadres/new", data={
        "csrf_token": csrf_token(page), "name": "王五", "post": "干事", "sort_order": "100",
        "joined_on": "2026-12-08"})
    html = response.get_data(as_text=True)
    assert re.search(r'id="joined_on-error">到任日期不能晚于今天', html)
