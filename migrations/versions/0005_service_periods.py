"""service periods: a cadre's joining and leaving dates at the township

A cadre counts in a month's notice, the 5-4-3 figures and the statistics only for the days
served at the township: from `joined_on` to `left_on`, both included (None: open).

Backfill of existing rows: a cadre joined on the local date it was added, or earlier when
the records go back further (its first sign-in, village visit or leave). A cadre already
deactivated left on the local date of its last deactivation in the audit log, or else on
the date of its last record (or the day it joined, when it has none).

Revision ID: 0005_service_periods
Revises: 0004
Create Date: 2026-12-04 17:00:00

"""
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_service_periods'
down_revision = '0004'
branch_labels = None
depends_on = None

LOCAL = timedelta(hours=8)  # Asia/Shanghai keeps no daylight saving time


def _local_date(value) -> date | None:
    """A stored UTC instant (datetime, or text on SQLite) as its Asia/Shanghai date."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value.astimezone(UTC) + LOCAL).date()


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


FIRST_AND_LAST = """
SELECT c.id, c.active, c.created_at,
  (SELECT min(s.at) FROM sign_in s WHERE s.cadre_id = c.id),
  (SELECT max(s.at) FROM sign_in s WHERE s.cadre_id = c.id),
  (SELECT min(v.day) FROM village_visit v WHERE v.cadre_id = c.id),
  (SELECT max(v.day) FROM village_visit v WHERE v.cadre_id = c.id),
  (SELECT min(l.start_date) FROM leave l WHERE l.cadre_id = c.id),
  (SELECT max(a.at) FROM audit_entry a
    WHERE a.action = 'cadre.deactivate' AND a.object_type = 'cadre' AND a.object_id = c.public_id)
FROM cadre c
"""


def _backfill(conn) -> None:
    update = sa.text("UPDATE cadre SET joined_on = :joined, left_on = :left WHERE id = :id")
    for (cid, active, created, first_sign, last_sign, first_visit, last_visit, first_leave,
         deactivated) in conn.execute(sa.text(FIRST_AND_LAST)).all():
        starts = [d for d in (_local_date(created), _local_date(first_sign), _as_date(first_visit),
                              _as_date(first_leave)) if d is not None]
        joined = min(starts) if starts else None
        left = None
        if not active:
            ends = [d for d in (_local_date(last_sign), _as_date(last_visit)) if d is not None]
            left = _local_date(deactivated) or (max(ends) if ends else joined)
            if joined and left and left < joined:
                left = joined
        conn.execute(update, {"joined": joined, "left": left, "id": cid})


def upgrade():
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
    _backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.drop_column('left_on')
        batch_op.drop_column('joined_on')
