"""A named reporter's identity is sealed to the county office's key, and opens for its inspectors.

Inspectors log in through the real form (their keys unlock there); the office key is made by
`flask sealing init`, rotated by `flask sealing rotate`, granted by `flask sealing grant`.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import KeySession, OfficeKeyGrant, Report, ReportStatus, Role, User
from portal.services.accounts import auth as auth_service
from tests import factories
from tests.review.conftest import make_report

NAME, CONTACT = "张实名密封", "13812345678"


def _csrf(page: str, field: str = "csrf_token") -> str:
    return re.search(rf'name="{field}" type="hidden" value="([^"]+)"', page).group(1)


def _login(app, user_id: int, password: str = factories.PASSWORD):
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        # Several logins within one TOTP step: the replay guard is not what is tested here.
        user.totp_last_step = 0
        db.session.commit()
        username, secret = user.username, user.totp_secret
    data = {"csrf_token": _csrf(client.get("/login").get_data(as_text=True)), "username": username,
            "password": password, "totp": pyotp.TOTP(secret).now()}
    assert client.post("/login", data=data).status_code == 302
    return client


def _reveal(client, public_id: str) -> str:
    page = client.get(f"/review/{public_id}").get_data(as_text=True)
    token = _csrf(page, "reveal-csrf_token")
    response = client.post(f"/review/{public_id}/reveal", data={"reveal-csrf_token": token},
                           follow_redirects=True)
    return response.get_data(as_text=True)


def _grants_of(user_id: int) -> list:
    return db.session.scalars(select(OfficeKeyGrant).where(OfficeKeyGrant.user_id == user_id)).all()


@pytest.fixture
def office(app, runner):
    """A county with two inspectors (one assigned), a city inspector, another county's inspector."""
    with app.app_context():
        province = factories.region(factories.RegionLevel.PROVINCE)
        city = factories.region(factories.RegionLevel.CITY, province)
        county = factories.region(factories.RegionLevel.COUNTY, city)
        other = factories.region(factories.RegionLevel.COUNTY, city)
        town = factories.township(county)
        people = {
            "inspector": factories.user(Role.INSPECTOR, scope_region=county),
            "colleague": factories.user(Role.INSPECTOR, scope_region=county),
            "city": factories.user(Role.INSPECTOR, scope_region=city),
            "foreign": factories.user(Role.INSPECTOR, scope_region=other),
            "sysadmin": factories.user(Role.SYSADMIN),
        }
        db.session.commit()
        ids = {name: user.id for name, user in people.items()}
        code, town_id = county.code, town.id
    # The assigned inspector, the city's, another county's and a sysadmin have logged in once.
    for name in ("inspector", "city", "foreign", "sysadmin"):
        _login(app, ids[name])
    result = runner.invoke(args=["sealing", "init", "--county", code])
    assert result.exit_code == 0 and "2 of 3 inspector(s)" in result.output, result.output
    recovery = result.output.strip().splitlines()[-1].strip()
    with app.app_context():
        from portal.models import Township

        report = make_report(db.session.get(Township, town_id), named=True,
                             status=ReportStatus.VERIFYING, assignee_id=ids["inspector"])
        db.session.commit()
        public_id = report.public_id
    return {"ids": ids, "code": code, "recovery": recovery, "report": public_id}


def test_the_identity_is_stored_only_sealed(app, office):
    with app.app_context():
        row = db.session.execute(text(
            "SELECT reporter_name, reporter_contact, sealed_identity, sealed_data_key FROM report "
            "WHERE public_id = :p"), {"p": office["report"]}).one()
    assert row[0] is None and row[1] is None
    assert "举报人甲".encode() not in bytes(row[2]) and b"13800000000" not in bytes(row[2])
    assert row[3] is not None


def test_the_assigned_inspector_opens_it_with_no_extra_step(app, office):
    client = _login(app, office["ids"]["inspector"])
    page = _reveal(client, office["report"])
    assert "举报人甲" in page and "13800000000" in page


def test_a_colleague_receives_the_key_when_a_holder_logs_in(app, office):
    colleague = office["ids"]["colleague"]
    _login(app, colleague)
    with app.app_context():
        assert db.session.get(OfficeKeyGrant, (1, colleague)) is None
    _login(app, office["ids"]["inspector"])
    with app.app_context():
        grants = db.session.scalars(select(OfficeKeyGrant.user_id)).all()
        db.session.execute(db.update(Report).where(Report.public_id == office["report"])
                           .values(assignee_id=colleague))
        db.session.commit()
    assert colleague in grants and office["ids"]["city"] in grants
    assert office["ids"]["foreign"] not in grants and office["ids"]["sysadmin"] not in grants
    assert "举报人甲" in _reveal(_login(app, colleague), office["report"])


def test_a_deactivated_inspector_keeps_no_key(app, office):
    inspector = office["ids"]["inspector"]
    client = _login(app, inspector)
    with app.app_context():
        admin = factories.user(Role.SYSADMIN)
        auth_service.set_active(admin=admin, user=db.session.get(User, inspector), active=False)
        assert _grants_of(inspector) == []
        assert db.session.scalars(select(KeySession).where(KeySession.user_id == inspector)).all() == []
    # Its session has ended too, and its copy of the office key is gone with it.
    assert client.get(f"/review/{office['report']}").status_code == 302


def test_a_password_reset_drops_the_keys_and_a_colleague_grants_them_again(app, office):
    inspector = office["ids"]["inspector"]
    with app.app_context():
        admin = factories.user(Role.SYSADMIN)
        password = auth_service.reset_password(admin=admin, user=db.session.get(User, inspector))
        assert _grants_of(inspector) == []
    client = _login(app, inspector, password)
    page = _reveal(client, office["report"])
    assert "举报人甲" not in page and "举报人身份已加密封存" in page
    _login(app, office["ids"]["city"])
    assert "举报人甲" in _reveal(_login(app, inspector, password), office["report"])


def test_logout_forgets_the_unlocked_key(app, office):
    client = _login(app, office["ids"]["inspector"])
    with client.session_transaction() as sess:
        session_id = sess["seal"].partition(".")[0]
    with app.app_context():
        assert db.session.get(KeySession, session_id) is not None
    page = client.get("/account").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(page)})
    with app.app_context():
        assert db.session.get(KeySession, session_id) is None


def test_the_recovery_key_grants_and_rotation_keeps_every_report_open(app, runner, office):
    wrong = runner.invoke(args=["sealing", "grant", "--county", office["code"], "--recovery-key", "AAAA"])
    assert wrong.exit_code != 0
    _login(app, office["ids"]["colleague"])
    granted = runner.invoke(args=["sealing", "grant", "--county", office["code"],
                                  "--recovery-key", office["recovery"].lower()])
    assert granted.exit_code == 0 and "granted to 1" in granted.output
    rotated = runner.invoke(args=["sealing", "rotate", "--county", office["code"],
                                  "--recovery-key", office["recovery"]])
    assert rotated.exit_code == 0, rotated.output
    assert "1 report(s) re-sealed" in rotated.output
    assert "举报人甲" in _reveal(_login(app, office["ids"]["inspector"]), office["report"])
    stale = runner.invoke(args=["sealing", "grant", "--county", office["code"],
                                "--recovery-key", office["recovery"]])
    assert stale.exit_code != 0


def test_the_retention_purge_deletes_the_sealed_identity(app, office):
    from datetime import timedelta

    from portal.models.base import utcnow
    from portal.services.casework.retention import purge

    with app.app_context():
        closed = utcnow() - timedelta(days=int(app.config["RETENTION_DAYS"]) + 1)
        db.session.execute(db.update(Report).where(Report.public_id == office["report"])
                           .values(status=ReportStatus.CONCLUDED, closed_at=closed))
        db.session.commit()
        assert purge().reports == 1
        row = db.session.execute(text("SELECT reporter_name, reporter_contact, sealed_identity FROM report "
                                      "WHERE public_id = :p"), {"p": office["report"]}).one()
    assert tuple(row) == (None, None, None)
