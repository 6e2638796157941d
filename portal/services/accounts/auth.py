"""Staff authentication: password + TOTP, replay-proof codes, TOTP enrolment.

Throttling lives in the auth blueprint (Flask-Limiter); this module decides who may
log in and never says why a login failed: an unknown user, a wrong password, a
wrong or replayed code and a deactivated account all look the same to the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, or_, select, true, update

from portal.extensions import db
from portal.models import TOTP_REQUIRED_ROLES, Role, Township, User, user_township
from portal.models.base import utcnow
from portal.sanitize import clean_text
from portal.services.accounts import alert_settings, sessions
from portal.services.accounts import users as users_service
from portal.services.accounts.passwords import generate_password, hash_password, needs_rehash, verify_password
from portal.services.shared import audit, scope, sealing
from portal.services.shared.errors import NotFoundError, ServiceError, ValidationError

TOTP_INTERVAL = 30
# One step either side: phones whose clocks drift by up to 30 s still work.
TOTP_WINDOW = 1
ISSUER = "Zaigang"


class LoginFailed(ServiceError):
    """Wrong username, password or code, or an inactive account (deliberately one error)."""


def account_key(username: str, secret: bytes | str) -> str:
    """The per-account throttling key: a keyed hash of the submitted username, never the name."""
    key = secret.encode() if isinstance(secret, str) else secret
    name = (username or "").strip().lower()[:64]
    return "acct:" + hmac.new(key, name.encode(), hashlib.sha256).hexdigest()[:32]


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step a 6-digit code belongs to (within the window), or None."""
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    current = int(now // TOTP_INTERVAL)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def consume_totp(user: User, code: str, now: float | None = None) -> bool:
    """Accept a code once: the step is recorded with a conditional UPDATE, so a replay fails.

    Adds to the caller's transaction (flushes, does not commit).
    """
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is None:
        return False
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.flush()
    db.session.expire(user, ["totp_last_step"])
    return True


def _find(username: str) -> User | None:
    name = (username or "").strip()
    if not name or len(name) > 64:
        return None
    return db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))


def authenticate(*, username: str, password: str, totp: str = "", now: float | None = None) -> User:
    """The user if the password (and, where needed, the TOTP code) is right; else LoginFailed."""
    user = _find(username)
    # verify_password does equal work with no stored hash: timing does not reveal the user.
    password_ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not password_ok or not user.active or not users_service.account_open(user):
        _record_failure(user, username)
        raise LoginFailed("login failed")
    if user.needs_totp and not consume_totp(user, totp, now):
        _record_failure(user, username)
        raise LoginFailed("login failed")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, object_type="user", object_id=user.public_id)
    db.session.commit()
    return user


def _record_failure(user: User | None, username: str) -> None:
    """Audit a failed login of a known account; unknown names are not recorded anywhere."""
    db.session.rollback()
    if user is None:
        return
    audit.record("auth.failed", actor=None, object_type="user", object_id=user.public_id)
    db.session.commit()


def record_logout(user: User, key_token: str | None = None) -> None:
    """End every session of the account on the server side (a copied cookie opens nothing
    any more), forget the keys this session had unlocked, and audit the logout."""
    sessions.end_all(user)
    sealing.lock(key_token)
    audit.record("auth.logout", actor=user, object_type="user", object_id=user.public_id)
    db.session.commit()


def open_keys(user: User, password: str) -> str | None:
    """After a successful login: unlock the inspector's keys with the password, once; the
    token returned (kept in the session) opens them again, nothing else does. Commits the
    login's session bookkeeping with it."""
    token = sealing.unlock(user, password)
    db.session.commit()
    return token


def may_change_totp(user: User) -> bool:
    """Clerks and supervisors choose TOTP; for the other roles it is compulsory."""
    return user.role not in TOTP_REQUIRED_ROLES


def new_enrolment_secret() -> str:
    """A fresh base32 secret for an enrolment in progress (kept in the session until confirmed)."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_INTERVAL).provisioning_uri(
        name=user.username, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The QR code of a provisioning URI as an inline SVG data URI (no third party involved)."""
    import segno  # only enrolment draws a code: not loaded by every worker

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def enable_totp(*, user: User, secret: str, code: str, now: float | None = None) -> None:
    """Turn TOTP on once the user proves their app shows the right code."""
    if user.totp_enabled and user.totp_secret:
        raise ValidationError("TOTP already on")
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        raise ValidationError("wrong code")
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_step = step
    # Every session of the account ends; the view starts a fresh one for the person here.
    sessions.end_all(user)
    audit.record("auth.totp_enabled", actor=user, object_type="user", object_id=user.public_id)
    db.session.commit()


def disable_totp(*, user: User, code: str, now: float | None = None) -> None:
    """A clerk or supervisor turns TOTP off with a valid current code."""
    if not may_change_totp(user):
        raise ValidationError("TOTP is required for this role")
    if not user.totp_enabled or not consume_totp(user, code, now):
        db.session.rollback()
        raise ValidationError("wrong code")
    user.totp_enabled = False
    user.totp_secret = None
    sessions.end_all(user)
    audit.record("auth.totp_disabled", actor=user, object_type="user", object_id=user.public_id)
    db.session.commit()


# --- Account management by county administrators and sysadmins ---------------------------

ADMIN_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})


def roles_assignable_by(admin: User) -> list[Role]:
    """A county administrator manages the county's staff; only a sysadmin makes sysadmins."""
    if admin.role == Role.SYSADMIN:
        return list(Role)
    if admin.role == Role.COUNTY_ADMIN:
        return [Role.CLERK, Role.SUPERVISOR, Role.INSPECTOR, Role.COUNTY_ADMIN]
    return []


def _managed_condition(admin: User):
    if admin.role == Role.SYSADMIN:
        return true()
    if admin.role != Role.COUNTY_ADMIN or admin.scope_region_id is None:
        return false()
    in_townships = User.id.in_(
        select(user_township.c.user_id).where(
            user_township.c.township_id.in_(scope.township_ids_in_scope(admin)))
    )
    return and_(User.role != Role.SYSADMIN,
                or_(User.scope_region_id.in_(scope.region_ids_under(admin.scope_region_id)), in_townships))


def manageable_users(admin: User) -> list[User]:
    """The staff accounts within the administrator's scope."""
    return list(db.session.scalars(
        select(User).where(_managed_condition(admin)).order_by(User.role, User.username)
    ))


def get_managed_user(admin: User, public_id: str) -> User:
    """An account the administrator may manage; anything else is NotFoundError (404)."""
    user = db.session.scalar(select(User).where(User.public_id == public_id, _managed_condition(admin)))
    if user is None:
        raise NotFoundError("no such user")
    return user


def _check_scope_allowed(admin: User, region, townships) -> None:
    if admin.role == Role.SYSADMIN:
        return
    regions = set(db.session.scalars(scope.region_ids_under(admin.scope_region_id)))
    if region is not None and region.id not in regions:
        raise ValidationError(_l("只能在您管辖的范围内设置账号。"))
    in_scope = set(db.session.scalars(scope.township_ids_in_scope(admin)))
    if any(t.id not in in_scope for t in townships):
        raise ValidationError(_l("只能在您管辖的范围内设置账号。"))


def create_staff_user(*, admin: User, username: str, display_name: str, role: Role | str,
                      scope_codes: str, home_township: str = "",
                      email: str = "") -> users_service.CreatedUser:
    """Create an account within the administrator's scope; password and TOTP secret shown once."""
    role = Role(role)
    if role not in roles_assignable_by(admin):
        raise ValidationError(_l("您不能创建这种角色的账号。"))
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise ValidationError(_l("用户名须为 1 到 64 个字符，不含空格。"))
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise ValidationError(_l("这个用户名已被使用。"))
    try:
        region, townships = users_service._resolve_scope(role, scope_codes)  # noqa: SLF001
    except ValidationError as error:
        raise ValidationError(
            _l("管辖范围无效：请填写 6 位县（市）代码，或逗号分隔的 9 位乡镇代码。")) from error
    _check_scope_allowed(admin, region, townships)
    password = generate_password()
    secret = pyotp.random_base32() if role in TOTP_REQUIRED_ROLES else None
    user = User(username=username, display_name=clean_text(display_name, 64, multiline=False) or username,
                password_hash=hash_password(password), role=role, totp_secret=secret,
                totp_enabled=secret is not None, scope_region=region, scope_townships=townships,
                email=alert_settings.normalized_email(email))
    if home_township:
        home = db.session.scalar(select(Township).where(Township.code == home_township.strip()))
        if home is None:
            raise ValidationError(_l("居住乡镇代码无效。"))
        user.home_township_id = home.id
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=admin, object_type="user", object_id=user.public_id,
                 detail={"username": username, "role": role.value, "scope": scope_codes})
    db.session.commit()
    return users_service.CreatedUser(user=user, password=password, totp_secret=secret)


def set_active(*, admin: User, user: User, active: bool) -> None:
    """Deactivate (every session ends at once) or reactivate an account."""
    if user.id == admin.id:
        raise ValidationError(_l("不能停用自己的账号。"))
    if user.role == Role.SYSADMIN and admin.role != Role.SYSADMIN:
        raise NotFoundError("no such user")
    user.active = active
    sessions.end_all(user)
    if not active:
        # A departing inspector keeps no copy of any office key (docs/security.md: rotation).
        sealing.drop_user_keys(user)
    audit.record("user.activated" if active else "user.deactivated", actor=admin, object_type="user",
                 object_id=user.public_id)
    db.session.commit()


def reset_password(*, admin: User, user: User) -> str:
    """A new generated password, shown once; the user's sessions end."""
    password = generate_password()
    user.password_hash = hash_password(password)
    # Wrapped by the old password, the user's keys are lost: a colleague's next login or the
    # office's recovery key grants the office key again.
    sealing.drop_user_keys(user)
    sessions.end_all(user)
    audit.record("user.password_reset", actor=admin, object_type="user", object_id=user.public_id)
    db.session.commit()
    return password


def reset_totp(*, admin: User, user: User) -> str | None:
    """A new TOTP secret for roles that need one (shown once); optional TOTP is turned off."""
    secret = pyotp.random_base32() if user.role in TOTP_REQUIRED_ROLES else None
    user.totp_secret = secret
    user.totp_enabled = secret is not None
    user.totp_last_step = 0
    sessions.end_all(user)
    audit.record("user.totp_reset", actor=admin, object_type="user", object_id=user.public_id)
    db.session.commit()
    return secret
