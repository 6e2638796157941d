"""Anonymity: after 1,000 reports and 1,000 look-ups, no trace of who sent them.

Each request comes with its own forged client address (X-Forwarded-For, trusted for one
hop as behind the deployment's nginx) and User-Agent; photos carry the address and agent
in their EXIF data; staff log in with passwords and TOTP codes. Then the whole database
(every table, every column, blobs included), the evidence store, the gunicorn and app logs
and the Redis keys are searched for every address, agent, receipt code, password and TOTP
code: none may be found. Only the rate limiter may hold a client address, as an expiring
counter key in its own storage (PRODUCT.md, "Anonymity and privacy").

ZG_ANONYMITY_N sets the number of reports and of look-ups (1,000 by default).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pyotp
from PIL import Image
from sqlalchemy import select

from portal import clock
from portal.config import ROOT
from portal.extensions import db
from portal.models import Role
from tests import factories
from tests.conftest import RATELIMIT_STORAGE_URI
from tests.durability.harness import GUNICORN_ARGS
from tests.e2e.support import app_for, served
from tests.e2e.webclient import WebClient
from tests.live import server_env

N = int(os.environ.get("ZG_ANONYMITY_N", "1000"))
THREADS = 8
PASSWORD = "anonymity-test-Pa55word-unique"


def exif_photo(ip: str, agent: str) -> bytes:
    """A JPEG whose EXIF names the sender and a GPS position: all must be dropped."""
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010E] = f"sent by {ip}"  # ImageDescription
    exif[0x013B] = agent  # Artist
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class Identities:
    """Distinct forged addresses and user agents, handed out once each."""

    def __init__(self) -> None:
        self.ips: list[str] = []
        self.agents: list[str] = []
        self._lock = threading.Lock()
        self._used: set[str] = set()

    def next(self) -> dict:
        with self._lock:
            while True:
                ip = "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))
                if ip not in self._used:
                    break
            self._used.add(ip)
            agent = f"Mozilla/5.0 (Linux; Android 10) ZgPhone/{uuid.uuid4().hex}"
            self.ips.append(ip)
            self.agents.append(agent)
        return {"X-Forwarded-For": ip, "User-Agent": agent}


def _report_fields(token: str, code: str, n: int) -> dict:
    observed = (clock.local_now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    return {"csrf_token": token, "township": code, "category": "absent_workday",
            "observed_at": observed, "place": "镇政府", "description":
            "工作日上午镇政府办公室没有人值守，电话也无人接听。" + "很久" * (n % 5),
            "website": "", "confirm_identity": "y"}


def _reporters(url, code, ids, receipts, problems, count) -> None:
    client = WebClient(url)
    client.headers = ids.next()
    token = client.get(f"/report?township={code}").csrf()
    for n in range(count):
        client.headers = ids.next()
        ip, agent = client.headers["X-Forwarded-For"], client.headers["User-Agent"]
        files = [("photos", "p.jpg", exif_photo(ip, agent), "image/jpeg")] if n % 10 == 0 else []
        answer = client.post("/report", _report_fields(token, code, n), files)
        receipt = answer.receipt()
        if answer.status != 200 or not receipt:
            problems.append(f"report {n}: {answer.status}")
            continue
        receipts.append(receipt)


def _trackers(url, ids, receipts, problems, count) -> None:
    client = WebClient(url)
    client.headers = ids.next()
    token = client.get("/track").csrf()
    for n in range(count):
        client.headers = ids.next()
        receipt = random.choice(receipts) if n % 4 else "12345 67890 12345 67890 12345"
        answer = client.post("/track", {"csrf_token": token, "receipt": receipt})
        if answer.status != 200:
            problems.append(f"look-up {n}: {answer.status}")


def _staff_logins(url, ids, username, secret, codes) -> None:
    for _ in range(3):
        client = WebClient(url)
        client.headers = ids.next()
        token = client.get("/login").csrf()
        code = pyotp.TOTP(secret).now()
        codes.append(code)
        client.post("/login", {"csrf_token": token, "username": username,
                               "password": PASSWORD, "totp": code})


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def database_haystack() -> tuple[str, bytes]:
    """Every value of every column of every table, as one text and one byte string."""
    texts, blobs = [], []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                if isinstance(value, bytes | bytearray | memoryview):
                    blobs.append(bytes(value))
                elif value is not None:
                    texts.append(str(value))
    db.session.rollback()
    return "\n".join(texts), b"\n".join(blobs)


def redis_keys() -> dict[str, int]:
    """Key → TTL of the limiter's Redis database (empty with in-memory limits)."""
    if not RATELIMIT_STORAGE_URI.startswith("redis"):
        return {}
    import redis

    client = redis.Redis.from_url(RATELIMIT_STORAGE_URI)
    keys = {k.decode(): client.ttl(k) for k in client.scan_iter(count=1000)}
    client.close()
    return keys


def _search(needles: dict[str, list[str]], places: dict[str, str | bytes]) -> list[str]:
    hits = []
    for kind, values in needles.items():
        for value in values:
            for place, haystack in places.items():
                probe = value.encode() if isinstance(haystack, bytes) else value
                if probe in haystack:
                    hits.append(f"{kind} {value!r} found in {place}")
    return hits


def test_no_client_address_agent_receipt_password_or_totp_code_is_kept(tmp_path):
    ids, receipts, problems, codes = Identities(), [], [], []
    with served(tmp_path / "inst", "anonymity", seed=False, workers=2,
                gunicorn_args=GUNICORN_ARGS, PROXY_FIX_X_FOR="1", EVIDENCE_STORAGE="files",
                REPORT_GLOBAL_RATE_LIMIT="100000/hour",
                REPORT_RATE_LIMIT="100/hour", TRACK_RATE_LIMIT="100/minute") as server:
        with app_for(server) as app, app.app_context():
            code = factories.township(name="匿名镇").code
            staff = factories.user(Role.INSPECTOR, username="anon-inspector", password=PASSWORD)
            secret = staff.totp_secret
            db.session.commit()
        per_thread = N // THREADS
        _run([threading.Thread(target=_reporters, args=(server.url, code, ids, receipts,
                                                        problems, per_thread))
              for _ in range(THREADS)])
        _staff_logins(server.url, ids, "anon-inspector", secret, codes)
        _run([threading.Thread(target=_trackers, args=(server.url, ids, receipts, problems,
                                                       per_thread))
              for _ in range(THREADS)])
        with app_for(server) as app, app.app_context():
            text, blobs = database_haystack()
            evidence = Path(app.config["EVIDENCE_DIR"])
            files = b"\n".join(p.read_bytes() for p in sorted(evidence.glob("*")) if p.is_file())
            evidence_count = len(list(evidence.glob("*")))
        keys = redis_keys()
    log = server.log()
    assert not problems, problems[:10]
    assert len(receipts) == per_thread * THREADS and evidence_count >= len(receipts) // 10
    assert "POST /report" in log and "POST /track" in log, "the access log was not captured"
    digits = [r.replace(" ", "") for r in receipts]
    places = {"the database text": text, "the database blobs": blobs, "the evidence store": files,
              "the gunicorn and app log": log, "the Redis keys": "\n".join(keys)}
    hits = _search({"user agent": ids.agents, "receipt": receipts + digits,
                    "password": [PASSWORD]}, places)
    hits += _search({"client address": ids.ips}, places)
    hits += _search({"TOTP code": codes}, {"the log": log, "the Redis keys": "\n".join(keys)})
    assert not hits, "\n".join(hits[:20])
    # The limiter's counters (keyed by a keyed hash of the address) all expire.
    limiter_keys = [k for k in keys if k.removeprefix("LIMITS:").startswith("LIMITER/")]
    assert all(keys[k] > 0 for k in limiter_keys), "a limiter key never expires"


DOCUMENTED_SINKS = ROOT / "docs" / "security.md"


def documented_sinks() -> set[str]:
    """The logger names listed in the "Log sinks" table of docs/security.md."""
    section = DOCUMENTED_SINKS.read_text().split("## Log sinks", 1)[1].split("\n## ", 1)[0]
    return {line.split("`")[1] for line in section.splitlines()
            if line.startswith("| `")}


PROBE = """
import json, logging, runpy, sys
from wsgi import app
app.logger.info("touch the app logger so that Flask installs its handler")
from gunicorn.config import Config
conf = runpy.run_path("deploy/gunicorn.conf.py")
config = Config()
config.set("logger_class", conf["logger_class"])
config.set("accesslog", "-")
config.set("errorlog", "-")
config.logger_class(config)
names = {"lastResort"} if logging.lastResort else set()
loggers = {"root": logging.getLogger(), **logging.root.manager.loggerDict}
for name, logger in loggers.items():
    if isinstance(logger, logging.Logger) and any(
            not isinstance(h, logging.NullHandler) for h in logger.handlers):
        names.add(name)
print(json.dumps(sorted(names)))
"""


def test_the_log_sinks_are_exactly_the_documented_ones(tmp_path):
    """A fresh server process (app + the deployment's gunicorn logger): its loggers that write."""
    env = server_env(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    sinks = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert sinks == documented_sinks()
