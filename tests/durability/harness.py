"""The crash harness: writers submit reports while gunicorn is killed with SIGKILL and restarted."""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import random
import secrets
import signal
import string
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image

from portal import clock
from portal.config import ROOT
from tests.e2e.webclient import WebClient
from tests.live import VENV_BIN, LiveServer, _wait_until_up, stop

# The deployment's settings (privacy logger, no shared control socket).
GUNICORN_ARGS = ("--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "--no-control-socket", "--preload",
                 "--access-logfile", "-", "--error-logfile", "-")
TRANSIENT = (OSError, http.client.HTTPException, AssertionError)


def tiny_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), tuple(random.randrange(256) for _ in range(3))).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Submitted:
    receipt: str
    marker: str
    photos: int


@dataclass
class Tally:
    acknowledged: list[Submitted] = field(default_factory=list)
    failed_attempts: int = 0
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def marker() -> str:
    """A unique word of letters (digits would trip the self-identification warning)."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(16))


def submit_one(url: str, township: str, tally: Tally) -> None:
    client = WebClient(url, timeout=15)
    token = client.get(f"/report?township={township}").csrf()
    word = marker()
    observed = (clock.local_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    fields = {
        "csrf_token": token, "township": township, "category": "absent_workday",
        "observed_at": observed, "place": "镇政府大院", "cadre": "", "cadre_text": "",
        "description": f"工作日上午镇政府办公室没有人值守，记号 {word} 。", "website": "",
        "confirm_identity": "y",
    }
    files = [("photos", "p.jpg", tiny_photo(), "image/jpeg")] if random.random() < 0.25 else []
    answer = client.post("/report", fields, files)
    receipt = answer.receipt()
    with tally.lock:
        if answer.status == 200 and receipt:
            tally.acknowledged.append(Submitted(receipt, word, len(files)))
        elif answer.status >= 500:
            tally.server_errors.append(f"{answer.status}: {answer.body[:200]}")
        else:
            tally.failed_attempts += 1


def writer(url: str, township: str, tally: Tally, stop_event: threading.Event) -> None:
    while not stop_event.is_set():
        try:
            submit_one(url, township, tally)
        except TRANSIENT:
            # The server was killed under us: this report was never acknowledged.
            with tally.lock:
                tally.failed_attempts += 1
            time.sleep(0.25)


def start_gunicorn(server: LiveServer, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn again on the same port, database and instance folder."""
    log = server.log_path.open("ab")
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{server.port}", "--workers",
         str(workers), *GUNICORN_ARGS, "wsgi:app"],
        cwd=ROOT, env=server.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    server.process = process
    _wait_until_up(server, timeout=60)
    return process


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the master and every worker at once: no shutdown code runs."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def crash_loop(server: LiveServer, township: str, iterations: int, writers: int = 8) -> Tally:
    """Run the writers while killing and restarting the server `iterations` times."""
    tally = Tally()
    stop_event = threading.Event()
    threads = [threading.Thread(target=writer, args=(server.url, township, tally, stop_event),
                                daemon=True) for _ in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(iterations):
            time.sleep(random.uniform(0.2, 0.9))
            kill_hard(server.process)
            start_gunicorn(server)
    finally:
        stop_event.set()
        for thread in threads:
            thread.join(timeout=30)
    return tally


def stop_server(server: LiveServer) -> None:
    stop(server.process)
