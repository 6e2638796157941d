"""The rendered-page cache in front of the public board, roster and API board
(portal/pagecache.py): replays cost one SQL statement, and nobody ever sees a stale page."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest

from portal import clock, pagecache
from portal.extensions import db
from portal.models import Cadre, Role, Status, Township
from portal.models.base import utcnow
from portal.services.office import whereabouts
from portal.services.shared import calendar as calendar_service
from tests import factories
from tests.conftest import TEST_REDIS, require_service
from tests.public.helpers import count_statements, today_local, township_with_cadres

REDIS_CACHE = f"{TEST_REDIS}/10"
PAGES = ("/t/{code}", "/t/{code}/roster", "/api/v1/townships/{code}/board")


@contextmanager
def statements_of(app):
    """The SQL statements run while the block runs: SQLAlchemy's, and the page cache's version
    checks (run on the driver's cursor, which SQLAlchemy's events do not see)."""
    cache = app.extensions.get("zaigang_pagecache")  # none when the cache is turned off
    before = cache.version_checks if cache else 0
    seen: list[str] = []
    with count_statements(app) as statements:
        yield seen
    seen.extend(statements)
    checks = (cache.version_checks if cache else 0) - before
    seen.extend(["SELECT township.data_version (page cache)"] * checks)


def _town(app) -> tuple[str, int]:
    with app.app_context():
        t, secretary, *_ = township_with_cadres(3)
        db.session.commit()
        return t.code, secretary.id


def _set_status(app, cadre_id: int, status: Status, village: str = "") -> None:
    with app.app_context():
        cadre = db.session.get(Cadre, cadre_id)
        clerk = factories.user(Role.CLERK, townships=[cadre.township])
        # From now until the next update: current whatever the time of day the test runs.
        change = whereabouts.StatusChange(status, utcnow(), None, village, "", None)
        whereabouts.set_status(user=clerk, cadre=cadre, change=change)


@pytest.mark.parametrize("page", PAGES)
def test_a_repeated_page_is_replayed_with_one_statement_and_the_same_bytes(app, page):
    code, _ = _town(app)
    client = app.test_client()
    url = page.format(code=code)
    first = client.get(url)
    with statements_of(app) as statements:
        again = client.get(url)
    assert again.status_code == 200
    assert again.data == first.data
    assert len(statements) == 1, statements  # the township's data version, nothing else
    for header in ("ETag", "Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert again.headers[header] == first.headers[header]
    assert "max-age=" in again.headers["Cache-Control"]


def test_a_clerks_change_shows_at_once(app):
    code, secretary = _town(app)
    client = app.test_client()
    before = client.get(f"/t/{code}")
    assert "东村" not in before.get_data(as_text=True)
    client.get(f"/t/{code}")  # kept
    _set_status(app, secretary, Status.VILLAGE, "东村")
    after = client.get(f"/t/{code}")
    assert "东村" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    api = client.get(f"/api/v1/townships/{code}/board").get_json()
    assert any(row["now"]["village"] == "东村" for row in api["cadres"])


def test_an_unchanged_page_answers_304_from_the_cache(app):
    code, _ = _town(app)
    client = app.test_client()
    etag = client.get(f"/t/{code}").headers["ETag"]
    with statements_of(app) as statements:
        response = client.get(f"/t/{code}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert len(statements) == 1


def test_an_entry_is_not_replayed_past_the_moment_the_page_changes(app):
    code, _ = _town(app)
    client = app.test_client()
    client.get(f"/t/{code}")
    clock.set_to(clock.now() + timedelta(seconds=pagecache.MAX_ENTRY_SECONDS + 1))
    with statements_of(app) as statements:
        assert client.get(f"/t/{code}").status_code == 200
    assert len(statements) > 1  # rendered again


def test_languages_are_kept_apart_and_a_language_switch_still_sets_its_cookie(app):
    code, _ = _town(app)
    client = app.test_client()
    chinese = client.get(f"/t/{code}").get_data(as_text=True)
    switched = client.get(f"/t/{code}?lang=en")
    assert "lang=en" in switched.headers.get("Set-Cookie", "")
    english = client.get(f"/t/{code}").get_data(as_text=True)  # the cookie now says English
    assert 'lang="en"' in english and 'lang="zh-CN"' in chinese
    assert client.get(f"/t/{code}").get_data(as_text=True) == english
    assert app.test_client().get(f"/t/{code}").get_data(as_text=True) == chinese


def test_a_visitor_with_a_session_gets_their_own_page_and_never_leaves_it(app):
    # A session can carry what only its holder may see (a flashed message, a login).
    code, _ = _town(app)
    anonymous = app.test_client()
    anonymous.get(f"/t/{code}")
    visitor = app.test_client()
    with visitor.session_transaction() as sess:
        sess["_flashes"] = [("success", "您的留言已提交")]
    assert "您的留言已提交" in visitor.get(f"/t/{code}").get_data(as_text=True)
    with visitor.session_transaction() as sess:
        sess["_flashes"] = [("success", "第二条提示")]
    assert "第二条提示" in visitor.get(f"/t/{code}").get_data(as_text=True)
    for _ in range(2):
        page = anonymous.get(f"/t/{code}").get_data(as_text=True)
        assert "您的留言已提交" not in page and "第二条提示" not in page


def test_a_calendar_override_renders_every_board_again(app):
    code, _ = _town(app)
    client = app.test_client()
    today = today_local()
    before = client.get(f"/t/{code}").get_data(as_text=True)
    with app.app_context():
        calendar_service.set_override(today, is_working=False, name="防汛调休")
    after = client.get(f"/t/{code}").get_data(as_text=True)
    assert "防汛调休" in after and after != before


def test_a_bad_month_is_not_kept_and_months_are_kept_apart(app):
    code, _ = _town(app)
    client = app.test_client()
    assert client.get(f"/t/{code}/roster?month=2026-13").status_code == 400
    assert client.get(f"/t/{code}/roster?month=2026-13").status_code == 400
    this = clock.today().replace(day=1)
    last = (this - timedelta(days=1)).strftime("%Y-%m")
    one = client.get(f"/t/{code}/roster?month={this:%Y-%m}").get_data(as_text=True)
    other = client.get(f"/t/{code}/roster?month={last}").get_data(as_text=True)
    assert one != other


def test_an_unknown_or_deactivated_township_is_404_even_after_it_was_kept(app):
    code, _ = _town(app)
    client = app.test_client()
    client.get(f"/t/{code}")
    with app.app_context():
        township = db.session.scalar(db.select(Township).where(Township.code == code))
        township.active = False
        db.session.commit()
    assert client.get(f"/t/{code}").status_code == 404
    assert client.get("/t/999999999").status_code == 404


def _redis_or_skip():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_CACHE, socket_connect_timeout=2)
        client.ping()
    except Exception:  # noqa: BLE001 - any failure means Redis is not there
        require_service(False, "Redis")
        return None
    for pattern in ("zg:page:*", "zg:ver:*"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    return client


def test_with_redis_two_processes_share_pages_and_see_each_others_changes(make_app):
    redis = _redis_or_skip()
    first, second = make_app(CACHE_URL=REDIS_CACHE), make_app(CACHE_URL=REDIS_CACHE)
    code, secretary = _town(first)
    page = first.test_client().get(f"/t/{code}")
    assert any(redis.scan_iter("zg:page:*"))
    with statements_of(second) as statements:
        replayed = second.test_client().get(f"/t/{code}")
    assert replayed.data == page.data and len(statements) == 1
    _set_status(first, secretary, Status.TRIP)
    seen = second.test_client().get(f"/t/{code}")
    assert seen.headers["ETag"] != page.headers["ETag"]
    assert seen.data != page.data


def test_the_cache_can_be_turned_off(make_app):
    app = make_app(PAGE_CACHE_ENABLED=False)
    code, _ = _town(app)
    client = app.test_client()
    client.get(f"/t/{code}")
    with statements_of(app) as statements:
        client.get(f"/t/{code}")
    assert len(statements) > 1


def test_a_database_rebuilt_or_restored_behind_the_cache_is_not_served_stale(app):
    # A rebuilt or restored database can repeat a data version with other content; the
    # moment the version was set tells them apart.
    code, secretary = _town(app)
    client = app.test_client()
    before = client.get(f"/t/{code}")
    with app.app_context():
        version = db.session.scalar(db.select(Township.data_version).where(Township.code == code))
    _set_status(app, secretary, Status.VILLAGE, "西村")
    with app.app_context():
        db.session.execute(db.update(Township).where(Township.code == code).values(data_version=version))
        db.session.commit()
    after = client.get(f"/t/{code}").get_data(as_text=True)
    assert "西村" in after and after != before.get_data(as_text=True)


def test_with_redis_a_replay_needs_no_database_and_a_change_elsewhere_shows_at_once(make_app):
    _redis_or_skip()
    clerk_side, public_side = make_app(CACHE_URL=REDIS_CACHE), make_app(CACHE_URL=REDIS_CACHE)
    code, secretary = _town(clerk_side)
    client = public_side.test_client()
    page = client.get(f"/t/{code}")
    client.get(f"/t/{code}")  # the version is now in Redis
    with statements_of(public_side) as statements:
        replayed = client.get(f"/t/{code}")
    assert replayed.data == page.data
    assert statements == []  # neither the page nor its version came from the database
    _set_status(clerk_side, secretary, Status.VILLAGE, "北村")
    seen = client.get(f"/t/{code}")
    assert "北村" in seen.get_data(as_text=True)
    assert seen.headers["ETag"] != page.headers["ETag"]


def test_with_redis_away_the_database_says_which_page_is_current(make_app):
    # Nothing listens on port 1: every Redis call fails at once.
    app = make_app(CACHE_URL="redis://127.0.0.1:1/0")
    code, secretary = _town(app)
    client = app.test_client()
    before = client.get(f"/t/{code}")
    with statements_of(app) as statements:
        assert client.get(f"/t/{code}").data == before.data
    assert len(statements) == 1  # the version, from the database
    _set_status(app, secretary, Status.VILLAGE, "南村")
    assert "南村" in client.get(f"/t/{code}").get_data(as_text=True)


def test_with_redis_a_change_made_behind_the_app_is_seen_when_the_version_key_ends(make_app):
    redis = _redis_or_skip()
    app = make_app(CACHE_URL=REDIS_CACHE)
    code, secretary = _town(app)
    client = app.test_client()
    client.get(f"/t/{code}")
    client.get(f"/t/{code}")
    key = f"zg:ver:{code}"
    assert 0 < redis.ttl(key) <= pagecache.VERSION_SECONDS  # the bound of such a change
    with app.app_context():  # by hand in SQL, as a restored or repaired database would be
        db.session.execute(db.update(Township).where(Township.code == code).values(
            data_version=Township.data_version + 7, updated_at=utcnow()))
        db.session.commit()
    with app.app_context():
        db.session.execute(db.update(Cadre).where(Cadre.id == secretary).values(name="新书记"))
        db.session.commit()
    redis.delete(key)  # what Redis does when the key's seconds are over
    assert "新书记" in client.get(f"/t/{code}").get_data(as_text=True)


def test_with_redis_an_older_commit_never_replaces_a_newer_version(make_app):
    redis = _redis_or_skip()
    app = make_app(CACHE_URL=REDIS_CACHE)
    cache = app.extensions["zaigang_pagecache"]
    moment = utcnow()
    cache.publish([("990199001", 9, moment)])
    cache.publish([("990199001", 8, moment - timedelta(seconds=1))])  # arrives late
    assert redis.get("zg:ver:990199001").decode() == pagecache.version_of(9, moment)
    cache.publish([("990199001", 10, moment + timedelta(seconds=1))])
    assert redis.get("zg:ver:990199001").decode().startswith("10@")


def test_with_redis_a_calendar_override_sets_every_townships_version(make_app):
    redis = _redis_or_skip()
    app = make_app(CACHE_URL=REDIS_CACHE)
    code, _ = _town(app)
    client = app.test_client()
    client.get(f"/t/{code}")
    client.get(f"/t/{code}")
    held = redis.get(f"zg:ver:{code}")
    with app.app_context():
        calendar_service.set_override(today_local(), is_working=False, name="抗旱调休")
        version = db.session.execute(db.select(Township.data_version, Township.updated_at)
                                     .where(Township.code == code)).one()
    assert redis.get(f"zg:ver:{code}") != held
    assert redis.get(f"zg:ver:{code}").decode() == pagecache.version_of(*version)
    assert "抗旱调休" in client.get(f"/t/{code}").get_data(as_text=True)
