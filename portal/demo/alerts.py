"""Demo e-mail addresses of the demo inspectors (reserved .example domain: nothing is delivered
anywhere real): with MAIL_URL pointed at a local SMTP server, `flask alerts send` shows what
the alerts look like. The second inspector takes a daily digest."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import AlertMode, User

ADDRESSES = {
    "inspector": ("inspector@zaigang.example", AlertMode.IMMEDIATE),
    "inspector2": ("inspector2@zaigang.example", AlertMode.DIGEST),
    "cityinspector": ("cityinspector@zaigang.example", AlertMode.IMMEDIATE),
}


def seed(today: date) -> list[str]:
    """Give the demo inspectors their addresses, unless an address was set already."""
    given = 0
    for user in db.session.scalars(select(User).where(User.username.in_(ADDRESSES))):
        if not user.email:
            user.email, mode = ADDRESSES[user.username]
            user.alert_mode = mode.value
            given += 1
    db.session.commit()
    return [f"e-mail alerts: {given} demo inspector address(es) set"] if given else []
