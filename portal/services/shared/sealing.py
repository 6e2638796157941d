"""Office keys, inspectors' keys and the unlocked keys of a logged-in inspector.

The cryptography is portal/rules/sealing.py; the key hierarchy and the office's procedures are
in docs/security.md. Who may hold a county's office key: its active inspectors and those of
the city and province above it (escalated and transferred cases reach them).
"""

from __future__ import annotations

import secrets

from flask import current_app, has_app_context
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import Region, RegionLevel, Report, Role, User
from portal.models.base import utcnow
from portal.models.sealing import KeySession, OfficeKey, OfficeKeyGrant, UserKey
from portal.rules import sealing
from portal.rules.sealing import SealError as SealError
from portal.services.shared import audit
from portal.services.shared.errors import ValidationError

Keyring = dict[int, bytes]
# Where the session cookie holds the token of an inspector's unlocked keys.
SESSION_KEY = "seal"


def _fast() -> bool:
    # Tests only (PASSWORD_HASH_FAST): the same Argon2id with its minimum cost.
    return bool(has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"))


def derive(secret: str, salt: bytes) -> bytes:
    """Argon2id at the configured cost."""
    return sealing.derive_key(secret, salt, fast=_fast())


def current_office_key(county_id: int) -> OfficeKey | None:
    """The key new reports of the county are sealed to."""
    return db.session.scalars(
        select(OfficeKey).where(OfficeKey.county_id == county_id, OfficeKey.retired_at.is_(None))
        .order_by(OfficeKey.created_at.desc(), OfficeKey.id.desc()).limit(1)).first()


def _regions_above(county_id: int) -> list[int]:
    ids, region = [], db.session.get(Region, county_id)
    while region is not None:
        ids.append(region.id)
        region = db.session.get(Region, region.parent_id) if region.parent_id else None
    return ids


def eligible_users(county_id: int) -> list[User]:
    """Active inspectors of the county, its city and its province."""
    return list(db.session.scalars(select(User).where(
        User.role == Role.INSPECTOR, User.active.is_(True),
        User.scope_region_id.in_(_regions_above(county_id)))))


def _grant(key: OfficeKey, private: bytes, users: list[User]) -> int:
    """Seal the office private key to each user with a key pair and no grant yet."""
    have = set(db.session.scalars(select(OfficeKeyGrant.user_id)
                                  .where(OfficeKeyGrant.office_key_id == key.id)))
    made = 0
    for user in users:
        user_key = db.session.get(UserKey, user.id)
        if user_key is None or user.id in have:
            continue
        db.session.add(OfficeKeyGrant(office_key_id=key.id, user_id=user.id,
                                      sealed_private=sealing.seal_to(user_key.public_key, private)))
        made += 1
    return made


def make_office_key(county_id: int) -> tuple[OfficeKey, str]:
    """A new key pair for the county's office and its recovery key (to print, shown once).

    Granted to every eligible inspector who has logged in once (has a key pair); the others
    receive it when a colleague holding it logs in. The caller commits.
    """
    public, private = sealing.new_key_pair()
    recovery = sealing.new_recovery_key()
    salt = sealing.new_salt()
    key = OfficeKey(county_id=county_id, public_key=public, recovery_salt=salt,
                    recovery_wrapped=sealing.encrypt(derive(recovery, salt), private))
    db.session.add(key)
    db.session.flush()
    _grant(key, private, eligible_users(county_id))
    return key, recovery


def holders(key: OfficeKey) -> int:
    """How many inspectors hold the key."""
    return len(db.session.scalars(select(OfficeKeyGrant.user_id)
                                  .where(OfficeKeyGrant.office_key_id == key.id)).all())


def open_with_recovery(key: OfficeKey, recovery: str) -> bytes:
    """The office private key from the printed recovery key; SealError if it is not that key."""
    typed = sealing.normal_recovery_key(recovery)
    return sealing.decrypt(derive(typed, key.recovery_salt), key.recovery_wrapped)


def grant_with_recovery(key: OfficeKey, recovery: str) -> int:
    """Grant the office key to every eligible inspector lacking it (a lost password, a newcomer)."""
    return _grant(key, open_with_recovery(key, recovery), eligible_users(key.county_id))


def prepare_user_key(user: User, password: str) -> bytes:
    """The user's private key, making the key pair at the first login (the caller commits)."""
    user_key = db.session.get(UserKey, user.id)
    if user_key is not None:
        try:
            return sealing.decrypt(derive(password, user_key.salt), user_key.wrapped_private)
        except SealError:
            # The password was set by someone else (a reset): the old key pair is lost.
            drop_user_keys(user)
    public, private = sealing.new_key_pair()
    salt = sealing.new_salt()
    db.session.add(UserKey(user_id=user.id, public_key=public, salt=salt,
                           wrapped_private=sealing.encrypt(derive(password, salt), private)))
    db.session.flush()
    return private


def drop_user_keys(user: User) -> None:
    """Forget the user's key pair, grants and unlocked sessions (deactivation, password reset)."""
    for model in (KeySession, OfficeKeyGrant, UserKey):
        db.session.execute(delete(model).where(model.user_id == user.id))


def _open_grants(user_id: int, private: bytes) -> Keyring:
    ring: Keyring = {}
    for grant in db.session.scalars(select(OfficeKeyGrant).where(OfficeKeyGrant.user_id == user_id)):
        try:
            ring[grant.office_key_id] = sealing.open_sealed(private, grant.sealed_private)
        except SealError:
            continue
    return ring


def unlock(user: User, password: str) -> str | None:
    """At login: a token for the session cookie that opens the inspector's keys; None for others.

    Also hands every office key the inspector holds to colleagues still waiting for it.
    The caller commits.
    """
    if user.role != Role.INSPECTOR:
        return None
    private = prepare_user_key(user, password)
    for key_id, office_private in _open_grants(user.id, private).items():
        key = db.session.get(OfficeKey, key_id)
        if key is not None and key.retired_at is None:
            _grant(key, office_private, eligible_users(key.county_id))
    session_key, session_id = sealing.new_data_key(), secrets.token_hex(16)
    db.session.add(KeySession(id=session_id, user_id=user.id,
                              wrapped_private=sealing.encrypt(session_key, private)))
    return f"{session_id}.{sealing.b64(session_key)}"


def keyring(user: User, token: str | None) -> Keyring:
    """The office private keys the logged-in inspector holds (empty without a live token)."""
    if not token or not user.active or user.role != Role.INSPECTOR or "." not in token:
        return {}
    session_id, _dot, encoded = token.partition(".")
    row = db.session.get(KeySession, session_id)
    if row is None or row.user_id != user.id:
        return {}
    try:
        private = sealing.decrypt(sealing.unb64(encoded), row.wrapped_private)
    except SealError:
        return {}
    return _open_grants(user.id, private)


def lock(token: str | None) -> None:
    """At logout: the session's unlocked key is gone. The caller commits."""
    if token and "." in token:
        db.session.execute(delete(KeySession).where(KeySession.id == token.partition(".")[0]))


def data_key(report: Report, ring: Keyring) -> bytes | None:
    """The report's data key if the keyring opens it."""
    private = ring.get(report.office_key_id) if report.office_key_id else None
    if private is None or report.sealed_data_key is None:
        return None
    try:
        return sealing.open_sealed(private, report.sealed_data_key)
    except SealError:
        return None


def retire(key: OfficeKey) -> None:
    """Mark a key retired (its reports now sealed to a newer one)."""
    key.retired_at = utcnow()


def open_identity(report: Report, ring: Keyring) -> bool:
    """Open a named reporter's sealed identity with the keyring (False if it does not open)."""
    if report.sealed_identity is None:
        return True
    key = data_key(report, ring)
    if key is None:
        return False
    report.__dict__["_data_key"] = key
    report.opened_identity(sealing.decrypt_fields(key, report.sealed_identity))
    return True


def seal_waiting(county_id: int, batch: int = 500) -> int:
    """Seal the identities that waited in plaintext for the county's office key, in batches.

    Each batch is committed, so it runs on a live database without long locks; returns how
    many were sealed.
    """
    sealed = 0
    while True:
        reports = list(db.session.scalars(
            select(Report).where(Report.county_id == county_id, Report.sealed_identity.is_(None),
                                 (Report.legacy_reporter_name.is_not(None)
                                  | Report.legacy_reporter_contact.is_not(None)))
            .order_by(Report.id).limit(batch)))
        if not reports:
            return sealed
        for report in reports:
            report.reporter_name = report.legacy_reporter_name
        db.session.commit()
        sealed += len(reports)


def county_by_code(code: str) -> Region:
    """The county with this GB/T 2260 code; ValidationError otherwise."""
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None or region.level != RegionLevel.COUNTY:
        raise ValidationError(f"no county {code}")
    return region


def init_office(county_code: str) -> tuple[OfficeKey, str, int]:
    """Make a county's first office key: (key, recovery key to print, identities sealed)."""
    county = county_by_code(county_code)
    if current_office_key(county.id) is not None:
        raise ValidationError(f"county {county_code} has an office key already (use rotate)")
    key, recovery = make_office_key(county.id)
    audit.record("office_key.made", actor=None, object_type="region", object_id=county.code)
    db.session.commit()
    return key, recovery, seal_waiting(county.id)


def rotate(county_code: str, recovery: str, batch: int = 500) -> tuple[OfficeKey, str, int]:
    """A new office key when an inspector leaves: every report is re-sealed to it in batches.

    The old key opens with its recovery key; once no report is sealed to it, it is deleted
    with every grant of it. Returns (new key, its recovery key, reports re-sealed).
    """
    county = county_by_code(county_code)
    old = current_office_key(county.id)
    if old is None:
        raise ValidationError(f"county {county_code} has no office key yet (use init)")
    try:
        old_private = open_with_recovery(old, recovery)
    except SealError as exc:
        raise ValidationError("that is not this office's recovery key") from exc
    new, new_recovery = make_office_key(county.id)
    retire(old)
    audit.record("office_key.rotated", actor=None, object_type="region", object_id=county.code)
    db.session.commit()
    moved = 0
    while True:
        reports = list(db.session.scalars(select(Report).where(Report.office_key_id == old.id)
                                          .order_by(Report.id).limit(batch)))
        if not reports:
            break
        for report in reports:
            data = sealing.open_sealed(old_private, report.sealed_data_key)
            report.sealed_data_key = sealing.seal_to(new.public_key, data)
            report.office_key_id = new.id
        db.session.commit()
        moved += len(reports)
    db.session.delete(old)
    db.session.commit()
    return new, new_recovery, moved
