"""Security headers on every response, and the production start-up checks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, request
from flask.helpers import get_debug_flag
from werkzeug.wrappers import Response

from portal import clock
from portal.config import parse_mail_url, parse_public_url

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


def check_mail_url(app: Flask) -> None:
    """Refuse to start with a MAIL_URL that is set but malformed (empty: alerts are off)."""
    try:
        parse_mail_url(app.config.get("MAIL_URL") or "")
    except ValueError as error:
        # The URL may carry a password: it is not repeated.
        raise ConfigurationError(str(error)) from None
    if app.config.get("MAIL_URL") and "@" not in (app.config.get("MAIL_FROM") or ""):
        raise ConfigurationError("MAIL_FROM must be an e-mail address when MAIL_URL is set")


def check_public_url(app: Flask) -> None:
    """Refuse to start with a PUBLIC_URL that is not an http(s) address (empty in production)."""
    value = app.config.get("PUBLIC_URL") or ""
    if not value.strip() and app.config.get("ENV_NAME") == "production":
        raise ConfigurationError(
            "PUBLIC_URL must be set in production: the address the public reaches the portal at, "
            "e.g. https://zaigang.example.gov.cn (links, QR codes and feeds are built from it, "
            "never from the request's Host header)"
        )
    try:
        parse_public_url(value)
    except ValueError as error:
        raise ConfigurationError(f"{error} (PUBLIC_URL={value!r})") from None


def gunicorn_workers() -> int | None:
    """How many workers the gunicorn serving this process runs (its own reading of the command
    line, GUNICORN_CMD_ARGS and the config file), or None when gunicorn does not serve it."""
    if "gunicorn" not in sys.modules or "gunicorn" not in Path(sys.argv[0] if sys.argv else "").name:
        return None
    try:
        from gunicorn.app.wsgiapp import WSGIApplication

        return int(WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").cfg.workers)
    except (Exception, SystemExit):  # noqa: BLE001 - an unreadable command line: gunicorn says why
        return None


def check_rate_limit_storage(config, workers: int | None) -> None:
    """Refuse per-process rate-limit counters when several processes serve: each would count
    alone (40 wrong logins went through with 2 workers). One process (`make run`) may."""
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if config.get("ENV_NAME") != "production" or not config.get("RATELIMIT_ENABLED", True):
        return
    if storage.startswith("memory://") and workers is not None and workers > 1:
        raise ConfigurationError(
            f"RATELIMIT_STORAGE_URI={storage} keeps rate-limit counters in each process, and "
            f"gunicorn runs {workers} workers: each would count alone, so every limit would be "
            "multiplied by the number of workers. Set RATELIMIT_STORAGE_URI to a Redis shared by "
            "every process (e.g. redis://127.0.0.1:6379/0), or run a single worker (--workers 1)."
        )


def check_production_config(app: Flask) -> None:
    """Refuse to start in production with a missing secret, debug on, or weak durability."""
    check_public_url(app)
    check_mail_url(app)
    if app.config.get("ENV_NAME") != "production":
        return
    check_rate_limit_storage(app.config, gunicorn_workers())
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
