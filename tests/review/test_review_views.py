"""The queue and report pages over HTTP: what an inspector sees and does."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Category, Report, ReportStatus, Sender, Township, User
from portal.rules.calendar import TZ
from portal.services.casework import evidence
from portal.services.casework.messages import add_message
from portal.services.shared import scope
from tests.report.photos import png_bytes
from tests.review.conftest import as_staff, make_report

S = ReportStatus


@pytest.fixture
def app(make_app):
    # Forms are exercised without tokens here; test_review_csrf_is_required checks them.
    return make_app(WTF_CSRF_ENABLED=False)


def _report(app, world, township="township", **fields) -> str:
    with app.app_context():
        r = make_report(db.session.get(Township, getattr(world, township).id), **fields)
        db.session.commit()
        return r.public_id


def _status(app, pid):
    with app.app_context():
        return db.session.scalar(select(Report.status).where(Report.public_id == pid))


def test_queue_shows_the_scope_with_counts_and_filters(app, world):
    mine = _report(app, world)
    accepted = _report(app, world, township="township2", status=S.ACCEPTED, category=Category.COMMUTING)
    foreign = _report(app, world, township="foreign_township")
    client = as_staff(app, world, "inspector")
    page = client.get("/review").get_data(as_text=True)
    assert mine in page and accepted in page and foreign not in page
    # Each row links to its report (the links are built from one url_for per page).
    assert f'href="/review/{mine}"' in page and f'href="/review/{accepted}"' in page
    assert client.get(f"/review/{mine}").status_code == 200
    assert "待受理 <b>1</b>" in page and "已受理 <b>1</b>" in page and "全部 <b>2</b>" in page
    page = client.get("/review?status=accepted").get_data(as_text=True)
    assert accepted in page and mine not in page
    page = client.get("/review?category=commuting").get_data(as_text=True)
    assert accepted in page and mine not in page
    with app.app_context():
        code = db.session.get(Township, world.township.id).code
    page = client.get(f"/review?township={code}").get_data(as_text=True)
    assert mine in page and accepted not in page
    page = client.get("/review?mine=1").get_data(as_text=True)
    assert mine not in page and "没有符合条件的举报" in page
    # Nonsense filter values are ignored, not errors.
    assert client.get("/review?status=bogus&sort=evil&after=%%%").status_code == 200


def test_city_inspectors_start_with_escalated_reports(app, world):
    plain = _report(app, world)
    escalated = _report(app, world, escalation_level=1)
    client = as_staff(app, world, "city_inspector")
    page = client.get("/review").get_data(as_text=True)
    assert escalated in page and plain not in page
    page = client.get("/review?status=").get_data(as_text=True)
    assert escalated in page and plain in page


def test_report_page_and_the_whole_life_cycle_over_http(app, world):
    pid = _report(app, world, named=True)
    client = as_staff(app, world, "inspector")
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert "乡政府上午十点大门紧锁" in page and "受理" in page
    assert "举报人甲" not in page  # not assigned yet: the identity stays hidden
    steps = [
        ("accept", {"note": "先电话了解"}, S.ACCEPTED),
        ("claim", {}, S.VERIFYING),
        ("message", {"body": "请问您是在几点看到大门紧锁的？"}, S.VERIFYING),
        ("note", {"text": "门卫说书记去县里开会"}, S.VERIFYING),
        ("conclude", {"finding": "substantiated", "action": "criticism",
                      "outcome_public": "经核查属实，已对有关干部批评教育。", "staff_note": "内部"},
         S.CONCLUDED),
        ("rectify", {"note": "乡镇已调整值班安排。"}, S.RECTIFIED),
    ]
    for step, data, expected in steps:
        response = client.post(f"/review/{pid}/{step}", data=data)
        assert response.status_code == 303, step
        assert _status(app, pid) == expected, step
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    for text in ("请问您是在几点看到大门紧锁的", "门卫说书记去县里开会", "经核查属实", "已整改"):
        assert text in page
    with app.app_context():
        r = db.session.scalar(select(Report).where(Report.public_id == pid))
        assert [m.body for m in r.messages] == ["请问您是在几点看到大门紧锁的？"]
        assert [e.kind for e in r.events] == ["submitted", "accepted", "assigned", "note", "concluded",
                                               "rectified"]


def test_an_illegal_step_is_refused_with_a_message(app, world):
    pid = _report(app, world)
    client = as_staff(app, world, "inspector")
    response = client.post(f"/review/{pid}/conclude", follow_redirects=True, data={
        "finding": "substantiated", "action": "criticism", "outcome_public": "x"})
    assert "不能进行这一步" in response.get_data(as_text=True)
    assert _status(app, pid) == S.SUBMITTED
    response = client.post(f"/review/{pid}/not-accept", data={"reason": ""})
    assert response.status_code == 400
    assert _status(app, pid) == S.SUBMITTED


def test_reporter_answers_appear_and_merged_threads_are_kept(app, world):
    target, merged = _report(app, world), _report(app, world)
    with app.app_context():
        r = db.session.scalar(select(Report).where(Report.public_id == merged))
        add_message(report=r, sender=Sender.REPORTER, body="我当时在乡政府门口等了一个小时。")
        photo_id = evidence.store_photo(r, png_bytes()).public_id
    client = as_staff(app, world, "inspector")
    assert client.post(f"/review/{merged}/merge", data={"into": target}).status_code == 303
    page = client.get(f"/review/{target}").get_data(as_text=True)
    assert merged in page and "我当时在乡政府门口等了一个小时" in page
    assert f"/review/{merged}/photos/{photo_id}" in page


def test_reveal_is_a_post_for_the_assignee_only_and_is_audited(app, world):
    pid = _report(app, world, named=True, status=S.VERIFYING)
    with app.app_context():
        db.session.execute(db.update(Report).where(Report.public_id == pid)
                           .values(assignee_id=world.inspector.id))
        db.session.commit()
    assert as_staff(app, world, "inspector2").post(f"/review/{pid}/reveal").status_code == 404
    client = as_staff(app, world, "inspector")
    assert "举报人甲" not in client.get(f"/review/{pid}").get_data(as_text=True)
    page = client.post(f"/review/{pid}/reveal").get_data(as_text=True)
    assert "举报人甲" in page and "13800000000" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "reporter.revealed")) == 1


def test_photos_are_served_to_staff_in_scope_only(app, world):
    pid = _report(app, world)
    with app.app_context():
        r = db.session.scalar(select(Report).where(Report.public_id == pid))
        photo = evidence.store_photo(r, png_bytes())
        photo_id = photo.public_id
    client = as_staff(app, world, "inspector")
    assert photo_id in client.get(f"/review/{pid}").get_data(as_text=True)
    response = client.get(f"/review/{pid}/photos/{photo_id}")
    assert response.status_code == 200 and response.mimetype.startswith("image/")
    assert response.get_data() == evidence_bytes(app, photo_id)
    assert response.headers["Cache-Control"] == "no-store"
    response.close()
    foreign = as_staff(app, world, "foreign_inspector")
    assert foreign.get(f"/review/{pid}/photos/{photo_id}").status_code == 404
    other = _report(app, world)
    assert client.get(f"/review/{other}/photos/{photo_id}").status_code == 404


def evidence_bytes(app, photo_id):
    from portal.models import Evidence

    with app.app_context():
        item = db.session.scalar(select(Evidence).where(Evidence.public_id == photo_id))
        return evidence.read_bytes(item)


def _export(client, fmt, **filters):
    return client.post("/review/export", data={"format": fmt, **filters})


def test_csv_export_is_scope_filtered_safe_and_audited(app, world):
    mine = _report(app, world, cadre_text="=HYPERLINK(\"http://evil\")")
    foreign = _report(app, world, township="foreign_township")
    client = as_staff(app, world, "inspector")
    response = _export(client, "csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == [mine]
    assert foreign not in text
    assert rows[1][5].startswith("'=")  # a formula is neutralised
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reports.exported"))
        assert entry.actor_id == world.inspector.id and '"rows": 1' in entry.detail


def test_xlsx_export_follows_the_filters(app, world):
    a = _report(app, world)
    b = _report(app, world, status=S.ACCEPTED)
    client = as_staff(app, world, "inspector")
    response = _export(client, "xlsx", status="accepted")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [b] and a not in ids
    assert _export(client, "xlsx").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "reports.exported")) == 2


def test_review_csrf_is_required(make_app, world):
    app = make_app()
    pid = _report(app, world)
    client = as_staff(app, world, "inspector")
    assert client.post(f"/review/{pid}/accept").status_code == 400
    assert _export(client, "csv").status_code == 400
    assert _status(app, pid) == S.SUBMITTED


def test_assigning_to_an_unknown_inspector_is_refused(app, world):
    pid = _report(app, world, status=S.ACCEPTED)
    client = as_staff(app, world, "inspector")
    assert client.post(f"/review/{pid}/assign", data={"assignee": "nobody"}).status_code == 400
    with app.app_context():
        insp2 = db.session.get(User, world.inspector2.id).public_id
    assert client.post(f"/review/{pid}/assign", data={"assignee": insp2}).status_code == 303
    with app.app_context():
        assignee = db.session.scalar(select(Report.assignee_id).where(Report.public_id == pid))
        assert assignee == world.inspector2.id


def test_a_wide_scope_types_a_township_code_instead_of_scrolling_a_list(app, world, monkeypatch):
    monkeypatch.setattr(scope, "MAX_TOWNSHIP_CHOICES", 1)
    mine, other = _report(app, world), _report(app, world, township="township2")
    client = as_staff(app, world, "inspector")
    page = client.get("/review").get_data(as_text=True)
    assert '<input id="f-township" name="township"' in page
    assert f'<option value="{world.township.code}"' not in page
    filtered = client.get(f"/review?township={world.township.code}").get_data(as_text=True)
    assert mine in filtered and other not in filtered
    assert f'value="{world.township.code}"' in filtered  # the typed code stays in the box
    monkeypatch.setattr(scope, "MAX_TOWNSHIP_CHOICES", 200)
    assert f'<option value="{world.township.code}"' in client.get("/review").get_data(as_text=True)


def test_exports_open_well_in_excel(app, world):
    """Real date cells, a frozen header with a filter, widths; CSV with one charset and a BOM."""
    pid = _report(app, world)
    client = as_staff(app, world, "inspector")
    response = _export(client, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    response = _export(client, "xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L2"
    assert sheet["A2"].value == pid
    submitted = sheet["G2"]
    assert isinstance(submitted.value, datetime) and submitted.number_format == "yyyy-mm-dd hh:mm"
    with app.app_context():
        stored = db.session.scalar(select(Report.submitted_at).where(Report.public_id == pid))
    # The local time the queue shows (Excel keeps milliseconds).
    assert abs((submitted.value - stored.astimezone(TZ).replace(tzinfo=None)).total_seconds()) < 1
    assert isinstance(sheet["H2"].value, int)
    assert all(sheet.column_dimensions[c].width for c in "ABCDEFGHIJKL")
