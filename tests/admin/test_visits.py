"""Village visits through the office pages: record, QR link, diary, renewal, evening work."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, DiaryKind, FieldDiary, Role, Township, VillageVisit
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from tests import factories
from tests.admin.conftest import post_form

LINK = re.compile(r'href="http://localhost/v/([A-Za-z0-9_-]+)"')


def today():
    return local_date(utcnow())


def record_visit(client, office, **fields):
    with client.application.app_context():
        cadre = db.session.get(Cadre, office.leader_ids[0])
        public_id = cadre.public_id
    data = {"cadre": public_id, "village": "前进村", "day": today().isoformat(),
            "purpose": "走访低保户", "diary": "走访了三户，反映饮水管道老化。"}
    data.update(fields)
    page = f"/admin/visits/new?township={office.code}"
    return post_form(client, page, data=data)


def test_clerk_records_a_visit_and_gets_a_qr_code_and_one_time_link(app, office, clerk_client):
    response = record_visit(clerk_client, office)
    assert response.status_code == 302
    page = clerk_client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "待群众确认" in html
    assert 'src="data:image/svg+xml' in html  # the QR code, inline: no third-party request
    token = LINK.search(html).group(1)
    assert len(token) >= 32
    with app.app_context():
        visit = db.session.scalar(select(VillageVisit))
        # Only the hash is stored: the link cannot be rebuilt from the database.
        assert visit.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (visit.token_hash, visit.public_id)
        assert visit.token_expires_at - utcnow() > timedelta(hours=71)
        assert visit.confirmed_at is None
        diary = db.session.scalar(select(FieldDiary).where(FieldDiary.visit_id == visit.id))
        assert diary.kind == DiaryKind.VISIT and "饮水管道" in diary.text
    assert "饮水管道" in html


def test_a_confirmed_visit_shows_who_confirmed_and_no_link(app, office, clerk_client):
    location = record_visit(clerk_client, office).headers["Location"]
    token = LINK.search(clerk_client.get(location).get_data(as_text=True)).group(1)
    villager = app.test_client()
    confirm = post_form(villager, f"/v/{token}", data={"name": "刘大爷", "comment": "来过，帮我们修了路灯"})
    assert confirm.status_code == 200
    html = clerk_client.get(location).get_data(as_text=True)
    assert "已确认" in html and "刘大爷" in html and "帮我们修了路灯" in html
    assert not LINK.search(html)


def test_renewing_the_link_voids_the_old_one(app, office, clerk_client):
    location = record_visit(clerk_client, office).headers["Location"]
    old = LINK.search(clerk_client.get(location).get_data(as_text=True)).group(1)
    response = post_form(clerk_client, location, action_url=location + "/token")
    assert response.status_code == 302
    new = LINK.search(clerk_client.get(location).get_data(as_text=True)).group(1)
    assert new != old
    assert app.test_client().get(f"/v/{old}").status_code == 404
    assert app.test_client().get(f"/v/{new}").status_code == 200


def test_the_link_shows_only_in_the_session_that_made_it(app, office, clerk_client, staff_client):
    location = record_visit(clerk_client, office).headers["Location"]
    other = staff_client(Role.CLERK)
    html = other.get(location).get_data(as_text=True)
    assert "待群众确认" in html and not LINK.search(html)
    assert "生成新的确认链接" in html


def test_a_diary_entry_can_be_added_to_a_visit(app, office, clerk_client):
    location = record_visit(clerk_client, office, diary="").headers["Location"]
    response = post_form(clerk_client, location, action_url=location + "/diary",
                         data={"text": "回访：管道已报修。"})
    assert response.status_code == 302
    assert "管道已报修" in clerk_client.get(location).get_data(as_text=True)


def test_visit_form_rejects_a_future_day_and_a_missing_village(app, office, clerk_client):
    future = record_visit(clerk_client, office, day=(today() + timedelta(days=1)).isoformat())
    assert future.status_code == 200
    assert "入村日期不能晚于今天" in future.get_data(as_text=True)
    empty = record_visit(clerk_client, office, village="")
    assert empty.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(VillageVisit.id)) is None


def test_visits_list_shows_the_state_of_each_visit(app, office, clerk_client):
    record_visit(clerk_client, office, village="前进村")
    record_visit(clerk_client, office, village="红旗村")
    with app.app_context():
        visit = db.session.scalar(select(VillageVisit).where(VillageVisit.village == "红旗村"))
        visit.token_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    html = clerk_client.get(f"/admin/visits/?township={office.code}").get_data(as_text=True)
    assert "前进村" in html and "待群众确认" in html
    assert "红旗村" in html and "链接已过期" in html


def test_evening_work_is_recorded_as_a_field_diary_kind(app, office, clerk_client):
    with app.app_context():
        leader = db.session.get(Cadre, office.leader_ids[1]).public_id
    page = f"/admin/visits/evening?township={office.code}"
    response = post_form(clerk_client, page, data={
        "cadre": leader, "kind": "night_talk", "day": today().isoformat(), "at_township": "y",
        "text": "与两名年轻干部谈心。"})
    assert response.status_code == 302
    html = clerk_client.get(page).get_data(as_text=True)
    assert "夜谈" in html and "谈心" in html
    with app.app_context():
        entry = db.session.scalar(select(FieldDiary))
        assert entry.kind == DiaryKind.NIGHT_TALK and entry.at_township and entry.visit_id is None


def test_supervisors_read_visits_but_cannot_record_them(app, office, staff_client):
    supervisor = staff_client(Role.SUPERVISOR)
    assert supervisor.get(f"/admin/visits/?township={office.code}").status_code == 200
    assert supervisor.get(f"/admin/visits/new?township={office.code}").status_code == 403


def test_a_visit_outside_the_scope_answers_404(app, office, clerk_client):
    with app.app_context():
        other = factories.township()
        cadre = factories.cadre(other)
        visit = VillageVisit(cadre_id=cadre.id, township_id=other.id, village="外村", day=today())
        db.session.add(visit)
        db.session.commit()
        public_id, code = visit.public_id, other.code
    assert clerk_client.get(f"/admin/visits/{public_id}").status_code == 404
    assert clerk_client.get(f"/admin/visits/?township={code}").status_code == 404


def test_visit_pages_need_a_login(client, office):
    response = client.get(f"/admin/visits/?township={office.code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_township_of_the_visit_is_the_cadres(app, office, clerk_client):
    record_visit(clerk_client, office)
    with app.app_context():
        visit = db.session.scalar(select(VillageVisit))
        assert visit.township_id == db.session.scalar(
            select(Township.id).where(Township.code == office.code))


def test_a_visit_counts_for_5_4_3_only_once_the_villager_confirmed_it(app, office, clerk_client):
    from portal.services.office import rule543

    location = record_visit(clerk_client, office).headers["Location"]
    token = LINK.search(clerk_client.get(location).get_data(as_text=True)).group(1)
    with app.app_context():
        leader = db.session.get(Cadre, office.leader_ids[0])
        before = rule543.leader_week(leader, rule543.week_start_of(today()))
    assert before.village_days == 0
    assert any(r.reason == "未经群众确认" for r in before.invalid)
    post_form(app.test_client(), f"/v/{token}")
    with app.app_context():
        leader = db.session.get(Cadre, office.leader_ids[0])
        after = rule543.leader_week(leader, rule543.week_start_of(today()))
    assert after.village_days == 1 and today() in after.village_dates
    assert not any(r.reason == "未经群众确认" for r in after.invalid)
