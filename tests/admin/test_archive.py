"""The cadre archive (档案): history, leave, visits, notices, concluded reports, service marks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from portal.extensions import db
from portal.models import (
    Action,
    Cadre,
    Category,
    ChiefRole,
    DiaryKind,
    FieldDiary,
    Finding,
    Leave,
    LeaveKind,
    Report,
    ReportStatus,
    Role,
    Township,
    VillageVisit,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.office import notices, rule543
from portal.services.office.archive import full_years, service_of
from tests import factories


def today():
    return local_date(utcnow())


def page(app, cadre_id):
    with app.app_context():
        return f"/admin/archive/{db.session.get(Cadre, cadre_id).public_id}"


def test_the_archive_gathers_a_leaders_records(app, office, clerk_client):
    monday = rule543.week_start_of(today()) - timedelta(days=7)
    with app.app_context():
        leader = db.session.get(Cadre, office.leader_ids[0])
        town = db.session.get(Township, office.township_id)
        db.session.add(Leave(cadre_id=leader.id, township_id=town.id, kind=LeaveKind.SICK,
                             start_date=monday, end_date=monday + timedelta(days=1), reason="住院复查",
                             substitute_id=office.leader_ids[1]))
        visit = VillageVisit(cadre_id=leader.id, township_id=town.id, village="石门村", day=monday,
                             purpose="防汛检查", confirmed_at=datetime.combine(monday, time(15), tzinfo=TZ))
        db.session.add(visit)
        db.session.flush()
        db.session.add(FieldDiary(cadre_id=leader.id, visit_id=visit.id, day=monday,
                                  kind=DiaryKind.VISIT, text="河堤有两处渗水。"))
        db.session.add(FieldDiary(cadre_id=leader.id, day=monday, kind=DiaryKind.NIGHT_MEETING,
                                  text="党委会研究防汛。"))
        db.session.add(Report(receipt_hash="r" * 64, township_id=town.id, county_id=town.county_id,
                              cadre_id=leader.id, category=Category.ABSENT_WORKDAY, description="不在岗",
                              status=ReportStatus.CONCLUDED, finding=Finding.PARTLY_SUBSTANTIATED,
                              action=Action.CRITICISM, outcome_public="已批评教育。",
                              accept_due=utcnow(), concluded_at=utcnow()))
        db.session.add(Report(receipt_hash="s" * 64, township_id=town.id, county_id=town.county_id,
                              cadre_id=leader.id, category=Category.OFFICIAL_CAR, description="在查",
                              status=ReportStatus.VERIFYING, accept_due=utcnow()))
        db.session.commit()
        first = today().replace(day=1)
        month = (first - timedelta(days=1)).strftime("%Y-%m")
        notices.publish(township=town, month=month, actor=None, today=today())
    html = clerk_client.get(page(app, office.leader_ids[0])).get_data(as_text=True)
    assert "王书记" in html and "班子成员" in html
    assert monday.isoformat() in html  # the week's 5-4-3 row
    assert "住院复查" in html and "替班：李镇长" in html
    assert "石门村" in html and "河堤有两处渗水" in html and "已确认" in html
    assert "党委会研究防汛" in html
    assert month in html  # the month's notice row
    assert "部分属实" in html and "批评教育" in html and "已批评教育" in html
    assert "公车私用" not in html  # a report still under verification is not in the archive


def test_history_covers_12_26_or_52_weeks(app, office, clerk_client):
    url = page(app, office.leader_ids[0])
    html = clerk_client.get(url).get_data(as_text=True)
    assert html.count("<td>0/") >= 12
    assert clerk_client.get(url + "?weeks=52").status_code == 200
    assert clerk_client.get(url + "?weeks=7").status_code == 404


def test_service_years_and_marks():
    assert full_years(date(2001, 6, 1), date(2026, 5, 31)) == 24
    assert full_years(date(2001, 6, 1), date(2026, 6, 1)) == 25
    town = Township(code="1", name="x")
    ordinary = Cadre(township=town, name="a", post="干事", is_leader=False,
                     township_service_since=date(2000, 1, 1))
    deputy = Cadre(township=town, name="b", post="副镇长", is_leader=True,
                   township_service_since=date(2015, 1, 1))
    secretary = Cadre(township=town, name="c", post="党委书记", is_leader=True,
                      chief_role=ChiefRole.SECRETARY, township_service_since=date(2000, 1, 1))
    chairman = Cadre(township=town, name="d", post="人大主席", is_leader=True,
                     township_service_since=date(2000, 1, 1))
    young = Cadre(township=town, name="e", post="干事", township_service_since=date(2010, 1, 1))
    on = date(2026, 11, 27)
    assert service_of(ordinary, on).mark == "ordinary" and service_of(ordinary, on).years == 26
    assert service_of(deputy, on).mark == "deputy"
    assert service_of(secretary, on).mark is None and service_of(chairman, on).mark is None
    assert service_of(young, on).mark is None
    assert service_of(Cadre(township=town, name="f", post="干事"), on).years is None


def test_the_county_sees_who_reached_a_mark(app, office, staff_client):
    with app.app_context():
        veteran = db.session.get(Cadre, office.staff_ids[0])
        veteran.township_service_since = today().replace(year=today().year - 26, day=1)
        deputy = db.session.get(Cadre, office.leader_ids[2])
        deputy.township_service_since = today().replace(year=today().year - 11, day=1)
        db.session.commit()
    admin = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    html = admin.get("/admin/archive/marks").get_data(as_text=True)
    assert "干事0" in html and "副主任科员" in html
    assert "张副" in html and "主任科员待遇" in html
    assert "王书记" not in html
    listing = admin.get(f"/admin/archive/?township={office.code}").get_data(as_text=True)
    assert "26 年" in listing and "满 25 年" in listing


def test_the_archive_is_scoped_and_closed_to_supervisors(app, office, clerk_client, staff_client):
    with app.app_context():
        outsider = factories.cadre(factories.township())
        db.session.commit()
        outsider_id = outsider.public_id
    assert clerk_client.get(f"/admin/archive/{outsider_id}").status_code == 404
    assert staff_client(Role.SUPERVISOR).get(page(app, office.leader_ids[0])).status_code == 403
    assert staff_client(Role.INSPECTOR).get(page(app, office.leader_ids[0])).status_code == 200
    other_inspector = staff_client(Role.INSPECTOR, in_scope=False)
    assert other_inspector.get(page(app, office.leader_ids[0])).status_code == 404


@pytest.mark.parametrize("url", ["/admin/archive/", "/admin/archive/marks"])
def test_archive_pages_need_a_login(client, url):
    assert client.get(url).status_code == 302
