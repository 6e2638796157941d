"""Monthly notices: figures, publishing by the office button and the CLI, immutability."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Category,
    DiaryKind,
    FieldDiary,
    Finding,
    Leave,
    LeaveKind,
    MonthlyNotice,
    Report,
    ReportStatus,
    SignIn,
    SignInKind,
    Township,
    VillageVisit,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.office import notices, rule543
from portal.services.shared.calendar import official_calendar
from tests.admin.conftest import post_form


def last_month():
    first = local_date(utcnow()).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


MONTH_START = last_month()
MONTH = MONTH_START.strftime("%Y-%m")
WEEK = rule543.month_weeks(MONTH_START.year, MONTH_START.month)[1]  # a week inside the month


def at(d, hh, mm=0):
    return datetime.combine(d, time(hh, mm), tzinfo=TZ)


def add_records(cadre_id, township_id, *, days=5, nights=4, visits=3):
    """A leader's full week inside the month."""
    for i in range(days):
        d = WEEK + timedelta(days=i)
        db.session.add_all([
            SignIn(cadre_id=cadre_id, township_id=township_id, at=at(d, 8), kind=SignInKind.IN),
            SignIn(cadre_id=cadre_id, township_id=township_id, at=at(d, 17, 30), kind=SignInKind.OUT)])
    for i in range(nights):
        night = WEEK - timedelta(days=1) + timedelta(days=i)
        db.session.add_all([
            SignIn(cadre_id=cadre_id, township_id=township_id, at=at(night, 21), kind=SignInKind.IN),
            SignIn(cadre_id=cadre_id, township_id=township_id,
                   at=at(night + timedelta(days=1), 7), kind=SignInKind.IN)])
    for i in range(visits):
        d = WEEK + timedelta(days=i)
        db.session.add(VillageVisit(cadre_id=cadre_id, township_id=township_id, village="东村", day=d,
                                    confirmed_at=at(d, 16)))


def publish_page(office):
    return f"/admin/notices/?township={office.code}&month={MONTH}"


def publish(client, office):
    return post_form(client, publish_page(office), f"/admin/notices/publish?township={office.code}",
                     data={"month": MONTH}, follow_redirects=True)


def test_the_month_figures_per_cadre(app, office):
    with app.app_context():
        leader, staff = office.leader_ids[0], office.staff_ids[0]
        add_records(leader, office.township_id)
        add_records(staff, office.township_id, days=2, nights=0, visits=0)
        db.session.add(Leave(cadre_id=office.leader_ids[1], township_id=office.township_id,
                             kind=LeaveKind.ANNUAL, start_date=WEEK, end_date=WEEK + timedelta(days=6)))
        db.session.add(FieldDiary(cadre_id=leader, day=WEEK, kind=DiaryKind.NIGHT_STUDY, text="学习"))
        db.session.add(FieldDiary(cadre_id=leader, day=WEEK + timedelta(days=1),
                                  kind=DiaryKind.NIGHT_VISIT, text="走访"))
        county_id = db.session.get(Township, office.township_id).county_id
        db.session.add(Report(receipt_hash="x" * 64, township_id=office.township_id, county_id=county_id,
                              cadre_id=leader, category=Category.COMMUTING, description="回城",
                              status=ReportStatus.CONCLUDED, finding=Finding.SUBSTANTIATED,
                              accept_due=utcnow(), concluded_at=at(WEEK + timedelta(days=2), 10)))
        db.session.commit()
        content = notices.compute(db.session.get(Township, office.township_id), MONTH)
        calendar = official_calendar()
        leave_working_days = sum(calendar.is_working_day(WEEK + timedelta(days=i)) for i in range(7))
    rows = {row["name"]: row for row in content["cadres"]}
    secretary = rows["王书记"]
    assert (secretary["days_present"], secretary["nights"], secretary["village_days"]) == (5, 4, 3)
    assert secretary["weeks_compliant"] == 1
    assert secretary["weeks_total"] == len(rule543.month_weeks(MONTH_START.year, MONTH_START.month))
    assert secretary["evening_work"] == 2 and secretary["reports_substantiated"] == 1
    # The working days of a week of leave (fewer in a holiday week, more with 调休).
    assert rows["李镇长"]["leave_days"] == leave_working_days
    assert rows["干事0"]["days_present"] == 2 and rows["干事0"]["weeks_compliant"] is None
    assert content["evening_work"] == {"night_meeting": 0, "night_study": 1, "night_talk": 0,
                                       "night_visit": 1}
    # Leaders come first; the notice carries no personal phone or leave reason.
    assert [r["is_leader"] for r in content["cadres"]][:4] == [True] * 4
    assert "personal" not in json.dumps(content) and "reason" not in json.dumps(content)


def test_publish_then_correct_keeps_version_1_byte_for_byte(app, office, clerk_client):
    response = publish(clerk_client, office)
    assert f"已发布 {MONTH} 公示第 1 版" in response.get_data(as_text=True)
    with app.app_context():
        v1 = db.session.scalar(select(MonthlyNotice))
        v1_content, v1_sha, v1_at = v1.content, v1.sha256, v1.published_at
        assert v1.version == 1 and v1.published_by_id == office.clerk_id

    again = publish(clerk_client, office)
    assert "数据没有变化" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(MonthlyNotice.id))) == 1

    with app.app_context():
        add_records(office.leader_ids[0], office.township_id, days=5, nights=0, visits=1)
        db.session.commit()
    preview = clerk_client.get(publish_page(office)).get_data(as_text=True)
    assert "发布将生成第 2 版" in preview
    response = publish(clerk_client, office)
    assert f"已发布 {MONTH} 公示第 2 版" in response.get_data(as_text=True)

    with app.app_context():
        v1_again, v2 = db.session.scalars(select(MonthlyNotice).order_by(MonthlyNotice.version)).all()
        assert (v1_again.content, v1_again.sha256, v1_again.published_at) == (v1_content, v1_sha, v1_at)
        assert v2.version == 2 and v2.sha256 != v1_sha
        changes = json.loads(v2.changes)
        assert {"cadre": "王书记", "post": "党委书记", "field": "days_present", "old": 0, "new": 5} in changes
        assert {"cadre": "王书记", "post": "党委书记", "field": "village_days", "old": 0, "new": 1} in changes

    code = office.code
    latest = clerk_client.get(f"/t/{code}/notices/{MONTH}").get_data(as_text=True)
    assert "第 2 版" in latest and "本版更正了以下内容" in latest
    assert "王书记：在岗天数 由 0 改为 5" in latest
    first = clerk_client.get(f"/t/{code}/notices/{MONTH}?v=1").get_data(as_text=True)
    assert "这不是最新版" in first and "本版更正了以下内容" not in first
    assert v1_sha in first


def test_publishing_writes_an_audit_entry_and_bumps_the_township(app, office, clerk_client):
    with app.app_context():
        before = db.session.get(Township, office.township_id).data_version
    publish(clerk_client, office)
    with app.app_context():
        assert db.session.get(Township, office.township_id).data_version > before
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.publish"))
        assert entry.object_id == office.code and MONTH in entry.detail


def test_the_current_month_cannot_be_published(app, office, clerk_client):
    current = local_date(utcnow()).strftime("%Y-%m")
    response = post_form(clerk_client, publish_page(office),
                         f"/admin/notices/publish?township={office.code}", data={"month": current},
                         follow_redirects=True)
    assert "请选择要公示的月份" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(MonthlyNotice.id)) is None
        with pytest.raises(notices.ValidationError):
            notices.publish(township=db.session.get(Township, office.township_id), month=current,
                            actor=None, today=local_date(utcnow()))


def test_only_office_writers_publish(app, office, staff_client):
    from portal.models import Role

    supervisor = staff_client(Role.SUPERVISOR)
    assert supervisor.get(publish_page(office)).status_code == 200
    response = post_form(supervisor, publish_page(office),
                         f"/admin/notices/publish?township={office.code}", data={"month": MONTH})
    assert response.status_code == 403


def test_cli_publishes_idempotently_and_fails_loudly(app, office, runner):
    first = runner.invoke(args=["notices", "publish", "--month", MONTH, "--township", office.code])
    assert first.exit_code == 0, first.output
    assert f"{office.code}" in first.output and "published version 1" in first.output
    second = runner.invoke(args=["notices", "publish", "--month", MONTH, "--township", office.code])
    assert second.exit_code == 0 and "unchanged, version 1 stands" in second.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(MonthlyNotice.id))) == 1
    bad = runner.invoke(args=["notices", "publish", "--month", "2026-13"])
    assert bad.exit_code != 0
    unknown = runner.invoke(args=["notices", "publish", "--month", MONTH, "--township", "999999999"])
    assert unknown.exit_code != 0 and "999999999" in unknown.output
    current = runner.invoke(args=["notices", "publish", "--month",
                                  local_date(utcnow()).strftime("%Y-%m")])
    assert current.exit_code != 0


def test_cli_publishes_every_active_township_without_township_option(app, office, runner):
    result = runner.invoke(args=["notices", "publish", "--month", MONTH])
    assert result.exit_code == 0 and "published version 1" in result.output


def test_publishing_anchors_the_audit_chain_and_the_notice_prints_the_checkpoint(
        app, office, clerk_client, runner):
    """The public's copy of the checkpoint: it names the chain with this publication in it."""
    from portal.services.shared import audit_checkpoints

    publish(clerk_client, office)
    with app.app_context():
        saved = audit_checkpoints.read()
        count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert saved and saved[-1].count == count
    page = clerk_client.get(f"/t/{office.code}/notices/{MONTH}").get_data(as_text=True)
    assert saved[-1].printed() in page
    result = runner.invoke(args=["audit", "verify", "--checkpoint", saved[-1].printed()])
    assert result.exit_code == 0, result.output
