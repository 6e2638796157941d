"""sealed reports: office keys, inspectors' keys, and a named reporter's identity sealed

Adds the key tables (user_key, office_key, office_key_grant, key_session) and, on report,
the office key a report is sealed to, its sealed data key and its sealed identity. Existing
identities stay in reporter_name/reporter_contact until the county's office key is made:
`flask sealing init --county CODE` seals them then, in committed batches (a live database
keeps working meanwhile).

Revision ID: 0020_sealed_reports
Revises: 0011_audit_keyed_chain
Create Date: 2026-12-07 09:30:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0020_sealed_reports'
down_revision = '0011_audit_keyed_chain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_key',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('salt', sa.LargeBinary(), nullable=False),
        sa.Column('wrapped_private', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_key_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_key')),
    )
    op.create_table(
        'office_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('recovery_salt', sa.LargeBinary(), nullable=False),
        sa.Column('recovery_wrapped', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('retired_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['county_id'], ['region.id'], name=op.f('fk_office_key_county_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_office_key')),
    )
    op.create_index('ix_office_key_county_created', 'office_key', ['county_id', 'created_at'])
    op.create_table(
        'office_key_grant',
        sa.Column('office_key_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sealed_private', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['office_key_id'], ['office_key.id'],
                                name=op.f('fk_office_key_grant_office_key_id_office_key'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_office_key_grant_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('office_key_id', 'user_id', name=op.f('pk_office_key_grant')),
    )
    op.create_index(op.f('ix_office_key_grant_user_id'), 'office_key_grant', ['user_id'])
    op.create_table(
        'key_session',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('wrapped_private', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_key_session_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_session')),
    )
    op.create_index(op.f('ix_key_session_user_id'), 'key_session', ['user_id'])
    # Plain ADD COLUMN (SQLite takes it in place; a batch copy would rebuild the report table
    # and its expression indexes).
    # office_key_id names an office_key row; no foreign key, which SQLite cannot add in place.
    op.add_column('report', sa.Column('office_key_id', sa.Integer(), nullable=True))
    op.add_column('report', sa.Column('sealed_data_key', sa.LargeBinary(), nullable=True))
    op.add_column('report', sa.Column('sealed_identity', sa.LargeBinary(), nullable=True))
    op.create_index(op.f('ix_report_office_key_id'), 'report', ['office_key_id'])


def downgrade():
    op.drop_index(op.f('ix_report_office_key_id'), table_name='report')
    for column in ('sealed_identity', 'sealed_data_key', 'office_key_id'):
        op.drop_column('report', column)
    op.drop_index(op.f('ix_key_session_user_id'), table_name='key_session')
    op.drop_table('key_session')
    op.drop_index(op.f('ix_office_key_grant_user_id'), table_name='office_key_grant')
    op.drop_table('office_key_grant')
    op.drop_index('ix_office_key_county_created', table_name='office_key')
    op.drop_table('office_key')
    op.drop_table('user_key')
