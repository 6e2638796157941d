"""The settings of e-mail alerts: MAIL_URL read (and refused when malformed), an account's
address set in user management, what an e-mail may carry."""

from __future__ import annotations

import re

import pytest

from portal import config as settings
from portal import create_app
from portal.config import MailServer, parse_mail_url
from portal.extensions import db
from portal.models import Role, User
from portal.security import ConfigurationError
from portal.services.accounts import alert_settings
from portal.services.shared.errors import ValidationError
from tests import factories
from tests.conftest import login_as


def test_mail_url_forms():
    assert parse_mail_url("") is None and parse_mail_url("  ") is None
    assert parse_mail_url("smtp://127.0.0.1:2525") == MailServer("127.0.0.1", 2525, False)
    assert parse_mail_url("smtp://mail.example.gov.cn") == MailServer("mail.example.gov.cn", 25, False)
    assert parse_mail_url("smtps://mail.example.gov.cn") == MailServer("mail.example.gov.cn", 465, True)
    assert parse_mail_url("smtp://alerts%40county:p%3Ass@mail.example.gov.cn:587") == MailServer(
        "mail.example.gov.cn", 587, False, "alerts@county", "p:ss")
    for bad in ("http://mail.example.gov.cn", "smtp://", "smtp://host:99999", "smtp://host/path",
                "smtp://host?starttls=no", "mail.example.gov.cn"):
        with pytest.raises(ValueError):
            parse_mail_url(bad)


def test_the_app_refuses_to_start_with_a_malformed_mail_url_and_does_not_repeat_it(tmp_path):
    config = settings.TestConfig()
    config.INSTANCE_PATH = str(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    config.MAIL_URL = "smtp://user:hunter2secret@host:notaport"
    with pytest.raises(ConfigurationError) as refused:
        create_app(config)
    assert "hunter2secret" not in str(refused.value) and "MAIL_URL" in str(refused.value)
    config.MAIL_URL, config.MAIL_FROM = "smtp://127.0.0.1:25", "nobody"
    with pytest.raises(ConfigurationError, match="MAIL_FROM"):
        create_app(config)


def test_addresses_are_checked_and_kept_as_written():
    assert alert_settings.normalized_email("  Zhang.San@Example.GOV.cn ") == "Zhang.San@example.gov.cn"
    assert alert_settings.normalized_email("") == ""
    for bad in ("zhang", "zhang@", "@example.org", "a@b", "张三 <a@example.org>",
                "a@example.org, b@example.org", "a" * 250 + "@example.org"):
        with pytest.raises(ValidationError):
            alert_settings.normalized_email(bad)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_an_administrator_sets_an_inspectors_address_and_a_bad_one_comes_back_with_a_message(app, client):
    with app.app_context():
        county = factories.county()
        admin = factories.user(Role.COUNTY_ADMIN, county)
        inspector = factories.user(Role.INSPECTOR, county)
        db.session.commit()
        public_id, inspector_id = inspector.public_id, inspector.id
        login_as(client, admin)
    page = client.get(f"/admin/users/{public_id}").get_data(as_text=True)
    assert 'name="email"' in page
    bad = client.post(f"/admin/users/{public_id}/email",
                      data={"email": "jiang@@example", "csrf_token": _csrf(page)})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "电子邮箱地址格式不对" in html and 'value="jiang@@example"' in html
    done = client.post(f"/admin/users/{public_id}/email",
                       data={"email": "jiang@example.gov.cn", "csrf_token": _csrf(page)})
    assert done.status_code == 303
    assert "jiang@example.gov.cn" in client.get(f"/admin/users/{public_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, inspector_id).email == "jiang@example.gov.cn"
    # An account outside the administrator's county answers 404.
    with app.app_context():
        stranger = factories.user(Role.INSPECTOR, factories.county())
        db.session.commit()
        stranger_id = stranger.public_id
    assert client.post(f"/admin/users/{stranger_id}/email",
                       data={"email": "x@example.org", "csrf_token": _csrf(page)}).status_code == 404


def test_a_new_account_can_be_given_its_address(app, client):
    with app.app_context():
        county = factories.county()
        admin = factories.user(Role.COUNTY_ADMIN, county)
        db.session.commit()
        code = county.code
        login_as(client, admin)
    page = client.get("/admin/users/new").get_data(as_text=True)
    data = {"username": "jiancha9", "display_name": "蒋检查", "role": "inspector", "scope": code,
            "home_township": "", "email": "not-an-address", "csrf_token": _csrf(page)}
    refused = client.post("/admin/users/new", data=data)
    assert refused.status_code == 400 and "电子邮箱地址格式不对" in refused.get_data(as_text=True)
    assert 'value="jiancha9"' in refused.get_data(as_text=True)
    created = client.post("/admin/users/new", data={**data, "email": "jiang9@example.gov.cn"})
    assert created.status_code == 200
    with app.app_context():
        assert db.session.query(User).filter_by(username="jiancha9").one().email == "jiang9@example.gov.cn"


def test_the_demo_inspectors_have_addresses_and_one_takes_a_digest(demo):
    with demo.app_context():
        found = {u.username: (u.email, u.alert_mode) for u in
                 db.session.query(User).filter(User.role == Role.INSPECTOR)}
        inspector = db.session.query(User).filter_by(username="inspector").one()
        client = demo.test_client()
        login_as(client, inspector)
    assert found["inspector"] == ("inspector@zaigang.example", "immediate")
    assert found["inspector2"] == ("inspector2@zaigang.example", "digest")
    page = client.get("/account").get_data(as_text=True)
    assert "inspector@zaigang.example" in page and "邮件提醒未开启" in page
