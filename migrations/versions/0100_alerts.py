"""alerts: an outbox of e-mail alerts to inspectors, and each account's address and choice

`alert` holds one row per alert due to one inspector about one report (a report routed into
their scope, a reporter's message, a deadline coming), written in the event's transaction and
sent once by `flask alerts send`. Staff accounts get an e-mail address, the way they want
alerts (immediate, a daily digest, or none) and the day of their last digest.

Revision ID: 0100_alerts
Revises: 0090_published_cases
Create Date: 2026-12-07 12:45:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0100_alerts'
down_revision = '0090_published_cases'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('new_report', 'escalated', 'reporter_message', 'deadline',
                                  name='alertkind', native_enum=False, length=24), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('due_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=24), nullable=False),
        sa.Column('claimed_until', UTCDateTime(), nullable=True),
        sa.Column('claim', sa.String(length=32), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_alert_recipient_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'],
                                name=op.f('fk_alert_report_id_report'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    )
    op.create_index('ix_alert_once', 'alert', ['recipient_id', 'kind', 'report_id', 'due_at'],
                    unique=True)
    op.create_index('ix_alert_pending', 'alert', ['due_at', 'id'],
                    sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))
    op.create_index(op.f('ix_alert_report_id'), 'alert', ['report_id'])
    op.create_index(op.f('ix_alert_claim'), 'alert', ['claim'])
    # Plain ADD COLUMN on SQLite too (nullable, or with a default): the table is not rebuilt.
    op.add_column('user_account', sa.Column('email', sa.String(length=254), nullable=False,
                                            server_default=''))
    op.add_column('user_account', sa.Column('alert_mode', sa.String(length=16), nullable=False,
                                            server_default='immediate'))
    op.add_column('user_account', sa.Column('alert_digest_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('alert_digest_on')
        batch_op.drop_column('alert_mode')
        batch_op.drop_column('email')
    op.drop_index(op.f('ix_alert_claim'), table_name='alert')
    op.drop_index(op.f('ix_alert_report_id'), table_name='alert')
    op.drop_index('ix_alert_pending', table_name='alert')
    op.drop_index('ix_alert_once', table_name='alert')
    op.drop_table('alert')
