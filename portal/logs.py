"""Logging without client identifiers on the anonymous routes.

Where log lines come from, and what keeps a reporter's address and browser out of them:

* **gunicorn's access log** (`gunicorn.access`): the deployment's format
  (deploy/gunicorn.conf.py) omits addresses; in addition, `AccessLogFilter` blanks the
  address (`%(h)s`), user agent (`%(a)s`), referrer (`%(f)s`), user (`%(u)s`) and every
  request header (`%({...}i)s`) and environ (`%({...}e)s`) atom of every request, whatever
  format or command line gunicorn was given: a visitor who reads the board just before
  filing a report is tied to nothing. It runs in each worker (the app is loaded there).
* **gunicorn's error log** (`gunicorn.error`): start-up, worker and crash messages; it
  carries no request lines.
* **the development server** (`werkzeug`): its request line starts with the client address;
  `DevServerFilter` replaces it with "-" on every line (it cannot tell routes apart on its
  error lines, and a development server needs no addresses).
* **the rate limiter** (`flask-limiter`): its "limit exceeded" line names the limit key,
  which is the client address; `LimiterFilter` blanks the key.
* **the app** (`portal`, Flask's `app.logger`): unhandled exceptions, with the path and
  method only. The app never logs request headers, form fields, receipts or addresses.

Receipt codes are never logged anywhere: they only travel in POST bodies, which no logger
records. The filters are installed by `configure(app)`, called by the factory.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_DEV_ADDRESS = re.compile(r"^\S+ - - ")
_BLANK = "-"


class AccessLogFilter(logging.Filter):
    """Blank the client atoms of every gunicorn access-log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, dict):
            for key in list(atoms):
                if key in ("h", "a", "f", "u") or key.endswith(("}i", "}e")):
                    atoms[key] = _BLANK
        return True


class DevServerFilter(logging.Filter):
    """Drop the client address that starts every line of the development server."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _DEV_ADDRESS.sub("- - - ", record.msg, count=1)
        return True


class LimiterFilter(logging.Filter):
    """Blank the limit key (the client address) in Flask-Limiter's breach messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("ratelimit ") and isinstance(
            record.args, tuple
        ) and len(record.args) >= 2:
            record.args = (record.args[0], _BLANK, *record.args[2:])
        return True


_FILTERS = {
    "gunicorn.access": AccessLogFilter,
    "werkzeug": DevServerFilter,
    "flask-limiter": LimiterFilter,
}


def configure(app: Flask) -> None:
    """Install the filters once per process (loggers are process-wide, apps are not)."""
    for name, filter_class in _FILTERS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, filter_class) for f in logger.filters):
            logger.addFilter(filter_class())
    app.extensions["privacy_logging"] = True
