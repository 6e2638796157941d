"""Staff accounts: creation, lookup for the session."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import Region, Role, SupervisorAppointment, Township, User
from portal.services.accounts.passwords import generate_password, hash_password
from portal.services.shared.errors import ValidationError


@dataclass(frozen=True)
class CreatedUser:
    user: User
    password: str
    totp_secret: str | None


def _resolve_scope(role: Role, scope: str | None) -> tuple[Region | None, list[Township]]:
    """A 6-digit code names a region; 9-digit codes (comma-separated) name townships."""
    if role == Role.SYSADMIN and not scope:
        return None, []
    codes = [c.strip() for c in (scope or "").split(",") if c.strip()]
    if not codes:
        raise ValidationError("a scope is required for this role (a region or township codes)")
    if len(codes) == 1 and len(codes[0]) == 6:
        region = db.session.scalar(select(Region).where(Region.code == codes[0]))
        if region is None:
            raise ValidationError(f"no region with code {codes[0]}")
        return region, []
    townships = list(db.session.scalars(select(Township).where(Township.code.in_(codes))))
    missing = set(codes) - {t.code for t in townships}
    if missing:
        raise ValidationError(f"no township with code {', '.join(sorted(missing))}")
    return None, townships


def create_user(
    *,
    username: str,
    role: Role | str,
    scope: str | None,
    password: str | None = None,
    totp_secret: str | None = None,
    display_name: str = "",
    home_township: str | None = None,
) -> CreatedUser:
    """Create a staff account; returns the password and TOTP secret that were set."""
    role = Role(role)
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationError("a username of 1 to 64 characters is required")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(f"the username {username} is taken")
    region, townships = _resolve_scope(role, scope)
    password = password or generate_password()
    if len(password) < 10:
        raise ValidationError("the password must have at least 10 characters")
    if totp_secret is None and role != Role.CLERK and role != Role.SUPERVISOR:
        totp_secret = pyotp.random_base32()
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        totp_secret=totp_secret,
        totp_enabled=totp_secret is not None,
        scope_region=region,
        scope_townships=townships,
    )
    if home_township:
        home = db.session.scalar(select(Township).where(Township.code == home_township))
        user.home_township_id = home.id if home else None
    db.session.add(user)
    db.session.commit()
    return CreatedUser(user=user, password=password, totp_secret=totp_secret)


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session epoch, so old sessions die."""
    public_id, _, epoch = user_id.partition(":")
    user = db.session.scalar(select(User).where(User.public_id == public_id))
    if user is None or not user.active or str(user.session_epoch) != epoch:
        return None
    if not account_open(user):
        return None
    return user


def account_open(user: User, today=None) -> bool:
    """False for a supervisor's account outside the term of its appointment (作风建设监督员:
    the account exists only during the term); True for every other account."""
    if user.role != Role.SUPERVISOR:
        return True
    appointment = db.session.scalar(select(SupervisorAppointment).where(
        SupervisorAppointment.user_id == user.id))
    return appointment is None or appointment.in_term(today or clock.today())

