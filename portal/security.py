"""Security headers on every response, and the production start-up checks."""

from __future__ import annotations

import os

from flask import Flask, request
from flask.helpers import get_debug_flag
from werkzeug.wrappers import Response

from portal import clock

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for production; the app refuses to start."""


def check_production_config(app: Flask) -> None:
    """Refuse to start in production with a missing secret, debug on, or weak durability."""
    if app.config.get("ENV_NAME") != "production":
        return
    if os.environ.get(clock.ENV_VAR, "").strip():
        raise ConfigurationError(f"{clock.ENV_VAR} is refused in production: the clock is the system's")
    if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
        raise ConfigurationError("SECRET_KEY must be set (at least 32 characters) in production")
    # `flask run --debug` and FLASK_DEBUG=1 turn the debugger on without touching the config.
    if app.config.get("DEBUG") or app.debug or get_debug_flag():
        raise ConfigurationError("DEBUG must be off in production")
    uri = app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if uri.startswith("sqlite") and app.config.get("SQLITE_SYNCHRONOUS", "FULL").upper() not in {
        "FULL",
        "EXTRA",
    }:
        raise ConfigurationError("SQLITE_SYNCHRONOUS must be FULL or EXTRA in production")
    audit_key = app.config.get("AUDIT_KEY") or ""
    if len(audit_key) < 32 or audit_key == app.config["SECRET_KEY"]:
        raise ConfigurationError("AUDIT_KEY must be set (at least 32 characters, not SECRET_KEY) "
                                 "in production: it keys the audit log")


def set_security_headers(response: Response) -> Response:
    """The headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def register(app: Flask) -> None:
    app.after_request(set_security_headers)
