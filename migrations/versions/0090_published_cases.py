"""published cases: substantiated cases on the county's public page (通报曝光)

Revision ID: 0090_published_cases
Revises: 0080_transfers
Create Date: 2026-12-07 12:40:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0090_published_cases'
down_revision = '0080_transfers'
branch_labels = None
depends_on = None

_CATEGORY = ('absent_workday', 'left_post', 'commuting', 'no_duty_leader', 'false_board',
             'official_car', 'other')
_FINDING = ('substantiated', 'partly_substantiated', 'unsubstantiated')
_ACTION = ('none', 'criticism', 'admonishing_talk', 'circulated_criticism', 'organisational',
           'disciplinary', 'transferred')


def upgrade():
    op.create_table(
        'published_case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=24), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('cadre_name', sa.String(length=64), nullable=False),
        sa.Column('cadre_post', sa.String(length=64), nullable=False),
        sa.Column('category', sa.Enum(*_CATEGORY, name='category', native_enum=False, length=24),
                  nullable=False),
        sa.Column('finding', sa.Enum(*_FINDING, name='finding', native_enum=False, length=24),
                  nullable=False),
        sa.Column('action', sa.Enum(*_ACTION, name='action', native_enum=False, length=24),
                  nullable=False),
        sa.Column('found', sa.Text(), nullable=False),
        sa.Column('done', sa.Text(), nullable=False),
        sa.Column('concluded_on', sa.Date(), nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=False),
        sa.Column('changed_at', UTCDateTime(), nullable=False),
        sa.Column('times_published', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['county_id'], ['region.id'],
                                name=op.f('fk_published_case_county_id_region')),
        sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'],
                                name=op.f('fk_published_case_published_by_id_user_account')),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE',
                                name=op.f('fk_published_case_report_id_report')),
        sa.ForeignKeyConstraint(['township_id'], ['township.id'],
                                name=op.f('fk_published_case_township_id_township')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'],
                                name=op.f('fk_published_case_withdrawn_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_case')),
        sa.UniqueConstraint('public_id', name=op.f('uq_published_case_public_id')),
        sa.UniqueConstraint('report_id', name=op.f('uq_published_case_report_id')),
    )
    op.create_index('ix_published_case_county', 'published_case',
                    ['county_id', 'withdrawn_at', 'published_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_published_case_county', table_name='published_case')
    op.drop_table('published_case')
