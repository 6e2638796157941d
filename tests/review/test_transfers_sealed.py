"""A named report transferred to another county opens for the receiving county's inspectors.

The sender opens the report's data key with its office key and seals it to the receiver's; a
receiver without an office key yet keeps the identity as its own reports wait for one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import OfficeKey, Report, ReportStatus, Role, Township, User
from tests import factories
from tests.conftest import login_as
from tests.review.conftest import make_report
from tests.review.test_sealed_identity import _csrf, _login, _reveal

NAME = "举报人甲"  # make_report's named reporter


@pytest.fixture
def two_counties(app, runner):
    with app.app_context():
        province = factories.region(factories.RegionLevel.PROVINCE)
        city = factories.region(factories.RegionLevel.CITY, province)
        county = factories.region(factories.RegionLevel.COUNTY, city)
        other = factories.region(factories.RegionLevel.COUNTY, city)
        town = factories.township(county)
        ids = {"inspector": factories.user(Role.INSPECTOR, scope_region=county).id,
               "receiver": factories.user(Role.INSPECTOR, scope_region=other).id}
        db.session.commit()
        codes = {"county": county.code, "other": other.code, "other_id": other.id}
        town_id = town.id
    for name in ids:
        _login(app, ids[name])
    assert runner.invoke(args=["sealing", "init", "--county", codes["county"]]).exit_code == 0
    with app.app_context():
        report = make_report(db.session.get(Township, town_id), named=True,
                             status=ReportStatus.VERIFYING, assignee_id=ids["inspector"])
        db.session.commit()
        assert report.sealed_identity is not None
        pid = report.public_id
    return {"ids": ids, "report": pid, **codes}


def _send(client, pid, county_code):
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    return client.post(f"/review/{pid}/transfer", data={
        "transfer-csrf_token": _csrf(page, "transfer-csrf_token"), "transfer-kind": "county",
        "transfer-county": county_code, "transfer-reason": "属邻县管辖。"})


def _assign_to(pid, user_id):
    db.session.execute(update(Report).where(Report.public_id == pid)
                       .values(status=ReportStatus.VERIFYING, assignee_id=user_id))
    db.session.commit()


def test_the_identity_is_resealed_to_the_receiving_office(app, runner, two_counties):
    assert runner.invoke(args=["sealing", "init", "--county", two_counties["other"]]).exit_code == 0
    sender = _login(app, two_counties["ids"]["inspector"])
    assert _send(sender, two_counties["report"], two_counties["other"]).status_code == 303
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.public_id == two_counties["report"]))
        key = db.session.scalar(select(OfficeKey).where(OfficeKey.county_id == two_counties["other_id"]))
        assert report.office_key_id == key.id and report.sealed_identity is not None
        assert report.legacy_reporter_name is None
        _assign_to(report.public_id, two_counties["ids"]["receiver"])
    receiver = _login(app, two_counties["ids"]["receiver"])
    assert NAME in _reveal(receiver, two_counties["report"])


def test_a_receiver_without_an_office_key_keeps_it_as_its_own_reports_wait(app, two_counties):
    sender = _login(app, two_counties["ids"]["inspector"])
    assert _send(sender, two_counties["report"], two_counties["other"]).status_code == 303
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.public_id == two_counties["report"]))
        assert report.sealed_identity is None and report.office_key_id is None
        _assign_to(report.public_id, two_counties["ids"]["receiver"])
    receiver = _login(app, two_counties["ids"]["receiver"])
    assert NAME in _reveal(receiver, two_counties["report"])


def test_without_the_unlocked_office_key_the_named_report_stays(app, two_counties):
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, two_counties["ids"]["inspector"])
        db.session.expunge(user)
    login_as(client, user)  # a session without the unlocked keys
    response = _send(client, two_counties["report"], two_counties["other"])
    assert response.status_code == 400
    assert "实名举报人的身份已加密封存" in response.get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.public_id == two_counties["report"]))
        assert report.county_id != two_counties["other_id"] and report.sealed_identity is not None


def test_an_identity_waiting_for_a_key_is_sealed_by_the_receiving_county(app, runner):
    with app.app_context():
        city = factories.region(factories.RegionLevel.CITY, factories.region(factories.RegionLevel.PROVINCE))
        county = factories.region(factories.RegionLevel.COUNTY, city)
        other = factories.region(factories.RegionLevel.COUNTY, city)
        sender_id = factories.user(Role.INSPECTOR, scope_region=county).id
        receiver_id = factories.user(Role.INSPECTOR, scope_region=other).id
        report = make_report(factories.township(county), named=True)
        db.session.commit()
        assert report.legacy_reporter_name == NAME  # the county has no office key
        pid, other_code, other_id = report.public_id, other.code, other.id
        sender = db.session.get(User, sender_id)
        db.session.expunge(sender)
    _login(app, receiver_id)
    assert runner.invoke(args=["sealing", "init", "--county", other_code]).exit_code == 0
    client = app.test_client()
    login_as(client, sender)
    assert _send(client, pid, other_code).status_code == 303
    with app.app_context():
        row = db.session.scalar(select(Report).where(Report.public_id == pid))
        key = db.session.scalar(select(OfficeKey).where(OfficeKey.county_id == other_id))
        assert row.legacy_reporter_name is None and row.legacy_reporter_contact is None
        assert row.office_key_id == key.id and row.sealed_identity is not None
        _assign_to(pid, receiver_id)
    assert NAME in _reveal(_login(app, receiver_id), pid)
