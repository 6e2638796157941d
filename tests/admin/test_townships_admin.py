"""County administrators keep the list of townships of their county; nobody else may."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, Township
from tests import factories
from tests.admin.conftest import post_form
from tests.conftest import login_as


@pytest.fixture
def county_admin(app):
    with app.app_context():
        county = factories.county(code="990202", name="测试县")
        township = factories.township(county, name="东风镇", code="990202001")
        other = factories.township(name="别县镇")
        admin = factories.user(Role.COUNTY_ADMIN, scope_region=county)
        db.session.commit()
        ids = {"admin": admin.id, "other_code": other.code, "code": township.code}
    client = app.test_client()
    with app.app_context():
        from portal.models import User

        login_as(client, db.session.get(User, ids["admin"]))
    return client, ids


def test_list_shows_only_the_county_of_the_admin(app, county_admin):
    client, ids = county_admin
    html = client.get("/admin/townships").get_data(as_text=True)
    assert "东风镇" in html and "别县镇" not in html
    assert client.get(f"/admin/townships/{ids['other_code']}").status_code == 404


def test_create_a_township_with_search_keys_and_audit(app, county_admin):
    client, _ids = county_admin
    response = post_form(client, "/admin/townships/new", data={
        "county": "990202", "suffix": "007", "name": "红旗乡", "address": "红旗路1号",
        "office_phone": "0999-1234567", "hotline": "0999-12388"})
    assert response.status_code == 302
    with app.app_context():
        township = db.session.scalar(select(Township).where(Township.code == "990202007"))
        assert township.name == "红旗乡" and township.initials == "hqx"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "township.created"))
    html = app.test_client().get("/?q=hqx").get_data(as_text=True)
    assert "红旗乡" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"suffix": "12", "name": "甲镇"}, "请填写三位数字"),
        ({"suffix": "001", "name": "甲镇"}, "这个代码已被使用"),
        ({"suffix": "000", "name": "甲镇"}, "不能是 000"),
        ({"suffix": "008", "name": ""}, "请填写乡镇名称"),
        ({"suffix": "008", "name": "甲镇", "office_phone": "call me"}, "请填写电话号码"),
    ],
)
def test_bad_input_keeps_what_was_typed(app, county_admin, data, message):
    client, _ids = county_admin
    payload = {"county": "990202", "address": "保留的地址", **data}
    response = post_form(client, "/admin/townships/new", data=payload)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "保留的地址" in html


def test_edit_changes_the_public_board_data_version_and_name(app, county_admin):
    client, ids = county_admin
    with app.app_context():
        before = db.session.scalar(select(Township.data_version).where(Township.code == ids["code"]))
    response = post_form(client, f"/admin/townships/{ids['code']}", data={
        "name": "东风新镇", "address": "", "office_phone": "0999-7654321", "hotline": ""})
    assert response.status_code == 302
    with app.app_context():
        township = db.session.scalar(select(Township).where(Township.code == ids["code"]))
        assert township.name == "东风新镇" and township.pinyin == "dongfengxinzhen"
        assert township.data_version == before + 1


def test_deactivate_hides_from_the_public_and_can_be_undone(app, county_admin):
    client, ids = county_admin
    response = post_form(client, "/admin/townships", f"/admin/townships/{ids['code']}/active",
                         data={"active": "0"})
    assert response.status_code == 302
    assert "东风镇" not in app.test_client().get("/?q=dfz").get_data(as_text=True)
    post_form(client, "/admin/townships", f"/admin/townships/{ids['code']}/active", data={"active": "1"})
    assert "东风镇" in app.test_client().get("/?q=dfz").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CLERK, Role.INSPECTOR, Role.SUPERVISOR])
def test_other_roles_may_not_manage_townships(app, role):
    with app.app_context():
        county = factories.county()
        user = factories.user(role, scope_region=county)
        db.session.commit()
        client = app.test_client()
        login_as(client, user)
    assert client.get("/admin/townships").status_code == 403
