"""A staff account's e-mail address (set by an administrator) and how its user wants alerts.

The address is where e-mail alerts go (portal/services/casework/alerts.py); the user chooses
immediate alerts, a daily digest, or none, on their account page. Both are audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import AlertMode, Role, User
from portal.sanitize import clean_text
from portal.services.shared import audit, mail
from portal.services.shared.errors import ValidationError

MAX_EMAIL = 254
# One address, as people write it: local part, @, a domain with a dot (no display name).
_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]+")


@dataclass(frozen=True)
class AlertSettings:
    """What the account page shows about alerts."""

    takes_alerts: bool  # the role gets alerts (inspectors)
    enabled: bool  # the server sends e-mail (MAIL_URL set)
    email: str
    mode: AlertMode


def settings_of(user: User) -> AlertSettings:
    try:
        mode = AlertMode(user.alert_mode)
    except ValueError:
        mode = AlertMode.IMMEDIATE
    return AlertSettings(user.role == Role.INSPECTOR, mail.configured(), user.email or "", mode)


def set_alert_mode(*, user: User, mode: str) -> AlertMode:
    """The user's own choice: immediate alerts, a daily digest, or none."""
    try:
        chosen = AlertMode(mode)
    except ValueError:
        raise ValidationError(_l("请选择一种提醒方式。")) from None
    if user.role != Role.INSPECTOR:
        raise ValidationError(_l("只有纪检监察干部接收举报提醒。"))
    if user.alert_mode != chosen.value:
        user.alert_mode = chosen.value
        audit.record("user.alerts_changed", actor=user, object_type="user", object_id=user.public_id,
                     detail={"mode": chosen.value})
    db.session.commit()
    return chosen


def normalized_email(value: str | None) -> str:
    """The address as stored ("" for none); ValidationError when it is not one address."""
    text = clean_text(value or "", MAX_EMAIL + 1, multiline=False).strip()
    if not text:
        return ""
    if len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text):
        raise ValidationError(_l("电子邮箱地址格式不对，例如 zhang.san@example.gov.cn。"))
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def set_email(*, admin: User, user: User, email: str | None) -> str:
    """An administrator sets (or clears, with "") a managed account's address."""
    address = normalized_email(email)
    if address != (user.email or ""):
        user.email = address
        audit.record("user.email_changed", actor=admin, object_type="user", object_id=user.public_id,
                     detail={"set": bool(address)})
    db.session.commit()
    return address
