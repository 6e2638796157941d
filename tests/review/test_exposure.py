"""Public exposure (通报曝光): publishing substantiated cases on the county's page and feed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Action,
    AuditEntry,
    Finding,
    PublishedCase,
    Region,
    ReportEvent,
    ReportStatus,
    Township,
)
from portal.models.base import utcnow
from portal.services.casework import exposure
from tests.review.conftest import as_staff, make_report

ATOM = "{http://www.w3.org/2005/Atom}"
DESCRIPTION = "乡政府上午十点大门紧锁，无人办公。"
OUTCOME = "经核查，该同志工作日多次擅自离岗回县城，情况属实。"


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def _concluded(app, world, finding=Finding.SUBSTANTIATED, status=ReportStatus.CONCLUDED,
               named=False, **fields) -> str:
    with app.app_context():
        now = utcnow()
        cadre = db.session.get(type(world.cadre), world.cadre.id)
        report = make_report(
            db.session.get(Township, world.township.id), cadre=cadre,
            status=status, finding=finding, action=Action.CIRCULATED_CRITICISM,
            outcome_public=OUTCOME, accepted_at=now - timedelta(days=3),
            concluded_at=now - timedelta(days=1), named=named, **fields)
        db.session.commit()
        return report.public_id


def _county_code(app, world) -> str:
    with app.app_context():
        return db.session.get(Region, world.county.id).code


def _publish(client, pid, **fields):
    data = {"cadre_name": "张三", "cadre_post": "副镇长",
            "found": "工作日多次擅自离岗回县城居住。", "done": "给予通报批评。", **fields}
    return client.post(f"/review/{pid}/publish", data=data)


def _feed(client, code) -> ET.Element:
    response = client.get(f"/c/{code}/cases.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def test_an_inspector_publishes_a_case_and_the_county_page_and_feed_show_it(app, world):
    pid = _concluded(app, world, named=True)
    client = as_staff(app, world, "inspector")
    case_page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert "撰写并公开通报" in case_page
    form = client.get(f"/review/{pid}/publish").get_data(as_text=True)
    # Prefilled from the conclusion (and the roster), never from the description.
    assert OUTCOME in form and "通报批评" in form and DESCRIPTION not in form
    response = _publish(client, pid)
    assert response.status_code == 303
    code = _county_code(app, world)
    public = app.test_client()
    page = public.get(f"/c/{code}/cases")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "张三" in body and "副镇长" in body
    assert "工作日多次擅自离岗回县城居住。" in body and "给予通报批评。" in body
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        assert township.name in body
    # Nothing of the report itself or of the reporter reaches the public.
    for secret in (DESCRIPTION, "举报人甲", "13800000000", OUTCOME):
        assert secret not in body
    assert "max-age=0" in page.headers["Cache-Control"] and page.headers.get("ETag")
    feed = _feed(public, code)
    for required in ("id", "title", "updated", "author", "link"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith(f"/c/{code}/cases.atom")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    for required in ("id", "title", "updated", "content", "link"):
        assert entries[0].find(f"{ATOM}{required}") is not None, required
    assert "张三" in entries[0].find(f"{ATOM}title").text
    assert "13800000000" not in public.get(f"/c/{code}/cases.atom").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == pid)).all()
        assert "case.published" in actions
        kinds = db.session.scalars(select(ReportEvent.kind).where(ReportEvent.report_id == select(
            PublishedCase.report_id).scalar_subquery())).all()
        assert "published" in kinds


def test_withdrawing_with_a_reason_takes_it_off_the_page_at_once(app, world):
    pid = _concluded(app, world)
    client = as_staff(app, world, "inspector")
    _publish(client, pid)
    code = _county_code(app, world)
    public = app.test_client()
    first = public.get(f"/c/{code}/cases")
    etag = first.headers["ETag"]
    assert public.get(f"/c/{code}/cases", headers={"If-None-Match": etag}).status_code == 304
    refused = client.post(f"/review/{pid}/withdraw", data={"reason": ""})
    assert refused.status_code == 400 and "请写明撤回的理由" in refused.get_data(as_text=True)
    assert client.post(f"/review/{pid}/withdraw", data={"reason": "处分决定已被撤销"}).status_code == 303
    again = public.get(f"/c/{code}/cases", headers={"If-None-Match": etag})
    assert again.status_code == 200 and "张三" not in again.get_data(as_text=True)
    assert _feed(public, code).findall(f"{ATOM}entry") == []
    staff = client.get(f"/review/{pid}/publish").get_data(as_text=True)
    assert "处分决定已被撤销" in staff and "公开通报" in staff  # may be published again
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_id == pid, AuditEntry.action == "case.withdrawn")).one()
        assert "处分决定已被撤销" in entry.detail
    assert _publish(client, pid, found="工作日多次擅自离岗。").status_code == 303
    assert "工作日多次擅自离岗。" in public.get(f"/c/{code}/cases").get_data(as_text=True)


@pytest.mark.parametrize(("fields", "message"), [
    ({"found": DESCRIPTION}, "不能照抄举报描述"),
    ({"found": "经查，" + DESCRIPTION[:14] + "情况属实"}, "不能照抄举报描述"),
    ({"done": "请联系 13912345678 了解"}, "电话号码"),
    ({"cadre_post": ""}, "请填写职务"),
])
def test_bad_public_wording_is_refused_and_kept(app, world, fields, message):
    pid = _concluded(app, world)
    client = as_staff(app, world, "inspector")
    response = _publish(client, pid, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "张三" in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PublishedCase)) == 0


@pytest.mark.parametrize(("finding", "status"), [
    (Finding.UNSUBSTANTIATED, ReportStatus.CONCLUDED),
    (None, ReportStatus.VERIFYING),
])
def test_only_concluded_substantiated_cases_can_be_published(app, world, finding, status):
    pid = _concluded(app, world, finding=finding, status=status)
    client = as_staff(app, world, "inspector")
    assert "撰写并公开通报" not in client.get(f"/review/{pid}").get_data(as_text=True)
    assert client.get(f"/review/{pid}/publish").status_code == 404
    assert _publish(client, pid).status_code == 404


def test_a_rectified_partly_substantiated_case_can_be_published(app, world):
    pid = _concluded(app, world, finding=Finding.PARTLY_SUBSTANTIATED, status=ReportStatus.RECTIFIED)
    assert _publish(as_staff(app, world, "inspector"), pid).status_code == 303


def test_out_of_scope_and_other_roles_cannot_publish(app, world):
    pid = _concluded(app, world)
    assert _publish(as_staff(app, world, "foreign_inspector"), pid).status_code == 404
    assert as_staff(app, world, "foreign_inspector").get(f"/review/{pid}/publish").status_code == 404
    for role in ("clerk", "admin", "supervisor"):
        assert _publish(as_staff(app, world, role), pid).status_code == 403
    client = as_staff(app, world, "inspector")
    _publish(client, pid)
    assert client.post(f"/review/{pid}/withdraw", data={"reason": "x"}).status_code == 303
    assert as_staff(app, world, "foreign_inspector").post(
        f"/review/{pid}/withdraw", data={"reason": "x"}).status_code == 404


def test_the_page_lists_newest_first_with_paging(app, world):
    client = as_staff(app, world, "inspector")
    for n in range(exposure.PAGE_SIZE + 3):
        pid = _concluded(app, world)
        assert _publish(client, pid, cadre_name=f"干部{n:02d}").status_code == 303
    code = _county_code(app, world)
    public = app.test_client()
    first = public.get(f"/c/{code}/cases").get_data(as_text=True)
    assert first.count('class="card case"') == exposure.PAGE_SIZE
    assert first.index("干部22") < first.index("干部21") and "干部02" not in first
    second = public.get(f"/c/{code}/cases?page=2").get_data(as_text=True)
    assert second.count('class="card case"') == 3 and "干部00" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "没有更多了" in public.get(f"/c/{code}/cases?page=9").get_data(as_text=True)
    assert public.get(f"/c/{code}/cases?page=abc").status_code == 200


def test_the_township_board_and_the_finder_link_to_the_county_cases(app, world):
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        code = township.code
    board = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    assert f'href="/c/{code[:6]}/cases"' in board
    finder = app.test_client().get(f"/?county={code[:6]}").get_data(as_text=True)
    assert f'href="/c/{code[:6]}/cases"' in finder


@pytest.mark.parametrize("code", ["999999", "12", "abcdef", "1234567"])
def test_an_unknown_county_is_not_found(app, world, code):
    assert app.test_client().get(f"/c/{code}/cases").status_code == 404
    assert app.test_client().get(f"/c/{code}/cases.atom").status_code == 404


def test_only_public_fields_reach_the_cases_page_and_feed():
    """The fields of a published case that reach the public template and the feed."""
    assert {f.name for f in dataclasses.fields(exposure.PublicCase)} == {
        "public_id", "township", "township_code", "cadre_name", "cadre_post", "category",
        "found", "done", "concluded_on", "published_at"}
    assert {f.name for f in dataclasses.fields(exposure.CountyCases)} == {
        "county_code", "county_name", "cases", "page", "has_next", "updated"}
