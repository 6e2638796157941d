"""Periodic jobs that run once however many nodes start them (`runs_once`, `job_lock`).

Every app machine may carry the same systemd timers, so `flask reports escalate` can start on
three nodes at the same second. Each job takes a lock named after it before it works: on
PostgreSQL a session-level advisory lock (held by a connection of its own, released when the
job ends or its process dies, since the server drops a dead session's locks), on SQLite a file
lock beside the database (`<database>-job-<name>.lock`; SQLite serves one machine). The run
that gets the lock does the work; the others print who holds it and exit 0, so no timer is
marked failed for a job that is being done.

    @reports_cli.command("escalate")
    @runs_once("reports escalate")
    def reports_escalate(): ...

Each job is also idempotent on its own (a node whose timer fires after the winner finished
finds nothing left to do); the lock keeps two runs from working at the same moment.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import re
import socket
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import text

from portal import clock
from portal.extensions import db

# The first key of every advisory lock the jobs take ("ZG"): other users of the database can
# keep clear of it. The second key is derived from the job's name.
LOCK_NAMESPACE = 0x5A47


@dataclass(frozen=True)
class Lock:
    """The outcome of asking for a job's lock: `held` by us, else who holds it (if known)."""

    held: bool
    holder: str = ""


def lock_key(name: str) -> int:
    """The advisory lock's second key for a job name (stable across releases and nodes)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def _whoami(name: str) -> str:
    return f"zaigang job {name} on {socket.gethostname()} pid {os.getpid()}"


@contextmanager
def job_lock(name: str) -> Iterator[Lock]:
    """Try to take the lock of job `name` for the block (never waits for it).

    Yields a `Lock`: `held` true when this run may work, else false with the holder's
    description. The lock is released when the block ends.
    """
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(name) as lock:
            yield lock
    else:
        with _file_lock(name) as lock:
            yield lock


@contextmanager
def _advisory_lock(name: str) -> Iterator[Lock]:
    key = lock_key(name)
    # A connection of its own, outside the job's transactions (which commit and roll back);
    # autocommit, so that it holds no transaction open while the job runs.
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        connection.execute(text("SELECT set_config('application_name', :who, false)"),
                           {"who": _whoami(name)[:63]})
        got = connection.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                 {"ns": LOCK_NAMESPACE, "key": key}).scalar()
        if not got:
            yield Lock(False, _advisory_holder(connection, key))
            return
        try:
            yield Lock(True)
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                               {"ns": LOCK_NAMESPACE, "key": key})
    finally:
        # Never back into the pool: a connection that held a session lock is not reused.
        connection.invalidate()
        connection.close()


_HOLDER = text("""
    SELECT a.application_name, a.client_addr, a.backend_start
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :ns AND l.objid = :key
      AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database
                                           WHERE datname = current_database())
""")


def _advisory_holder(connection, key: int) -> str:
    try:
        row = connection.execute(_HOLDER, {"ns": LOCK_NAMESPACE, "key": key}).first()
    except Exception:  # noqa: BLE001 - who holds it is only information
        return ""
    if row is None:
        return ""
    who, address, since = row
    where = f" (connected from {address})" if address else ""
    return f"{who or 'another session'}{where}, since {since:%Y-%m-%d %H:%M:%S %z}"


def _lock_path(name: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    database = db.engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(f"{database}-job-{slug}.lock")
    folder = Path(current_app.instance_path) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{slug}.lock"


@contextmanager
def _file_lock(name: str) -> Iterator[Lock]:
    path = _lock_path(name)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield Lock(False, _file_holder(path))
            return
        try:
            # Who holds it, for the runs that find it taken (the file itself is never removed:
            # a removed lock file lets two runs lock two different files).
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"who": _whoami(name),
                                      "since": clock.local_now().isoformat(timespec="seconds")}
                                     ).encode(), 0)
            yield Lock(True)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _file_holder(path: Path) -> str:
    try:
        found = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return ""
    return f"{found.get('who', 'another run')}, since {found.get('since', '?')}"


def runs_once(name: str) -> Callable[[Callable], Callable]:
    """Decorate a click command so that only one run at a time does its work.

    The run that takes the job's lock runs the command; another run at the same moment
    (another node's timer, an operator by hand) prints that it is already being done and by
    whom, and exits 0.
    """

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def run(*args, **kwargs):
            with job_lock(name) as lock:
                if not lock.held:
                    holder = f": {lock.holder}" if lock.holder else ""
                    click.echo(f"{name}: not run here, another run holds its lock{holder}")
                    return None
                return command(*args, **kwargs)

        return run

    return decorate
