"""SQLite writers of a use case that takes turns (report submission) queue on a file lock.

The turn passes from one process to the next, and from one thread to the next, only when the
holder lets go; on PostgreSQL taking a turn does nothing.
"""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from portal import database
from portal.extensions import db


def _hold(app, started, release, log) -> None:
    with app.app_context(), database.write_turn():
        started.set()
        release.wait(30)
        with open(log, "a") as out:
            out.write("first done\n")


def _sqlite_only(app) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only: PostgreSQL writers do not take turns")


def test_a_second_process_waits_for_the_turn(app, tmp_path):
    _sqlite_only(app)
    log = tmp_path / "order.txt"
    with app.app_context(), database.write_turn():
        pass  # the lock file is open in this process before the fork, as under gunicorn's preload
    context = multiprocessing.get_context("fork")
    started, release = context.Event(), context.Event()
    holder = context.Process(target=_hold, args=(app, started, release, log))
    holder.start()
    try:
        assert started.wait(30)
        second = threading.Thread(target=_take_and_log, args=(app, log))
        second.start()
        second.join(0.5)
        assert second.is_alive(), "the second writer got in while the first held the turn"
        release.set()
        second.join(30)
    finally:
        release.set()
        holder.join(30)
    assert log.read_text().splitlines() == ["first done", "second in"]


def _take_and_log(app, log) -> None:
    with app.app_context(), database.write_turn(), open(log, "a") as out:
        out.write("second in\n")


def test_threads_of_one_process_take_turns_too(app, tmp_path):
    _sqlite_only(app)
    log = tmp_path / "order.txt"
    started, release = threading.Event(), threading.Event()
    first = threading.Thread(target=_hold, args=(app, started, release, log))
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=_take_and_log, args=(app, log))
    second.start()
    second.join(0.5)
    assert second.is_alive()
    release.set()
    first.join(30)
    second.join(30)
    assert log.read_text().splitlines() == ["first done", "second in"]


def test_on_postgresql_a_turn_is_nothing(app):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("PostgreSQL only")
        with database.write_turn(), database.write_turn():  # would block on a real lock
            pass
