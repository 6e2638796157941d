"""Calendar subscriptions: webcal:// links for the township's roster, and each cadre's own
duty feed (/t/<code>/cadres/<id>/duty.ics) with a reminder before each shift."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from portal.extensions import db
from portal.models import ShiftKind
from tests.conftest import at
from tests.public.helpers import leave, local, shift, today_local, township_with_cadres


def _setup(app):
    at("2026-12-04T10:00")  # a Friday: tomorrow is a Saturday with a day shift
    today = today_local()
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(4)
        shift(t, today, ShiftKind.NIGHT, leaders=[deputy], staff=[staff[0], staff[1]],
              replaces={deputy.id: head})
        shift(t, today + timedelta(days=1), ShiftKind.DAY, leaders=[head], staff=[staff[0]])
        shift(t, today + timedelta(days=2), ShiftKind.NIGHT, leaders=[secretary], staff=[staff[2]])
        leave(staff[1], today, today, reason="保密的请假事由")
        db.session.commit()
        return {"code": t.code, "deputy": deputy.public_id, "staff0": staff[0].public_id,
                "staff0_personal": staff[0].personal_phone, "head": head.public_id, "today": today,
                "idle": staff[3].public_id}


def _feed(client, code, public_id):
    response = client.get(f"/t/{code}/cadres/{public_id}/duty.ics")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return response, Calendar.from_ical(response.data)


def test_a_cadre_feed_holds_their_own_shifts_with_a_reminder(app):
    w = _setup(app)
    client = app.test_client()
    response, cal = _feed(client, w["code"], w["staff0"])
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(events) == 2  # tonight and tomorrow's day shift, not the secretary's night
    tonight, tomorrow = events
    assert str(tonight["SUMMARY"]).endswith("夜班值班") and str(tomorrow["SUMMARY"]).endswith("白班值班")
    assert tonight.decoded("DTSTART") == local(w["today"], 17, 30)
    assert "副镇长丙" in str(tonight["DESCRIPTION"]) and "干事01" in str(tonight["DESCRIPTION"])
    assert "请假" in str(tonight["DESCRIPTION"]) and "保密的请假事由" not in response.get_data(as_text=True)
    assert w["staff0_personal"] not in response.get_data(as_text=True)
    alarm = tonight.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == timedelta(hours=-1) and str(alarm["ACTION"]) == "DISPLAY"
    assert "干事00的值班" in str(cal["X-WR-CALNAME"])
    assert str(tonight["UID"]) == f"{w['code']}-{w['today'].isoformat()}-night-{w['staff0']}@zaigang"
    # A leader standing in for someone is told so.
    _response, deputy_cal = _feed(client, w["code"], w["deputy"])
    (only,) = deputy_cal.walk("VEVENT")
    assert str(only["SUMMARY"]).endswith("夜班带班（替镇长乙）")


def test_a_cadre_feed_is_cacheable_and_unknown_or_departed_cadres_answer_404(app):
    w = _setup(app)
    client = app.test_client()
    first, _cal = _feed(client, w["code"], w["head"])
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(f"/t/{w['code']}/cadres/{w['head']}/duty.ics",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/t/{w['code']}/cadres/nobody/duty.ics").status_code == 404
    assert client.get(f"/t/999999999/cadres/{w['head']}/duty.ics").status_code == 404
    with app.app_context():
        from sqlalchemy import select

        from portal.models import Cadre

        db.session.scalar(select(Cadre).where(Cadre.public_id == w["head"])).active = False
        db.session.commit()
    assert client.get(f"/t/{w['code']}/cadres/{w['head']}/duty.ics").status_code == 404


def test_the_roster_page_offers_webcal_subscriptions(app):
    w = _setup(app)
    html = app.test_client().get(f"/t/{w['code']}/roster").get_data(as_text=True)
    assert f'href="webcal://localhost/t/{w["code"]}/roster.ics"' in html
    assert f"http://localhost/t/{w['code']}/roster.ics" in html  # to paste into other apps
    # Everyone on duty this month has a feed of their own; the others are not listed.
    assert f'href="webcal://localhost/t/{w["code"]}/cadres/{w["staff0"]}/duty.ics"' in html
    assert html.count("/duty.ics") == 2 * 6  # 6 people on duty, two links each
    assert w["idle"] not in html
    assert 'href="/api/v1/docs"' in html


def test_webcal_links_follow_the_configured_public_address(make_app):
    app = make_app(PUBLIC_URL="https://localhost")
    w = _setup(app)
    html = app.test_client().get(f"/t/{w['code']}/roster").get_data(as_text=True)
    assert f'href="webcal://localhost/t/{w["code"]}/roster.ics"' in html
    assert f"https://localhost/t/{w['code']}/roster.ics" in html


def test_the_feeds_ask_calendar_apps_to_refresh_hourly(app):
    w = _setup(app)
    cal = Calendar.from_ical(app.test_client().get(f"/t/{w['code']}/roster.ics").data)
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
