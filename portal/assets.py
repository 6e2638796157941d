"""Fingerprinted static URLs: `static_url('site.css')` -> `/static/site.css?v=<hash>`.

The hash of each file's content is computed once per process (at first use, from the
files the process started with), so a deployment that changes a file changes its URL.
nginx (deploy/nginx/zaigang.conf) and the app itself may then serve a fingerprinted URL
as immutable for a year; an unversioned URL gets a short lifetime.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request, url_for
from werkzeug.wrappers import Response

FINGERPRINT_ARG = "v"
HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"


class Fingerprints:
    """Content hashes of the files under one static folder, each computed once."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).resolve()
        self._hashes: dict[str, str | None] = {}

    def get(self, filename: str) -> str | None:
        """The short content hash of a static file, or None if it does not exist."""
        if filename not in self._hashes:
            path = (self.folder / filename).resolve()
            if path.is_relative_to(self.folder) and path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
            else:
                digest = None
            self._hashes[filename] = digest
        return self._hashes[filename]


def register(app: Flask) -> None:
    """Add `static_url()` to templates and long cache lifetimes to fingerprinted responses."""
    fingerprints = Fingerprints(app.static_folder or "static")
    app.extensions["zaigang_assets"] = fingerprints

    def static_url(filename: str) -> str:
        """The URL of a static file with its content hash, for long-lived caching."""
        digest = fingerprints.get(filename)
        if digest is None:
            return url_for("static", filename=filename)
        return url_for("static", filename=filename, **{FINGERPRINT_ARG: digest})

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def _cache_fingerprinted(response: Response) -> Response:
        # Only when the fingerprint is the file's current one: an old or made-up `v`
        # must not pin a stale or missing file in caches for a year.
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get(FINGERPRINT_ARG)
        if wanted and wanted == fingerprints.get(filename):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
