"""Brakes, not walls: no limit of /report or /track can be run into to silence reporters.

Each attack of the review is a test here, on memory:// and redis:// storage: a flood from
many addresses (the old global limits then refused every reporter), an IPv6 client rotating
through its /64, and a village of honest reporters behind one carrier-grade NAT address.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal import clock
from tests.conftest import TEST_REDIS, require_service
from tests.report.test_form import RECEIPT, valid_data

REDIS_URI = f"{TEST_REDIS}/2"
TICKET = re.compile(r'name="ticket" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WRONG = "12345 67890 12345 67890 12345"


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    if request.param == "redis":
        require_service(redis_available(), f"Redis at {TEST_REDIS}")
        import redis

        redis.Redis.from_url(REDIS_URI).flushdb()
        return REDIS_URI
    return "memory://"


@pytest.fixture(autouse=True)
def _a_fixed_moment():
    clock.set_to(clock.parse_moment("2027-03-03T10:00:00+08:00"))


def later(seconds: float) -> None:
    clock.set_to(clock.now() + timedelta(seconds=seconds))


def behind(client, address: str):
    """The client as the trusted proxy saw it (PROXY_FIX_X_FOR=1)."""
    client.environ_base = {"HTTP_X_FORWARDED_FOR": address}
    return client


class Reporter:
    """A villager with the form open: the fields they typed, the form's CSRF token and ticket."""

    def __init__(self, client, place, **fields):
        self.client, self.place = client, place
        html = client.get(f"/report?township={place.code}").get_data(as_text=True)
        self.data = {**valid_data(place, **fields), "csrf_token": CSRF.search(html).group(1),
                     "ticket": TICKET.search(html).group(1)}

    def submit(self):
        response = self.client.post("/report", data=self.data, content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        if response.status_code == 429:  # sent back to wait: the form comes with its ticket
            self.data["ticket"] = TICKET.search(html).group(1)
        return response, html


def file_now(client, place) -> bool:
    return bool(RECEIPT.search(Reporter(client, place).submit()[1]))


def look_up(client, receipt=WRONG, wait: float = 0):
    html = client.get("/track").get_data(as_text=True)
    later(wait)
    return client.post("/track", data={"csrf_token": CSRF.search(html).group(1), "receipt": receipt,
                                       "ticket": TICKET.search(html).group(1)})


def test_over_its_allowance_a_client_waits_instead_of_being_refused(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, REPORT_RATE_LIMIT="3/hour")
    client = app.test_client()
    for _ in range(3):
        assert file_now(client, place)
    reporter = Reporter(client, place, description="第四次反映：镇长今天上午又不在岗，办公室没人。")
    response, html = reporter.submit()
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 120
    assert "请在" in html and "秒后再按一次" in html
    # Everything typed is still there.
    assert "第四次反映：镇长今天上午又不在岗，办公室没人。" in html and "镇政府二楼" in html
    later(int(response.headers["Retry-After"]))
    response, html = reporter.submit()
    assert response.status_code == 200 and RECEIPT.search(html)


def test_a_report_written_for_two_minutes_never_waits(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, REPORT_RATE_LIMIT="1/hour")
    client = app.test_client()
    for _ in range(30):
        reporter = Reporter(client, place)
        later(120)  # REPORT_BRAKE_MAX_WAIT: the longest wait ever asked
        assert RECEIPT.search(reporter.submit()[1])


def test_a_flood_from_many_addresses_does_not_silence_an_honest_reporter(make_app, storage, place):
    # The old global limit (600/hour, here 20) refused everyone once ~120 addresses used it up.
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1, REPORT_GLOBAL_RATE_LIMIT="20/hour")
    bot = app.test_client()
    for n in range(25):
        file_now(behind(bot, f"203.0.113.{n}"), place)
    honest = Reporter(behind(app.test_client(), "198.51.100.7"), place)
    response, html = honest.submit()
    assert response.status_code == 429 and "您填写的内容都已保留" in html
    later(120)
    response, html = honest.submit()
    assert response.status_code == 200 and RECEIPT.search(html)


def test_a_ticket_opens_one_submission_only(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, REPORT_RATE_LIMIT="1/hour")
    client = app.test_client()
    assert file_now(client, place)
    reporter = Reporter(client, place)
    later(120)
    assert RECEIPT.search(reporter.submit()[1])
    reporter.data["ticket"] = TICKET.search(
        client.get(f"/report?township={place.code}").get_data(as_text=True)).group(1)
    later(120)
    assert RECEIPT.search(reporter.submit()[1])
    reporter.data["ticket"] = reporter.data["ticket"]  # the same, spent ticket again
    assert reporter.submit()[0].status_code == 429
    reporter.data["ticket"] = "forged"
    assert reporter.submit()[0].status_code == 429


def test_sixty_villagers_behind_one_nat_address_all_report_within_the_hour(make_app, storage, place):
    """docs/security.md: 10 an hour with no wait, every further one after at most 2 minutes."""
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1)
    filed = 0
    for villager in range(60):
        reporter = Reporter(behind(app.test_client(), "100.64.0.1"), place,
                            description=f"第{villager}位村民反映：今天上午镇政府办公室没有人值班。")
        later(55)  # writing the report: 60 of them fit in the hour
        response, html = reporter.submit()
        if response.status_code == 429:
            later(int(response.headers["Retry-After"]))
            response, html = reporter.submit()
        filed += bool(RECEIPT.search(html))
    assert filed == 60


def test_a_cadre_flooding_from_the_villages_nat_address_only_slows_the_village(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1)
    cadre = behind(app.test_client(), "100.64.0.1")
    for _ in range(40):
        file_now(cadre, place)
    villager = Reporter(behind(app.test_client(), "100.64.0.1"), place)
    later(120)
    assert RECEIPT.search(villager.submit()[1])


def test_an_ipv6_client_is_counted_by_its_64(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1, REPORT_RATE_LIMIT="3/hour")
    client = app.test_client()
    for n in range(3):
        assert file_now(behind(client, f"2001:db8:1:2::{n + 1:x}"), place)
    # A fresh address of the same /64 is the same client ...
    assert not file_now(behind(client, "2001:db8:1:2:ffff:ffff:ffff:fffe"), place)
    # ... another /64 is another client.
    assert file_now(behind(client, "2001:db8:1:3::1"), place)


def test_a_form_with_mistakes_does_not_use_up_the_allowance(make_app, place):
    app = make_app(REPORT_RATE_LIMIT="2/hour")
    client = app.test_client()
    for _ in range(4):
        assert Reporter(client, place, description="").submit()[0].status_code == 400
    assert file_now(client, place) and file_now(client, place)
    assert not file_now(client, place)


def test_tracking_a_flood_of_guesses_from_many_addresses_never_slows_another_reporter(
        make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1)
    bot = app.test_client()
    for n in range(150):
        look_up(behind(bot, f"203.0.113.{n % 120}"))
    assert look_up(behind(app.test_client(), "198.51.100.9")).status_code == 200


def test_tracking_over_the_allowance_waits_with_the_code_kept(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage)
    client = app.test_client()
    for _ in range(10):
        assert look_up(client).status_code == 200
    response = look_up(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and f'value="{WRONG}"' in html
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert look_up(client, wait=60).status_code == 200


def test_the_wait_page_speaks_the_users_language(make_app, place):
    app = make_app(TRACK_RATE_LIMIT="1/minute")
    client = app.test_client()
    client.get("/track?lang=en")
    look_up(client)
    html = look_up(client).get_data(as_text=True)
    assert "please press" in html.lower() and "seconds" in html


def test_a_forged_forwarded_for_does_not_reset_the_clients_counter(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1, TRACK_RATE_LIMIT="3/minute")
    client = app.test_client()
    for n in range(3):
        client.environ_base = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}, 203.0.113.7"}
        assert look_up(client).status_code == 200
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.7"}
    assert look_up(client).status_code == 429
    # Another client, as the trusted proxy saw it, has its own counter.
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    assert look_up(client).status_code == 200


def test_without_a_trusted_proxy_forwarded_for_is_ignored(make_app, place):
    app = make_app(TRACK_RATE_LIMIT="2/minute")
    client = app.test_client()
    for n in range(2):
        client.environ_base = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert look_up(client).status_code == 200
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "198.51.100.77"}
    assert look_up(client).status_code == 429


def test_with_redis_down_reports_still_go_in_and_brakes_still_hold(app, place, tmp_path):
    # The brakes count in this process's memory instead of answering 500 to a reporter.
    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.INSTANCE_PATH = config.EVIDENCE_DIR = str(tmp_path)
    config.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"
    config.TRACK_RATE_LIMIT = "2/minute"
    down = create_app(config)
    client = down.test_client()
    assert file_now(client, place)
    assert look_up(client).status_code == 200
    assert look_up(client).status_code == 200
    assert look_up(client).status_code == 429
    with down.app_context():
        db.session.remove()
        db.engine.dispose()


def reply_too_soon(client, place, body, lang=""):
    """File a report, look it up twice (the allowance), then send a reply from its status page."""
    receipt = RECEIPT.search(Reporter(client, place).submit()[1]).group(1)
    if lang:
        client.get(f"/track?lang={lang}")
    look_up(client, WRONG)
    html = look_up(client, receipt).get_data(as_text=True)
    data = {"csrf_token": CSRF.search(html).group(1), "ticket": TICKET.search(html).group(1),
            "receipt": re.search(r'name="receipt" value="([^"]+)"', html).group(1),
            "token": re.search(r'name="token" value="([^"]+)"', html).group(1), "body": body}
    return receipt, data, client.post("/track/reply", data=data, content_type="multipart/form-data")


def test_a_reply_sent_too_soon_comes_back_on_its_status_page_with_the_text_kept(
        make_app, storage, place, caplog):
    app = make_app(RATELIMIT_STORAGE_URI=storage, TRACK_RATE_LIMIT="2/minute")
    client = app.test_client()
    caplog.set_level("DEBUG")
    body = "补充一下：镇长是上午十点离开的，<b>司机</b>也在车上。"
    receipt, data, response = reply_too_soon(client, place, body)
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 60
    # The status page again, the reply still in its box and the wait said at the field.
    assert "举报进展" in html and "已收到，等待受理" in html
    assert "补充一下：镇长是上午十点离开的，&lt;b&gt;司机&lt;/b&gt;也在车上。</textarea>" in html
    assert re.search(r'id="body-error">[^<]*请在 \d+ 秒后再按一次“发送”', html)
    assert 'aria-invalid="true"' in html
    assert "Location" not in response.headers and receipt not in caplog.text
    assert receipt.replace(" ", "") not in caplog.text
    # After the wait the same page sends the reply.
    data["ticket"] = TICKET.search(html).group(1)
    later(int(response.headers["Retry-After"]))
    sent = client.post("/track/reply", data=data, content_type="multipart/form-data")
    assert sent.status_code == 200 and "您的回复已送达纪检监察干部" in sent.get_data(as_text=True)


def test_a_reply_waiting_is_told_so_in_english(make_app, place):
    app = make_app(TRACK_RATE_LIMIT="2/minute")
    _receipt, _data, response = reply_too_soon(app.test_client(), place, "He left at ten.", lang="en")
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and "He left at ten.</textarea>" in html
    assert re.search(r'id="body-error">[^<]*Your reply is kept: please press “Send” again in \d+ seconds',
                     html)


def test_a_reply_without_its_pages_token_waits_on_the_tracking_page(make_app, place):
    # Without the token of the report's own page the wait says nothing of whether a code exists.
    app = make_app(TRACK_RATE_LIMIT="2/minute")
    client = app.test_client()
    receipt, data, _response = reply_too_soon(client, place, "hello")
    html = client.get("/track").get_data(as_text=True)
    for code in (receipt, WRONG):
        response = client.post("/track/reply", data={
            **data, "receipt": code, "token": "0" * 32, "ticket": TICKET.search(html).group(1)})
        page = response.get_data(as_text=True)
        assert response.status_code == 429 and "等待受理" not in page and f'value="{code}"' in page
