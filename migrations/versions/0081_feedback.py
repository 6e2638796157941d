"""after the conclusion: the reporter's satisfaction and review requests (复查)

Revision ID: 0081_feedback
Revises: 0120_official_cars
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0081_feedback'
down_revision = '0120_official_cars'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_feedback',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('satisfaction', sa.Enum('satisfied', 'mostly_satisfied', 'dissatisfied',
                                          name='satisfaction', native_enum=False, length=24),
                  nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE',
                                name=op.f('fk_report_feedback_report_id_report')),
        sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_feedback')),
    )
    op.create_table(
        'review_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', UTCDateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('due', UTCDateTime(), nullable=False),
        sa.Column('outcome', sa.Enum('upheld', 'changed', name='reviewoutcome', native_enum=False,
                                     length=24), nullable=True),
        sa.Column('outcome_public', sa.Text(), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_review_request_decided_by_id_user_account')),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                                name=op.f('fk_review_request_region_id_region')),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE',
                                name=op.f('fk_review_request_report_id_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_request')),
        sa.UniqueConstraint('report_id', name=op.f('uq_review_request_report_id')),
    )
    op.create_index('ix_review_request_region_due', 'review_request', ['region_id', 'due'])


def downgrade():
    op.drop_index('ix_review_request_region_due', table_name='review_request')
    op.drop_table('review_request')
    op.drop_table('report_feedback')
