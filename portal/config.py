"""Configuration from the environment, with safe defaults for the embedded shape."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _instance_path() -> Path:
    return Path(os.environ.get("PORTAL_INSTANCE_PATH", ROOT / "instance")).resolve()


def _dev_secret_key(instance: Path, name: str = "secret_key") -> str:
    """Generate a development secret once and keep it in the instance folder."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / name
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def parse_public_url(value: str) -> SplitResult:
    """PUBLIC_URL split into its parts; ValueError unless it is http(s)://host[:port][/prefix]."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("PUBLIC_URL must be an absolute http:// or https:// address")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("PUBLIC_URL must have no user, query or fragment")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as error:
        raise ValueError(f"PUBLIC_URL has a bad port: {error}") from None
    return parts._replace(path=parts.path.rstrip("/"))


@dataclass(frozen=True)
class MailServer:
    """Where e-mail alerts go, from MAIL_URL: smtp://[user:password@]host[:port] (STARTTLS
    when the server offers it, required with a login) or smtps://... (TLS from the start)."""

    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    username: str = ""
    password: str = ""


def parse_mail_url(value: str) -> MailServer | None:
    """MAIL_URL as a MailServer; None when it is empty (alerts off); ValueError when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("MAIL_URL must be smtp://host[:port] or smtps://host[:port], "
                         "with user:password@ before the host for a login")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("MAIL_URL must have no path, query or fragment")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"MAIL_URL has a bad port: {error}") from None
    tls = parts.scheme == "smtps"
    return MailServer(host=parts.hostname, port=port or (465 if tls else 25), tls=tls,
                      username=unquote(parts.username or ""), password=unquote(parts.password or ""))


class Config:
    """Development and embedded defaults."""

    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    INSTANCE_PATH = str(_instance_path())
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{_instance_path() / 'zaigang.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Failed staff logins allowed per client address and per account name.
    LOGIN_LIMIT_CLIENT = os.environ.get("LOGIN_LIMIT_CLIENT", "30 per 15 minutes")
    LOGIN_LIMIT_ACCOUNT = os.environ.get("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes")
    REVIEW_PAGE_SIZE = 50
    # The township office's hours on working days ("HH:MM-HH:MM", local time): outside them
    # a day status on the board lapses (portal/services/office/presence.py).
    OFFICE_HOURS = os.environ.get("OFFICE_HOURS", "08:30-18:00")
    # Rendered public pages (portal/pagecache.py): the hottest in each process's memory
    # (at most PAGE_CACHE_BYTES), all of them in Redis too when CACHE_URL is set.
    CACHE_URL = os.environ.get("CACHE_URL", "")
    PAGE_CACHE_ENABLED = _bool(os.environ.get("PAGE_CACHE_ENABLED", "true"))
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", str(8 << 20)))
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # The address the public reaches the portal at (scheme, host, port, and a path prefix if
    # it is mounted under one): every absolute link (QR codes, calendar feeds, the notices'
    # printed address) is built from it, never from the request's Host header. The default
    # is what `make run` serves; production refuses to start without it.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool(os.environ.get("SESSION_COOKIE_SECURE"))
    SESSION_COOKIE_NAME = "zg_session"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    STAFF_IDLE_TIMEOUT = 30 * 60
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # A form with files is read up to this size, so that its text arrives with photos that
    # are too large and it comes back filled in (portal/uploads.py); nginx's
    # client_max_body_size is the same number.
    UPLOAD_READ_LIMIT = 100 * 1024 * 1024
    MAX_PHOTO_BYTES = 8 * 1024 * 1024
    MAX_PHOTOS = 5
    # Decoding cost of photos (portal/services/casework/evidence.py): decoded pixels per photo
    # (after reduced JPEG decoding) and per report (all its photos together).
    PHOTO_DECODE_PIXELS = int(os.environ.get("PHOTO_DECODE_PIXELS", "52000000"))
    REPORT_DECODE_PIXELS = int(os.environ.get("REPORT_DECODE_PIXELS", "160000000"))
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR", str(_instance_path() / "evidence"))
    REPORT_ACCEPT_WORKING_DAYS = 3
    REPORT_CONCLUDE_DAYS = 30
    RETENTION_DAYS = 365
    SUPERVISION_HOTLINE = "12388"
    # Evidence photos: "database" (Evidence.data, the default: one store to back up and
    # replicate) or "files" (random names under EVIDENCE_DIR, outside static/).
    EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "database")
    # Receipt hashes are keyed by RECEIPT_SECRET when set (so SECRET_KEY can rotate without
    # orphaning receipts), else by a key derived from SECRET_KEY.
    RECEIPT_SECRET = os.environ.get("RECEIPT_SECRET", "")
    # Brakes of the anonymous routes (portal/report/brake.py; docs/security.md has the
    # arithmetic): what a client (an IPv4 address, or an IPv6 /64) submits with no wait; over
    # it each submission waits STEP seconds more since its form was opened, at most MAX_WAIT;
    # over the site's brake everyone waits MAX_WAIT. Nothing is ever refused.
    REPORT_RATE_LIMIT = os.environ.get("REPORT_RATE_LIMIT", "10/hour")
    REPORT_GLOBAL_RATE_LIMIT = os.environ.get("REPORT_GLOBAL_RATE_LIMIT", "600/hour")
    # Keys of the audit chain retired by a rotation (space- or comma-separated), kept so that
    # the entries and checkpoints they signed still verify; AUDIT_KEY signs from now on.
    AUDIT_KEYS_RETIRED = os.environ.get("AUDIT_KEYS_RETIRED", "")
    # Where audit checkpoints are appended (one JSON line each): outside the database, on a
    # disk or mount the database's administrators cannot write, and in every backup.
    # Empty: audit-checkpoints.jsonl in the instance folder.
    AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", "")
    # E-mail alerts to inspectors (portal/services/casework/alerts.py): the SMTP server as
    # smtp://[user:password@]host[:port] or smtps://...; empty: alerts are off. MAIL_FROM is
    # the sender's address. The daily digest and the deadline reminders go out from
    # ALERT_DIGEST_HOUR (local time) on.
    MAIL_URL = os.environ.get("MAIL_URL", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "zaigang@localhost")
    ALERT_DIGEST_HOUR = int(os.environ.get("ALERT_DIGEST_HOUR", "8"))
    REPORT_BRAKE_STEP = int(os.environ.get("REPORT_BRAKE_STEP", "15"))
    REPORT_BRAKE_MAX_WAIT = int(os.environ.get("REPORT_BRAKE_MAX_WAIT", "120"))
    TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "10/minute;60/hour")
    TRACK_BRAKE_STEP = int(os.environ.get("TRACK_BRAKE_STEP", "5"))
    TRACK_BRAKE_MAX_WAIT = int(os.environ.get("TRACK_BRAKE_MAX_WAIT", "60"))

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key(_instance_path())
        # Keys the audit chain and signs its checkpoints; never stored in the database.
        self.AUDIT_KEY = os.environ.get("AUDIT_KEY") or _dev_secret_key(_instance_path(), "audit_key")


class TestConfig(Config):
    """Tests: a fresh database per test, fast hashing, no real client limits unless asked."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    SQLITE_SYNCHRONOUS = "NORMAL"
    PASSWORD_HASH_FAST = True
    # Flask's test client sends Host: localhost.
    PUBLIC_URL = "http://localhost"
    # Alerts are off unless a test starts its own SMTP server.
    MAIL_URL = ""

    def __init__(self) -> None:
        self.SECRET_KEY = "test-" + secrets.token_hex(16)
        self.AUDIT_KEY = "test-audit-" + secrets.token_hex(16)


class ProductionConfig(Config):
    """Production: every secret from the environment, secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool(os.environ.get("SESSION_COOKIE_SECURE"), True)

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        self.AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL", "")


def config_for_environment() -> Config:
    """Pick the configuration class named by PORTAL_ENV."""
    env = os.environ.get("PORTAL_ENV", "development").lower()
    if env == "production":
        return ProductionConfig()
    return Config()
