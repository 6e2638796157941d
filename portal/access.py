"""Deny by default for staff: one guard before every staff view.

Every view of a staff blueprint must declare the roles it admits with `@allow(...)`;
a view without the declaration answers 403, so a new view cannot forget its guard.
Sessions end after 30 minutes idle and 8 hours in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.models import Role, User
from portal.services.accounts import sessions

STAFF_BLUEPRINTS = frozenset({"review", "admin"})
ALL_STAFF = tuple(Role)


def allow(*roles: Role) -> Callable:
    """Declare the roles that may use a staff view."""

    def decorate(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def begin_session(user: User) -> None:
    """Start a fresh staff session (a new session: no fixation)."""
    session.clear()
    login_user(user, remember=False, fresh=True)
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now
    session["sid"] = sessions.open_session(user, lifetime_seconds=_lifetime())
    session.permanent = True


def session_still_live() -> bool:
    """The current staff session is live: not idle too long nor past its lifetime, by the
    cookie and by the server's own record of this session (so a replayed cookie cannot carry
    its own freshness); a live one is marked seen."""
    if not current_user.is_authenticated:
        return False
    user = current_user._get_current_object()
    if session_expired() or not sessions.still_live(
            user, session.get("sid"), idle_seconds=current_app.config["STAFF_IDLE_TIMEOUT"],
            lifetime_seconds=_lifetime()):
        return False
    session["seen_at"] = int(time.time())
    return True


def end_session() -> None:
    """Log out and forget everything in the session, on the server too."""
    sessions.close_session(session.get("sid"))
    logout_user()
    session.clear()


def _lifetime() -> int:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return int(lifetime.total_seconds() if hasattr(lifetime, "total_seconds") else lifetime)


def session_expired() -> bool:
    """True when the staff session is idle too long or older than its absolute lifetime."""
    now = int(time.time())
    auth_at = session.get("auth_at", 0)
    seen_at = session.get("seen_at", 0)
    idle = current_app.config["STAFF_IDLE_TIMEOUT"]
    return now - seen_at > idle or now - auth_at > _lifetime()


def _guard():
    if not STAFF_BLUEPRINTS.intersection(request.blueprints):
        return None
    if not session_still_live():
        end_session()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    view = current_app.view_functions.get(request.endpoint or "")
    allowed = getattr(view, "allowed_roles", None)
    if not allowed or current_user.role not in allowed:
        abort(403)
    return None


def _no_store(response):
    """Staff pages are never cached by browsers or proxies."""
    if STAFF_BLUEPRINTS.union({"auth"}).intersection(request.blueprints):
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    app.before_request(_guard)
    app.after_request(_no_store)
