"""Rendered public pages kept between requests, in front of Flask.

The whereabouts board, the duty roster and the API board of a township are the pages
villagers open most, and their content changes only when the township's data changes
(`Township.data_version`, bumped by `services.shared.townships.touch`) or when time reaches the
next boundary (a status ends, a shift starts, midnight). A view that renders such a page
calls `offer(code, version, valid_until)`; this WSGI middleware then keeps the exact
response (status, headers, body) and replays it to later requests that would get the
same bytes, without entering Flask:

* only anonymous GET/HEAD requests without a session cookie (a session may carry a
  logged-in user or a flashed message, which the page would show) and without a
  language switch that must set the `lang` cookie;
* the key is the path, the query string, the language, the scheme (HSTS is sent on
  HTTPS only) and whether the client takes gzip — everything the bytes depend on;
* before an entry is replayed, the township's current `data_version` is checked: an entry
  rendered before the last change is never served, whichever process made the change, and
  an entry past its `valid_until` (or older than MAX_ENTRY_SECONDS, a bound for changes
  that bump no version) is dropped.

Where the version comes from: without `CACHE_URL`, the database (one indexed lookup per
replay). With `CACHE_URL`, Redis (`RedisVersions`): every commit that changes a township
(`services.shared.townships.touch`) sets its new version there as soon as it commits, so a
replay costs no database round trip and a clerk's change is public the moment it is saved.
The database stays the source of truth: a missing key is read from it, Redis not answering
means the database is asked on every replay, and each key lives VERSION_SECONDS only, the
bound for a change the app never saw (SQL by hand, a restored database) or a note lost
while Redis was unreachable.

The entries live in this process's memory (at most `PAGE_CACHE_BYTES`, least recently
used dropped first) and, when `CACHE_URL` is set, in Redis too, where every process and
machine finds what another rendered. `If-None-Match` is answered with 304 from the
entry's ETag.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask import Flask, current_app, has_app_context, request
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session
from werkzeug.http import parse_accept_header, parse_etags

from portal import clock
from portal.extensions import db
from portal.models import Township
from portal.pagecache_stores import Entry, LocalStore, RedisStore, RedisVersions, Unavailable
from portal.services.shared.townships import TOUCHED

ENVIRON_KEY = "zaigang.pagecache"
MAX_ENTRY_SECONDS = 600
MAX_QUERY = 64
# How long Redis keeps a township's version before it is read from the database again.
VERSION_SECONDS = 5
_CACHEABLE = re.compile(r"^/(?:t/(\d{9})(?:/roster)?|api/v1/townships/(\d{9})/board)$")
_MAX_AGE = re.compile(r"max-age=\d+")
# Headers that differ per request or that the replay sets itself.
_NOT_KEPT = {"set-cookie", "date", "server"}
_NOT_ON_304 = {"content-length", "content-type", "content-encoding"}


def _now() -> float:
    """Now as a POSIX timestamp, on the app's clock (portal.clock): an entry expires when the
    board's own time reaches its next boundary, whatever clock the process runs on."""
    return clock.now().timestamp()


def version_of(data_version: int, updated_at: datetime | None) -> str:
    """What identifies a township's data: its version and the moment it was set (a database
    rebuilt or restored behind the cache's back repeats versions, not those moments)."""
    return f"{data_version}@{updated_at.isoformat() if updated_at else ''}"


def offer(township, valid_until: datetime | None, max_age: int) -> None:
    """Let the page cache keep this request's response until `valid_until` (a view calls it).

    `township` is the row the page was rendered from (its data_version and updated_at);
    `max_age` the Cache-Control lifetime the view set, at most: a replay shortens it as
    time passes.
    """
    expires = _now() + MAX_ENTRY_SECONDS
    if valid_until is not None:
        expires = min(expires, valid_until.timestamp())
    version = version_of(township.data_version, township.updated_at)
    request.environ[ENVIRON_KEY] = (township.code, version, expires, int(max_age))


class PageCache:
    """The WSGI middleware: replay a kept page, or call the app and keep what it offers."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        # The hottest pages stay in this process (no round trip); with CACHE_URL every
        # page is also in Redis, where every process finds what another rendered.
        self.local = LocalStore(int(app.config.get("PAGE_CACHE_BYTES", 8 << 20)))
        url = app.config.get("CACHE_URL", "")
        self.shared = RedisStore(url) if url else None
        self.versions = RedisVersions(url, VERSION_SECONDS) if url else None
        self._version_query = None
        self._engine = None
        self._held = threading.local()
        # Version queries run (on the driver's cursor, unseen by SQLAlchemy's events): tests.
        self.version_checks = 0
        self._connections: list = []
        self._connections_lock = threading.Lock()

    # -- the request side ------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key, code = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self.local.get(key)
        if entry is None and self.shared is not None:
            entry = self.shared.get(key)
            if entry is not None:
                self.local.set(key, entry)
        if entry is not None:
            now = _now()
            if now < entry.expires and entry.version == self._current_version(code):
                return self._replay(entry, now, environ, start_response)
            self.local.delete(key)
        return self._render(key, environ, start_response)

    def _key(self, environ: dict) -> tuple[str | None, str | None]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None, None
        match = _CACHEABLE.match(environ.get("PATH_INFO", ""))
        if match is None:
            return None, None
        query = environ.get("QUERY_STRING", "")
        cookies = environ.get("HTTP_COOKIE", "")
        if len(query) > MAX_QUERY or (self.session_cookie in cookies):
            return None, None
        lang = _cookie(cookies, "lang")
        asked = _query_lang(query)
        if asked is not None and asked != lang:
            return None, None  # the app answers and remembers the choice in a cookie
        lang = lang if lang in ("zh_CN", "en") else "zh_CN"
        encodings = environ.get("HTTP_ACCEPT_ENCODING", "")
        gzip = "gzip" in encodings and parse_accept_header(encodings)["gzip"] > 0
        key = "|".join((environ.get("SCRIPT_NAME", ""), environ["PATH_INFO"], query, lang,
                        environ.get("wsgi.url_scheme", "http"), "gz" if gzip else "id"))
        return key, match.group(1) or match.group(2)

    def _current_version(self, code: str) -> str | None:
        """The township's version now: from Redis when it holds it, else the database's."""
        if self.versions is None:
            return self._database_version(code)
        try:
            version = self.versions.get(code)
        except Unavailable:
            return self._database_version(code)
        if version is None:
            version = self._database_version(code)
            if version is not None:
                self.versions.fill(code, version)
        return version

    def publish(self, touched: list[tuple[str, int, datetime | None]]) -> None:
        """Hand the versions a commit set to every process (after the commit)."""
        if self.versions is not None and touched:
            self.versions.publish([(code, number, version_of(number, moment))
                                   for code, number, moment in touched])

    def _database_version(self, code: str) -> str | None:
        """The township's data_version in the database, on a connection this thread keeps
        (autocommit: no transaction stays open; no pool checkout or ping per request)."""
        held = getattr(self._held, "cursor", None)
        try:
            if held is None:
                held = self._connect()
            # The driver's own cursor with the statement compiled once: this runs on every
            # replay, and SQLAlchemy's execution layer would double its cost.
            cursor, check = held
            self.version_checks += 1
            cursor.execute(check.sql, check.parameters(code))
            row = cursor.fetchone()
            return version_of(row[0], check.moment(row[1])) if row is not None else None
        except Exception:  # noqa: BLE001 - without the version nothing is replayed
            self._release()
            return None

    def _connect(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
            self._version_query = _VersionCheck(self._engine.dialect)
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._held.connection = connection
        self._held.cursor = (connection.connection.driver_connection.cursor(),
                             self._version_query)
        with self._connections_lock:
            self._connections.append(connection)
        return self._held.cursor

    def _release(self) -> None:
        connection = getattr(self._held, "connection", None)
        self._held.connection = self._held.cursor = None
        if connection is not None:
            with self._connections_lock:
                self._connections.remove(connection)
            _close(connection)

    def close(self) -> None:
        """Give back every thread's database connection (when the app is done: tests)."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            _close(connection)
        self._held = threading.local()

    def _replay(self, entry: Entry, now: float, environ: dict,
                start_response: Callable) -> Iterable[bytes]:
        remaining = max(0, min(entry.max_age, int(entry.expires - now)))
        headers = [(k, _MAX_AGE.sub(f"max-age={remaining}", v) if k.lower() == "cache-control"
                    else v) for k, v in entry.headers]
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if etag and asked and parse_etags(asked).contains_weak(_unquote(etag)):
            start_response("304 NOT MODIFIED",
                           [(k, v) for k, v in headers if k.lower() not in _NOT_ON_304])
            return []
        start_response(entry.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]

    def _render(self, key: str, environ: dict, start_response: Callable) -> Iterable[bytes]:
        captured: dict = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        offered = environ.get(ENVIRON_KEY)
        if (offered is None or environ["REQUEST_METHOD"] != "GET"
                or not captured.get("status", "").startswith("200")
                or any(k.lower() == "set-cookie" for k, _v in captured["headers"])):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        _code, version, expires, max_age = offered
        if expires > _now():
            headers = [(k, v) for k, v in captured["headers"] if k.lower() not in _NOT_KEPT]
            entry = Entry(version, expires, max_age, captured["status"], headers, body)
            self.local.set(key, entry)
            if self.shared is not None:
                self.shared.set(key, entry)
        return [body]


class _VersionCheck:
    """The version query, compiled once for the engine's dialect, run on a driver cursor."""

    def __init__(self, dialect) -> None:
        query = select(Township.data_version, Township.updated_at).where(
            Township.code == bindparam("code"), Township.active.is_(True))
        compiled = query.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positiontup)
        # The column type's reading of the driver's value (SQLite keeps text): an aware
        # datetime in UTC, as the rendered page's offer() saw it.
        column_type = Township.__table__.c.updated_at.type
        self.read_moment = column_type.dialect_impl(dialect).result_processor(dialect, None)

    def parameters(self, code: str):
        return (code,) if self.positional else {"code": code}

    def moment(self, value):
        value = self.read_moment(value) if self.read_moment else value
        return value.astimezone(UTC) if value is not None else None


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection is dropped all the same
        connection.invalidate()


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        k, _sep, v = part.strip().partition("=")
        if k == name:
            return v
    return None


def _query_lang(query: str) -> str | None:
    for part in query.split("&"):
        k, _sep, v = part.partition("=")
        if k == "lang":
            return v
    return None


def _unquote(etag: str) -> str:
    return etag.removeprefix("W/").strip('"')


def _after_commit(session) -> None:
    touched = session.info.pop(TOUCHED, None)
    if touched and has_app_context():
        cache = current_app.extensions.get("zaigang_pagecache")
        if cache is not None:
            cache.publish(touched)


def _after_rollback(session) -> None:
    session.info.pop(TOUCHED, None)


def register(app: Flask) -> None:
    """Put the page cache in front of the app (inside ProxyFix: it sees the client's scheme)."""
    if app.config.get("PAGE_CACHE_ENABLED", True):
        cache = PageCache(app, app.wsgi_app)
        app.extensions["zaigang_pagecache"] = cache
        app.wsgi_app = cache
    # Once per process, for every app's sessions: each finds its own cache from its context.
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
