"""Abuse limits: per client and global, on memory:// and redis://, proxy-aware, honest 429."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_REDIS, require_service
from tests.report.test_form import RECEIPT, post_report
from tests.report.test_track import look_up

REDIS_URI = f"{TEST_REDIS}/2"


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
        return REDIS_URI
    return "memory://"


def test_five_reports_an_hour_then_a_429_that_says_when_to_come_back(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage)
    client = app.test_client()
    for _ in range(5):
        assert RECEIPT.search(post_report(client, place).get_data(as_text=True))
    response = post_report(client, place, place="粮站门口")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    # The form comes back as typed, with when to try again.
    assert "分钟后再按“提交举报”" in html and "办公室锁着门" in html and 'value="粮站门口"' in html
    assert 3000 <= int(response.headers["Retry-After"]) <= 3660
    # Reading the form is not limited.
    assert client.get(f"/report?township={place.code}").status_code == 200


def test_a_form_with_mistakes_does_not_use_up_the_allowance(make_app, place):
    app = make_app(REPORT_RATE_LIMIT="2/hour")
    client = app.test_client()
    for _ in range(4):
        assert post_report(client, place, description="").status_code == 400
    assert RECEIPT.search(post_report(client, place).get_data(as_text=True))
    assert RECEIPT.search(post_report(client, place).get_data(as_text=True))
    assert post_report(client, place).status_code == 429


def test_tracking_allows_five_look_ups_a_minute(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage)
    client = app.test_client()
    for _ in range(5):
        assert look_up(client, "12345 67890 12345 67890 12345").status_code == 200
    response = look_up(client, "12345 67890 12345 67890 12345")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= 60


def test_tracking_allows_twenty_look_ups_an_hour(make_app, place):
    app = make_app(TRACK_RATE_LIMIT="50/minute;20/hour")
    client = app.test_client()
    for _ in range(20):
        assert look_up(client, "1").status_code == 200
    assert look_up(client, "1").status_code == 429


def test_the_429_page_speaks_the_users_language(make_app, place):
    app = make_app(TRACK_RATE_LIMIT="1/minute")
    client = app.test_client()
    client.get("/track?lang=en")
    look_up(client, "1")
    html = look_up(client, "1").get_data(as_text=True)
    assert "Too many look-ups. Please try again in 1 minute(s)." in html


def test_a_forged_forwarded_for_does_not_reset_the_clients_counter(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1, TRACK_RATE_LIMIT="3/minute")
    client = app.test_client()
    for n in range(3):
        client.environ_base = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}, 203.0.113.7"}
        assert look_up(client, "1").status_code == 200
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.7"}
    assert look_up(client, "1").status_code == 429
    # Another client, as the trusted proxy saw it, has its own counter.
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    assert look_up(client, "1").status_code == 200


def test_without_a_trusted_proxy_forwarded_for_is_ignored(make_app, place):
    app = make_app(TRACK_RATE_LIMIT="2/minute")
    client = app.test_client()
    for n in range(2):
        client.environ_base = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert look_up(client, "1").status_code == 200
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "198.51.100.77"}
    assert look_up(client, "1").status_code == 429


def test_the_global_limit_holds_across_clients(make_app, storage, place):
    app = make_app(RATELIMIT_STORAGE_URI=storage, PROXY_FIX_X_FOR=1, TRACK_GLOBAL_RATE_LIMIT="4/minute",
                   REPORT_GLOBAL_RATE_LIMIT="2/hour")
    client = app.test_client()
    for n in range(4):
        client.environ_base = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        assert look_up(client, "1").status_code == 200
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "203.0.113.200"}
    assert look_up(client, "1").status_code == 429
    for n in range(2):
        client.environ_base = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert RECEIPT.search(post_report(client, place).get_data(as_text=True))
    client.environ_base = {"HTTP_X_FORWARDED_FOR": "198.51.100.50"}
    assert post_report(client, place).status_code == 429


def test_with_redis_down_reports_still_go_in_and_limits_still_hold(app, place, tmp_path):
    # The limiter falls back to per-process memory instead of answering 500 to a reporter.
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
    assert RECEIPT.search(post_report(client, place).get_data(as_text=True))
    assert look_up(client, "1").status_code == 200
    assert look_up(client, "1").status_code == 200
    assert look_up(client, "1").status_code == 429
    with down.app_context():
        db.session.remove()
        db.engine.dispose()
