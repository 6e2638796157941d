"""公车使用登记: vehicles and trips, the public month page, the county-town flag against the
riders' night records and the board."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Cadre,
    CarTrip,
    DestinationKind,
    SignIn,
    SignInKind,
    Status,
    Township,
    User,
    Vehicle,
    Whereabouts,
)
from portal.rules.calendar import TZ
from portal.services.office import cars
from tests.admin.conftest import post_form
from tests.conftest import at

# Wednesday 9 December 2026; the trips are on Monday the 7th.
NOW = "2026-12-09T10:00"
DRIVER_NAME = "外聘司机甲"
NOTE = "加油卡内部备注"


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def _pid(app, model, obj_id):
    with app.app_context():
        return db.session.get(model, obj_id).public_id


def _vehicle(app, office, plate="冀A·12345") -> str:
    with app.app_context():
        clerk = db.session.get(User, office.clerk_id)
        town = db.session.get(Township, office.township_id)
        return cars.add_vehicle(user=clerk, township=town, plate=plate, model="越野车").public_id


def _trip(app, office, vehicle, *, passengers, out, back, kind=DestinationKind.COUNTY_TOWN,
          driver_id=None):
    with app.app_context():
        clerk = db.session.get(User, office.clerk_id)
        town = db.session.get(Township, office.township_id)
        car = db.session.scalar(select(Vehicle).where(Vehicle.public_id == vehicle))
        return cars.record_trip(
            user=clerk, township=town, vehicle=car,
            driver=db.session.get(Cadre, driver_id) if driver_id else None,
            driver_name="" if driver_id else DRIVER_NAME,
            passengers=[db.session.get(Cadre, c) for c in passengers], destination="县城",
            destination_kind=kind, purpose="到县委组织部报送材料", out_at=out, back_at=back,
            note=NOTE).public_id


def _trip_form(app, office, vehicle, **extra):
    data = {"vehicle": vehicle, "driver": _pid(app, Cadre, office.staff_ids[5]),
            "passengers": [_pid(app, Cadre, office.head_id)], "destination": "县城",
            "destination_kind": "county_town", "purpose": "到县财政局对账",
            "out_date": "2026-12-07", "out_time": "09:00", "back_date": "2026-12-07",
            "back_time": "15:30", **extra}
    return data


def test_the_clerk_records_a_vehicle_and_a_trip_and_the_public_sees_it_without_staff_fields(
        app, office, clerk_client):
    at(NOW)
    page = post_form(clerk_client, f"/admin/t/{office.code}/cars",
                     f"/admin/t/{office.code}/cars/vehicles",
                     data={"v-plate": "冀A 12345", "v-model": "越野车"}, follow_redirects=True).text
    assert "已登记车辆 冀A12345" in page
    with app.app_context():
        vehicle = db.session.scalar(select(Vehicle.public_id))
    data = _trip_form(app, office, vehicle, driver="", driver_name=DRIVER_NAME, note=NOTE)
    page = post_form(clerk_client, f"/admin/t/{office.code}/cars", data=data,
                     follow_redirects=True).text
    assert "已登记 冀A12345 的出车（县城）" in page
    assert DRIVER_NAME in page and NOTE in page  # the staff see their own fields
    with app.app_context():
        trip = db.session.scalar(select(CarTrip))
        assert [c.name for c in trip.passengers] == ["李镇长"] and trip.back_at == _local(7, 15, 30)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action.in_(["car.vehicle_add", "car.trip"]))) == 2
    public = app.test_client().get(f"/t/{office.code}/cars?month=2026-12")
    html = public.text
    assert public.status_code == 200 and "冀A12345" in html and "李镇长 · 镇长" in html
    assert "到县财政局对账" in html and "专职驾驶员" in html
    assert DRIVER_NAME not in html and NOTE not in html
    assert "去县城" not in html.split("出车记录")[1].split("我要举报")[0]  # a day trip: no flag


def test_a_night_trip_to_the_county_town_is_flagged_against_the_night_records(
        app, office, clerk_client):
    at(NOW)
    vehicle = _vehicle(app, office)
    deputy, staff = office.leader_ids[2], office.staff_ids[0]
    with app.app_context():
        # The deputy's sign-ins say he stayed in the township that night: a contradiction.
        db.session.add_all([
            SignIn(cadre_id=deputy, township_id=office.township_id, at=_local(7, 21), kind=SignInKind.IN),
            SignIn(cadre_id=deputy, township_id=office.township_id, at=_local(8, 7), kind=SignInKind.IN),
            # The staff member's board said 出差 all night: consistent with the trip.
            Whereabouts(cadre_id=staff, township_id=office.township_id, status=Status.TRIP,
                        starts_at=_local(7, 17), ends_at=_local(8, 12), recorded_at=_local(7, 16)),
        ])
        db.session.commit()
    _trip(app, office, vehicle, passengers=[deputy, staff], out=_local(7, 17, 10), back=_local(8, 7, 50))
    _trip(app, office, vehicle, passengers=[office.head_id], out=_local(8, 9), back=_local(8, 11),
          kind=DestinationKind.VILLAGE)
    html = app.test_client().get(f"/t/{office.code}/cars?month=2026-12").text
    assert "本月出车 2 次" in html and "其中 1 次去县城" in html
    assert "去县城，次日返回（过夜）" in html
    flagged = html.split("去县城，次日返回（过夜）")[1].split("</article>")[0].split("当晚的记录")[1]
    deputy_row = flagged.split("张副")[1].split("</tr>")[0]
    assert "住镇（晚间、次日早签到齐全）" in deputy_row and "与出车去县城的记录不符" in deputy_row
    staff_row = flagged.split("干事0")[1].split("</tr>")[0]
    assert "无住镇记录" in staff_row and "出差" in staff_row and "不符" not in staff_row
    # The clerk's page shows the same flag.
    assert "与出车去县城的记录不符" in clerk_client.get(f"/admin/t/{office.code}/cars?month=2026-12").text


def test_a_car_not_back_after_hours_is_flagged_until_its_return_is_recorded(app, office, clerk_client):
    at("2026-12-07T20:00")
    vehicle = _vehicle(app, office)
    trip = _trip(app, office, vehicle, passengers=[office.head_id], out=_local(7, 16), back=None)
    html = app.test_client().get(f"/t/{office.code}/cars").text
    assert "去县城，下班后仍未登记返回" in html and "未登记返回" in html
    page = post_form(clerk_client, f"/admin/t/{office.code}/cars", f"/admin/t/{office.code}/cars/return",
                     data={"r-trip": trip, "r-back_date": "2026-12-07", "r-back_time": "17:30"},
                     follow_redirects=True).text
    assert "已登记 冀A·12345 的返回时间" in page
    html = app.test_client().get(f"/t/{office.code}/cars").text
    assert "下班后仍未登记返回" not in html and "未登记返回" not in html


def test_bad_trips_are_refused_with_a_message_and_keep_what_was_typed(app, office, clerk_client):
    at(NOW)
    vehicle = _vehicle(app, office)
    url = f"/admin/t/{office.code}/cars"
    cases = [
        ({"back_time": "08:00"}, "返回时间必须晚于出车时间"),
        ({"out_date": "2026-12-10", "back_date": "", "back_time": ""}, "出车时间不能晚于现在"),
        ({"back_date": ""}, "返回日期和时间要一起填写"),
        ({"driver": "", "driver_name": ""}, "请选择驾驶员"),
        ({"destination": ""}, "请检查填写的内容"),
    ]
    for change, message in cases:
        response = post_form(clerk_client, url, data=_trip_form(app, office, vehicle, **change))
        assert response.status_code == 400, change
        assert message in response.text and "到县财政局对账" in response.text, change
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CarTrip)) == 0
    post_form(clerk_client, url, data=_trip_form(app, office, vehicle))
    overlapping = post_form(clerk_client, url, data=_trip_form(app, office, vehicle, out_time="10:00"))
    assert overlapping.status_code == 400 and "在这段时间已有出车登记" in overlapping.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CarTrip)) == 1


def test_the_pages_are_scoped_and_the_public_month_is_checked(app, office, staff_client):
    from portal.models import Role

    at(NOW)
    outsider = staff_client(Role.CLERK, in_scope=False)
    assert outsider.get(f"/admin/t/{office.code}/cars").status_code == 404
    supervisor = staff_client(Role.SUPERVISOR)
    assert supervisor.get(f"/admin/t/{office.code}/cars").status_code == 403
    public = app.test_client()
    bad = public.get(f"/t/{office.code}/cars?month=2026-13")
    assert bad.status_code == 400 and "不是有效的月份" in bad.text
    assert public.get("/t/999999999/cars").status_code == 404
    empty = public.get(f"/t/{office.code}/cars?month=2026-11")
    assert empty.status_code == 200 and "本月没有出车登记" in empty.text


def test_the_demo_county_shows_a_car_with_a_month_of_trips_and_a_flagged_night_trip(app, demo):
    with app.app_context():
        trips = db.session.scalars(select(CarTrip)).all()
        assert len(trips) >= 15  # a month of working days
        assert {t.vehicle.plate for t in trips} == {"冀A·D8801"}
    client = app.test_client()
    months = {t.out_at.astimezone(TZ).strftime("%Y-%m") for t in trips}
    pages = "".join(client.get(f"/t/990101001/cars?month={m}").text for m in months)
    assert "去县城，次日返回（过夜）" in pages and "下班后回县城（演示）" in pages
    assert "冀A·D3306" in pages and "已停用" in pages


def test_the_public_car_log_pages_back_in_time_but_not_into_a_month_not_yet_begun(app, office):
    at(NOW)  # December 2026
    public = app.test_client()
    this_month = public.get(f"/t/{office.code}/cars").text
    assert 'rel="prev"' in this_month and "?month=2026-11" in this_month
    assert 'rel="next"' not in this_month and "?month=2027-01" not in this_month
    earlier = public.get(f"/t/{office.code}/cars?month=2026-10").text
    assert 'rel="next"' in earlier and "?month=2026-11" in earlier
