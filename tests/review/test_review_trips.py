"""The case page shows the township's official-car trips within a day of the reported moment."""

from __future__ import annotations

from datetime import datetime

from portal.extensions import db
from portal.models import Cadre, Category, DestinationKind, Township, User
from portal.rules.calendar import TZ
from portal.services.office import cars
from tests import factories
from tests.conftest import at
from tests.review.conftest import make_report
from tests.review.test_review_pages import _client, statements_in_templates


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def _trip(clerk, town, vehicle, passengers, out, back, purpose):
    return cars.record_trip(user=clerk, township=town, vehicle=vehicle, driver=None,
                            driver_name="司机", passengers=passengers, destination="县城",
                            destination_kind=DestinationKind.COUNTY_TOWN, purpose=purpose,
                            out_at=out, back_at=back)


def test_the_case_page_shows_the_trips_around_the_reported_moment(app, world):
    at("2026-12-09T10:00")
    with app.app_context():
        town = db.session.get(Township, world.township.id)
        cadre = db.session.get(Cadre, world.cadre.id)
        other = factories.cadre(town, name="同车干事")
        clerk = db.session.get(User, world.clerk.id)
        vehicle = cars.add_vehicle(user=clerk, township=town, plate="冀A·10001")
        _trip(clerk, town, vehicle, [cadre, other], _local(7, 17, 30), _local(8, 7, 40), "送被举报人回县城")
        _trip(clerk, town, vehicle, [other], _local(8, 14), _local(8, 16), "同日下午另一趟")
        _trip(clerk, town, vehicle, [other], _local(2, 9), _local(2, 11), "五天前的出车")
        report = make_report(town, cadre=cadre, category=Category.OFFICIAL_CAR,
                             observed_at=_local(7, 22), submitted_at=_local(8, 9))
        db.session.commit()
        pid = report.public_id
    client = _client(app, world.inspector.id)
    with statements_in_templates(app) as statements:
        page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert statements == []
    section = page.split("举报时刻前后一天的公车出车")[1].split("</section>")[0]
    assert "送被举报人回县城" in section and "同日下午另一趟" in section
    assert "五天前的出车" not in section
    assert "被举报干部在其中 1 次出车中乘车或驾驶" in section and "去县城，次日返回（过夜）" in section
    assert "司机" in section  # the inspector sees the staff fields


def test_a_report_without_a_moment_says_the_car_log_cannot_be_compared(app, world):
    with app.app_context():
        town = db.session.get(Township, world.township.id)
        report = make_report(town)
        report.observed_at = None
        db.session.commit()
        pid = report.public_id
    page = _client(app, world.inspector.id).get(f"/review/{pid}").get_data(as_text=True)
    assert "举报未写明发现时间，无法对照公车使用记录" in page
