"""staff seen at: the server's own record of when an account's session was last used

The idle timeout of staff sessions is measured from this column, which only the server
writes (at most once a minute), not from a time carried in the session cookie: an old cookie
replayed after the idle time finds every session of the account ended.

Revision ID: 0013_staff_seen_at
Revises: 0070_case_numbers
Create Date: 2026-12-07 09:25:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0013_staff_seen_at'
down_revision = '0070_case_numbers'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('seen_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
