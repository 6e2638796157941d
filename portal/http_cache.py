"""HTTP caching and compression for public pages and the public API.

Public pages must be cacheable by browsers and by a reverse proxy in front of the app,
and cheap to revalidate on a slow network. Two pieces:

``cached(parts, render, max_age=60)``
    Build a weak ETag from ``parts`` (anything whose ``str()`` identifies the content:
    typically the township's ``data_version`` and the moment the page next changes by
    itself) plus the language of the request. If the request's ``If-None-Match`` matches,
    answer ``304 Not Modified`` *without calling* ``render``; otherwise call ``render()``
    (returning anything a view may return), and add ``ETag`` and ``Cache-Control``.
    Example::

        return http_cache.cached(
            ("board", township.code, township.data_version, board.valid_until),
            lambda: render_template("public/board.html", board=board),
            max_age=http_cache.max_age_until(board.valid_until),
        )

``etag_for(*parts)``, ``is_fresh(etag)``, ``set_cache_headers(response, etag, max_age)``
    The same steps one by one, for a view that needs its data before it can decide.

``register(app)``
    An ``after_request`` hook that gzips text responses (HTML, JSON, CSS, SVG, iCalendar,
    plain text) over 512 bytes when the client accepts gzip, and adds
    ``Vary: Accept-Encoding``. ETags are weak, so one ETag serves both encodings.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime

from flask import Flask, make_response, request
from flask_babel import get_locale
from werkzeug.wrappers import Response

from portal.models.base import utcnow

DEFAULT_MAX_AGE = 60
MIN_GZIP_BYTES = 512
_COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/xml",
    "application/problem+json",
    "image/svg+xml",
)


def etag_for(*parts: object) -> str:
    """A short opaque tag for the parts and the request's language."""
    raw = "\x1f".join(str(p) for p in (*parts, get_locale()))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def is_fresh(etag: str) -> bool:
    """True when the client's If-None-Match already names this (weak) ETag."""
    return request.if_none_match.contains_weak(etag)


def max_age_until(moment: datetime | None, cap: int = DEFAULT_MAX_AGE) -> int:
    """Seconds from now until `moment` (when the content changes by itself), at most `cap`."""
    if moment is None:
        return cap
    seconds = int((moment - utcnow()).total_seconds())
    return max(0, min(cap, seconds))


def set_cache_headers(response: Response, etag: str, max_age: int = DEFAULT_MAX_AGE) -> Response:
    """Add a weak ETag and a public Cache-Control that lets caches revalidate."""
    response.set_etag(etag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.cache_control.must_revalidate = True
    return response


def not_modified(etag: str, max_age: int = DEFAULT_MAX_AGE) -> Response:
    """An empty 304 answer carrying the same validators as the full one."""
    response = Response(status=304)
    return set_cache_headers(response, etag, max_age)


def cached(parts: Iterable[object], render: Callable[[], object],
           max_age: int = DEFAULT_MAX_AGE) -> Response:
    """304 when the client has this version, else render() with ETag and Cache-Control."""
    etag = etag_for(*parts)
    if is_fresh(etag):
        return not_modified(etag, max_age)
    response = make_response(render())
    if response.status_code != 200:
        return response
    return set_cache_headers(response, etag, max_age)


def _compressible(response: Response) -> bool:
    if response.status_code != 200 or (response.is_streamed and not response.direct_passthrough):
        return False
    if "Content-Encoding" in response.headers:
        return False
    mimetype = response.mimetype or ""
    return mimetype.startswith(_COMPRESSIBLE) or mimetype == "text/calendar"


def gzip_response(response: Response) -> Response:
    """Compress a text response when the client accepts gzip (an after_request hook)."""
    if not _compressible(response):
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    # Static files come as a file wrapper: read them (they are small, and cached upstream).
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_GZIP_BYTES:
        return response
    # mtime fixed: the same body always compresses to the same bytes.
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    # A strong ETag names exact bytes; the compressed body is another representation.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def register(app: Flask) -> None:
    app.after_request(gzip_response)
