"""The whereabouts board, staff side: two-click updates, the morning bulk action, history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Cadre, Role, Status, Township, Whereabouts
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import whereabouts
from tests.admin.conftest import csrf_token, post_form


def _board(office):
    return f"/admin/t/{office.code}/board"


def _public_id(app, cadre_id):
    with app.app_context():
        return db.session.get(Cadre, cadre_id).public_id


def _current(app, cadre_id):
    with app.app_context():
        entry = whereabouts.current_entries([cadre_id], utcnow()).get(cadre_id)
        return (entry.status, entry.village, entry.ends_at) if entry else None


def _version(app, office):
    with app.app_context():
        return db.session.get(Township, office.township_id).data_version


def test_board_lists_every_active_cadre_with_buttons(app, office, clerk_client):
    html = clerk_client.get(_board(office)).get_data(as_text=True)
    for name in ["王书记", "李镇长", "干事0", "干事5"]:
        assert name in html
    assert html.count('name="status" value="village"') == 10
    assert html.count('name="except"') == 10
    assert "今天未更新去向：10 人" in html


def test_morning_bulk_with_exceptions_in_one_post(app, office, clerk_client):
    """A 25-cadre morning: one bulk post, then a click per exception."""
    version = _version(app, office)
    excepted = [_public_id(app, office.head_id), _public_id(app, office.staff_ids[0])]
    response = post_form(clerk_client, _board(office), _board(office) + "/bulk",
                         {"span": "today", "except": excepted}, follow_redirects=True)
    assert "已将 8 人设为在岗" in response.get_data(as_text=True)
    assert _current(app, office.secretary_id)[0] == Status.AT_OFFICE
    assert _current(app, office.head_id) is None
    assert _current(app, office.staff_ids[0]) is None
    assert _version(app, office) == version + 1
    # The exception: one click on a row's button.
    response = post_form(clerk_client, _board(office), _board(office) + "/set",
                         {"cadre": excepted[0], "status": "village", "village": "东湾村",
                          "span": "today"}, follow_redirects=True)
    assert response.status_code == 200
    status, village, _ends = _current(app, office.head_id)
    assert (status, village) == (Status.VILLAGE, "东湾村")
    html = response.get_data(as_text=True)
    assert "今天未更新去向：1 人" in html


def test_village_needs_a_name(app, office, clerk_client):
    pid = _public_id(app, office.staff_ids[1])
    response = post_form(clerk_client, _board(office), _board(office) + "/set",
                         {"cadre": pid, "status": "village", "village": " ", "span": "today"},
                         follow_redirects=True)
    assert "下村请填写村名" in response.get_data(as_text=True)
    assert _current(app, office.staff_ids[1]) is None


def test_an_update_ends_the_previous_entry_and_keeps_it(app, office, clerk_client):
    pid = _public_id(app, office.staff_ids[2])
    post_form(clerk_client, _board(office), _board(office) + "/set",
              {"cadre": pid, "status": "at_office", "span": "open"})
    post_form(clerk_client, _board(office), _board(office) + "/set",
              {"cadre": pid, "status": "meeting", "span": "open"})
    with app.app_context():
        entries = db.session.scalars(select(Whereabouts).where(
            Whereabouts.cadre_id == office.staff_ids[2]).order_by(Whereabouts.id)).all()
        assert [e.status for e in entries] == [Status.AT_OFFICE, Status.MEETING]
        assert entries[0].ends_at is not None and entries[0].superseded_at is not None
        assert entries[1].ends_at is None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "whereabouts.set")) == 2
    history = clerk_client.get(f"{_board(office)}/{pid}").get_data(as_text=True)
    assert "被后来的更新提前结束" in history


def test_public_board_shows_the_change_at_once(app, office, clerk_client):
    pid = _public_id(app, office.secretary_id)
    post_form(clerk_client, _board(office), _board(office) + "/set",
              {"cadre": pid, "status": "trip", "span": "tomorrow"})
    html = app.test_client().get(f"/t/{office.code}").get_data(as_text=True)
    assert "出差" in html


def test_cadre_page_sets_any_span_with_a_substitute(app, office, clerk_client):
    pid = _public_id(app, office.head_id)
    sub = _public_id(app, office.leader_ids[2])
    page = f"{_board(office)}/{pid}"
    tomorrow = local_date(utcnow() + timedelta(days=1)).isoformat()
    response = post_form(clerk_client, page, data={
        "status": "leave", "substitute": sub, "starts_on": "2026-01-05", "starts_time": "08:00",
        "ends_on": tomorrow, "ends_time": "18:00", "note": "家中有事",
    })
    assert response.status_code == 302
    with app.app_context():
        entry = whereabouts.current_entries([office.head_id], utcnow())[office.head_id]
        assert entry.status == Status.LEAVE and entry.substitute_id == office.leader_ids[2]
        assert entry.note == "家中有事"


def test_end_before_start_is_refused(app, office, clerk_client):
    pid = _public_id(app, office.head_id)
    page = f"{_board(office)}/{pid}"
    response = post_form(clerk_client, page, data={
        "status": "meeting", "starts_on": "2026-03-05", "starts_time": "10:00",
        "ends_on": "2026-03-05", "ends_time": "09:00"})
    assert response.status_code == 200
    assert "结束时间必须晚于开始时间" in response.get_data(as_text=True)


def test_bulk_skips_cadres_on_leave(app, office, clerk_client):
    # The township's today (Asia/Shanghai), not UTC's: they differ from 00:00 to 08:00 local.
    today = local_date(utcnow()).isoformat()
    post_form(clerk_client, f"/admin/t/{office.code}/leave", data={
        "cadre": _public_id(app, office.staff_ids[3]), "kind": "sick", "start_date": today,
        "end_date": today, "approver": "王书记"})
    response = post_form(clerk_client, _board(office), _board(office) + "/bulk", {"span": "today"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "请假中，未改动" in html
    assert _current(app, office.staff_ids[3])[0] == Status.LEAVE


def test_chiefs_both_away_are_flagged(app, office, clerk_client):
    for cid in (office.secretary_id, office.head_id):
        post_form(clerk_client, _board(office), _board(office) + "/set",
                  {"cadre": _public_id(app, cid), "status": "meeting", "span": "open"})
    assert "党委书记和乡镇长今天同时不在岗" in clerk_client.get(_board(office)).get_data(as_text=True)


def test_supervisor_reads_but_cannot_write(app, office, staff_client):
    client = staff_client(Role.SUPERVISOR)
    page = client.get(_board(office))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "王书记" in html
    assert 'name="status"' not in html
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    response = client.post(_board(office) + "/bulk", data={"csrf_token": token, "span": "today"})
    assert response.status_code == 403


def test_out_of_scope_township_and_cadre_answer_404(app, office, staff_client):
    other = staff_client(Role.CLERK, in_scope=False)
    assert other.get(_board(office)).status_code == 404
    pid = _public_id(app, office.head_id)
    with app.app_context():
        mine = db.session.scalar(select(Township).where(Township.code != office.code))
        code = mine.code
    assert other.get(f"/admin/t/{code}/board/{pid}").status_code == 404


def test_post_without_csrf_is_refused(app, office, clerk_client):
    response = clerk_client.post(_board(office) + "/bulk", data={"span": "today"})
    assert response.status_code == 400
    assert _current(app, office.head_id) is None


def test_a_25_cadre_morning_takes_one_bulk_click_and_one_click_per_exception(demo):
    """Demo 大庄镇 (20–30 cadres): the whole morning is 1 bulk post + 3 exception posts."""
    from portal.demo.base import DAZHUANG
    from portal.models import User
    from tests.conftest import login_as

    client = demo.test_client()
    with demo.app_context():
        login_as(client, db.session.scalar(select(User).where(User.username == "clerk")))
        town = db.session.scalar(select(Township).where(Township.code == DAZHUANG))
        people = db.session.scalars(select(Cadre).where(Cadre.township_id == town.id,
                                                        Cadre.active.is_(True))).all()
        ids = {c.public_id: c.id for c in people}
    assert len(people) >= 20
    board = f"/admin/t/{DAZHUANG}/board"
    html = client.get(board).get_data(as_text=True)
    token = csrf_token(html)
    exceptions = list(ids)[:3]
    posts = [
        (board + "/bulk", {"span": "today", "except": exceptions}),
        (board + "/set", {"cadre": exceptions[0], "status": "village", "village": "前进村", "span": "today"}),
        (board + "/set", {"cadre": exceptions[1], "status": "meeting", "span": "noon"}),
        (board + "/set", {"cadre": exceptions[2], "status": "trip", "span": "tomorrow"}),
    ]
    for url, data in posts:
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 302
    with demo.app_context():
        rows = whereabouts.board_rows(town.id)
        assert [r.cadre.name for r in rows if r.stale and not r.on_leave] == []
        assert {r.entry.status for r in rows if r.entry} >= {Status.AT_OFFICE, Status.VILLAGE, Status.TRIP}


def _queries(app, client, url) -> int:
    from sqlalchemy import event

    count = 0

    def bump(*_args, **_kwargs):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", bump)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", bump)
    return count


def test_board_and_roster_cost_the_same_queries_for_10_or_30_cadres(app, office, clerk_client):
    from tests import factories

    board, roster = _board(office), f"/admin/t/{office.code}/roster?month=2026-02"
    post_form(clerk_client, board, board + "/bulk", {"span": "today"})
    post_form(clerk_client, roster, f"/admin/t/{office.code}/roster", {
        "month": "2026-02", "l-2026-02-02-night": office.head_id, "s1-2026-02-02-night": office.staff_ids[0],
        "l-2026-02-01-day": office.secretary_id, "s1-2026-02-01-day": office.staff_ids[1]})
    small = (_queries(app, clerk_client, board), _queries(app, clerk_client, roster))
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        for _ in range(20):
            factories.cadre(town)
        db.session.commit()
    post_form(clerk_client, board, board + "/bulk", {"span": "today"})
    large = (_queries(app, clerk_client, board), _queries(app, clerk_client, roster))
    assert large == small


def test_a_trip_until_tomorrow_comes_ticked_as_an_exception(app, office, clerk_client):
    pid = _public_id(app, office.leader_ids[2])
    post_form(clerk_client, _board(office), _board(office) + "/set",
              {"cadre": pid, "status": "trip", "span": "tomorrow"})
    html = clerk_client.get(_board(office)).get_data(as_text=True)
    assert f'value="{pid}" id="x-{pid}" checked>' in html
    other = _public_id(app, office.staff_ids[0])
    assert f'value="{other}" id="x-{other}">' in html
    # Posting the page's form as it comes (ticked boxes included) keeps the trip.
    post_form(clerk_client, _board(office), _board(office) + "/bulk", {"span": "today", "except": [pid]})
    assert _current(app, office.leader_ids[2])[0] == Status.TRIP
