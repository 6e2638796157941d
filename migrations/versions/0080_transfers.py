"""transfers (转办): the transfer record, the report's handling level and its kept case number

A report transferred to another county changes its county (whose inspectors then have it in
their queue) but keeps its case number: case_county_id names the county that gave it, and
the unique index on case numbers is split in two partial ones. office_level says whether the
county's, the city's or the province's office handles the report.

Revision ID: 0080_transfers
Revises: 0075_staff_sessions
Create Date: 2026-12-07 12:50:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0080_transfers'
down_revision = '0075_staff_sessions'
branch_labels = None
depends_on = None

_STATUS = sa.Enum('submitted', 'accepted', 'not_accepted', 'merged', 'verifying', 'concluded',
                  'rectified', 'transferred', name='reportstatus', native_enum=False, length=24)


def upgrade():
    op.create_table(
        'report_transfer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('county', 'up', 'outside', name='transferkind',
                                  native_enum=False, length=24), nullable=False),
        sa.Column('from_region_id', sa.Integer(), nullable=False),
        sa.Column('from_level', sa.Integer(), nullable=False),
        sa.Column('from_status', _STATUS, nullable=False),
        sa.Column('to_region_id', sa.Integer(), nullable=True),
        sa.Column('to_level', sa.Integer(), nullable=True),
        sa.Column('to_authority', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'],
                                name=op.f('fk_report_transfer_actor_id_user_account')),
        sa.ForeignKeyConstraint(['from_region_id'], ['region.id'],
                                name=op.f('fk_report_transfer_from_region_id_region')),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE',
                                name=op.f('fk_report_transfer_report_id_report')),
        sa.ForeignKeyConstraint(['to_region_id'], ['region.id'],
                                name=op.f('fk_report_transfer_to_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_transfer')),
    )
    op.create_index('ix_report_transfer_from_region_at', 'report_transfer',
                    ['from_region_id', 'at'])
    op.create_index(op.f('ix_report_transfer_report_id'), 'report_transfer', ['report_id'])
    # Plain ADD COLUMN on SQLite too: the report table keeps its triggers (migration 0002).
    op.add_column('report', sa.Column('case_county_id', sa.Integer(), nullable=True))
    op.add_column('report', sa.Column('office_level', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
    op.drop_index('ix_report_case_number', table_name='report')
    op.create_index('ix_report_case_number', 'report', ['county_id', 'case_year', 'case_seq'],
                    unique=True, sqlite_where=sa.text('case_county_id IS NULL'),
                    postgresql_where=sa.text('case_county_id IS NULL'))
    op.create_index('ix_report_case_number_kept', 'report',
                    ['case_county_id', 'case_year', 'case_seq'], unique=True,
                    sqlite_where=sa.text('case_county_id IS NOT NULL'),
                    postgresql_where=sa.text('case_county_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_report_case_number_kept', table_name='report')
    op.drop_index('ix_report_case_number', table_name='report')
    op.create_index('ix_report_case_number', 'report', ['county_id', 'case_year', 'case_seq'],
                    unique=True)
    # Plain DROP COLUMN (SQLite 3.35 and later): a rebuilt table would lose its triggers.
    op.drop_column('report', 'office_level')
    op.drop_column('report', 'case_county_id')
    op.drop_index(op.f('ix_report_transfer_report_id'), table_name='report_transfer')
    op.drop_index('ix_report_transfer_from_region_at', table_name='report_transfer')
    op.drop_table('report_transfer')
